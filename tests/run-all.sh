#!/bin/sh
# Runs every test suite and ends with one line "N passed, N failed" (and
# ", N skipped" when a suite could not run because a tool is genuinely
# absent, such as a browser; each skipped suite is named above that line).
# Nothing is skipped because a file is missing: every file a test needs is
# in the repository.
# Usage: tests/run-all.sh BUILD_DIR
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
build=${1:-build}
cd "$(dirname "$0")/.." || exit 2
kenko="$build/kenko"
total_pass=0
total_fail=0
total_skip=0
skipped=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# suite NAME COMMAND...: runs it, reads its "N passed, N failed" line
suite() {
  name=$1
  shift
  echo "== $name"
  "$@" >"$log" 2>&1
  rc=$?
  cat "$log"
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  p=$(echo "$line" | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) ~ /^passed/) print $i }')
  f=$(echo "$line" | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) ~ /^failed/) print $i }')
  [ -n "$line" ] || { p=0; f=1; echo "$name: no summary line (exit $rc)"; }
  s=$(echo "$line" | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) ~ /^skipped/) print $i }')
  if [ -n "$s" ] && [ "$s" -gt 0 ]; then
    total_skip=$((total_skip + s))
    skipped="$skipped$(grep '^skip: ' "$log" | sed 's/^skip: /  skipped: /')
"
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
}

# Criterion prints "Synthesis: Tested: N | Passing: N | Failing: N | Crashing: N"
echo "== unit"
"$build/unit-tests" --jobs 2 >"$log" 2>&1
rc=$?
cat "$log"
syn=$(grep -E 'Synthesis' "$log" | tail -n 1)
up=$(echo "$syn" | sed -E 's/.*Passing: ([0-9]+).*/\1/')
uf=$(echo "$syn" | sed -E 's/.*Failing: ([0-9]+) \| Crashing: ([0-9]+).*/\1 \2/' | awk '{print $1 + $2}')
[ -n "$syn" ] || { up=0; uf=1; }
if [ "$rc" -ne 0 ] && [ "$uf" -eq 0 ]; then uf=1; fi
total_pass=$((total_pass + up))
total_fail=$((total_fail + uf))

suite catalog sh tests/run-catalog.sh "$kenko"
suite golden sh tests/run-golden.sh "$kenko"
suite fmt sh tests/run-fmt.sh "$kenko"
suite lsp "$build/lsp-test" "$kenko"
suite grammar sh tests/editors/grammar.sh
suite vsce sh tests/editors/vsce.sh
suite vim sh tests/editors/vim.sh
suite validate-check sh tests/validate-check.sh "$kenko"
suite diff-git sh tests/diff-git.sh "$kenko"
suite e2e sh tests/e2e/report_html.sh "$kenko"
suite e2e-history sh tests/e2e/history_html.sh "$kenko"
suite e2e-effect sh tests/e2e/effect_html.sh "$kenko"
[ -f tests/property.sh ] && suite property sh tests/property.sh "$kenko"
suite property-history sh tests/property-history.sh "$kenko"
suite property-effect sh tests/property-effect.sh "$kenko"
suite kpi-recompute sh tests/kpi-recompute.sh "$kenko"
suite newcomer sh tests/newcomer.sh "$kenko"
suite sql-postgres sh tests/sql/postgres.sh "$kenko"
suite sql-duckdb sh tests/sql/duckdb.sh "$kenko"
[ -f tests/check-doc-examples.sh ] && suite doc-examples sh tests/check-doc-examples.sh "$kenko"
suite doc-runs sh tests/check-doc-runs.sh "$kenko"
[ -f tests/tutorial-check.sh ] && suite tutorial sh tests/tutorial-check.sh "$kenko"
[ -f tests/run-regressions.sh ] && suite regressions sh tests/run-regressions.sh "$kenko"
suite jobs sh tests/jobs.sh "$kenko"
[ -f tests/run-limits.sh ] && suite limits sh tests/run-limits.sh "$kenko"
[ -f tests/nothing-lost.sh ] && suite nothing-lost sh tests/nothing-lost.sh "$kenko"
suite i18n sh tests/i18n.sh "$build"
suite layering sh tests/layering.sh
suite help sh tests/help.sh "$kenko"
suite xlsx sh tests/xlsx.sh "$kenko"
suite init sh tests/init.sh "$kenko"
suite install sh tests/install.sh "$build"
[ -f tests/identity/identity.sh ] && suite identity sh tests/identity/identity.sh "$kenko"

if [ "$total_skip" -gt 0 ]; then
  printf '%s' "$skipped"
  echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
  echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
