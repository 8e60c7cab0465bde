#!/bin/sh
# `kenko validate` over 1,000,000 accounts against `kenko run --format csv`
# over the same data (target: validate within 1.5× of run's time), the
# peak memory of each (validate keeps 8 bytes per score for the exact AUC:
# the health, each dimension and the persona's health), and `kenko diff`
# of two rule versions over the same data. Run by tests/bench/run.sh (make
# bench); prints figures, asserts nothing.
# Data: the generated accounts of run-scoring.sh or run-report.sh when
# there, else generated with tests/bench/gen_accounts.c (rules/aiueo.kenko
# has `outcome churned`, about 20% missing).
# Usage: tests/bench/run-validate.sh BUILD   (KENKO_BENCH_ACCOUNTS=N for another size)
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$build/kenko"
work="$build/bench"
mkdir -p "$work"
n=${KENKO_BENCH_ACCOUNTS:-1000000}
# The data run-scoring.sh makes (BUILD/bench/accounts-N.csv, with its
# stamp), or run-report.sh's (BUILD/bench/accounts.csv); else made here
# the way run-scoring.sh makes it, stamp included, so it is shared.
lines() { if [ -s "$1" ]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi; }
data="$work/accounts-$n.csv"
if [ "$(lines "$data")" -lt "$n" ]; then
  if [ "$(lines "$work/accounts.csv")" -ge "$n" ]; then
    data="$work/accounts.csv"
  else
    ${CC:-cc} -O2 -o "$work/gen_accounts" tests/bench/gen_accounts.c || exit 1
    "$work/gen_accounts" csv "$n" >"$data.tmp" && mv "$data.tmp" "$data" || exit 1
    echo "$(cksum <tests/bench/gen_accounts.c | cut -d' ' -f1) $n $(wc -c <"$data" | tr -d ' ')" >"$data.stamp"
  fi
fi
have=$(lines "$data")

. tests/bench/lib.sh

echo "== validate: $have accounts ($data)"
rules=rules/aiueo.kenko
measure "$kenko" run "$rules" "$data" --as-of 2026-11-22 --format csv
run_secs=$secs
run_peak=$peak_kb
echo "kenko run --format csv:    $secs s ($(rate "$secs") accounts/s), peak $(mb "$peak_kb") MB"
measure "$kenko" validate "$rules" "$data" --as-of 2026-11-22
echo "kenko validate:            $secs s ($(rate "$secs") accounts/s), peak $(mb "$peak_kb") MB;" \
  "$(ratio "$secs" "$run_secs")x run (target: within 1.5x)"
validate_peak=$peak_kb
measure "$kenko" validate "$rules" "$data" --as-of 2026-11-22 --format json
echo "kenko validate --format json: $secs s ($(rate "$secs") accounts/s)"
case "$validate_peak$run_peak" in
*[!0-9]*) ;;
*) echo "  validate's own memory: $(awk -v v="$validate_peak" -v r="$run_peak" -v n="$have" \
  'BEGIN { printf "%.1f MB, %.0f bytes an account", (v - r) / 1024, (v - r) * 1024 / n }')" \
  "(8 bytes a score: health + 5 dimensions + persona health, and the sort's buffers)" ;;
esac

# diff: the reference rules against a copy with other weights and bounds
sed 's/dimension utilization "う: 活用" weight 30/dimension utilization "う: 活用" weight 45/;
     s/normal "ノーマル" >= 40/normal "ノーマル" >= 45/' "$rules" >"$work/aiueo-new.kenko"
measure "$kenko" diff "$rules" "$work/aiueo-new.kenko" "$data" --as-of 2026-11-22 --format json
echo "kenko diff (two versions): $secs s ($(rate "$secs") accounts/s), peak $(mb "$peak_kb") MB;" \
  "$(ratio "$secs" "$run_secs")x run (the data is read two or three times)"
rm -f "$work/aiueo-new.kenko"
exit 0
