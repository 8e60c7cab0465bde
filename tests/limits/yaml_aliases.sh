# A YAML "billion laughs": 30 levels of anchors, each aliasing the one
# before ten times (10^30 strings if expanded). Aliases are refused, never
# expanded: the accounts holding one are rejected, the others scored.
write_data_rules
{
  echo 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'
  awk 'BEGIN { for (i = 1; i < 30; i++) { printf "a%d: &a%d [", i, i; for (k = 0; k < 10; k++) printf "%s*a%d", (k ? ", " : ""), i - 1; print "]" } }'
  printf 'accounts:\n'
  printf -- '  - id: good1\n    seats: 3\n'
  printf -- '  - id: bomb1\n    seats: 3\n    items: *a29\n'
  printf -- '  - id: bomb2\n    seats: *a29\n'
  printf -- '  - id: good2\n    seats: 3\n'
} >"$work/laughs.yaml"
expect_run 3 run rules.kenko laughs.yaml --as-of 2026-01-01 --format jsonl <<'ERR'
laughs.yaml:36:12: error: account "bomb1": field "items": YAML aliases are not supported
laughs.yaml:38:12: error: account "bomb2": field "seats": YAML aliases are not supported
2 accounts scored, 2 rejected
ERR
