#!/bin/sh
# run-members.sh BUILD — the text explanation of accounts with very many
# members: ten dimensions of N rules each (N·10 members in one account),
# at N = 2,500, 5,000 and 10,000 (the most one block may have). Prints
# the CPU seconds of `run --format text` an account (the run over 11
# accounts less the run over 1: the rules' loading cancels out) and of
# `run --format jsonl --explain` (what would change the grade included).
# The cost an account should grow with the members, not their square:
# doubling N should about double it (it was quadratic: 1.8 s an account at
# 100,000 members, issue 11). Prints figures; asserts nothing. Run by
# tests/bench/run.sh; about a minute.
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$build/kenko"
work="$build/bench"
mkdir -p "$work"

# cpu COMMAND...: CPU seconds (user + sys) of the command
cpu() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%U %S" -o "$work/members-time.txt" "$@" >/dev/null 2>&1
    awk '{ printf "%.3f", $1 + $2 }' "$work/members-time.txt"
  else
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo "$t0 $t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }'
  fi
}

echo "== explanations of accounts with many members (CPU seconds an account)"
for n in 2500 5000 10000; do
  rules="$work/members-$n.kenko"
  awk -v n="$n" 'BEGIN {
    print "input id: text key"
    print "input a: number"
    for (d = 0; d < 10; d++) {
      printf "dimension d%d {\n", d
      for (i = 0; i < n; i++) printf "  rule r%d_%d : a > %d\n", d, i, (i * 7 + d) % 97
      print "}"
    }
    print "grades { good >= 80  fair >= 50  bad otherwise }"
  }' >"$rules"
  printf 'id,a\nx0,40\n' >"$work/members-1.csv"
  awk 'BEGIN { print "id,a"; for (i = 0; i < 11; i++) printf "x%d,%d\n", i, (i * 13) % 100 }' \
    >"$work/members-11.csv"
  for format in text jsonl; do
    extra=""
    [ "$format" = jsonl ] && extra=--explain
    one=$(cpu "$kenko" run "$rules" "$work/members-1.csv" --format "$format" $extra --as-of 2026-01-01)
    eleven=$(cpu "$kenko" run "$rules" "$work/members-11.csv" --format "$format" $extra --as-of 2026-01-01)
    awk -v n="$n" -v f="$format $extra" -v a="$one" -v b="$eleven" 'BEGIN {
      printf "%6d members, run --format %-15s %.3f s an account\n", n * 10, f, (b - a) / 10 }'
  done
done
exit 0
