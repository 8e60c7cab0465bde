// editor-screenshot.js — the picture in docs/editors.md: a .kenko file
// highlighted by the VS Code grammar (editors/vscode/syntaxes), tokenized
// with vscode-textmate and vscode-oniguruma (the libraries VS Code itself
// uses; npm, installed into build/npm by tests/editors/grammar.sh) and
// written as an HTML page in the colours of VS Code's "Dark+" theme, which
// scripts/editor-screenshot.sh renders with headless Chromium.
// Usage: node scripts/editor-screenshot.js FILE.kenko > page.html
'use strict';
const fs = require('fs');
const path = require('path');
const modules = path.resolve(__dirname, '..', 'build', 'npm', 'node_modules');
const vsctm = require(path.join(modules, 'vscode-textmate'));
const oniguruma = require(path.join(modules, 'vscode-oniguruma'));

// Dark+ colours for the grammar's scopes (the longest matching prefix wins)
const theme = [
  ['comment', '#6A9955'],
  ['string', '#CE9178'],
  ['constant.character.escape', '#D7BA7D'],
  ['constant.numeric', '#B5CEA8'],
  ['constant.language', '#569CD6'],
  ['keyword.declaration', '#569CD6'],
  ['keyword.control', '#C586C0'],
  ['keyword.operator', '#D4D4D4'],
  ['entity.name', '#DCDCAA'],
  ['support.function', '#DCDCAA'],
  ['variable', '#9CDCFE'],
];
function colour(scopes) {
  let best = null, len = -1;
  for (const s of scopes)
    for (const [prefix, c] of theme)
      if ((s === prefix || s.startsWith(prefix + '.')) && prefix.length > len) { best = c; len = prefix.length; }
  return best || '#D4D4D4';
}
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function main() {
  const wasm = fs.readFileSync(path.join(modules, 'vscode-oniguruma', 'release', 'onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(
      fs.readFileSync(path.resolve(__dirname, '..', 'editors', 'vscode', 'syntaxes', 'kenko.tmLanguage.json'), 'utf8'),
      'kenko.tmLanguage.json'),
  });
  const grammar = await registry.loadGrammar('source.kenko');
  const lines = fs.readFileSync(process.argv[2], 'utf8').replace(/\n$/, '').split('\n');
  let stack = vsctm.INITIAL, out = '';
  lines.forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    out += `<span class="ln">${i + 1}</span>`;
    for (const t of r.tokens)
      out += `<span style="color:${colour(t.scopes)}">${esc(line.substring(t.startIndex, t.endIndex))}</span>`;
    out += '\n';
    stack = r.ruleStack;
  });
  process.stdout.write(`<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>
body{margin:0;background:#1E1E1E}
pre{margin:0;padding:14px 18px;font:14px/1.5 "DejaVu Sans Mono","Noto Sans Mono CJK JP",monospace;color:#D4D4D4}
.ln{display:inline-block;width:2.5em;color:#858585;text-align:right;margin-right:1.2em}
</style></head><body><pre>${out}</pre></body></html>\n`);
}
main().catch((e) => { console.error(e); process.exit(1); });
