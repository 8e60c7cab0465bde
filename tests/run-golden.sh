#!/bin/sh
# Golden tests: each tests/golden/NAME/ holds rule and data files, a file
# `cmd` with the kenko arguments (run from inside NAME/), and `expected`:
# the exact stdout, then a line "--- stderr", the exact stderr, then a
# line "--- exit N". Several commands: cmd, cmd2, … with expected,
# expected2, …. Commands run in the C locale (English); a command file
# ending in .ja (cmd.ja, cmd2.ja, …; expected.ja, …) runs under
# LANG=ja_JP.UTF-8 with the build's catalogs (docs/i18n.md).
# Usage: tests/run-golden.sh path/to/kenko   (UPDATE=1 rewrites expected)
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
localedir="$(dirname "$kenko")/locale"
locale -a 2>/dev/null | grep -qix 'ja_JP.utf-\{0,1\}8' ||
  echo "golden: the ja_JP.UTF-8 locale is not installed (make deps generates it); the .ja commands fail"
cd "$(dirname "$0")" || exit 2
if [ ! -d golden ]; then echo "golden: 0 passed, 0 failed"; exit 0; fi
cd golden || exit 2
pass=0
fail=0
out=$(mktemp)
err=$(mktemp)
got=$(mktemp)
trap 'rm -f "$out" "$err" "$got"' EXIT
for dir in */; do
  dir=${dir%/}
  [ -f "$dir/cmd" ] || continue
  for cmdfile in "$dir"/cmd*; do
    suffix=${cmdfile#"$dir"/cmd}
    expected="$dir/expected$suffix"
    args=$(cat "$cmdfile")
    # shellcheck disable=SC2086
    case $cmdfile in
    *.ja) (cd "$dir" && unset LC_ALL LC_MESSAGES && LANG=ja_JP.UTF-8 KENKO_LOCALEDIR="$localedir" &&
      export LANG KENKO_LOCALEDIR && ${VALGRIND:-} "$kenko" $args >"$out" 2>"$err" </dev/null) ;;
    *) (cd "$dir" && ${VALGRIND:-} "$kenko" $args >"$out" 2>"$err" </dev/null) ;;
    esac
    rc=$?
    { cat "$out"; echo "--- stderr"; cat "$err"; echo "--- exit $rc"; } >"$got"
    [ "${UPDATE:-}" = 1 ] && cp "$got" "$expected"
    if [ -f "$expected" ] && cmp -s "$got" "$expected"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL $dir ($cmdfile)"
      if [ -f "$expected" ]; then diff "$expected" "$got" | head -30; else echo "  (no $expected)"; fi
    fi
  done
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
