#!/bin/sh
# make bench: prints figures; asserts nothing. Usage: tests/bench/run.sh BUILD
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$build/kenko"
work="$build/bench"
mkdir -p "$work"

now_ns() { date +%s%N; }

# best_ms RUNS COMMAND...: the fastest of RUNS runs, in milliseconds
best_ms() {
  runs=$1
  shift
  best=""
  i=0
  while [ "$i" -lt "$runs" ]; do
    t0=$(now_ns)
    "$@" >/dev/null 2>&1
    t1=$(now_ns)
    dt=$(( (t1 - t0) / 1000 ))
    if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
    i=$((i + 1))
  done
  echo "$best" | awk '{ printf "%.2f", $1 / 1000 }'
}

echo "== check: large generated scorecard"
awk -v dims=200 -f tests/bench/gen_rules.awk >"$work/big.kenko"
lines=$(wc -l <"$work/big.kenko")
if ! "$kenko" check "$work/big.kenko"; then
  echo "bench: the generated scorecard does not check cleanly" >&2
  exit 1
fi
ms=$(best_ms 5 "$kenko" check "$work/big.kenko")
echo "kenko check: $lines lines in $ms ms (best of 5; target well under 100 ms)"

for extra in tests/bench/run-*.sh; do
  [ -f "$extra" ] && sh "$extra" "$build"
done
exit 0
