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
as_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$SQL_WORK"
  chmod 755 "$SQL_WORK"
  as_pg() { runuser -u postgres -- "$@"; }
fi
stop() {
  as_pg "$pgbin/pg_ctl" -D "$SQL_WORK/db" -m immediate stop >/dev/null 2>&1
  rm -rf "$SQL_WORK"
}
trap stop EXIT

fail_setup() {
  echo "sql-postgres: $1"
  [ -f "$SQL_WORK/pg.log" ] && tail -n 5 "$SQL_WORK/pg.log"
  echo "sql-postgres: 0 passed, 1 failed"
  exit 1
}

as_pg "$pgbin/initdb" -D "$SQL_WORK/db" --auth=trust --locale=C.UTF-8 -E UTF8 -U postgres >"$SQL_WORK/initdb.log" 2>&1 ||
  as_pg "$pgbin/initdb" -D "$SQL_WORK/db" --auth=trust --locale=C -E UTF8 -U postgres >"$SQL_WORK/initdb.log" 2>&1 ||
  fail_setup "initdb failed: $(tail -n 2 "$SQL_WORK/initdb.log")"
as_pg "$pgbin/pg_ctl" -D "$SQL_WORK/db" -l "$SQL_WORK/pg.log" -w \
  -o "-c listen_addresses='' -k $SQL_WORK -c fsync=off" start >/dev/null 2>&1 ||
  fail_setup "the server did not start"
psql() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$SQL_WORK" -U postgres -d postgres "$@"; }

${CC:-cc} -O2 -o "$SQL_WORK/gen_accounts" tests/bench/gen_accounts.c || fail_setup "cannot compile the generator"
"$SQL_WORK/gen_accounts" csv "${SQL_COUNT:-3000}" "${SQL_SEED:-7}" >"$SQL_WORK/generated.csv" ||
  fail_setup "the generator failed"
sql_cases "$SQL_WORK"

pass=0
fail=0
untranslated=0
has_node=0
command -v node >/dev/null 2>&1 && has_node=1
while IFS='|' read -r name rules data as_of; do
  w=$SQL_WORK/case
  rm -rf "$w"
  mkdir -p "$w"
  if ! "$kenko" run "$rules" "$data" --as-of "$as_of" --format csv >"$w/expected.csv" 2>/dev/null; then
    continue # rejected accounts: kenko and the database would disagree on what was read
  fi
  if ! "$kenko" sql "$rules" --as-of "$as_of" --explain >"$w/query.sql" 2>"$w/sql.err"; then
    echo "not translated: $name: $(head -n 1 "$w/sql.err")"
    untranslated=$((untranslated + 1))
    continue
  fi
  "$kenko" sql "$rules" --schema >"$w/schema.sql"
  {
    echo "DROP SCHEMA IF EXISTS k CASCADE; CREATE SCHEMA k; SET search_path TO k;"
    cat "$w/schema.sql"
    sql_stage "$data"
    printf '%s\n' "\\copy stage FROM '$data' WITH (FORMAT csv, HEADER true)"
    sql_load postgres "$w/schema.sql" "$data"
    echo "COPY ("
    sed '$ s/;$//' "$w/query.sql"
    echo ") TO STDOUT WITH (FORMAT csv, HEADER true);"
  } >"$w/script.sql"
  if ! psql -f "$w/script.sql" >"$w/got.csv" 2>"$w/psql.err"; then
    echo "FAIL $name: PostgreSQL refused the query"
    head -n 5 "$w/psql.err"
    fail=$((fail + 1))
    continue
  fi
  ok=1
  awk -v case="$name" -f tests/sql/compare.awk "$w/expected.csv" "$w/got.csv" >"$w/cmp" || ok=0
  [ "$ok" = 1 ] || { cat "$w/cmp"; [ -n "${SQL_KEEP:-}" ] && cp -r "$w" "$SQL_KEEP"; }
  if [ "$ok" = 1 ] && [ "$has_node" = 1 ]; then
    "$kenko" run "$rules" "$data" --as-of "$as_of" --format jsonl --explain >"$w/expected.jsonl" 2>/dev/null
    node tests/sql/compare-explain.mjs "$name" "$w/expected.jsonl" "$w/got.csv" || ok=0
  fi
  if [ "$ok" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done <"$SQL_WORK/cases"
echo "sql-postgres: $untranslated cases refused by kenko sql (each named above)"
echo "sql-postgres: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
