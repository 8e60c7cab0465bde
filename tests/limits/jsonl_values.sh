# A JSON Lines account of more than 500,000 JSON values (jansson would
# build a tree of about 230 bytes a value: 600,000 empty objects, 140 MB)
# is rejected before it is parsed; the lines around it are read. Just
# under the limit (200,000 list elements of one field: 400,000 values),
# a list is parsed and scored.
write_data_rules
{
  printf '{"id": "a1", "seats": 3}\n{"id": "a2", "seats": 3, "other": ['
  yes '{},' | head -n 600000 | tr -d '\n'
  printf '{}]}\n{"id": "a3", "seats": 3, "items": ['
  yes '{"n": 1},' | head -n 200000 | tr -d '\n'
  printf '{"n": 1}]}\n'
} >"$work/values.jsonl"
expect_run 3 run rules.kenko values.jsonl --as-of 2026-01-01 --format csv <<'ERR'
values.jsonl:2:1: error: account "values.jsonl:2": more than 500000 JSON values on one line (the limit)
2 accounts scored, 1 rejected
ERR
