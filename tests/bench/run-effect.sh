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

. tests/bench/lib.sh
bench_snapshots "$dir" "$n"
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


# one COMMAND...: one run, output thrown away; prints "CPU WALL PEAK"
# (user + sys and wall seconds, peak KB; "? ? ?" without /usr/bin/time)
one() {
  rm -f "$work/effect-time.out"
  /usr/bin/time -f '%U %S %e %M' -o "$work/effect-time.out" "$@" >/dev/null 2>&1
  tail -n 1 "$work/effect-time.out" 2>/dev/null |
    awk 'NF == 4 { printf "%.2f %.2f %d\n", $1 + $2, $3, $4; ok = 1 } END { if (!ok) print "? ? ?" }'
}
# best OLD NEW: the smaller times and the larger peak of two "CPU WALL PEAK"
best() {
  echo "$1 $2" | awk 'NF == 3 { print; exit } $1 == "?" { print $4, $5, $6; exit } $4 == "?" { print $1, $2, $3; exit }
    { print ($4 < $1 ? $4 : $1), ($5 < $2 ? $5 : $2), ($6 > $3 ? $6 : $3) }'
}
field() { echo "$1" | awk -v i="$2" '{ print $i }'; }

echo "== effect: $n accounts × 12 monthly snapshots ($have records), $events events over 5 tags ($dir)"
rules=rules/aiueo.kenko
hist=""
eff=""
r=0
while [ "$r" -lt "$rounds" ]; do
  hist=$(best "$hist" "$(one "$kenko" history "$rules" "$dir"/accounts-*.csv)")
  eff=$(best "$eff" "$(one "$kenko" effect "$rules" "$dir"/accounts-*.csv --actions "$dir/actions.csv")")
  r=$((r + 1))
done
used=$("$kenko" effect "$rules" "$dir"/accounts-*.csv --actions "$dir/actions.csv" --format json 2>/dev/null |
  tr ',' '\n' | awk -F: '$1 == "\"used\"" { u += $2 } $1 == "\"events\"" { e += $2 } END { printf "%d of %d", u, e }')
echo "kenko history:  $(field "$hist" 1) s CPU (wall $(field "$hist" 2) s), peak $(mb "$(field "$hist" 3)") MB"
echo "kenko effect:   $(field "$eff" 1) s CPU (wall $(field "$eff" 2) s), peak $(mb "$(field "$eff" 3)") MB;" \
  "$(ratio "$(field "$eff" 1)" "$(field "$hist" 1)")x history's CPU time (target: within 2x); events used: $used"
exit 0
