#!/bin/sh
# `kenko report` over 1,000,000 accounts against `kenko run --format csv`
# over the same data (target: report within 1.5× of run's time), and the
# peak memory of each (which must not grow with the accounts). Run by
# tests/bench/run.sh (make bench); prints figures, asserts nothing.
# Data: BUILD/bench/accounts.csv when it holds enough accounts (run-scoring.sh
# makes the same file), else generated with tests/bench/gen_accounts.c.
# Usage: tests/bench/run-report.sh BUILD   (KENKO_BENCH_ACCOUNTS=N for another size)
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$build/kenko"
work="$build/bench"
mkdir -p "$work"
n=${KENKO_BENCH_ACCOUNTS:-1000000}
. tests/bench/lib.sh
bench_accounts "$n"

echo "== report: $have accounts ($data)"
rules=rules/aiueo.kenko
measure "$kenko" run "$rules" "$data" --as-of 2026-11-22 --format csv
run_secs=$secs
echo "kenko run --format csv:   $secs s ($(rate "$secs") accounts/s), peak $(mb "$peak_kb") MB"
measure "$kenko" report "$rules" "$data" --as-of 2026-11-22
ratio=$(awk -v a="$secs" -v b="$run_secs" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')
echo "kenko report:             $secs s ($(rate "$secs") accounts/s), peak $(mb "$peak_kb") MB; ${ratio}x run (target: within 1.5x)"
measure "$kenko" report "$rules" "$data" --as-of 2026-11-22 --by input plan --format json --html "$work/report.html"
echo "kenko report --by --html: $secs s ($(rate "$secs") accounts/s), peak $(mb "$peak_kb") MB"
small=$((have / 10))
head -n $((small + 1)) "$data" >"$work/accounts-tenth.csv"
measure "$kenko" run "$rules" "$work/accounts-tenth.csv" --as-of 2026-11-22 --format csv
run_small=$peak_kb
measure "$kenko" report "$rules" "$work/accounts-tenth.csv" --as-of 2026-11-22
echo "at $small accounts: report peak $(mb "$peak_kb") MB, run peak $(mb "$run_small") MB"
echo "  (both grow only by run's duplicate-key set, 16 bytes an account; report's own tables do not grow)"
rm -f "$work/accounts-tenth.csv"
exit 0
