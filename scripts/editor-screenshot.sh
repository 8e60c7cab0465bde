#!/bin/sh
# editor-screenshot.sh — remakes docs/editors-highlight.png: the sample
# docs/editors-sample.kenko highlighted by the VS Code grammar
# (scripts/editor-screenshot.js: vscode-textmate, VS Code's Dark+ colours)
# and rendered by headless Chromium. Needs node, chromium, and the npm
# packages tests/editors/grammar.sh installs into build/npm (run `make
# test` once, or that script).
set -eu
cd "$(dirname "$0")/.."
[ -d build/npm/node_modules/vscode-textmate ] || sh tests/editors/grammar.sh >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node scripts/editor-screenshot.js docs/editors-sample.kenko >"$tmp/page.html"
lines=$(wc -l <docs/editors-sample.kenko)
height=$((lines * 21 + 30))
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --screenshot="$tmp/shot.png" --window-size=960,"$height" "file://$tmp/page.html" 2>/dev/null
mv "$tmp/shot.png" docs/editors-highlight.png
echo "wrote docs/editors-highlight.png"
