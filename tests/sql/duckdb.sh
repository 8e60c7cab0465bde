#!/bin/sh
# The SQL differential test on DuckDB, through its official Node.js client
# (@duckdb/node-api from the npm registry, installed on first use into
# tests/sql/node_modules, which git ignores): the same cases and checks as
# postgres.sh (lib.sh). Without node and npm it is skipped with a `skip:`
# line (CI has both).
# Ends with "sql-duckdb: N passed, N failed" (one per case).
# Usage: tests/sql/duckdb.sh path/to/kenko   (SQL_COUNT=N generated accounts)
set -u
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/../.." || exit 2
. tests/sql/lib.sh

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "skip: node and npm are needed for DuckDB's client (@duckdb/node-api)"
  echo "sql-duckdb: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
fail_setup() {
  echo "sql-duckdb: $1"
  echo "sql-duckdb: 0 passed, 1 failed"
  exit 1
}
if [ ! -d tests/sql/node_modules/@duckdb/node-api ]; then
  npm install --prefix tests/sql --no-save --no-package-lock --no-audit --no-fund --silent @duckdb/node-api \
    >/dev/null 2>&1 || fail_setup "npm could not install @duckdb/node-api"
fi

SQL_WORK=$(mktemp -d) || exit 2
trap 'rm -rf "$SQL_WORK"' EXIT
${CC:-cc} -O2 -o "$SQL_WORK/gen_accounts" tests/bench/gen_accounts.c || fail_setup "cannot compile the generator"
"$SQL_WORK/gen_accounts" csv "${SQL_COUNT:-3000}" "${SQL_SEED:-7}" >"$SQL_WORK/generated.csv" ||
  fail_setup "the generator failed"
sql_cases "$SQL_WORK"
sql_history_cases "$SQL_WORK"
sql_kpi_cases

# the engine's part of a case (lib.sh's sql_run_cases)
engine_begin() { cat "$1/schema.sql"; } # W
engine_load() {                         # W DATA [SNAPSHOT]
  echo "DROP TABLE IF EXISTS stage;"
  echo "CREATE TABLE stage AS SELECT * FROM read_csv('$2', header = true, all_varchar = true);"
  sql_load duckdb "$1/schema.sql" "$2" "${3:-}"
}
engine_copy() { echo "COPY \"$2\" FROM '$3' (HEADER);"; } # W TABLE CSV
engine_query() {                                             # W
  echo "COPY ("
  sed '$ s/;$//' "$1/query.sql"
  echo ") TO '$1/got.csv' (HEADER);"
}
engine_run() { node tests/sql/duckdb-run.mjs "$1/script.sql" 2>"$1/engine.err"; }
sql_run_cases sql-duckdb duckdb
