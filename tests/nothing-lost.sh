#!/bin/sh
# nothing-lost.sh KENKO — no account is lost: good and bad accounts mixed
# in one file (every kind of bad data a reader rejects), in CSV and in
# YAML. For each file:
#   - the summary "N accounts scored, M rejected" adds up to the accounts
#     in the file, with N the good ones and M the bad ones;
#   - every bad account has its own error line naming it;
#   - the scored accounts' output (jsonl) is exactly that of a run over
#     the good accounts alone (bad data never changes a good account).
# Last line: "nothing-lost: N passed, N failed".
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2
pass=0
fail=0

cat >rules.kenko <<'RULES'
input id: text key
input plan: text in ["basic", "pro"]
input seats: number
input kickoff: bool optional
input start: date optional
input note: text optional
dimension d {
  rule enough : seats > 10
  rule pro : plan == "pro"
  rule started : kickoff ?? false
  rule early : start < 2026-01-01
  rule noted : note is not missing
}
grades { good >= 50 bad otherwise }
RULES

# check NAME CONDITION MESSAGE: one test
check() {
  if eval "$2"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $1: $3"
  fi
}

# expect_file NAME DATA GOOD NGOOD NBAD: runs the mixed file and the good
# one and compares.
expect_file() {
  name=$1 data=$2 good=$3 ngood=$4 nbad=$5
  "$kenko" run rules.kenko "$data" --as-of 2026-11-22 --format jsonl >"$name.out" 2>"$name.err"
  rc=$?
  "$kenko" run rules.kenko "$good" --as-of 2026-11-22 --format jsonl >"$name.good.out" 2>"$name.good.err"
  good_rc=$?
  summary=$(tail -n 1 "$name.err")
  scored=$(echo "$summary" | sed -n 's/^\([0-9]*\) accounts\{0,1\} scored, \([0-9]*\) rejected$/\1/p')
  rejected=$(echo "$summary" | sed -n 's/^\([0-9]*\) accounts\{0,1\} scored, \([0-9]*\) rejected$/\2/p')
  check "$name summary" '[ -n "$scored" ] && [ -n "$rejected" ]' "no summary line: $summary"
  scored=${scored:-0} rejected=${rejected:-0}
  check "$name accounts" '[ $((scored + rejected)) -eq $((ngood + nbad)) ]' \
    "$scored scored + $rejected rejected != $((ngood + nbad)) accounts in the file"
  check "$name scored" '[ "$scored" -eq "$ngood" ]' "$scored scored, expected $ngood"
  check "$name rejected" '[ "$rejected" -eq "$nbad" ]' "$rejected rejected, expected $nbad"
  errors=$(grep -c ': error: account "' "$name.err")
  check "$name one error per account" '[ "$errors" -eq "$nbad" ]' "$errors account errors for $nbad bad accounts"
  check "$name exit" '[ "$rc" -eq 3 ] && [ "$good_rc" -eq 0 ]' "exit $rc (mixed, want 3), $good_rc (good, want 0)"
  check "$name output" 'cmp -s "$name.out" "$name.good.out"' "the scored accounts differ from a run on the good ones alone"
  if [ "$fail" -gt 0 ]; then
    sed 's/^/  | /' "$name.err" | cut -c1-160
  fi
}

# ---- CSV ------------------------------------------------------------------------
{
  echo 'id,plan,seats,kickoff,start,note'
  echo 'g1,pro,20,true,2025-04-01,'
  echo 'b_number,pro,ten,true,,'
  echo 'g2,basic,5,,,plain'
  echo 'b_bool,pro,20,maybe,,'
  echo 'b_date,pro,20,,2026-02-30,'
  echo 'g3,pro,30,false,2026-03-01,"quoted, with a comma"'
  echo 'b_in,gold,20,,,'
  echo 'b_missing,pro,,,,'
  echo 'g1,pro,99,true,,duplicate of g1'
  echo 'b_inf,pro,inf,,,'
  echo 'b_huge,pro,1e999,,,'
  printf 'b_utf8,pro,20,,,bad \377 byte\n'
  printf 'b_nul,pro,20,,,nul \000 byte\n'
  echo 'b_cells,pro,20,,,,extra'
  echo 'b_short,pro'
  echo 'g4,basic,12,true,2024-12-31,東京'
} >mixed.csv
{
  echo 'id,plan,seats,kickoff,start,note'
  echo 'g1,pro,20,true,2025-04-01,'
  echo 'g2,basic,5,,,plain'
  echo 'g3,pro,30,false,2026-03-01,"quoted, with a comma"'
  echo 'g4,basic,12,true,2024-12-31,東京'
} >good.csv
expect_file csv mixed.csv good.csv 4 12

# ---- YAML -----------------------------------------------------------------------
{
  echo '- {id: g1, plan: pro, seats: &twenty 20, kickoff: true, start: 2025-04-01}'
  echo '- {id: b_number, plan: pro, seats: ten}'
  echo '- {id: g2, plan: basic, seats: 5, note: plain}'
  echo '- {id: b_bool, plan: pro, seats: 20, kickoff: maybe}'
  echo '- {id: b_date, plan: pro, seats: 20, start: 2026-02-30}'
  echo '- id: g3'
  echo '  plan: pro'
  echo '  seats: 30'
  echo '  kickoff: false'
  echo '  start: 2026-03-01'
  echo '  note: "quoted: with a colon"'
  echo '- {id: b_in, plan: gold, seats: 20}'
  echo '- {id: b_missing, plan: pro}'
  echo '- {id: g1, plan: pro, seats: 99}'
  echo '- {id: b_inf, plan: pro, seats: .inf}'
  echo '- {id: b_nan, plan: pro, seats: .nan}'
  printf -- '- {id: b_utf8, plan: pro, seats: 20, note: "bad \377 byte"}\n'
  printf -- '- {id: b_nul, plan: pro, seats: 20, note: nul \000 byte}\n'
  echo '- {id: b_nul_escape, plan: pro, seats: 20, note: "nul \0 byte"}'
  printf -- '- {id: b_control, plan: pro, seats: 20, note: "bell \007"}\n'
  echo '- {id: b_type, plan: pro, seats: [1, 2]}'
  echo '- {id: b_twice, plan: pro, seats: 20, seats: 30}'
  echo '- {id: b_alias, plan: pro, seats: *twenty}'
  echo '- {id: g4, plan: basic, seats: 12, kickoff: true, start: 2024-12-31, note: 東京}'
} >mixed.yaml
{
  echo '- {id: g1, plan: pro, seats: &twenty 20, kickoff: true, start: 2025-04-01}'
  echo '- {id: g2, plan: basic, seats: 5, note: plain}'
  echo '- id: g3'
  echo '  plan: pro'
  echo '  seats: 30'
  echo '  kickoff: false'
  echo '  start: 2026-03-01'
  echo '  note: "quoted: with a colon"'
  echo '- {id: g4, plan: basic, seats: 12, kickoff: true, start: 2024-12-31, note: 東京}'
} >good.yaml
expect_file yaml mixed.yaml good.yaml 4 15

# ---- standard input (`-`), through a pipe -------------------------------------
# stdin_same FORMAT FILE: `-` reads what FILE holds, accounts and messages
# alike (the file named <stdin>).
stdin_same() {
  fmt=$1 file=$2
  cat "$file" | "$kenko" run rules.kenko - --input-format "$fmt" --as-of 2026-11-22 --format jsonl \
    >"stdin_$fmt.out" 2>"stdin_$fmt.err"
  check "stdin $fmt output" 'cmp -s "stdin_$fmt.out" "$fmt.out"' "the accounts read from a pipe differ from the file's"
  sed "s/^$file:/<stdin>:/" "$fmt.err" >"stdin_$fmt.want"
  check "stdin $fmt messages" 'cmp -s "stdin_$fmt.err" "stdin_$fmt.want"' "the messages differ from the file's"
}
stdin_same csv mixed.csv
stdin_same yaml mixed.yaml

echo "nothing-lost: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
