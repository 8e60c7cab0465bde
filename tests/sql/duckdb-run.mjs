// duckdb-run.mjs — runs the SQL script SCRIPT (several statements) in a
// fresh in-memory DuckDB through its official Node.js client; exits 1
// with the engine's message when a statement fails.
// Usage: node tests/sql/duckdb-run.mjs SCRIPT
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
try {
  await connection.run(readFileSync(process.argv[2], 'utf8'));
} catch (e) {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
}
