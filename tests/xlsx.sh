#!/bin/sh
# xlsx.sh — `run --format xlsx` and `history --format xlsx` read back
# with a real reader (Python's zipfile and XML parser, no kenko code) and
# compared with the CSV of the same run (`--format csv --labels`), cell for
# cell: the same header, the same texts, the same numbers (as many
# digits as libxlsxwriter stores: 16 significant, docs/cli.md "xlsx"), in
# English (the C locale) and in Japanese (the sheet's name and the fixed
# headings translated, LANG=ja_JP.UTF-8).
# Also: the header row is frozen and filtered, numbers are shown with one
# decimal, grade cells are filled with the HTML report's grade colours,
# each column is as wide as its widest cell (display width), the same run
# gives the same bytes, and `--output -` streams the same workbook.
# `report --xlsx` is read back the same way and compared with `report
# --format json` of the same run, table by table (tests/xlsx_report_check.py),
# in English and in Japanese (every word of kenko's own translated).
# Last line "xlsx: N passed, N failed".
# Usage: tests/xlsx.sh path/to/kenko
set -u
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL $1"
  [ -s "$tmp/log" ] && sed 's/^/  /' "$tmp/log" | head -20
  return 0
}

# speak LANG ARGS...: kenko in English (en: the C locale) or Japanese (ja:
# LANG=ja_JP.UTF-8 with the build's catalogs)
speak() {
  lang=$1
  shift
  if [ "$lang" = ja ]; then
    (unset LC_ALL LC_MESSAGES LANGUAGE && LANG=ja_JP.UTF-8 KENKO_LOCALEDIR="$(dirname "$kenko")/locale" &&
      export LANG KENKO_LOCALEDIR && "$kenko" "$@")
  else
    (unset LANGUAGE && LC_ALL=C.UTF-8 && export LC_ALL && "$kenko" "$@")
  fi
}

# compare NAME LANG ARGS...: `ARGS --format xlsx` against `ARGS --format
# csv --labels` in LANG, through the reader's checks (tests/xlsx_check.py:
# the sheet's name and the fixed headings are kenko's words in LANG)
compare() {
  name=$1 lang=$2
  shift 2
  speak "$lang" "$@" --format xlsx --output "$tmp/cmp.xlsx" 2>"$tmp/log" && ok || bad "$name ($lang): --format xlsx"
  speak "$lang" "$@" --format csv --labels >"$tmp/cmp.csv" 2>/dev/null
  if python3 tests/xlsx_check.py "$tmp/cmp.xlsx" "$tmp/cmp.csv" "$lang" >"$tmp/log" 2>&1; then
    ok
  else
    bad "$name ($lang): the xlsx is not the csv"
  fi
}

rules=rules/aiueo.kenko
data=rules/sample/accounts.csv
for lang in en ja; do
  compare "run" $lang run $rules $data --as-of 2026-11-22
done
"$kenko" run $rules $data --as-of 2026-11-22 --format xlsx --output "$tmp/run.xlsx" 2>"$tmp/log" && ok || bad "run --format xlsx"

# the same bytes every time (the workbook is dated by the run, not the clock)
sleep 1
"$kenko" run $rules $data --as-of 2026-11-22 --format xlsx --output "$tmp/run2.xlsx" 2>/dev/null
cmp -s "$tmp/run.xlsx" "$tmp/run2.xlsx" && ok || bad "the same run gives the same xlsx bytes"
# --output - streams it (a pipe)
"$kenko" run $rules $data --as-of 2026-11-22 --format xlsx --output - 2>/dev/null | cat >"$tmp/piped.xlsx"
cmp -s "$tmp/run.xlsx" "$tmp/piped.xlsx" && ok || bad "--output - writes the same workbook to a pipe"

# the csv_for_people golden's scorecard: personas, flags, steps, labels
g=tests/golden/csv_for_people
for lang in en ja; do
  compare "run (labels, flags, steps, a formula-like id)" $lang run $g/rules.kenko $g/data.csv --as-of 2026-11-22
done

# history: one record per account and snapshot
hrules=rules/aiueo-history.kenko
for lang in en ja; do
  compare "history" $lang history $hrules rules/sample/history/*.csv
done

# report --xlsx: every table of the report against its JSON
# report_case NAME ARGS...: the English workbook against the JSON
report_case() {
  name=$1
  shift
  LC_ALL=C.UTF-8 "$kenko" report "$@" --xlsx "$tmp/$name.xlsx" --html "$tmp/$name.html" --output /dev/null \
    2>"$tmp/log" &&
    LC_ALL=C.UTF-8 "$kenko" report "$@" --format json >"$tmp/$name.json" 2>/dev/null &&
    ok || bad "report --xlsx ($name)"
  if python3 tests/xlsx_report_check.py "$tmp/$name.xlsx" "$tmp/$name.json" --html "$tmp/$name.html" \
    >"$tmp/log" 2>&1; then
    ok
  else
    bad "report --xlsx ($name): the workbook is not the report"
  fi
}
report_case aiueo $rules $data --as-of 2026-11-22 --by input plan
en_sheets="summary|KPIs|grades|by 契約プラン|personas|segment タッチモデル|forecasts|journey|flags|drivers|scores"
python3 tests/xlsx_report_check.py "$tmp/aiueo.xlsx" "$tmp/aiueo.json" --sheets "$en_sheets" >"$tmp/log" 2>&1 &&
  ok || bad "report --xlsx: the English sheets"
# in Japanese: the same figures, every sheet name and word of kenko's translated
ja_sheets="概要|KPI|グレード|契約プラン 別|ペルソナ|セグメント タッチモデル|予測|ジャーニー|フラグ|失点要因|点数"
(unset LC_ALL LANGUAGE && LANG=ja_JP.UTF-8 KENKO_LOCALEDIR="$(dirname "$kenko")/locale" &&
  export LANG KENKO_LOCALEDIR && "$kenko" report $rules $data --as-of 2026-11-22 --by input plan \
  --xlsx "$tmp/aiueo-ja.xlsx" --output /dev/null 2>/dev/null)
python3 tests/xlsx_report_check.py "$tmp/aiueo-ja.xlsx" "$tmp/aiueo.json" --sheets "$ja_sheets" --english "$tmp/aiueo.xlsx" \
  >"$tmp/log" 2>&1 && ok || bad "report --xlsx under LANG=ja_JP.UTF-8: not the report, or not in Japanese"
# KPIs without targets and a missing value, an account without health, no labels
g=tests/golden/kpi_aggregates
report_case kpis $g/rules.kenko $g/data.csv --as-of 2026-01-01
# groups of a missing value, personas and segments without a match
g=tests/golden/report_by
report_case by_region $g/rules.kenko $g/data.csv --as-of 2026-11-22 --by input region
report_case by_persona $g/rules.kenko $g/data.csv --as-of 2026-11-22 --by persona
# the same bytes every time, and `--xlsx -` streams the same workbook
"$kenko" report $rules $data --as-of 2026-11-22 --by input plan --xlsx - 2>/dev/null | cat >"$tmp/piped.xlsx"
cmp -s "$tmp/aiueo.xlsx" "$tmp/piped.xlsx" && ok || bad "report --xlsx - writes the same workbook to a pipe"
# with --html too: both written, the text report still on standard output
"$kenko" report $rules $data --as-of 2026-11-22 --by input plan --xlsx "$tmp/both.xlsx" --html "$tmp/both.html" \
  >"$tmp/both.txt" 2>/dev/null
cmp -s "$tmp/aiueo.xlsx" "$tmp/both.xlsx" && [ -s "$tmp/both.html" ] && grep -q '^grades' "$tmp/both.txt" &&
  ok || bad "report --xlsx with --html and the text report"

# libxlsxwriter is opened when a workbook is begun, not linked (xlsx.c):
# the binary does not load it, nor libcrypto, which it links; a library of
# its name without its functions is refused by name (exit 2, no output),
# while a CSV run does not look for it
if readelf -d "$kenko" 2>/dev/null | grep -q 'NEEDED.*\(libxlsxwriter\|libcrypto\)'; then
  bad "kenko links libxlsxwriter or libcrypto (they are opened for a workbook only)"
else
  ok
fi
so=libxlsxwriter.so.$(sed -n 's/^#define LXW_SOVERSION "\(.*\)"/\1/p' /usr/include/xlsxwriter.h)
version=$(sed -n 's/^#define LXW_VERSION "\(.*\)"/\1/p' /usr/include/xlsxwriter.h)
mkdir -p "$tmp/fakelib"
echo 'int kenko_not_libxlsxwriter;' >"$tmp/fakelib/fake.c"
if cc -shared -fPIC -o "$tmp/fakelib/$so" "$tmp/fakelib/fake.c" 2>"$tmp/log"; then
  (LD_LIBRARY_PATH="$tmp/fakelib" LC_ALL=C.UTF-8 && export LD_LIBRARY_PATH LC_ALL &&
    "$kenko" run $rules $data --as-of 2026-11-22 --format xlsx --output "$tmp/none.xlsx" 2>"$tmp/err" >/dev/null)
  code=$?
  echo "kenko: error: xlsx: $so has no function workbook_new_opt: install libxlsxwriter $version or later" >"$tmp/want"
  cp "$tmp/err" "$tmp/log"
  [ "$code" -eq 2 ] && cmp -s "$tmp/err" "$tmp/want" && [ ! -e "$tmp/none.xlsx" ] && ok ||
    bad "a libxlsxwriter without its functions: exit $code, not the message"
  (LD_LIBRARY_PATH="$tmp/fakelib" && export LD_LIBRARY_PATH &&
    "$kenko" run $rules $data --as-of 2026-11-22 --format csv >"$tmp/fake.csv" 2>"$tmp/log") &&
    "$kenko" run $rules $data --as-of 2026-11-22 --format csv 2>/dev/null | cmp -s - "$tmp/fake.csv" && ok ||
    bad "a CSV run looked for libxlsxwriter"
else
  bad "cc could not make a stand-in library"
fi

echo "xlsx: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
