// duckdb-run.mjs — runs SQL scripts (several statements each) in one
// fresh in-memory DuckDB through its official Node.js client; exits 1
// with the engine's message when a statement fails. With more scripts
// (the bench: load, then the queries) it prints each later one's
// milliseconds, a line each: wall clock, then the CPU time of the process
// (every DuckDB thread's, user + system).
// Usage: node tests/sql/duckdb-run.mjs SCRIPT [TIMED_SCRIPT...]
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
try {
  await connection.run(readFileSync(process.argv[2], 'utf8'));
  for (const timed of process.argv.slice(3)) {
    const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    await connection.run(readFileSync(timed, 'utf8'));
    const c = process.cpuUsage(c0);
    console.log(Math.round(Number(process.hrtime.bigint() - t0) / 1e6), Math.round((c.user + c.system) / 1e3));
  }
} catch (e) {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
}
