# A JSON document (`.json`) is never built as one tree: each account of
# its array is cut out and parsed on its own, so the limits of a JSON
# Lines line hold for one account: more than 64 MiB, or more than 500,000
# JSON values, rejects that account before jansson parses it, and the
# accounts around it are read. Nesting deeper than jansson's 2,048 levels
# (100,000 `[`) rejects only its account too.
write_data_rules
{
  printf '{"accounts": [{"id": "a1", "seats": 3},\n{"id": "a2", "seats": 3, "note": "'
  head -c 68000000 /dev/zero | tr '\0' x
  printf '"},\n{"id": "a3", "seats": 3, "other": ['
  yes '{},' | head -n 600000 | tr -d '\n'
  printf '{}]},\n{"id": "a4", "seats": '
  yes '[' | head -n 100000 | tr -d '\n'
  yes ']' | head -n 100000 | tr -d '\n'
  printf '},\n{"id": "a5", "seats": 3}]}\n'
} >"$work/big.json"
expect_run 3 run rules.kenko big.json --as-of 2026-01-01 --format csv <<'ERR'
big.json:2:1: error: account "big.json:2": account longer than 64 MiB (the limit for one account)
big.json:3:1: error: account "big.json:3": more than 500000 JSON values in one account (the limit)
big.json:4:2070: error: account "big.json:4": JSON syntax: maximum parsing depth reached near '['
2 accounts scored, 3 rejected
ERR
