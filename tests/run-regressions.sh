#!/bin/sh
# run-regressions.sh KENKO — every bug fixed leaves a case here (awk's
# bugs-fixed habit). tests/regressions/NAME.cmd holds the kenko arguments;
# the input is a file beside it (NAME.kenko, NAME.yaml, …) or, when it
# would be big, NAME.gen, a script that writes it. NAME.expected is the
# exact stdout, a line "--- stderr", the exact stderr and "--- exit N".
# A case that needs more than one kenko command, or a shell around it (a
# closed or full standard output, SIGPIPE ignored), is NAME.sh instead of
# NAME.cmd: `sh NAME.sh KENKO`, whose own stdout, stderr and exit status
# are compared the same way.
# Each case runs in a scratch copy of the directory and must end within
# 10 seconds (a hang is a failure). UPDATE=1 rewrites the expected files.
# Last line: "regressions: N passed, N failed".
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
dir=$(cd "$(dirname "$0")/regressions" && pwd) || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$dir"/. "$work"/
cd "$work" || exit 2
pass=0
fail=0
for cmdfile in *.cmd *.sh; do
  [ -f "$cmdfile" ] || continue
  name=${cmdfile%.*}
  [ -f "$name.gen" ] && sh "$name.gen"
  if [ "$cmdfile" = "$name.sh" ]; then
    timeout 10 sh "$cmdfile" "$kenko" >"$name.out" 2>"$name.err" </dev/null
  else
    args=$(cat "$cmdfile")
    # shellcheck disable=SC2086
    timeout 10 ${VALGRIND:-} "$kenko" $args >"$name.out" 2>"$name.err" </dev/null
  fi
  rc=$?
  { cat "$name.out"; echo "--- stderr"; cat "$name.err"; echo "--- exit $rc"; } >"$name.got"
  [ "${UPDATE:-}" = 1 ] && cp "$name.got" "$dir/$name.expected"
  if [ "$rc" -eq 124 ]; then
    fail=$((fail + 1))
    echo "FAIL $name: still running after 10 s"
  elif [ -f "$dir/$name.expected" ] && cmp -s "$name.got" "$dir/$name.expected"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name"
    if [ -f "$dir/$name.expected" ]; then diff "$dir/$name.expected" "$name.got" | cut -c1-200 | head -20
    else echo "  (no $name.expected)"; fi
  fi
done
echo "regressions: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
