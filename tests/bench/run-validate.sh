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

now_ns() { date +%s%N; }

# measure COMMAND...: sets secs (best of 3 runs) and peak_kb (of the last
# run; /usr/bin/time -f %M), output thrown away
measure() {
  best=""
  i=0
  while [ "$i" -lt 3 ]; do
    t0=$(now_ns)
    "$@" >/dev/null 2>&1
    t1=$(now_ns)
    dt=$(((t1 - t0) / 1000000))
    if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
    i=$((i + 1))
  done
  secs=$(echo "$best" | awk '{ printf "%.2f", $1 / 1000 }')
  peak_kb="?"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$work/time.out" "$@" >/dev/null 2>&1
    peak_kb=$(tail -n 1 "$work/time.out")
  fi
}

rate() { awk -v n="$have" -v s="$1" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "?" }'; }
mb() { case $1 in *[!0-9]* | '') echo "?" ;; *) awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' ;; esac; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }

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
