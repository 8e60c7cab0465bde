#!/bin/sh
# make bench: kenko sql over history (docs/sql.md, "History"). Six month
# ends of BENCH_SQL_HISTORY_COUNT accounts (default 100,000) from the
# generator, a seed a month, scored by rules/aiueo-history.kenko (five
# trend indicators, five trend flags): `kenko history --format csv` on
# the dated CSV files, the query in PostgreSQL (parallel workers allowed)
# (with and without JIT) and in DuckDB (in memory) over the long table,
# both on the data already loaded; times and ratios to kenko history. Prints figures;
# asserts nothing; an engine that is not installed is left out with a
# line saying so.
# Usage: tests/bench/run-sql-history.sh BUILD
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$(pwd)/$build/kenko"
n=${BENCH_SQL_HISTORY_COUNT:-100000}
rules=rules/aiueo-history.kenko
days="2026-05-31 2026-06-30 2026-07-31 2026-08-31 2026-09-30 2026-10-31"
. tests/sql/lib.sh
echo "== kenko sql over history: $n accounts x 6 month ends ($rules)"
SQL_WORK=$(mktemp -d) || exit 2
trap 'rm -rf "$SQL_WORK"' EXIT
fail_setup() { echo "bench sql history: $1"; exit 0; }
${CC:-cc} -O2 -o "$SQL_WORK/gen_accounts" tests/bench/gen_accounts.c || fail_setup "cannot compile the generator"
files=""
k=0
for day in $days; do
  k=$((k + 1))
  "$SQL_WORK/gen_accounts" csv "$n" "$k" >"$SQL_WORK/accounts-$day.csv"
  files="$files $SQL_WORK/accounts-$day.csv"
done
chmod 755 "$SQL_WORK"
chmod 644 $files
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
t0=$(date +%s%N)
# shellcheck disable=SC2086
"$kenko" history "$rules" $files --format csv >/dev/null 2>&1
t1=$(date +%s%N)
hist_ms=$(ms "$t0" "$t1")
echo "kenko history --format csv:  $hist_ms ms"

# the long table from the dated files (DIALECT SCHEMA: the loading script)
load_script() {
  cat "$2"
  for f in $files; do
    echo "DROP TABLE IF EXISTS stage;"
    if [ "$1" = postgres ]; then
      sql_stage "$f"
      printf '%s\n' "\\copy stage FROM '$f' WITH (FORMAT csv, HEADER true)"
    else
      echo "CREATE TABLE stage AS SELECT * FROM read_csv('$f', header = true, all_varchar = true);"
    fi
    sql_load "$1" "$2" "$f" "$(basename "$f" .csv | sed 's/^accounts-//')"
  done
  echo "DROP TABLE stage;"
}

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ]; then
  (
    PG_OPTIONS="-c max_parallel_workers_per_gather=4 -c shared_buffers=256MB -c work_mem=256MB"
    SQL_WORK=$SQL_WORK/pg
    mkdir -p "$SQL_WORK"
    pg_cluster_start
    "$kenko" sql "$rules" --schema >"$SQL_WORK/schema.sql" 2>/dev/null
    { load_script postgres "$SQL_WORK/schema.sql"; echo "VACUUM ANALYZE accounts;"; } >"$SQL_WORK/load.sql"
    psql -f "$SQL_WORK/load.sql" >/dev/null 2>&1 || { echo "PostgreSQL: loading failed"; exit 0; }
    { echo "COPY ("; "$kenko" sql "$rules" 2>/dev/null | sed '$ s/;$//'; echo ") TO '/dev/null' WITH (FORMAT csv);"; } \
      >"$SQL_WORK/run.sql"
    t0=$(date +%s%N)
    psql -f "$SQL_WORK/run.sql" >/dev/null 2>&1 || echo "PostgreSQL: the query failed"
    t1=$(date +%s%N)
    pg_ms=$(ms "$t0" "$t1")
    echo "PostgreSQL $(basename "$(dirname "$pgbin")") (data loaded): $pg_ms ms ($(ratio "$pg_ms" "$hist_ms") × kenko history)"
    # the same without JIT: compiling the query's many expressions is a
    # fixed cost (seconds) that dominates at this size
    { echo "SET jit = off;"; cat "$SQL_WORK/run.sql"; } >"$SQL_WORK/run-nojit.sql"
    t0=$(date +%s%N)
    psql -f "$SQL_WORK/run-nojit.sql" >/dev/null 2>&1 || echo "PostgreSQL: the query failed"
    t1=$(date +%s%N)
    pg_ms=$(ms "$t0" "$t1")
    echo "PostgreSQL, SET jit = off:   $pg_ms ms ($(ratio "$pg_ms" "$hist_ms") × kenko history)"
  )
else
  echo "PostgreSQL: not installed (left out)"
fi

if command -v node >/dev/null 2>&1 && [ -d tests/sql/node_modules/@duckdb/node-api ]; then
  "$kenko" sql "$rules" --dialect duckdb --schema >"$SQL_WORK/dschema.sql" 2>/dev/null
  load_script duckdb "$SQL_WORK/dschema.sql" >"$SQL_WORK/dload.sql"
  { echo "COPY ("; "$kenko" sql "$rules" --dialect duckdb 2>/dev/null | sed '$ s/;$//'; echo ") TO '/dev/null' (FORMAT csv);"; } \
    >"$SQL_WORK/drun.sql"
  duck_ms=$(node tests/sql/duckdb-run.mjs "$SQL_WORK/dload.sql" "$SQL_WORK/drun.sql" 2>&1 | tail -n 1)
  echo "DuckDB (in memory, data loaded): $duck_ms ms ($(ratio "$duck_ms" "$hist_ms") × kenko history)"
else
  echo "DuckDB: node or tests/sql/node_modules/@duckdb/node-api absent (run tests/sql/duckdb.sh once; left out)"
fi
