#!/bin/sh
# kenko fmt (LANGUAGE.md §9, docs/fmt.md):
#   1. goldens: tests/fmt/NAME.kenko (messy) formats to NAME.expected byte
#      for byte, and NAME.expected formats to itself;
#   2. every .kenko file under rules/ and tests/ that parses: formatting
#      twice changes nothing, the token sequence (`kenko dump-tokens`
#      without positions) and every comment are kept, and the file with
#      its indentation turned into a tab and blanks added at line ends
#      formats to the same bytes; a file is refused exactly when it does
#      not parse (`kenko dump-ast` reports errors);
#   3. the command line: --check output and exit codes, -w rewrites only
#      the files that change, `-` reads standard input, usage errors;
#   4. the repository's rule files stay formatted: kenko fmt --check over
#      rules/ and tests/golden/ (a new unformatted file fails here with
#      "run kenko fmt -w FILE").
# Usage: tests/run-fmt.sh path/to/kenko
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/.." || exit 2
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL $*"
}

# The comments of a rule file, one a line, trailing blanks removed.
comments() {
  LC_ALL=C awk '{
    line = $0; sub(/\r$/, "", line); instr = 0
    for (i = 1; i <= length(line); i++) {
      c = substr(line, i, 1)
      if (instr) { if (c == "\\") i++; else if (c == "\"") instr = 0; continue }
      if (c == "\"") { instr = 1; continue }
      if (c == "#") { com = substr(line, i); sub(/[ \t]+$/, "", com); print com; break }
    }
  }' "$1"
}
tokens() { "$kenko" dump-tokens "$1" 2>&1 | sed 's/^[^ ]* //'; }

# ---- 1. goldens ---------------------------------------------------------
for messy in tests/fmt/*.kenko; do
  want=${messy%.kenko}.expected
  if "$kenko" fmt "$messy" >"$tmp/got" 2>"$tmp/err" && cmp -s "$tmp/got" "$want"; then
    ok
  else
    bad "golden $messy"
    diff "$want" "$tmp/got" | head -20
    cat "$tmp/err"
  fi
  if "$kenko" fmt "$want" 2>/dev/null | cmp -s - "$want"; then ok; else bad "golden $want is not a fixed point"; fi
done
# a file differing only in horizontal white space formats to the same bytes
if "$kenko" fmt tests/fmt/whitespace.kenko | cmp -s - tests/fmt/personas.expected; then ok; else
  bad "whitespace.kenko does not format to personas.expected"
fi

# ---- 2. every rule file in the repository --------------------------------
cr=$(printf '\r')
bom=$(printf '\357\273\277')
for f in $(find rules tests -name '*.kenko' | LC_ALL=C sort); do
  if ! "$kenko" fmt "$f" >"$tmp/once.kenko" 2>"$tmp/err"; then
    if "$kenko" dump-ast "$f" >/dev/null 2>&1; then
      bad "$f parses but fmt refused it"
      head -5 "$tmp/err"
    else
      ok
    fi
    continue
  fi
  "$kenko" fmt "$tmp/once.kenko" >"$tmp/twice.kenko" 2>&1
  if cmp -s "$tmp/once.kenko" "$tmp/twice.kenko"; then ok; else
    bad "$f: formatting twice changes it"
    diff "$tmp/once.kenko" "$tmp/twice.kenko" | head -10
  fi
  tokens "$f" >"$tmp/t1"
  tokens "$tmp/once.kenko" >"$tmp/t2"
  if cmp -s "$tmp/t1" "$tmp/t2"; then ok; else
    bad "$f: tokens changed"
    diff "$tmp/t1" "$tmp/t2" | head -10
  fi
  comments "$f" >"$tmp/c1"
  comments "$tmp/once.kenko" >"$tmp/c2"
  if cmp -s "$tmp/c1" "$tmp/c2"; then ok; else
    bad "$f: comments changed"
    diff "$tmp/c1" "$tmp/c2" | head -10
  fi
  # (CRLF and BOM files have their own goldens: the mangling below would
  # break their line ends or put a tab before the BOM)
  if ! grep -q "$cr" "$f" && [ "$(head -c 3 "$f")" != "$bom" ]; then
    sed -e 's/^[ 	]*/	/' -e 's/$/ 	 /' "$f" >"$tmp/mangled.kenko"
    if "$kenko" fmt "$tmp/mangled.kenko" 2>&1 | cmp -s - "$tmp/once.kenko"; then ok; else
      bad "$f: changing only horizontal white space changes the formatted text"
      "$kenko" fmt "$tmp/mangled.kenko" 2>&1 | diff "$tmp/once.kenko" - | head -10
    fi
  fi
done

# ---- 3. the command line ----------------------------------------------------
# expect NAME WANT_EXIT COMMAND...: runs it, keeps stdout/stderr in $tmp/out, $tmp/err
expect() {
  name=$1
  want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else
    bad "$name: exit $rc, expected $want"
    cat "$tmp/err"
  fi
}
printf 'grades {\ngood >= 70\nbad otherwise\n}\n' >"$tmp/messy.kenko"
printf 'grades {\n  good >= 70\n  bad  otherwise\n}\n' >"$tmp/clean.kenko"
expect "check formatted" 0 "$kenko" fmt --check "$tmp/clean.kenko"
if [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then ok; else bad "check formatted prints nothing"; fi
(cd "$tmp" && "$kenko" fmt --check clean.kenko messy.kenko >out 2>err)
rc=$?
[ "$rc" -eq 1 ] && ok || bad "check messy: exit $rc, expected 1"
cat >"$tmp/want" <<'EOF'
messy.kenko
--- messy.kenko
+++ messy.kenko (formatted)
@@ -1,4 +1,4 @@
 grades {
-good >= 70
-bad otherwise
+  good >= 70
+  bad  otherwise
 }
EOF
if cmp -s "$tmp/out" "$tmp/want"; then ok; else
  bad "check messy: output"
  diff "$tmp/want" "$tmp/out"
fi
if [ "$(cat "$tmp/err")" = "messy.kenko: not formatted (run kenko fmt -w messy.kenko)" ]; then ok; else
  bad "check messy: stderr"
  cat "$tmp/err"
fi
expect "check stdin" 1 sh -c "\"$kenko\" fmt --check - <\"$tmp/messy.kenko\""
head -1 "$tmp/out" | grep -qx '<stdin>' && ok || bad "check stdin names <stdin>"
expect "print stdin" 0 sh -c "\"$kenko\" fmt - <\"$tmp/messy.kenko\""
cmp -s "$tmp/out" "$tmp/clean.kenko" && ok || bad "fmt - prints the formatted text"
expect "print file" 0 "$kenko" fmt "$tmp/messy.kenko"
cmp -s "$tmp/out" "$tmp/clean.kenko" && ok || bad "fmt FILE prints the formatted text"
cp "$tmp/messy.kenko" "$tmp/w1.kenko"
cp "$tmp/clean.kenko" "$tmp/w2.kenko"
touch -d '2001-02-03 04:05:06' "$tmp/w2.kenko"
before=$(stat -c %y "$tmp/w2.kenko")
expect "-w" 0 "$kenko" fmt -w "$tmp/w1.kenko" "$tmp/w2.kenko"
cmp -s "$tmp/w1.kenko" "$tmp/clean.kenko" && ok || bad "-w rewrites a file that changes"
[ "$(stat -c %y "$tmp/w2.kenko")" = "$before" ] && ok || bad "-w leaves a formatted file untouched"
[ ! -s "$tmp/out" ] && ok || bad "-w prints nothing"
printf 'dimension d {\n  rule a : \n}\n' >"$tmp/broken.kenko"
expect "syntax error" 1 "$kenko" fmt "$tmp/broken.kenko"
grep -q 'broken.kenko:3:1: error' "$tmp/err" && ok || bad "syntax error is reported with its location"
expect "syntax error --check" 1 "$kenko" fmt --check "$tmp/broken.kenko"
expect "missing file" 2 "$kenko" fmt "$tmp/nonexistent.kenko"
expect "no files" 2 "$kenko" fmt
expect "-w and --check" 2 "$kenko" fmt -w --check "$tmp/clean.kenko"
expect "-w stdin" 2 "$kenko" fmt -w -
expect "unknown option" 2 "$kenko" fmt --diff "$tmp/clean.kenko"

# ---- 4. the repository stays formatted ----------------------------------------
# shellcheck disable=SC2046
if "$kenko" fmt --check $(find rules tests/golden -name '*.kenko' | LC_ALL=C sort) >"$tmp/out" 2>"$tmp/err"; then
  ok
else
  bad "rule files under rules/ or tests/golden/ are not formatted:"
  cat "$tmp/err"
  head -40 "$tmp/out"
fi

echo "fmt: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
