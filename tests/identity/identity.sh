#!/bin/sh
# identity.sh KENKO — every output over the bench's accounts and the sample
# data is byte-identical to what the build before the engine's rework
# (commit 175c04d: compiling at load, ops.c, explain.c) wrote.
#
# The bench's generator (tests/bench/gen_accounts.c, fixed seed) makes
# 20,000 accounts; each command's output is hashed (SHA-256) and compared
# with tests/identity/SHA256SUMS, which that build produced (`sh
# tests/identity/identity.sh --write OLD_KENKO` writes the file). The one
# output allowed to differ is "what would change the grade", which the
# rework added to `run --format jsonl --explain` (its "what_if" key, the
# last of each line, is cut before hashing) and rewrote in `kenko explain`
# (its section, the last of the text, is cut).
# Last line: "identity: N passed, N failed".
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
write=0
if [ "${1:-}" = --write ]; then
  write=1
  shift
fi
kenko=${1:-build/kenko}
cd "$(dirname "$0")/../.." || exit 2
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
sums=tests/identity/SHA256SUMS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc=${CC:-cc}
"$cc" -O2 -o "$work/gen_accounts" tests/bench/gen_accounts.c || exit 2
"$work/gen_accounts" csv 20000 >"$work/accounts.csv" || exit 2
# an older snapshot of the same accounts for `diff --data`: every third
# account had two fewer seats and one login less
awk -F, 'BEGIN { OFS = "," } NR > 1 && NR % 3 == 0 { $7 = $7 - 2; $17 = $17 - 1 } { print }' \
  "$work/accounts.csv" >"$work/older.csv"

# Paths appear in the outputs: every command runs in the work folder,
# the rules under the same name. The rules are tests/identity/aiueo.kenko,
# rules/aiueo.kenko as it was when the sums were last written: the
# pre-rework build cannot read what the language gained since (`display`,
# `kept`), and the point is the same outputs from the same rule bytes. The
# sample data is the repository's (columns those rules do not declare are
# ignored).
repo=$(pwd)
sums="$repo/$sums"
mkdir "$work/rules" || exit 2
cp "$repo/tests/identity/aiueo.kenko" "$work/rules/aiueo.kenko" || exit 2
ln -s "$repo/rules/sample" "$work/rules/sample" || exit 2
cd "$work" || exit 2
rules=rules/aiueo.kenko
sample=rules/sample/accounts.yaml
as_of="--as-of 2026-11-22"
data=accounts.csv
pass=0
fail=0
: >"$work/sums"

# out NAME COMMAND...: hashes the command's standard output as NAME
out() {
  name=$1
  shift
  "$@" 2>/dev/null | sha256sum | sed "s/ .*/  $name/" >>"$work/sums"
}
# no_what_if: jsonl lines without their last key "what_if"
no_what_if() { sed 's/,"what_if":.*}$/}/'; }
# no_what_if_text: an explanation without its last section
no_what_if_text() { sed '/^what would change the grade$/,$d'; }

out run-csv "$kenko" run $rules "$data" --format csv $as_of
out run-jsonl "$kenko" run $rules "$data" --format jsonl $as_of
out run-text "$kenko" run $rules "$data" --format text $as_of
out run-csv-explain "$kenko" run $rules "$data" --format csv --explain $as_of
"$kenko" run $rules "$data" --format jsonl --explain $as_of 2>/dev/null | no_what_if >"$work/explain.jsonl"
out run-jsonl-explain cat "$work/explain.jsonl"
out report-text "$kenko" report $rules "$data" $as_of
out report-json "$kenko" report $rules "$data" --format json --by persona $as_of
out validate "$kenko" validate $rules "$data" $as_of
out diff-data "$kenko" diff $rules "$data" --data older.csv $as_of
out sample-csv "$kenko" run $rules $sample --format csv $as_of
out sample-text "$kenko" run $rules $sample --format text $as_of
"$kenko" run $rules $sample --format jsonl --explain $as_of 2>/dev/null | no_what_if >"$work/sample.jsonl"
out sample-jsonl-explain cat "$work/sample.jsonl"
out test "$kenko" test $rules
for id in $(sed -n 's/^  - id: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' $sample); do
  "$kenko" explain $rules $sample --account "$id" $as_of 2>/dev/null | no_what_if_text >"$work/explain.txt"
  out "explain-$id" cat "$work/explain.txt"
done

if [ "$write" = 1 ]; then
  cp "$work/sums" "$sums"
  echo "identity: wrote $(wc -l <"$sums") sums to $sums"
  exit 0
fi
while read -r sum name; do
  want=$(awk -v n="$name" '$2 == n { print $1 }' "$sums")
  if [ -n "$want" ] && [ "$sum" = "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: output differs from the pre-rework build's"
  fi
done <"$work/sums"
expected=$(wc -l <"$sums")
if [ "$((pass + fail))" -ne "$expected" ]; then
  fail=$((fail + 1))
  echo "FAIL: $((pass + fail - 1)) outputs made, $expected expected"
fi
echo "identity: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
