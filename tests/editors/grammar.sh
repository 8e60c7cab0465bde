#!/bin/sh
# grammar.sh — the VS Code TextMate grammar (editors/vscode) against its
# annotated samples (editors/vscode/test/*.kenko) with vscode-tmgrammar-test
# from npm, installed into build/npm (git-ignored). Without npm the test is
# skipped (and says so); with npm, a failed install is a failure.
# Last line: "grammar: N passed, N failed".
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
cd "$(dirname "$0")/../.." || exit 2
if ! command -v npm >/dev/null 2>&1; then
  echo "skip: grammar: npm is not installed (apt-get install npm)"
  echo "grammar: 0 passed, 0 failed"
  exit 0
fi
prefix=build/npm
bin=$prefix/node_modules/.bin/vscode-tmgrammar-test
if [ ! -x "$bin" ]; then
  mkdir -p "$prefix"
  if ! npm install --no-audit --no-fund --silent --prefix "$prefix" vscode-tmgrammar-test@0.1.3 >"$prefix/install.log" 2>&1; then
    cat "$prefix/install.log"
    echo "grammar: 0 passed, 1 failed"
    exit 1
  fi
fi
pass=0
fail=0
for sample in editors/vscode/test/*.kenko; do
  if "$bin" -g editors/vscode/syntaxes/kenko.tmLanguage.json "$sample"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
  fi
done
echo "grammar: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
