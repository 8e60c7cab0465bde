#!/bin/sh
# Property test of `kenko history` (LANGUAGE.md §6): over generated
# histories (tests/bench/gen_accounts.c, one seed a snapshot; some accounts
# absent some months, some joining late), for every account and snapshot D
#   - history's record for (account, D) equals `run --as-of D` for that
#     account, every field (history's jsonl is the run's object without
#     `members`), in the same order;
# and once each:
#   - a history of one snapshot equals a plain `run` of that snapshot;
#   - the long-table form (an input declared `snapshot`) and the
#     dated-file form give the same records (the rules' fingerprint aside);
#   - with trend rules (rules/aiueo-history.kenko, when it checks), the same
#     history = run --as-of D property over the dated files.
# Only POSIX sh, awk, sed and a C compiler (for the generator) are needed.
# Ends with "property-history: N passed, N failed" (one count per record
# compared, plus one per whole check).
# Usage: tests/property-history.sh path/to/kenko   (PROPERTY_HISTORY_COUNT=N to change the size)
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
count=${PROPERTY_HISTORY_COUNT:-300}
cd "$(dirname "$0")/.." || exit 2
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
not_ok() { fail=$((fail + 1)); echo "FAIL $1"; }

fail_setup() {
  echo "property-history: $1"
  echo "property-history: 0 passed, 1 failed"
  exit 1
}
[ -x "$kenko" ] || fail_setup "no kenko binary at $kenko"
${CC:-cc} -O2 -o "$work/gen_accounts" tests/bench/gen_accounts.c || fail_setup "cannot compile the generator"

# ---- the history: five month-end snapshots ------------------------------------
dates="2026-06-30 2026-07-31 2026-08-31 2026-09-30 2026-10-31"
mkdir -p "$work/dated"
k=0
late=$((count * 9 / 10))
for d in $dates; do
  k=$((k + 1))
  # every 7th account (a different one each month) is absent; the last tenth
  # of the accounts joins in the third month
  "$work/gen_accounts" csv "$count" "$k" |
    awk -F, -v k="$k" -v late="$late" 'NR == 1 { print; next }
      { n = NR - 1; if ((n + k) % 7 == 0) next; if (k < 3 && n > late) next; print }' \
      >"$work/dated/accounts-$d.csv" || fail_setup "generator failed"
done
# the same records as one long table, dated by a `snapshot` column
first=1
for d in $dates; do
  if [ "$first" = 1 ]; then
    sed -n '1s/^/month_end,/p' "$work/dated/accounts-$d.csv" >"$work/long.csv"
    first=0
  fi
  sed -n "2,\$s/^/$d,/p" "$work/dated/accounts-$d.csv" >>"$work/long.csv"
done
cp rules/aiueo.kenko "$work/aiueo.kenko"
printf 'include "aiueo.kenko"\ninput month_end "月末": date snapshot\n' >"$work/long.kenko"
records=$(($(wc -l <"$work/long.csv") - 1))

# strip_members: the run's jsonl without each dimension's "members" array
strip_members() { sed 's/,"members":\[[^]]*\]//g'; }

# compare_per_record NAME EXPECTED GOT: one count per line
compare_per_record() {
  n_exp=$(wc -l <"$2" | tr -d ' ')
  n_got=$(wc -l <"$3" | tr -d ' ')
  if [ "$n_exp" -ne "$n_got" ] || [ "$n_exp" -eq 0 ]; then
    not_ok "$1: $n_got records, expected $n_exp"
    return
  fi
  bad=$(paste -d '\n' "$2" "$3" | awk 'NR % 2 == 1 { e = $0; next } $0 != e { n++ } END { print n + 0 }')
  pass=$((pass + n_exp - bad))
  fail=$((fail + bad))
  [ "$bad" -eq 0 ] || {
    echo "FAIL $1: $bad of $n_exp records differ, e.g."
    paste -d '\n' "$2" "$3" | awk 'NR % 2 == 1 { e = $0; next } $0 != e { print "  run:     " e; print "  history: " $0; exit }'
  }
}

# ---- history = run --as-of D, for every record (the long table) ---------------
"$kenko" history "$work/long.kenko" "$work/long.csv" --format jsonl >"$work/hist.jsonl" 2>"$work/hist.err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$work/hist.jsonl")" -eq "$records" ]; then ok; else
  not_ok "history over the long table: exit $rc, $(wc -l <"$work/hist.jsonl") records of $records"
  head -3 "$work/hist.err"
fi
for d in $dates; do
  "$kenko" run "$work/long.kenko" "$work/long.csv" --as-of "$d" --format jsonl 2>/dev/null |
    strip_members >"$work/run-$d.jsonl"
  grep "\"as_of\":\"$d\"" "$work/hist.jsonl" >"$work/hist-$d.jsonl"
  compare_per_record "history = run --as-of $d" "$work/run-$d.jsonl" "$work/hist-$d.jsonl"
done

# ---- one snapshot: history = plain run -------------------------------------------
one="$work/dated/accounts-2026-08-31.csv"
"$kenko" history rules/aiueo.kenko "$one" --format jsonl >"$work/one-hist.jsonl" 2>/dev/null
"$kenko" run rules/aiueo.kenko "$one" --as-of 2026-08-31 --format jsonl 2>/dev/null | strip_members >"$work/one-run.jsonl"
if [ -s "$work/one-run.jsonl" ] && cmp -s "$work/one-run.jsonl" "$work/one-hist.jsonl"; then ok; else
  not_ok "a history of one snapshot differs from a plain run"
fi
# csv: history's row id,as_of,rules,persona,health,grade,coverage,<dims>,flags,bottleneck
# rearranged as run's id,persona,health,grade,<dims>,flags,bottleneck,as_of,rules
"$kenko" history rules/aiueo.kenko "$one" --format csv 2>/dev/null |
  awk -F, -v OFS=, '{ row = $1 OFS $4 OFS $5 OFS $6; for (i = 8; i <= NF; i++) row = row OFS $i
                      print row OFS $2 OFS $3 }' >"$work/one-hist.csv"
"$kenko" run rules/aiueo.kenko "$one" --as-of 2026-08-31 --format csv 2>/dev/null >"$work/one-run.csv"
if [ -s "$work/one-run.csv" ] && cmp -s "$work/one-run.csv" "$work/one-hist.csv"; then ok; else
  not_ok "a history of one snapshot (csv) differs from a plain run's rows"
  diff "$work/one-run.csv" "$work/one-hist.csv" | head -4
fi

# ---- the dated files = the long table (the rules' fingerprint aside) --------------
"$kenko" history rules/aiueo.kenko "$work"/dated/accounts-*.csv --format jsonl 2>/dev/null |
  sed 's/"rules":"[0-9a-f]*"//' >"$work/dated.jsonl"
sed 's/"rules":"[0-9a-f]*"//' "$work/hist.jsonl" >"$work/long.jsonl"
if [ -s "$work/dated.jsonl" ] && cmp -s "$work/dated.jsonl" "$work/long.jsonl"; then ok; else
  not_ok "the dated files and the long table give different records"
fi

# ---- with trend rules -------------------------------------------------------------
if [ -f rules/aiueo-history.kenko ] && "$kenko" check rules/aiueo-history.kenko >/dev/null 2>&1; then
  "$kenko" history rules/aiueo-history.kenko "$work"/dated/accounts-*.csv --format jsonl \
    >"$work/trend.jsonl" 2>/dev/null
  for d in $dates; do
    "$kenko" run rules/aiueo-history.kenko "$work"/dated/accounts-*.csv --as-of "$d" --format jsonl 2>/dev/null |
      strip_members >"$work/trun-$d.jsonl"
    grep "\"as_of\":\"$d\"" "$work/trend.jsonl" >"$work/thist-$d.jsonl"
    compare_per_record "trend rules: history = run --as-of $d" "$work/trun-$d.jsonl" "$work/thist-$d.jsonl"
  done
fi

echo "property-history: $records records over $(echo $dates | wc -w) snapshots, $count accounts generated"
echo "property-history: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
