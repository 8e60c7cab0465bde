#!/bin/sh
# tutorial-check.sh — keeps the tutorials (docs/tutorial.ja.md,
# docs/tutorial.en.md) and the scorecard they build (rules/telco.kenko)
# honest.
#
# Usage: tests/tutorial-check.sh [KENKO]     (default: build/kenko)
#
# Checks:
#   1. `kenko check rules/telco.kenko` exits 0 and prints nothing (no
#      warning);
#   2. `kenko test rules/telco.kenko` passes, and every line it prints is
#      in both tutorials (they paste it);
#   3. every ```kenko block of both tutorials is a complete rule file that
#      `kenko check` accepts silently (```text blocks are fragments and are
#      not checked);
#   4. with the bundled data (rules/sample/mlc_churn.csv): `kenko run`
#      scores every account, and every line of
#      `kenko validate rules/telco.kenko DATA --as-of 2026-11-22` is in
#      both tutorials (they paste it whole), so the numbers they quote are
#      the numbers the scorecard gives. A missing data file is a failure;
#   5. the history chapter: every line of `kenko history`, `--account
#      acct-0023` and `validate --horizon 180d` with rules/aiueo-history.kenko
#      over rules/sample/history/ is in both tutorials.
# The last line is exactly "tutorial: N passed, N failed".
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)

kenko=${1:-build/kenko}
case $kenko in
/*) ;;
*) kenko=$(pwd)/$kenko ;;
esac
cd "$(dirname "$0")/.." || exit 2

rules=rules/telco.kenko
docs="docs/tutorial.ja.md docs/tutorial.en.md"
data=rules/sample/mlc_churn.csv
passed=0
failed=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
  [ -s "$tmp/out" ] && sed 's/^/  /' "$tmp/out"
  return 0
}

if [ ! -x "$kenko" ]; then
  echo "tutorial-check: $kenko is not an executable (build it first)" >&2
  echo "tutorial: 0 passed, 1 failed"
  exit 2
fi

# every_line_in FILE: each non-empty line of FILE occurs as a whole line
# in both tutorials; prints the first missing line
every_line_in() {
  for doc in $docs; do
    while IFS= read -r line; do
      [ -n "$line" ] || continue
      if ! grep -Fxq -- "$line" "$doc"; then
        echo "$doc does not show this line of the output:"
        echo "  $line"
        return 1
      fi
    done <"$1"
  done
  return 0
}

# 1. check: no error, no warning
"$kenko" check "$rules" >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ]; then
  pass
else
  fail "kenko check $rules (exit $rc, must be 0 with no output)"
fi

# 2. inline tests pass; the tutorials show their output
"$kenko" test "$rules" >"$tmp/test" 2>&1
rc=$?
cp "$tmp/test" "$tmp/out"
if [ "$rc" -eq 0 ] && tail -n 1 "$tmp/test" | grep -Eq '^[0-9]+ passed, 0 failed$'; then
  pass
else
  fail "kenko test $rules (exit $rc)"
fi
if every_line_in "$tmp/test" >"$tmp/out"; then
  pass
else
  fail "the tutorials' \`kenko test\` output is not that of $rules"
fi

# 3. every ```kenko block of the tutorials
for doc in $docs; do
  if [ ! -f "$doc" ]; then
    : >"$tmp/out"
    fail "$doc is missing"
    continue
  fi
  name=$(basename "$doc" .md)
  awk -v dir="$tmp" -v name="$name" -v doc="$doc" '
    /^ ? ? ?```kenko[ \t]*$/ && !inside {
      inside = 1
      n++
      file = dir "/" name "-" n ".kenko"
      printf "" > file
      printf "%s:%d\n", doc, NR + 1 > (dir "/" name "-" n ".where")
      close(dir "/" name "-" n ".where")
      next
    }
    /^ ? ? ?```[ \t]*$/ && inside { inside = 0; close(file); next }
    inside { print > file }
    END {
      if (inside) {
        printf "%s: a ```kenko block is not closed\n", doc > "/dev/stderr"
        exit 1
      }
    }
  ' "$doc" 2>"$tmp/out" || fail "$doc: blocks"
done
for block in "$tmp"/*.kenko; do
  [ -f "$block" ] || continue
  where=$(cat "${block%.kenko}.where")
  "$kenko" check "$block" >"$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ]; then
    pass
  else
    fail "$where: \`kenko check\` of this \`\`\`kenko block (exit $rc, must be 0 with no output)"
  fi
done

# 4. data-dependent checks
if [ ! -f "$data" ]; then
  failed=$((failed + 1))
  echo "FAIL $data not found (it is part of the repository)"
else
  "$kenko" run "$rules" "$data" --as-of 2026-11-22 --format csv >"$tmp/scores.csv" 2>"$tmp/out"
  rc=$?
  if [ "$rc" -eq 0 ] && grep -q '^5000 accounts scored, 0 rejected$' "$tmp/out"; then
    pass
  else
    fail "kenko run $rules $data (exit $rc, must score all 5000 accounts)"
  fi

  "$kenko" validate "$rules" "$data" --as-of 2026-11-22 >"$tmp/validate" 2>"$tmp/out"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "kenko validate $rules $data (exit $rc)"
  elif every_line_in "$tmp/validate" >"$tmp/out"; then
    pass
  else
    fail "the tutorials' \`kenko validate\` output is not that of $rules"
  fi
fi

# 5. the history chapter: every line of `kenko history`, of one account's
# series and of `validate --horizon 180d` over the sample history is in
# both tutorials (they paste them whole)
hrules=rules/aiueo-history.kenko
if ! ls rules/sample/history/accounts-*.csv >/dev/null 2>&1 || [ ! -f "$hrules" ]; then
  failed=$((failed + 1))
  echo "FAIL $hrules or rules/sample/history/ not found (they are part of the repository)"
else
  for what in text account horizon; do
    case $what in
    text) "$kenko" history "$hrules" rules/sample/history/accounts-*.csv >"$tmp/history" 2>"$tmp/out" ;;
    account) "$kenko" history "$hrules" rules/sample/history/accounts-*.csv --account acct-0023 \
      >"$tmp/history" 2>"$tmp/out" ;;
    horizon) "$kenko" validate "$hrules" rules/sample/history/accounts-*.csv --horizon 180d \
      >"$tmp/history" 2>"$tmp/out" ;;
    esac
    rc=$?
    if [ "$rc" -ne 0 ]; then
      fail "kenko history/validate over the sample history ($what; exit $rc)"
    elif every_line_in "$tmp/history" >"$tmp/out"; then
      pass
    else
      fail "the tutorials' history chapter does not show the output of $what"
    fi
  done
fi

echo "tutorial: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
