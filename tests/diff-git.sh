#!/bin/sh
# `kenko diff --git REV`: the old rules (and their includes) read from a
# git revision, in a throwaway repository made here. Last line
# "diff-git: N passed, N failed".
# Usage: tests/diff-git.sh path/to/kenko
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
if ! command -v git >/dev/null 2>&1; then
  echo "skip: diff-git: git is not installed"
  echo "diff-git: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

# check NAME WANT_EXIT PATTERN DIR COMMAND...: runs COMMAND in DIR; passes
# when it exits WANT_EXIT and its stdout+stderr, lines joined, has PATTERN
# (grep -E)
check() {
  name=$1 want=$2 pattern=$3 dir=$4
  shift 4
  out=$(cd "$dir" && "$@" 2>&1 </dev/null)
  rc=$?
  if [ "$rc" -eq "$want" ] && printf '%s\n' "$out" | tr -d '\n' | grep -Eq -- "$pattern"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name (exit $rc, wanted $want and /$pattern/)"
    printf '%s\n' "$out" | sed 's/^/  | /' | head -20
  fi
}

repo="$work/repo"
mkdir -p "$repo/rules/common" "$work/outside"
g() { git -C "$repo" -c user.name=kenko -c user.email=kenko@example.com -c commit.gpgsign=false "$@"; }
g init -q
cat >"$repo/rules/score.kenko" <<'EOF'
include "common/grades.kenko"
input id: text key
input x: number
dimension d {
  score s : x
}
EOF
cat >"$repo/rules/common/grades.kenko" <<'EOF'
grades {
  good >= 70
  bad  otherwise
}
EOF
printf 'id,x\na,50\nb,80\nc,65\n' >"$repo/data.csv"
g add -A && g commit -q -m "grades at 70"
# Second commit: the include moves the bound to 60 (c: bad → good).
sed 's/>= 70/>= 60/' "$repo/rules/common/grades.kenko" >"$repo/tmp" && mv "$repo/tmp" "$repo/rules/common/grades.kenko"
g commit -q -a -m "grades at 60"
# Working tree: the bound at 50 (a: bad → good as well).
sed 's/>= 60/>= 50/' "$repo/rules/common/grades.kenko" >"$repo/tmp" && mv "$repo/tmp" "$repo/rules/common/grades.kenko"

j='--as-of 2026-11-22 --format json'
# shellcheck disable=SC2086  # $j is split on purpose
check "HEAD from the root" 0 '"transitions":\[ *\[2,0,0\], *\[1,0,0\]' "$repo" \
  "$kenko" diff --git HEAD rules/score.kenko data.csv $j
check "HEAD~1: the include at that revision too" 0 '"changed":2' "$repo" \
  "$kenko" diff --git HEAD~1 rules/score.kenko data.csv $j
check "from a subdirectory (--show-prefix)" 0 '"changed":1,' "$repo/rules" \
  "$kenko" diff --git HEAD score.kenko ../data.csv $j
check "an absolute path" 0 '"changed":1,' "$repo/rules/common" \
  "$kenko" diff --git HEAD "$repo/rules/score.kenko" "$repo/data.csv" $j
check "text output names the change" 0 'a: bad → good' "$repo" \
  "$kenko" diff --git HEAD rules/score.kenko data.csv --as-of 2026-11-22
check "the old fingerprint is the committed bytes'" 0 "$(cd "$repo" && git show HEAD:rules/score.kenko HEAD:rules/common/grades.kenko | sha256sum | cut -c1-12)" "$repo" \
  "$kenko" diff --git HEAD rules/score.kenko data.csv --as-of 2026-11-22 --format json

# An include deleted from the working tree is still read at the revision.
mv "$repo/rules/common/grades.kenko" "$work/grades.keep"
printf 'grades {\n  good >= 50\n  bad otherwise\n}\n' >"$repo/rules/grades2.kenko"
sed 's|common/grades.kenko|grades2.kenko|' "$repo/rules/score.kenko" >"$repo/tmp" && mv "$repo/tmp" "$repo/rules/score.kenko"
check "an include absent on disk, present at the revision" 0 '"changed":1,' "$repo" \
  "$kenko" diff --git HEAD rules/score.kenko data.csv $j

check "unknown revision" 2 'error: `--git no-such-rev`: unknown revision `no-such-rev`' "$repo" \
  "$kenko" diff --git no-such-rev rules/score.kenko data.csv
check "a revision that is not a commit-ish" 2 'unknown revision' "$repo" \
  "$kenko" diff --git HEAD~5 rules/score.kenko data.csv
printf 'input x: number\ndimension d {\n  score s : x\n}\n' >"$repo/rules/new.kenko"
check "file absent at the revision" 2 'error: cannot read rules/new.kenko: no such file at git revision HEAD \(HEAD:rules/new.kenko\)' \
  "$repo" "$kenko" diff --git HEAD rules/new.kenko data.csv
check "not a git repository" 2 'error: `--git HEAD`: the current directory is not inside a git repository' \
  "$work/outside" "$kenko" diff --git HEAD "$repo/rules/score.kenko" "$repo/data.csv"
check "a path outside the repository" 2 'outside the git repository' "$repo" \
  "$kenko" diff --git HEAD ../outside/x.kenko data.csv

# A committed rule file whose include was never committed: a rule error
# at the include (exit 1), with a note naming the revision.
printf 'include "never.kenko"\ninput x: number\ndimension d {\n  score s : x\n}\n' >"$repo/rules/inc.kenko"
printf 'grades {\n  good >= 50\n  bad otherwise\n}\n' >"$repo/rules/never.kenko"
g add rules/inc.kenko && g commit -q -m "inc without its include"
check "an include absent at the revision" 1 'cannot read included file "rules/never.kenko": no such file at git revision HEAD.*note: these are the rules of rules/inc.kenko at git revision HEAD' \
  "$repo" "$kenko" diff --git HEAD rules/inc.kenko data.csv

echo "diff-git: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
