#!/bin/sh
# jobs.sh — `--jobs N` changes nothing but the speed (issue 17 item 3):
#   - the golden suite and the regression cases pass at -j 1, 2, 3 and 8
#     (every data command of theirs given `-j N`): the same stdout, stderr
#     and exit status byte for byte as their expected files, made on one
#     thread;
#   - generated accounts (tests/bench/gen_accounts.c, CSV and YAML) and a
#     CSV made to be hard to cut (quoted cells with line breaks, CRLF and
#     LF, rejected and duplicate accounts, empty lines, a '"' inside an
#     unquoted cell, no final line break) give the same output at -j 1, 2,
#     3 and 8 for `run` (csv, also for people and in CP932, jsonl with
#     and without --explain, text, with and without a key, a number
#     key), `report`, `validate`
#     and `history` (with and without KPIs), and under --strict: the
#     accounts scored on the reading threads (csv, jsonl, report,
#     validate, history; csv and jsonl written there too, but not in
#     CP932) or on the writing one (text and --explain, which read the
#     evaluator; the long table's trend-free history is scored on the
#     readers too). Every case must give output (an error alike at
#     every -j would prove nothing), and a result handed to the wrong
#     account, even one in a hundred, fails most of them.
# Last line "jobs: N passed, N failed".
# Usage: tests/jobs.sh path/to/kenko
set -u
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/.." || exit 2
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

# A kenko that gives every command that reads data `-j N` (KENKO_JOBS),
# right after the command's name (a golden case may end with an option
# whose value is missing).
cat >"$work/kenko-j" <<EOF
#!/bin/sh
case \${1:-} in
run | explain | report | validate | history | diff | effect)
  cmd=\$1
  shift
  exec "$kenko" "\$cmd" -j "\$KENKO_JOBS" "\$@" ;;
esac
exec "$kenko" "\$@"
EOF
chmod +x "$work/kenko-j"
# the golden suite finds the message catalogs beside the binary it runs
ln -s "$(dirname "$kenko")/locale" "$work/locale"

for n in 1 2 3 8; do
  for suite in golden regressions; do
    KENKO_JOBS=$n sh "tests/run-$suite.sh" "$work/kenko-j" >"$work/suite.log" 2>&1
    if [ $? -eq 0 ] && grep -q "^$suite: [0-9]* passed, 0 failed" "$work/suite.log"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL the $suite suite at -j $n:"
      grep -v '^golden:\|^regressions:' "$work/suite.log" | head -n 20
    fi
  done
done

# Generated accounts, and a CSV that is hard to cut.
${CC:-cc} -O2 -o "$work/gen_accounts" tests/bench/gen_accounts.c || {
  echo "jobs: cannot compile the generator"
  echo "jobs: $pass passed, $((fail + 1)) failed"
  exit 1
}
"$work/gen_accounts" csv 3000 7 >"$work/accounts.csv"
"$work/gen_accounts" crlf 2000 8 >"$work/crlf.csv"
"$work/gen_accounts" yaml 1500 9 >"$work/accounts.yaml"
LC_ALL=C awk 'BEGIN {
  print "id,name,plan,arr,contract_start,seats,support_contacts,operators,setup_done,active_users,churned"
  for (i = 1; i <= 2500; i++) {
    name = "n" i
    if (i % 7 == 0) name = "\"two\nlines, and \"\"quotes\"\"\""
    if (i % 11 == 0) name = "\"" name "\r\n\""
    if (i % 97 == 0) name = "5\" screen"          # a stray quote: fools the parity
    plan = i % 13 == 0 ? "gold" : "pro"           # rejected: not an allowed value
    id = i % 17 == 0 ? "a" (i - 1) : "a" i        # a duplicate key
    end = i % 3 ? "\n" : "\r\n"
    if (i % 29 == 0) end = end "\n  \n"           # empty lines
    line = id "," name "," plan ",1000000,2024-01-0" (1 + i % 9) ",10,1,2,true," (i % 12) "," (i % 2 ? "TRUE" : "0")
    if (i % 31 == 0) line = line ",extra"         # wrong cell count
    printf "%s%s", line, (i == 2500 ? "" : end)
  }
}' >"$work/hard.csv"
mkdir -p "$work/hist"
for m in 09 10 11; do
  "$work/gen_accounts" csv 800 "$m" >"$work/hist/accounts-2026-$m-30.csv"
done

rules=rules/aiueo.kenko
# same NAME ARGS...: the command at every -j gives -j 1's stdout, stderr
# and exit status
same() {
  name=$1
  shift
  for n in 1 2 3 8; do
    "$kenko" "$@" -j "$n" >"$work/out.$n" 2>"$work/err.$n"
    echo "exit $?" >>"$work/err.$n"
  done
  ok=1
  if [ ! -s "$work/out.1" ]; then # an error alike at every -j proves nothing
    ok=0
    echo "FAIL $name: no output at -j 1:"
    head -n 5 "$work/err.1"
  fi
  for n in 2 3 8; do
    if ! cmp -s "$work/out.1" "$work/out.$n" || ! cmp -s "$work/err.1" "$work/err.$n"; then
      ok=0
      echo "FAIL $name: -j $n differs from -j 1"
      diff "$work/out.1" "$work/out.$n" | head -n 5
      diff "$work/err.1" "$work/err.$n" | head -n 5
    fi
  done
  if [ "$ok" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}
a="--as-of 2026-11-22"
for data in accounts.csv crlf.csv hard.csv accounts.yaml; do
  d="$work/$data"
  same "run csv $data" run $rules "$d" --format csv $a
  same "run jsonl $data" run $rules "$d" --format jsonl $a
  same "run csv for people $data" run $rules "$d" --format csv --labels --digits 2 --excel-safe --bom $a
  same "run csv cp932 $data" run $rules "$d" --format csv --output-encoding cp932 $a
  same "run jsonl --explain $data" run $rules "$d" --format jsonl --explain $a
  same "run text $data" run $rules "$d" $a
  same "report $data" report $rules "$d" --format json $a
  same "validate $data" validate $rules "$d" $a
  # the inputs report reads besides the Result travel alone (ScoreSink.reads):
  # --by a text input, a bool one, and the forecasts' weights
  same "report --by input plan $data" report $rules "$d" --by "input plan" --format json $a
  same "report --by input churned $data" report $rules "$d" --by "input churned" $a
  same "run --strict $data" run $rules "$d" --format csv --strict $a
done
# The scorecard without its KPIs: with them, report and history's text
# hand the sink the KPIs' values worked out on the reading threads with
# each Result (ScoreSink.account_values); without them the Result alone
# (ScoreSink.account). src/engine/run_jobs.c.
awk '/^kpi /{k=1;next} k && /^    /{next} /^ *expect kpi /{next} {k=0; print}' $rules >"$work/nokpi.kenko"
for data in accounts.csv hard.csv accounts.yaml; do
  d="$work/$data"
  same "report, no KPIs, $data" report "$work/nokpi.kenko" "$d" --format json $a
  same "report text, no KPIs, $data" report "$work/nokpi.kenko" "$d" $a
done
same "history text, no KPIs" history "$work/nokpi.kenko" "$work/hist/accounts-2026-09-30.csv" \
  "$work/hist/accounts-2026-10-30.csv" "$work/hist/accounts-2026-11-30.csv"
# Without a key the id is the account's place (FILE:LINE), which the
# reading threads write (--format csv and jsonl): each piece's lines.
sed 's/: text key$/: text/' $rules >"$work/nokey.kenko"
for data in accounts.csv hard.csv; do
  same "run csv, no key, $data" run "$work/nokey.kenko" "$work/$data" --format csv $a
  same "run jsonl, no key, $data" run "$work/nokey.kenko" "$work/$data" --format jsonl $a
done
# A number key: its text (the shortest form) is not the id as written,
# which the reading threads keep apart from it for the duplicate-key
# errors ("7.0" and "007" are duplicates of 7, and named as written).
sed 's/: text key$/: number key/; s/id: "[^"]*"/id: 1/' $rules >"$work/numkey.kenko"
LC_ALL=C awk '/^acct-/ { n++; id = n; if (n % 19 == 0) id = (n - 1) ".0"; if (n % 23 == 0) id = "00" (n - 2)
  sub(/^acct-[^,]*/, id) } { print }' "$work/accounts.csv" >"$work/numkey.csv"
same "run csv, number key" run "$work/numkey.kenko" "$work/numkey.csv" --format csv $a
same "run jsonl, number key" run "$work/numkey.kenko" "$work/numkey.csv" --format jsonl $a
same "run, two files" run $rules "$work/accounts.csv" "$work/hard.csv" --format csv $a
same "explain one account" explain $rules "$work/hard.csv" --account a40 $a
same "history" history $rules "$work/hist/accounts-2026-09-30.csv" "$work/hist/accounts-2026-10-30.csv" \
  "$work/hist/accounts-2026-11-30.csv" --format jsonl
same "validate --horizon" validate $rules "$work/hist/accounts-2026-09-30.csv" \
  "$work/hist/accounts-2026-10-30.csv" "$work/hist/accounts-2026-11-30.csv" --horizon 1mo
same "history text" history $rules "$work/hist/accounts-2026-09-30.csv" "$work/hist/accounts-2026-10-30.csv" \
  "$work/hist/accounts-2026-11-30.csv"
# A long table (a `snapshot` input): reading stops past --as-of's snapshot
# (the account callback says stop while later pieces are read ahead).
cat >"$work/long.kenko" <<'KENKO'
input id: text key
input snap: date snapshot
input seats: number
input touches: number optional
dimension d {
  rule big : seats > 10
  score t : scale(touches, 0, 8)
}
grades { good >= 50 bad otherwise }
KENKO
LC_ALL=C awk 'BEGIN {
  print "id,snap,seats,touches"
  for (m = 1; m <= 4; m++)
    for (i = 1; i <= 900; i++)
      printf "c%d,2026-0%d-28,%d,%s\n", i, m, (i * m) % 23, (i % 5 ? (i + m) % 9 : "")
}' >"$work/long.csv"
same "long table, one snapshot" run "$work/long.kenko" "$work/long.csv" --format csv --as-of 2026-02-28
same "long table, the latest" report "$work/long.kenko" "$work/long.csv" --format json
same "long table, history" history "$work/long.kenko" "$work/long.csv" --format csv
# the stray quotes really fool the cut (else the last case tests nothing)
if grep -q '5" screen' "$work/hard.csv"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi

echo "jobs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
