#!/bin/sh
# `kenko effect` over accounts × 12 monthly snapshots with action events
# over 5 tags, against `kenko history` (text) over the same snapshots
# (target: effect within 2×), and effect's peak memory. Run by
# tests/bench/run.sh (make bench); prints figures, asserts nothing.
# The issue's size is 100,000 accounts and 50,000 events; the default here
# is 20,000 and 10,000, because the controls are still found by scanning
# the before snapshot per event (events × accounts, docs/effect.md): at
# the full size that takes tens of minutes. Grouping the candidates by
# (before, after, persona, grade) is the planned fix.
# Usage: tests/bench/run-effect.sh BUILD
#   (KENKO_BENCH_EFFECT_ACCOUNTS=N, KENKO_BENCH_EFFECT_EVENTS=N for other sizes)
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$build/kenko"
work="$build/bench"
dir="$work/effect"
mkdir -p "$dir"
n=${KENKO_BENCH_EFFECT_ACCOUNTS:-20000}
events=${KENKO_BENCH_EFFECT_EVENTS:-10000}
dates="2025-12-31 2026-01-31 2026-02-28 2026-03-31 2026-04-30 2026-05-31 2026-06-30 2026-07-31 2026-08-31 2026-09-30 2026-10-31 2026-11-30"

cc -O2 -o "$work/gen_accounts" tests/bench/gen_accounts.c || exit 1
k=0
for d in $dates; do
  k=$((k + 1))
  f="$dir/accounts-$d.csv"
  have=0
  [ -s "$f" ] && have=$(($(wc -l <"$f") - 1))
  [ "$have" -eq "$n" ] || "$work/gen_accounts" csv "$n" "$k" >"$f"
done
# the action log: EVENTS events on random accounts (their ids as the
# generator writes them), dated in the first eight months, 5 tags
awk -F, -v events="$events" 'NR > 1 { id[++m] = $1 } END {
  srand(7)
  split("2026-01-15 2026-02-10 2026-03-12 2026-04-08 2026-05-14 2026-06-09 2026-07-16 2026-08-06", d, " ")
  print "id,date,action"
  for (i = 1; i <= events; i++)
    printf "%s,%s,tag%d\n", id[1 + int(rand() * m)], d[1 + int(rand() * 8)], 1 + int(rand() * 5)
}' "$dir/accounts-2025-12-31.csv" >"$dir/actions.csv"
have=$((n * 12))

. tests/bench/lib.sh

echo "== effect: $n accounts × 12 monthly snapshots, $events events over 5 tags ($dir)"
rules=rules/aiueo.kenko
measure "$kenko" history "$rules" "$dir"/accounts-*.csv
hist=$secs
echo "kenko history:  $secs s ($(rate "$secs") records/s), peak $(mb "$peak_kb") MB"
measure "$kenko" effect "$rules" "$dir"/accounts-*.csv --actions "$dir/actions.csv"
echo "kenko effect:   $secs s ($(rate "$secs") records/s), peak $(mb "$peak_kb") MB; $(ratio "$secs" "$hist")x history (target: within 2x)"
exit 0
