# A CSV cell longer than 64 MiB (quoted and closed): the record is over
# the 64 MiB limit, so the file is malformed from there; the account
# before it is scored.
write_data_rules
{
  printf 'id,seats\na1,3\na2,"'
  head -c 67108874 /dev/zero | tr '\0' 7
  printf '"\na3,3\n'
} >"$work/long.csv"
expect_run 3 run rules.kenko long.csv --as-of 2026-01-01 --format jsonl <<'ERR'
long.csv: warning: input items is a list: lists cannot come from CSV, so it is missing in every account
long.csv:3:1: error: CSV record longer than 64 MiB (an unclosed quote?)
1 account scored, 1 rejected
ERR
