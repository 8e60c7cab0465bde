# A CSV header of more than 65,536 columns makes the file unusable; a
# record with millions of cells is rejected like any record whose cell
# count is not the header's (its cells past 65,536 are counted, not kept).
write_data_rules
{
  printf 'id,seats'
  awk 'BEGIN { for (i = 0; i < 70000; i++) printf ",c%d", i; print "" }'
  echo 'a1,3'
} >"$work/wide.csv"
{
  printf 'id,seats\na1,3\na2,3'
  head -c 3000000 /dev/zero | tr '\0' ,
  printf '\na3,3\n'
} >"$work/cells.csv"
expect_run 3 run rules.kenko wide.csv --as-of 2026-01-01 --format jsonl <<'ERR'
wide.csv:1:1: error: CSV header has 70002 columns (the limit is 65536)
0 accounts scored, 1 rejected
ERR
status=$?
expect_run 3 run rules.kenko cells.csv --as-of 2026-01-01 --format jsonl <<'ERR' || status=1
cells.csv: warning: input items is a list: lists cannot come from CSV, so it is missing in every account
cells.csv:3:1: error: account "a2": expected 2 cells, got 3000002
2 accounts scored, 1 rejected
ERR
[ "$status" -eq 0 ]
