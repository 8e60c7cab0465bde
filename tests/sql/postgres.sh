#!/bin/sh
# The SQL differential test on PostgreSQL: for every case of lib.sh, the
# rows of `kenko sql` run by a real PostgreSQL equal `kenko run --format
# csv`'s (persona, grades, flags, bottleneck exactly; numbers within 1e-9
# relative), and with --explain every member's lost points equal
# `run --format jsonl --explain`'s (when node is there to read the JSON).
# The server is a throwaway cluster in a temporary directory: initdb,
# a unix socket only (listen_addresses = ''), run as the postgres user
# when we are root (runuser), stopped at the end.
# Ends with "sql-postgres: N passed, N failed" (one per case).
# Usage: tests/sql/postgres.sh path/to/kenko   (SQL_COUNT=N generated accounts)
set -u
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/../.." || exit 2
. tests/sql/lib.sh

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "skip: PostgreSQL is not installed (Debian package postgresql)"
  echo "sql-postgres: 0 passed, 0 failed, 1 skipped"
  exit 0
fi

SQL_WORK=$(mktemp -d) || exit 2
fail_setup() {
  echo "sql-postgres: $1"
  [ -f "$SQL_WORK/pg.log" ] && tail -n 5 "$SQL_WORK/pg.log"
  echo "sql-postgres: 0 passed, 1 failed"
  exit 1
}
pg_cluster_start

${CC:-cc} -O2 -o "$SQL_WORK/gen_accounts" tests/bench/gen_accounts.c || fail_setup "cannot compile the generator"
"$SQL_WORK/gen_accounts" csv "${SQL_COUNT:-3000}" "${SQL_SEED:-7}" >"$SQL_WORK/generated.csv" ||
  fail_setup "the generator failed"
sql_cases "$SQL_WORK"
sql_history_cases "$SQL_WORK"
sql_kpi_cases

# the engine's part of a case (lib.sh's sql_run_cases): the script that
# creates the tables, loads each data file and writes the query's rows as
# CSV to standard output
engine_begin() { # W
  echo "DROP SCHEMA IF EXISTS k CASCADE; CREATE SCHEMA k; SET search_path TO k;"
  cat "$1/schema.sql"
}
engine_load() { # W DATA [SNAPSHOT]
  echo "DROP TABLE IF EXISTS stage;"
  sql_stage "$2"
  printf '%s\n' "\\copy stage FROM '$2' WITH (FORMAT csv, HEADER true)"
  sql_load postgres "$1/schema.sql" "$2" "${3:-}"
}
engine_copy() { # W TABLE CSV: a table's rows as they are (the CSV's columns in the table's order)
  printf '%s\n' "\\copy \"$2\" FROM '$3' WITH (FORMAT csv, HEADER true)"
}
engine_query() { # W
  echo "COPY ("
  sed '$ s/;$//' "$1/query.sql"
  echo ") TO STDOUT WITH (FORMAT csv, HEADER true);"
}
engine_run() { psql -f "$1/script.sql" >"$1/got.csv" 2>"$1/engine.err"; }
sql_run_cases sql-postgres postgres
