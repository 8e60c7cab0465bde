// duckdb-run.mjs — runs SQL scripts (several statements each) in one
// fresh in-memory DuckDB through its official Node.js client; exits 1
// with the engine's message when a statement fails. With two scripts
// (the bench: load, then query) it prints the second one's milliseconds.
// Usage: node tests/sql/duckdb-run.mjs SCRIPT [TIMED_SCRIPT]
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
try {
  await connection.run(readFileSync(process.argv[2], 'utf8'));
  if (process.argv[3]) {
    const t0 = process.hrtime.bigint();
    await connection.run(readFileSync(process.argv[3], 'utf8'));
    console.log(Math.round(Number(process.hrtime.bigint() - t0) / 1e6));
  }
} catch (e) {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
}
