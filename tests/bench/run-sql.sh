#!/bin/sh
# make bench: kenko sql's speed (docs/sql.md). BENCH_SQL_COUNT accounts
# (default 1,000,000) from the generator, scored by rules/aiueo.kenko:
# `kenko run` on the CSV, the query in PostgreSQL (parallel workers
# allowed) and in DuckDB (in memory), both on the data already loaded;
# times and ratios to kenko run; then the same for the KPIs' query
# (`kenko sql --kpis`, rules/aiueo.kenko's four KPIs) against `kenko
# report`. Every figure is also given as CPU time (user + system: the
# wall clock of a shared machine is partly waiting): kenko's process,
# the PostgreSQL backend's (/proc/PID/stat around the query; a parallel
# worker's would not be counted, and the plans have none), the DuckDB
# process's (every thread). Prints figures; asserts nothing; an
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
# timed_ms COMMAND...: sets wall_ms and cpu_ms of one run, output thrown away
timed_ms() {
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$SQL_WORK/cpu.out" "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  wall_ms=$(ms "$t0" "$t1")
  cpu_ms=$(awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$SQL_WORK/cpu.out")
}
x() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
timed_ms "$kenko" run rules/aiueo.kenko "$data" --as-of 2026-11-22 --format csv
run_ms=$wall_ms
run_cpu=$cpu_ms
echo "kenko run --format csv:      $run_ms ms (cpu $run_cpu ms)"
timed_ms "$kenko" report rules/aiueo.kenko "$data" --as-of 2026-11-22 --format json
rep_ms=$wall_ms
rep_cpu=$cpu_ms
echo "kenko report --format json (KPIs): $rep_ms ms (cpu $rep_cpu ms)"
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
    "$kenko" sql rules/aiueo.kenko --as-of 2026-11-22 --kpis | sed '$ s/;$//' >"$SQL_WORK/kquery.sql"
    {
      cat "$SQL_WORK/../schema.sql"
      sql_stage "$data"
      printf '%s\n' "\\copy stage FROM '$data' WITH (FORMAT csv, HEADER true)"
      sql_load postgres "$SQL_WORK/../schema.sql" "$data"
      echo "DROP TABLE stage; VACUUM ANALYZE accounts;"
    } >"$SQL_WORK/load.sql"
    psql -f "$SQL_WORK/load.sql" >/dev/null 2>&1 || { echo "PostgreSQL: loading failed"; exit 0; }
    tick=$(getconf CLK_TCK)
    version=$(basename "$(dirname "$pgbin")")
    for q in query kquery; do
      {
        echo "\\pset tuples_only on"
        echo "\\pset format unaligned"
        echo "SELECT pg_backend_pid() \\g $SQL_WORK/pid"
        echo "\\! cat /proc/\$(cat $SQL_WORK/pid)/stat > $SQL_WORK/stat0"
        echo "COPY ("; cat "$SQL_WORK/$q.sql"; echo ") TO '/dev/null' WITH (FORMAT csv);"
        echo "\\! cat /proc/\$(cat $SQL_WORK/pid)/stat > $SQL_WORK/stat1"
      } >"$SQL_WORK/run.sql"
      t0=$(date +%s%N)
      psql -f "$SQL_WORK/run.sql" >/dev/null 2>&1 || echo "PostgreSQL: the query failed ($q.sql)"
      t1=$(date +%s%N)
      pg_ms=$(ms "$t0" "$t1")
      # utime and stime are the 14th and 15th fields after the command's "(name)"
      pg_cpu=$(cat "$SQL_WORK/stat0" "$SQL_WORK/stat1" | sed 's/^.*) //' |
        awk -v t="$tick" '{ c[NR] = $12 + $13 } END { printf "%.0f", (c[2] - c[1]) * 1000 / t }')
      if [ "$q" = query ]; then
        echo "PostgreSQL $version, scores (data loaded): $pg_ms ms, cpu $pg_cpu ms ($(x "$pg_ms" "$run_ms") × kenko run's wall, cpu $(x "$pg_cpu" "$run_cpu") ×)"
      else
        echo "PostgreSQL $version, KPIs (data loaded): $pg_ms ms, cpu $pg_cpu ms ($(x "$pg_ms" "$rep_ms") × kenko report's wall, cpu $(x "$pg_cpu" "$rep_cpu") ×)"
      fi
    done
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
  "$kenko" sql rules/aiueo.kenko --dialect duckdb --as-of 2026-11-22 --kpis | sed '$ s/;$//' >"$SQL_WORK/dkquery.sql"
  { echo "COPY ("; cat "$SQL_WORK/dquery.sql"; echo ") TO '/dev/null' (FORMAT csv);"; } >"$SQL_WORK/drun.sql"
  { echo "COPY ("; cat "$SQL_WORK/dkquery.sql"; echo ") TO '/dev/null' (FORMAT csv);"; } >"$SQL_WORK/dkrun.sql"
  node tests/sql/duckdb-run.mjs "$SQL_WORK/dload.sql" "$SQL_WORK/drun.sql" "$SQL_WORK/dkrun.sql" >"$SQL_WORK/dms" 2>&1
  set -- $(cat "$SQL_WORK/dms") 0 0 0 0
  echo "DuckDB (in memory), scores (data loaded): $1 ms, cpu $2 ms ($(x "$1" "$run_ms") × kenko run's wall, cpu $(x "$2" "$run_cpu") ×)"
  echo "DuckDB (in memory), KPIs (data loaded): $3 ms, cpu $4 ms ($(x "$3" "$rep_ms") × kenko report's wall, cpu $(x "$4" "$rep_cpu") ×)"
else
  echo "DuckDB: node or tests/sql/node_modules/@duckdb/node-api absent (run tests/sql/duckdb.sh once; left out)"
fi
