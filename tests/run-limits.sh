#!/bin/sh
# run-limits.sh KENKO — the resource-limit tests (tests/limits/*.sh): each
# generates its input, runs kenko once and pins the exact error, the exit
# status, and a peak memory under 256 MB. Last line:
# "limits: N passed, N failed". See docs/limits.md.
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")" || exit 2
pass=0
fail=0
for t in limits/*.sh; do
  [ "$t" = limits/lib.sh ] && continue
  name=$(basename "$t" .sh)
  work=$(mktemp -d)
  echo "-- $name"
  if KENKO=$kenko work=$work sh -c '. limits/lib.sh; . "$0"' "$t"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name"
  fi
  rm -rf "$work"
done
echo "limits: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
