#!/bin/sh
# vsce.sh — the VS Code extension (editors/vscode) packages: package.json
# is valid JSON whose contributed files exist, and `vsce package` from npm
# (@vscode/vsce, installed into the git-ignored build/npm like the grammar
# test's tool) makes a .vsix of a copy of the folder with its one runtime
# dependency (vscode-languageclient, `npm install --omit=dev`, kept in
# build/npm/vscode-deps while package.json is unchanged) that holds
# the manifest, extension.js, the grammar, the language configuration, the
# licence and the language client — and not the grammar's test samples.
# Needs the npm registry (or npm's cache) for the two installs; nothing
# else. Without npm the test is skipped (and says so); with npm, a failed
# install is a failure. Last line: "vsce: N passed, N failed".
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
cd "$(dirname "$0")/../.." || exit 2
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "skip: vsce: npm or node is not installed (apt-get install npm)"
  echo "vsce: 0 passed, 0 failed"
  exit 0
fi
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL vsce: $*"
}
# 1. the manifest: valid JSON, and every file it names exists
if node -e '
const fs = require("fs"), path = require("path"), dir = "editors/vscode";
const m = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
const files = [m.main].concat(
  (m.contributes.grammars || []).map((g) => g.path),
  (m.contributes.languages || []).map((l) => l.configuration));
for (const f of files) if (!fs.existsSync(path.join(dir, f))) { console.error("missing " + f); process.exit(1); }
for (const f of [m.main].concat(files)) if (f.endsWith(".json")) JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
if (!m.engines || !m.engines.vscode || !m.publisher || !m.name || !m.version) { console.error("a required field is missing"); process.exit(1); }
'; then ok; else bad "editors/vscode/package.json is not a valid manifest"; fi
# 2. vsce package
prefix=build/npm
vsce=$prefix/node_modules/.bin/vsce
if [ ! -x "$vsce" ]; then
  mkdir -p "$prefix"
  if ! npm install --no-audit --no-fund --silent --prefix "$prefix" @vscode/vsce@2.24.0 >"$prefix/vsce-install.log" 2>&1; then
    cat "$prefix/vsce-install.log"
    echo "vsce: $pass passed, $((fail + 1)) failed"
    exit 1
  fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -RL editors/vscode "$tmp/ext"
# the runtime dependencies, installed once per version of package.json
deps=$prefix/vscode-deps
if ! cmp -s editors/vscode/package.json "$deps/package.json" || [ ! -d "$deps/node_modules" ]; then
  rm -rf "$deps"
  mkdir -p "$deps"
  cp editors/vscode/package.json "$deps/"
  (cd "$deps" && npm install --omit=dev --no-audit --no-fund --silent >install.log 2>&1) || rm -rf "$deps/node_modules"
fi
if [ ! -d "$deps/node_modules" ]; then
  cat "$deps/install.log"
  bad "npm install of the extension's dependencies"
elif ! cp -R "$deps/node_modules" "$tmp/ext/"; then
  bad "copying the dependencies"
elif ! (cd "$tmp/ext" && "$OLDPWD/$vsce" package --allow-missing-repository -o "$tmp/kenko.vsix" >"$tmp/vsce.log" 2>&1); then
  cat "$tmp/vsce.log"
  bad "vsce package"
else
  ok
  unzip -l "$tmp/kenko.vsix" >"$tmp/list" 2>&1
  for f in extension/package.json extension/extension.js extension/syntaxes/kenko.tmLanguage.json \
    extension/language-configuration.json extension/LICENSE.txt \
    extension/node_modules/vscode-languageclient/package.json; do
    if grep -q " $f\$" "$tmp/list"; then ok; else bad "the .vsix lacks $f"; fi
  done
  if grep -q " extension/test/" "$tmp/list"; then bad "the .vsix holds the grammar's test samples"; else ok; fi
fi
echo "vsce: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
