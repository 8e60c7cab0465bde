// compare-explain.mjs — the `members` column of a kenko sql --explain
// query's rows (CSV) against `run --format jsonl --explain`: for every
// account and member, the same status and score, and lost points within
// 1e-9 (absolute, on a 0..100 scale). Rows are matched by id and as_of
// (history: one row per account per snapshot; the expected JSONL is then
// `run --as-of D` of every snapshot D). Prints at most 10 differences;
// exits 1 when there is one.
// Usage: node compare-explain.mjs CASE expected.jsonl got.csv
import { readFileSync } from 'node:fs';
import { parseCsv } from './csv.mjs';

const [name, jsonlPath, csvPath] = process.argv.slice(2);

const expected = new Map();
for (const line of readFileSync(jsonlPath, 'utf8').split('\n')) {
  if (!line) continue;
  const a = JSON.parse(line);
  const members = new Map();
  for (const d of a.dimensions) for (const m of d.members) members.set(`${d.name}.${m.name}`, m);
  expected.set(`${a.id}|${a.as_of}`, members);
}
const rows = parseCsv(readFileSync(csvPath, 'utf8'));
const head = rows.shift();
const idCol = head.indexOf('id'), asOfCol = head.indexOf('as_of'), memCol = head.indexOf('members');
let bad = 0;
const fail = (msg) => { if (++bad <= 10) console.log(`FAIL ${name}: ${msg}`); };
if (memCol < 0) fail('no members column');
else for (const r of rows) {
  const want = expected.get(`${r[idCol]}|${r[asOfCol]}`);
  if (!want) { fail(`account ${r[idCol]} not in run's output`); continue; }
  const got = JSON.parse(r[memCol]);
  if (got.length !== want.size) fail(`account ${r[idCol]}: ${got.length} members, run has ${want.size}`);
  for (const m of got) {
    const w = want.get(`${m.dimension}.${m.name}`);
    if (!w) { fail(`account ${r[idCol]}: no member ${m.dimension}.${m.name} in run`); continue; }
    const lost = w.lost ?? 0;
    if (Math.abs((m.lost ?? 0) - lost) > 1e-9) fail(`account ${r[idCol]} ${m.dimension}.${m.name}: lost ${m.lost}, run ${lost}`);
    if (m.status !== w.status) fail(`account ${r[idCol]} ${m.dimension}.${m.name}: status ${m.status}, run ${w.status}`);
    const ws = w.score ?? null, gs = m.score ?? null;
    if ((ws === null) !== (gs === null) || (ws !== null && Math.abs(ws - gs) > 1e-9 * Math.max(1, Math.abs(ws))))
      fail(`account ${r[idCol]} ${m.dimension}.${m.name}: score ${gs}, run ${ws}`);
  }
}
process.exit(bad ? 1 : 0);
