# lib.sh — what the SQL differential suites share (sourced by postgres.sh
# and duckdb.sh): the cases, the loading SQL, the comparison.
#
# A case is a rule file, CSV data and an as_of date. The cases are:
# every golden case whose command is a plain `run` over CSV data that
# exits 0 (tests/golden), the edge cases of tests/sql/cases (rules.kenko,
# data.csv, as_of), and generated accounts (tests/bench/gen_accounts.c,
# SQL_COUNT of them) scored by rules/aiueo.kenko.

# sql_golden_cmd COMMAND FILE: whether the golden command FILE is `kenko
# COMMAND RULES DATA.csv --as-of D` (with --format or --explain at most);
# sets rules, data and as_of.
sql_golden_cmd() {
  want=$1
  set -- $(cat "$2")
  [ "${1:-}" = "$want" ] || return 1
  shift
  rules="" data="" as_of="" ok=1
  while [ $# -gt 0 ]; do
    case $1 in
    --as-of) as_of=$2; shift ;;
    --as-of=*) as_of=${1#--as-of=} ;;
    --format) shift ;;
    --format=*|--explain) ;;
    -*) ok=0 ;;
    *.kenko) rules=$1 ;;
    *.csv) [ -z "$data" ] && data=$1 || ok=0 ;;
    *) ok=0 ;;
    esac
    shift
  done
  [ "$ok" = 1 ] && [ -n "$rules" ] && [ -n "$data" ] && [ -n "$as_of" ]
}

# sql_cases DIR: writes DIR/cases: one line per case "NAME|RULES|DATA|AS_OF"
sql_cases() {
  : >"$1/cases"
  for d in tests/golden/*/; do
    d=${d%/}
    [ -f "$d/cmd" ] || continue
    sql_golden_cmd run "$d/cmd" || continue
    # data a database reads as it is: UTF-8 (kenko also reads cp932 exports)
    iconv -f UTF-8 -t UTF-8 "$d/$data" >/dev/null 2>&1 || continue
    # and RFC 4180 strictly: a quote inside an unquoted cell is kenko's to
    # keep, but the databases' CSV readers take it as the start of a quote
    grep -q '[^,"]"[^,"]' "$d/$data" && continue
    echo "golden/$(basename "$d")|$d/$rules|$d/$data|$as_of" >>"$SQL_WORK/cases"
  done
  for d in tests/sql/cases/*/; do
    d=${d%/}
    echo "cases/$(basename "$d")|$d/rules.kenko|$d/data.csv|$(cat "$d/as_of")" >>"$SQL_WORK/cases"
  done
  echo "generated|rules/aiueo.kenko|$SQL_WORK/generated.csv|2026-11-22" >>"$SQL_WORK/cases"
}

# sql_kpi_cases: writes $SQL_WORK/kpi_cases, the cases of the KPIs'
# differential test (`kenko sql --kpis` against `report --format json`),
# one line per case "NAME|RULES|DATA|AS_OF": every golden `report` command
# over one CSV whose rules declare a `kpi`, and the generated accounts
# scored by rules/aiueo.kenko with the KPIs of tests/sql/kpis/extra.kenko.
sql_kpi_cases() {
  : >"$SQL_WORK/kpi_cases"
  for c in tests/golden/*/cmd*; do
    d=$(dirname "$c")
    sql_golden_cmd report "$c" || continue
    grep -q '^kpi ' "$d/$rules" || continue
    grep -q "|$d/$rules|$d/$data|" "$SQL_WORK/kpi_cases" && continue
    echo "golden/$(basename "$d")/$data|$d/$rules|$d/$data|$as_of" >>"$SQL_WORK/kpi_cases"
  done
  cat rules/aiueo.kenko tests/sql/kpis/extra.kenko >"$SQL_WORK/kpis.kenko"
  echo "generated-kpis|$SQL_WORK/kpis.kenko|$SQL_WORK/generated.csv|2026-11-22" >>"$SQL_WORK/kpi_cases"
}

# sql_load DIALECT SCHEMA DATA [SNAPSHOT]: the INSERT that fills the
# accounts' table from the table `stage` (every CSV column as text),
# converting each cell as kenko's reader does (empty: missing; bool
# true/false/yes/no/1/0; dates with - or /). Columns the CSV lacks stay
# NULL. SNAPSHOT: the date of the file's snapshot (history without a
# `snapshot` input: kenko takes it from the file's name), into the
# column `snapshot`.
sql_load() {
  head -n 1 "$3" | sed 's/^\xef\xbb\xbf//; s/\r$//' | tr ',' '\n' | sed 's/^"//; s/"$//' >"$SQL_WORK/header"
  awk -v dialect="$1" -v snapshot="${4:-}" '
    NR == FNR { have[$0] = 1; next }
    /^CREATE TABLE/ { if (table != "") exit; table = $3; next }
    /^  "/ {
      line = $0; sub(/^  /, "", line); sub(/,$/, "", line)
      name = line; sub(/" [^"]*$/, "\"", name)
      type = line; sub(/.*" /, "", type)
      plain = substr(name, 2, length(name) - 2); gsub(/""/, "\"", plain)
      if (plain == "snapshot" && snapshot != "") {
        cols = cols (cols == "" ? "" : ", ") name
        vals = vals (vals == "" ? "" : ",\n  ") "DATE '\''" snapshot "'\''"
        next
      }
      if (!(plain in have)) next
      cell = "NULLIF(stage." name ", '\'''\'')"
      if (type == "BOOLEAN")
        v = "CASE lower(" cell ") WHEN '\''true'\'' THEN TRUE WHEN '\''yes'\'' THEN TRUE WHEN '\''1'\'' THEN TRUE WHEN '\''false'\'' THEN FALSE WHEN '\''no'\'' THEN FALSE WHEN '\''0'\'' THEN FALSE END"
      else if (type == "DATE") v = "CAST(replace(" cell ", '\''/'\'', '\''-'\'') AS DATE)"
      else if (type == "text" || type == "VARCHAR") v = cell
      else v = "CAST(" cell " AS " type ")"
      cols = cols (cols == "" ? "" : ", ") name
      vals = vals (vals == "" ? "" : ",\n  ") v
    }
    END { print "INSERT INTO " table " (" cols ")\nSELECT\n  " vals "\nFROM stage;" }
  ' "$SQL_WORK/header" "$2"
}

# sql_stage_columns DATA: CREATE TABLE stage with the CSV header's columns as text
sql_stage() {
  head -n 1 "$1" | sed 's/^\xef\xbb\xbf//; s/\r$//' | tr ',' '\n' | sed 's/^"//; s/"$//' |
    awk 'BEGIN { printf "CREATE TABLE stage (" } { gsub(/"/, "\"\""); printf "%s\"%s\" text", (NR > 1 ? ", " : ""), $0 } END { print ");" }'
}

# sql_history_cases DIR: writes DIR/history: one line per history case
# "NAME|RULES|DATA…|DB" (data files separated by spaces; DB: a folder of
# the database's tables as CSV, TABLE.csv, when the data is not CSV, such
# as YAML with list inputs; empty: the data files loaded): every golden
# command (`run` or `history`) over CSV files whose rules score history
# (a trend function or a `snapshot` input), each set of files once; the
# cases of tests/sql/history (rules.kenko and CSV files); and the sample
# history of rules/aiueo-history.kenko.
sql_history_cases() {
  hist=$1/history
  : >"$hist"
  for f in tests/golden/*/cmd*; do
    d=$(dirname "$f")
    set -- $(cat "$f")
    [ "${1:-}" = run ] || [ "${1:-}" = history ] || continue
    shift
    rules="" data="" ok=1
    while [ $# -gt 0 ]; do
      case $1 in
      --format) shift ;;
      --format=*) ;;
      -*) ok=0 ;;
      *.kenko) rules=$1 ;;
      *.csv) data="$data $d/$1" ;;
      *) ok=0 ;;
      esac
      shift
    done
    [ "$ok" = 1 ] && [ -n "$rules" ] && [ -n "$data" ] || continue
    grep -Eq '(past|previous|change|pct_change|avg_over|min_over|max_over|count_over)\(|: *date +snapshot' "$d/$rules" || continue
    data=$(printf '%s\n' $data | sort | tr '\n' ' ')
    line="golden/$(basename "$d")/$(basename "$f")|$d/$rules|${data% }"
    grep -qxF "$line" "$hist" || echo "$line" >>"$hist"
  done
  for d in tests/sql/history/*/; do
    d=${d%/}
    [ -f "$d/rules.kenko" ] || continue
    db=""
    [ -d "$d/db" ] && db=$d/db
    echo "history/$(basename "$d")|$d/rules.kenko|$(ls "$d"/*.csv "$d"/*.yaml 2>/dev/null | tr '\n' ' ' | sed 's/ $//')|$db" >>"$hist"
  done
  echo "sample-history|rules/aiueo-history.kenko|$(ls rules/sample/history/*.csv | tr '\n' ' ' | sed 's/ $//')" >>"$hist"
  # generated: SQL_HISTORY_COUNT accounts (default 400) over five month
  # ends, a seed a month (so the trend flags fire), every 7th account (a
  # different one each month) absent, the last tenth joining in the third
  mkdir -p "$SQL_WORK/generated-history"
  k=0
  n=${SQL_HISTORY_COUNT:-400}
  for day in 2026-06-30 2026-07-31 2026-08-31 2026-09-30 2026-10-31; do
    k=$((k + 1))
    "$SQL_WORK/gen_accounts" csv "$n" "$k" |
      awk -F, -v k="$k" -v late="$((n * 9 / 10))" 'NR == 1 { print; next }
        { i = NR - 1; if ((i + k) % 7 == 0) next; if (k < 3 && i > late) next; print }' \
        >"$SQL_WORK/generated-history/accounts-$day.csv"
  done
  echo "generated-history|rules/aiueo-history.kenko|$(ls "$SQL_WORK"/generated-history/*.csv | tr '\n' ' ' | sed 's/ $//')" >>"$hist"
}

# sql_run_history SUITE DIALECT: every history case through the engine
# (the caller defines engine_begin W, engine_load W DATA [SNAPSHOT],
# engine_copy W TABLE CSV, engine_query W and engine_run W): the query's
# rows, one per (account,
# snapshot), equal `kenko history --format csv`'s, and their members
# (--explain) those of `run --as-of D --format jsonl --explain` for each
# snapshot D. Adds to pass, fail and untranslated.
sql_run_history() {
  while IFS='|' read -r name rules data db; do
    sql_case_dir
    # shellcheck disable=SC2086
    "$kenko" history "$rules" $data --format csv >"$w/expected.csv" 2>"$w/kenko.err"
    if ! sql_accepted "$name" $? "$w/kenko.err"; then
      continue # rejected records: kenko and the database would disagree on what was read
    fi
    if ! "$kenko" sql "$rules" --dialect "$2" --explain >"$w/query.sql" 2>"$w/sql.err"; then
      echo "not translated: $name: $(head -n 1 "$w/sql.err")"
      untranslated=$((untranslated + 1))
      continue
    fi
    "$kenko" sql "$rules" --dialect "$2" --schema >"$w/schema.sql"
    long=0
    grep -Eq ": *date +snapshot" "$rules" && long=1
    {
      engine_begin "$w"
      for f in $data; do
        if [ -n "$db" ]; then
          continue
        elif [ "$long" = 1 ]; then
          engine_load "$w" "$f"
        else
          engine_load "$w" "$f" "$(basename "$f" | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' | head -n 1)"
        fi
      done
      if [ -n "$db" ]; then
        for f in "$db"/*.csv; do engine_copy "$w" "$(basename "$f" .csv)" "$f"; done
      fi
      engine_query "$w"
    } >"$w/script.sql"
    if ! engine_run "$w"; then
      echo "FAIL $name: the engine refused the query"
      head -n 5 "$w/engine.err"
      fail=$((fail + 1))
      continue
    fi
    ok=1
    LC_ALL=C awk -v case="$name" -v keys=id,as_of -v ordered=1 -f tests/sql/compare.awk "$w/expected.csv" "$w/got.csv" >"$w/cmp" || ok=0
    [ "$ok" = 1 ] || { cat "$w/cmp"; [ -n "${SQL_KEEP:-}" ] && cp -r "$w" "$SQL_KEEP"; }
    echo "history $name: $(tail -n 1 "$w/cmp")"
    if [ "$ok" = 1 ] && [ "$has_node" = 1 ]; then
      # the members of --explain: each snapshot D as `run --as-of D` scores it
      for day in $(awk -F, 'NR > 1 { print $2 }' "$w/expected.csv" | sort -u); do
        # shellcheck disable=SC2086
        "$kenko" run "$rules" $data --as-of "$day" --format jsonl --explain 2>/dev/null
      done >"$w/expected.jsonl"
      node tests/sql/compare-explain.mjs "$name" "$w/expected.jsonl" "$w/got.csv" || ok=0
    fi
    if [ "$ok" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
  done <"$SQL_WORK/history"
}

# sql_run_cases SUITE DIALECT: every case through the engine (the caller
# defines engine_begin W, engine_load W DATA [SNAPSHOT], engine_query W
# and engine_run W), compared with kenko run, then the history cases
# (sql_run_history); prints "SUITE: N passed, N failed" and returns 1 on
# a failure.
sql_run_cases() {
  pass=0
  fail=0
  untranslated=0
  has_node=0
  command -v node >/dev/null 2>&1 && has_node=1
  while IFS='|' read -r name rules data as_of; do
    sql_case_dir
    "$kenko" run "$rules" "$data" --as-of "$as_of" --format csv >"$w/expected.csv" 2>"$w/kenko.err"
    if ! sql_accepted "$name" $? "$w/kenko.err"; then
      continue # rejected accounts: kenko and the database would disagree on what was read
    fi
    if ! "$kenko" sql "$rules" --dialect "$2" --as-of "$as_of" --explain >"$w/query.sql" 2>"$w/sql.err"; then
      echo "not translated: $name: $(head -n 1 "$w/sql.err")"
      untranslated=$((untranslated + 1))
      continue
    fi
    if ! sql_engine_case "$name" "$2" "$rules" "$data"; then
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
  sql_run_history "$1" "$2"
  # the KPIs: `kenko sql --kpis` against `report --format json` (node reads the JSON)
  [ "$has_node" = 1 ] || echo "skip: the KPI cases need node to read report's JSON"
  [ "$has_node" = 1 ] && while IFS='|' read -r name rules data as_of; do
    sql_case_dir
    "$kenko" run "$rules" "$data" --as-of "$as_of" --format csv >/dev/null 2>&1 || continue
    "$kenko" report "$rules" "$data" --as-of "$as_of" --format json >"$w/expected.json" 2>/dev/null
    ok=0
    if ! "$kenko" sql "$rules" --dialect "$2" --as-of "$as_of" --kpis >"$w/query.sql" 2>"$w/sql.err"; then
      echo "FAIL kpis $name: not translated: $(head -n 1 "$w/sql.err")"
    elif sql_engine_case "kpis $name" "$2" "$rules" "$data"; then
      node tests/sql/compare-kpis.mjs "kpis $name" "$w/expected.json" "$w/got.csv" >"$w/cmp" && ok=1
      [ "$ok" = 1 ] || { cat "$w/cmp"; [ -n "${SQL_KEEP:-}" ] && cp -r "$w" "$SQL_KEEP"; }
    fi
    if [ "$ok" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
  done <"$SQL_WORK/kpi_cases"
  echo "$1: $untranslated cases refused by kenko sql (each named above)"
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}

# sql_accepted NAME STATUS ERRFILE: whether kenko's output for case NAME
# (its exit STATUS, its standard error in ERRFILE) is the one to compare:
# it succeeded, or (exit 3) it rejected exactly as many records as
# tests/sql/NAME/rejected says, the records the query skips too (no key,
# no snapshot date: docs/sql.md). Other rejections (a value kenko cannot
# read) make kenko and the database read different data: not compared.
sql_accepted() {
  [ "$2" = 0 ] && return 0
  [ "$2" = 3 ] && [ -f "tests/sql/$1/rejected" ] || return 1
  grep -q ", $(cat "tests/sql/$1/rejected") rejected$" "$3"
}

# sql_case_dir: w, an empty directory for the next case
sql_case_dir() {
  w=$SQL_WORK/case
  rm -rf "$w"
  mkdir -p "$w"
}

# sql_engine_case NAME DIALECT RULES DATA: the query in $w/query.sql run by
# the engine over DATA loaded into the tables of RULES' schema, its rows in
# $w/got.csv; says so and returns 1 when the engine refuses it.
sql_engine_case() {
  "$kenko" sql "$3" --dialect "$2" --schema >"$w/schema.sql"
  { engine_begin "$w"; engine_load "$w" "$4"; engine_query "$w"; } >"$w/script.sql"
  engine_run "$w" && return 0
  echo "FAIL $1: the engine refused the query"
  head -n 5 "$w/engine.err"
  return 1
}

# pg_cluster_start: a throwaway PostgreSQL cluster in $SQL_WORK (initdb,
# a unix socket there only, as the postgres user when we are root),
# stopped and removed at exit; psql runs against it. Needs $pgbin and
# fail_setup MESSAGE.
pg_cluster_start() {
  as_pg() { "$@"; }
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$SQL_WORK"
    chmod 755 "$SQL_WORK"
    as_pg() { runuser -u postgres -- "$@"; }
  fi
  trap 'as_pg "$pgbin/pg_ctl" -D "$SQL_WORK/db" -m immediate stop >/dev/null 2>&1; rm -rf "$SQL_WORK"' EXIT
  as_pg "$pgbin/initdb" -D "$SQL_WORK/db" --auth=trust --locale=C.UTF-8 -E UTF8 -U postgres >"$SQL_WORK/initdb.log" 2>&1 ||
    as_pg "$pgbin/initdb" -D "$SQL_WORK/db" --auth=trust --locale=C -E UTF8 -U postgres >"$SQL_WORK/initdb.log" 2>&1 ||
    fail_setup "initdb failed: $(tail -n 2 "$SQL_WORK/initdb.log")"
  as_pg "$pgbin/pg_ctl" -D "$SQL_WORK/db" -l "$SQL_WORK/pg.log" -w \
    -o "-c listen_addresses='' -k $SQL_WORK -c fsync=off ${PG_OPTIONS:-}" start >/dev/null 2>&1 ||
    fail_setup "the server did not start"
  psql() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$SQL_WORK" -U postgres -d postgres "$@"; }
}
