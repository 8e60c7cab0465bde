# A list input with 1,000,001 elements rejects its account; the accounts
# around it are scored.
write_data_rules
{
  printf -- '- id: a1\n  seats: 3\n- id: a2\n  seats: 3\n  items:\n'
  awk 'BEGIN { for (i = 0; i < 1000001; i++) print "    - {n: 1}" }'
  printf -- '- id: a3\n  seats: 3\n'
} >"$work/list.yaml"
expect_run 3 run rules.kenko list.yaml --as-of 2026-01-01 --format jsonl <<'ERR'
list.yaml:1000006:7: error: account "a2": list "items" has more than 1000000 elements
2 accounts scored, 1 rejected
ERR
