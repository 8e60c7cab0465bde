#!/bin/sh
# init.sh — `kenko init DIR` makes a rules repository that works: its
# scorecard passes `kenko check` (no warning, also against its sample
# data), `kenko test` and `kenko fmt --check`; its CI recipe and pre-commit
# configuration are valid YAML with the expected steps; `kenko diff --git`
# as the CI runs it works in the new repository after a rule change; and
# init refuses a directory that is not empty. Last line
# "init: N passed, N failed".
# Usage: tests/init.sh path/to/kenko
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
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

repo="$tmp/team"
"$kenko" init "$repo" >"$tmp/log" 2>&1 && ok || bad "kenko init"
for f in rules/scorecard.kenko data/accounts.csv .gitignore .github/workflows/kenko.yml .pre-commit-config.yaml README.md; do
  [ -s "$repo/$f" ] && ok || bad "kenko init wrote $f"
done
cd "$repo" || exit 2
"$kenko" check rules/scorecard.kenko --data data/accounts.csv >"$tmp/log" 2>&1 && [ ! -s "$tmp/log" ] && ok ||
  bad "kenko check of the starter scorecard (exit 0, no warning)"
"$kenko" test rules/scorecard.kenko >"$tmp/log" 2>&1 && grep -q '^[1-9][0-9]* passed, 0 failed$' "$tmp/log" && ok ||
  bad "kenko test of the starter scorecard"
"$kenko" fmt --check rules/scorecard.kenko >"$tmp/log" 2>&1 && ok || bad "the starter scorecard is formatted"
"$kenko" run rules/scorecard.kenko data/accounts.csv --as-of 2026-11-22 --format csv >"$tmp/out" 2>"$tmp/log" &&
  grep -q '^6 accounts scored, 0 rejected$' "$tmp/log" && ok || bad "kenko run over the sample data"

if python3 -c 'import yaml' 2>/dev/null; then
  python3 - .github/workflows/kenko.yml .pre-commit-config.yaml >"$tmp/log" 2>&1 <<'PY' && ok || bad "CI recipe and pre-commit config"
import sys, yaml
ci = yaml.safe_load(open(sys.argv[1]))
steps = ci["jobs"]["rules"]["steps"]
runs = " ".join(s.get("run", "") for s in steps)
for want in ("kenko check", "kenko test", "kenko fmt --check", "kenko diff --git origin/main", "GITHUB_STEP_SUMMARY"):
    assert want in runs, want
assert "pull_request" in ci[True] if True in ci else "pull_request" in ci["on"]
hooks = [h["id"] for r in yaml.safe_load(open(sys.argv[2]))["repos"] for h in r["hooks"]]
assert hooks == ["kenko-fmt", "kenko-check", "kenko-test"], hooks
PY
else
  echo "skip: init: python3-yaml is not installed (the CI recipe's YAML not checked)"
  skipped=1
fi

if command -v git >/dev/null 2>&1; then
  git init -q . && git add -A && git -c user.name=t -c user.email=t@example.com commit -qm init &&
    sed -i 's/threshold min_operators "運用担当者の最低人数" = 2/threshold min_operators "運用担当者の最低人数" = 1/' rules/scorecard.kenko &&
    "$kenko" diff --git HEAD rules/scorecard.kenko data/accounts.csv --as-of 2026-11-22 >"$tmp/out" 2>"$tmp/log" &&
    grep -q 'changed grade' "$tmp/out" && ok || bad "kenko diff --git HEAD in the new repository"
fi

"$kenko" init "$repo" >"$tmp/out" 2>"$tmp/log"
[ $? -eq 2 ] && grep -q 'already exists and is not an empty directory' "$tmp/log" && ok || bad "init refuses a non-empty directory"

if [ "${skipped:-0}" -gt 0 ]; then
  echo "init: $pass passed, $fail failed, 1 skipped"
else
  echo "init: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
