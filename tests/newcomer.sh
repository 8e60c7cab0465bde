#!/bin/sh
# newcomer.sh — the newcomer path (issue 12): a Japanese CS team's Excel
# export (tests/golden/newcomer_path/export.csv: CP932, CRLF, Japanese
# column names mapped with `from`, a full-width space in the header, Excel's
# dates, percents, はい/いいえ and full-width digits) goes through
# `check --data`, `run` (text, csv, jsonl), `explain`, `report` (text and
# --html) with nothing but the file names, and every result equals the one
# of the same accounts written plainly (plain-utf8.csv: UTF-8, ';', ISO
# dates, decimals, true/false) read with options (--encoding utf-8
# --delimiter ';'). The file names are the only difference allowed (they
# appear in some outputs); stderr may differ only by the CP932 note. Each
# command's exit status is 0 both ways. When `run --format xlsx` exists, its
# workbook is compared too (every part under xl/, unzipped with Python's
# zipfile: the zip's own dates may differ).
# Last line: "newcomer: N passed, N failed".
# Usage: tests/newcomer.sh path/to/kenko
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/golden/newcomer_path" || exit 2
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
as_of="--as-of 2026-11-22"
plain_opts="--encoding utf-8 --delimiter ;"

# both NAME ARGS...: runs ARGS with export.csv (no option) and with
# plain-utf8.csv (the plain options); `DATA` in ARGS stands for the file,
# `OUT` for an output file of its own. The outputs must be the same once
# the file names are set aside.
both() {
  name=$1
  shift
  for side in newcomer plain; do
    if [ "$side" = newcomer ]; then data=export.csv opts=""; else data=plain-utf8.csv opts=$plain_opts; fi
    args=""
    for a in "$@"; do
      case $a in
      DATA) a=$data ;;
      OUT) a="$work/$side.$name.out" ;;
      esac
      args="$args $a"
    done
    # shellcheck disable=SC2086
    "$kenko" $args $opts >"$work/$side.stdout" 2>"$work/$side.stderr"
    echo "exit $?" >>"$work/$side.stdout"
    if [ -f "$work/$side.$name.out" ]; then
      case $name in
      *xlsx) python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in sorted(z.namelist()):
    if n.startswith("xl/"): sys.stdout.buffer.write(n.encode() + b"\n" + z.read(n) + b"\n")' \
        "$work/$side.$name.out" >>"$work/$side.stdout" ;;
      *) cat "$work/$side.$name.out" >>"$work/$side.stdout" ;;
      esac
    fi
    sed -e "s/$data/DATA/g" -e "s|$work/$side|OUT|g" "$work/$side.stdout" >"$work/$side.norm"
    grep -v '^export.csv: note: not UTF-8, read as CP932' "$work/$side.stderr" |
      sed -e "s/$data/DATA/g" >"$work/$side.err"
  done
  if cmp -s "$work/newcomer.norm" "$work/plain.norm" && cmp -s "$work/newcomer.err" "$work/plain.err" &&
    grep -q '^exit 0$' "$work/newcomer.norm"; then
    pass=$((pass + 1))
    echo "ok   $name"
  else
    fail=$((fail + 1))
    echo "FAIL $name: the Excel export and the plain file give different results"
    diff "$work/plain.norm" "$work/newcomer.norm" | head -10
    diff "$work/plain.err" "$work/newcomer.err" | head -10
  fi
}

both check-data check rules.kenko --data DATA
both run-text run rules.kenko DATA $as_of
both run-csv run rules.kenko DATA $as_of --format csv
both run-jsonl run rules.kenko DATA $as_of --format jsonl
both explain explain rules.kenko DATA --account C-002 $as_of
both report-text report rules.kenko DATA $as_of --by input plan
both report-html report rules.kenko DATA $as_of --html OUT --output /dev/null
if "$kenko" run --help 2>&1 | grep -q xlsx; then
  both run-xlsx run rules.kenko DATA $as_of --format xlsx --output OUT
fi

# the note is there, once, naming the option, and nothing else is said
"$kenko" run rules.kenko export.csv $as_of --format csv >/dev/null 2>"$work/stderr"
if [ "$(cat "$work/stderr")" = "export.csv: note: not UTF-8, read as CP932 (\`--encoding cp932\` says so and silences this note)
5 accounts scored, 0 rejected" ]; then
  pass=$((pass + 1))
  echo "ok   the CP932 note, once"
else
  fail=$((fail + 1))
  echo "FAIL the CP932 note:"
  cat "$work/stderr"
fi

echo "newcomer: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
