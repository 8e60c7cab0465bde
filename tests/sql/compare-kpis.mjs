// compare-kpis.mjs — the rows of a `kenko sql --kpis` query (CSV: kpi,
// label, value, op, target, met) against the "kpis" of `kenko report
// --format json`: the same KPIs in the same order, label, op and met
// exactly (an empty cell is JSON's null; a boolean is t/f or true/false
// as the engine prints it), value and target within 1e-9 relative.
// Prints at most 10 differences; exits 1 when there is one.
// Usage: node compare-kpis.mjs CASE report.json got.csv
import { readFileSync } from 'node:fs';
import { parseCsv } from './csv.mjs';

const [name, jsonPath, csvPath] = process.argv.slice(2);
const want = JSON.parse(readFileSync(jsonPath, 'utf8')).kpis;
const rows = parseCsv(readFileSync(csvPath, 'utf8'));
const header = rows.shift() || [];
let bad = 0;
function fail(msg) {
  bad++;
  if (bad <= 10) console.log(`FAIL ${name}: ${msg}`);
}
const expectHeader = ['kpi', 'label', 'value', 'op', 'target', 'met'];
if (header.join(',') !== expectHeader.join(',')) fail(`columns ${header.join(',')}, not ${expectHeader.join(',')}`);

function sameNum(x, cell) {
  if (x === null) return cell === '';
  if (cell === '' || !/^-?[0-9.]+(e[-+]?[0-9]+)?$/i.test(cell)) return false;
  const y = Number(cell), d = Math.abs(x - y);
  return d <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) || d < 1e-12;
}
function bool(cell) {
  if (cell === '') return null;
  if (cell === 't' || cell === 'true') return true;
  if (cell === 'f' || cell === 'false') return false;
  return cell;
}

if (rows.length !== want.length) fail(`${rows.length} rows from the query, ${want.length} KPIs in the report`);
for (let i = 0; i < Math.min(rows.length, want.length); i++) {
  const [kpi, label, value, op, target, met] = rows[i], w = want[i];
  if (kpi !== w.kpi) fail(`row ${i + 1}: KPI ${kpi}, report has ${w.kpi}`);
  if (label !== (w.label ?? '')) fail(`${w.kpi}: label ${label}, report ${w.label}`);
  if (!sameNum(w.value, value)) fail(`${w.kpi}: value ${value === '' ? 'NULL' : value}, report ${w.value}`);
  if (op !== (w.target ? w.target.op : '')) fail(`${w.kpi}: op ${op}, report ${w.target && w.target.op}`);
  if (!sameNum(w.target ? w.target.value : null, target)) fail(`${w.kpi}: target ${target}, report ${w.target && w.target.value}`);
  if (bool(met) !== w.met) fail(`${w.kpi}: met ${met === '' ? 'NULL' : met}, report ${w.met}`);
}
console.log(`kpis: ${Math.min(rows.length, want.length)} compared, ${bad} differ`);
process.exit(bad ? 1 : 0);
