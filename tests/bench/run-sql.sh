#!/bin/sh
# make bench: kenko sql's speed (docs/sql.md). BENCH_SQL_COUNT accounts
# (default 1,000,000) from the generator, scored by rules/aiueo.kenko:
# `kenko run` on the CSV, the query in PostgreSQL (parallel workers
# allowed) and in DuckDB (in memory), both on the data already loaded;
# times and ratios to kenko run. Prints figures; asserts nothing; an
# engine that is not installed is left out with a line saying so.
# Usage: tests/bench/run-sql.sh BUILD
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$(pwd)/$build/kenko"
n=${BENCH_SQL_COUNT:-1000000}
. tests/sql/lib.sh
echo "== kenko sql: $n accounts (rules/aiueo.kenko)"
SQL_WORK=$(mktemp -d) || exit 2
trap 'rm -rf "$SQL_WORK"' EXIT
fail_setup() { echo "bench sql: $1"; exit 0; }
${CC:-cc} -O2 -o "$SQL_WORK/gen_accounts" tests/bench/gen_accounts.c || fail_setup "cannot compile the generator"
"$SQL_WORK/gen_accounts" csv "$n" 11 >"$SQL_WORK/accounts.csv"
data=$SQL_WORK/accounts.csv
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }
t0=$(date +%s%N)
"$kenko" run rules/aiueo.kenko "$data" --as-of 2026-11-22 --format csv >/dev/null 2>&1
t1=$(date +%s%N)
run_ms=$(ms "$t0" "$t1")
echo "kenko run --format csv:      $run_ms ms"
"$kenko" sql rules/aiueo.kenko --schema >"$SQL_WORK/schema.sql"

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ]; then
  (
    PG_OPTIONS="-c max_parallel_workers_per_gather=4 -c shared_buffers=256MB -c work_mem=256MB"
    chmod 755 "$SQL_WORK"
    chmod 644 "$data"
    SQL_WORK=$SQL_WORK/pg
    mkdir -p "$SQL_WORK"
    pg_cluster_start
    "$kenko" sql rules/aiueo.kenko --as-of 2026-11-22 | sed '$ s/;$//' >"$SQL_WORK/query.sql"
    {
      cat "$SQL_WORK/../schema.sql"
      sql_stage "$data"
      printf '%s\n' "\\copy stage FROM '$data' WITH (FORMAT csv, HEADER true)"
      sql_load postgres "$SQL_WORK/../schema.sql" "$data"
      echo "DROP TABLE stage; VACUUM ANALYZE accounts;"
    } >"$SQL_WORK/load.sql"
    psql -f "$SQL_WORK/load.sql" >/dev/null 2>&1 || { echo "PostgreSQL: loading failed"; exit 0; }
    { echo "COPY ("; cat "$SQL_WORK/query.sql"; echo ") TO '/dev/null' WITH (FORMAT csv);"; } >"$SQL_WORK/run.sql"
    t0=$(date +%s%N)
    psql -f "$SQL_WORK/run.sql" >/dev/null 2>&1 || echo "PostgreSQL: the query failed"
    t1=$(date +%s%N)
    pg_ms=$(ms "$t0" "$t1")
    echo "PostgreSQL $(basename "$(dirname "$pgbin")") (data loaded): $pg_ms ms ($(awk -v a="$pg_ms" -v b="$run_ms" 'BEGIN { printf "%.2f", a / b }') × kenko run)"
  )
else
  echo "PostgreSQL: not installed (left out)"
fi

if command -v node >/dev/null 2>&1 && [ -d tests/sql/node_modules/@duckdb/node-api ]; then
  "$kenko" sql rules/aiueo.kenko --dialect duckdb --as-of 2026-11-22 | sed '$ s/;$//' >"$SQL_WORK/dquery.sql"
  "$kenko" sql rules/aiueo.kenko --dialect duckdb --schema >"$SQL_WORK/dschema.sql"
  {
    cat "$SQL_WORK/dschema.sql"
    echo "CREATE TABLE stage AS SELECT * FROM read_csv('$data', header = true, all_varchar = true);"
    sql_load duckdb "$SQL_WORK/dschema.sql" "$data"
    echo "DROP TABLE stage;"
  } >"$SQL_WORK/dload.sql"
  { echo "COPY ("; cat "$SQL_WORK/dquery.sql"; echo ") TO '/dev/null' (FORMAT csv);"; } >"$SQL_WORK/drun.sql"
  duck_ms=$(node tests/sql/duckdb-run.mjs "$SQL_WORK/dload.sql" "$SQL_WORK/drun.sql" 2>&1 | tail -n 1)
  echo "DuckDB (in memory, data loaded): $duck_ms ms ($(awk -v a="$duck_ms" -v b="$run_ms" 'BEGIN { printf "%.2f", a / b }') × kenko run)"
else
  echo "DuckDB: node or tests/sql/node_modules/@duckdb/node-api absent (run tests/sql/duckdb.sh once; left out)"
fi
