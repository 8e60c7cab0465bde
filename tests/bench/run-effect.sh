#!/bin/sh
# `kenko effect` over accounts × 12 monthly snapshots with action events
# over 5 tags, against `kenko history` (text) over the same snapshots
# (target: effect within 2× history), and effect's peak memory. Run by
# tests/bench/run.sh (make bench); prints figures, asserts nothing.
# The size is the issue's: 100,000 accounts × 12 snapshots (1.2M records)
# and 50,000 events. The events fall on any day of the first eight months
# (not a few fixed days: events sharing a tag, a day and their snapshots
# share their controls' sums, docs/effect.md "Speed", and a few days
# would flatter the control search).
# The ratio is of CPU time (user + sys, /usr/bin/time: both commands read
# on other threads too), the best of 3 rounds, history and effect run in
# turn in each round; the peak is the largest of the rounds'.
# Usage: tests/bench/run-effect.sh BUILD
#   (KENKO_BENCH_EFFECT_ACCOUNTS=N, KENKO_BENCH_EFFECT_EVENTS=N for other sizes)
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$build/kenko"
work="$build/bench"
dir="$work/effect"
mkdir -p "$dir"
n=${KENKO_BENCH_EFFECT_ACCOUNTS:-100000}
events=${KENKO_BENCH_EFFECT_EVENTS:-50000}
rounds=3
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
# generator writes them), each on a random day from 2026-01-01 to
# 2026-08-28 (240 days; the date computed here, no awk extension), 5 tags
awk -F, -v events="$events" 'NR > 1 { id[++m] = $1 } END {
  srand(7)
  split("31 28 31 30 31 30 31 31", len, " ")
  print "id,date,action"
  for (i = 1; i <= events; i++) {
    day = int(rand() * 240)
    for (mo = 1; day >= len[mo]; mo++)
      day -= len[mo]
    printf "%s,2026-%02d-%02d,tag%d\n", id[1 + int(rand() * m)], mo, day + 1, 1 + int(rand() * 5)
  }
}' "$dir/accounts-2025-12-31.csv" >"$dir/actions.csv"
have=$((n * 12))

. tests/bench/lib.sh

# cpu NAME COMMAND...: one run (/usr/bin/time); keeps NAME's best CPU time
# (cpu_NAME, s), best wall time (wall_NAME, s) and largest peak (peak_NAME,
# KB); "?" without /usr/bin/time
cpu() {
  name=$1
  shift
  set -- "$(
    rm -f "$work/effect-time.out"
    /usr/bin/time -f '%U %S %e %M' -o "$work/effect-time.out" "$@" >/dev/null 2>&1
    tail -n 1 "$work/effect-time.out" 2>/dev/null
  )"
  eval "old=\"\${cpu_$name:-} \${wall_$name:-} \${peak_$name:-}\""
  eval "$(echo "$1" "$old" | awk -v name="$name" '
    NF < 4 { printf "cpu_%s=? wall_%s=? peak_%s=?\n", name, name, name; exit }
    { c = $1 + $2; w = $3; p = $4
      if (NF == 7 && $5 != "?") { if ($5 < c) c = $5; if ($6 < w) w = $6; if ($7 > p) p = $7 }
      printf "cpu_%s=%.2f wall_%s=%.2f peak_%s=%d\n", name, c, name, w, name, p }')"
}

echo "== effect: $n accounts × 12 monthly snapshots ($have records), $events events over 5 tags ($dir)"
rules=rules/aiueo.kenko
r=0
while [ "$r" -lt "$rounds" ]; do
  cpu history "$kenko" history "$rules" "$dir"/accounts-*.csv
  cpu effect "$kenko" effect "$rules" "$dir"/accounts-*.csv --actions "$dir/actions.csv"
  r=$((r + 1))
done
used=$("$kenko" effect "$rules" "$dir"/accounts-*.csv --actions "$dir/actions.csv" --format json 2>/dev/null |
  tr ',' '\n' | awk -F: '$1 == "\"used\"" { u += $2 } $1 == "\"events\"" { e += $2 } END { printf "%d of %d", u, e }')
echo "kenko history:  $cpu_history s CPU (wall $wall_history s), peak $(mb "${peak_history:-?}") MB"
echo "kenko effect:   $cpu_effect s CPU (wall $wall_effect s), peak $(mb "${peak_effect:-?}") MB;" \
  "$(ratio "$cpu_effect" "$cpu_history")x history's CPU time (target: within 2x); events used: $used"
exit 0
