#!/bin/sh
# The bad-input catalog: each tests/catalog/NAME.kenko is a rule file with
# something wrong; NAME.expected holds the exact diagnostics `kenko check`
# prints (stderr), then a last line "exit: N". An optional NAME.args holds
# extra arguments (e.g. --data tests/catalog/data/x.csv). An optional
# NAME.expected.ja holds the same run's output under LANG=ja_JP.UTF-8 with
# the build's catalogs (docs/i18n.md).
# Usage: tests/run-catalog.sh path/to/kenko   (UPDATE=1 rewrites .expected)
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
localedir="$(dirname "$kenko")/locale"
case $localedir in /*) ;; *) localedir="$(pwd)/$localedir" ;; esac
cd "$(dirname "$0")/.." || exit 2
pass=0
fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for rules in tests/catalog/*.kenko; do
  [ -e "$rules" ] || continue
  name=${rules%.kenko}
  args=""
  [ -f "$name.args" ] && args=$(cat "$name.args")
  # shellcheck disable=SC2086
  ${VALGRIND:-} "$kenko" check "$rules" $args 2>"$tmp" >/dev/null
  echo "exit: $?" >>"$tmp"
  if [ "${UPDATE:-}" = 1 ]; then
    cp "$tmp" "$name.expected"
  fi
  if [ -f "$name.expected" ] && cmp -s "$tmp" "$name.expected"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $rules"
    if [ -f "$name.expected" ]; then diff "$name.expected" "$tmp" | head -20; else echo "  (no $name.expected)"; fi
  fi
  [ -f "$name.expected.ja" ] || continue
  # shellcheck disable=SC2086
  (unset LC_ALL LC_MESSAGES && LANG=ja_JP.UTF-8 KENKO_LOCALEDIR="$localedir" && export LANG KENKO_LOCALEDIR &&
    ${VALGRIND:-} "$kenko" check "$rules" $args 2>"$tmp" >/dev/null; echo "exit: $?" >>"$tmp")
  [ "${UPDATE:-}" = 1 ] && cp "$tmp" "$name.expected.ja"
  if cmp -s "$tmp" "$name.expected.ja"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $rules (LANG=ja_JP.UTF-8)"
    diff "$name.expected.ja" "$tmp" | head -20
  fi
done
echo "catalog: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
