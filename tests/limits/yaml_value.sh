# One YAML value longer than 64 MiB: the file is malformed from there (so
# libyaml never holds more than about 64 MiB of one value); the account
# before it is scored.
write_data_rules
{
  printf -- '- id: a1\n  seats: 3\n- id: a2\n  seats: "'
  head -c 67108874 /dev/zero | tr '\0' x
  printf '"\n- id: a3\n  seats: 3\n'
} >"$work/long.yaml"
expect_run 3 run rules.kenko long.yaml --as-of 2026-01-01 --format jsonl <<'ERR'
long.yaml:4:8: error: YAML value longer than 64 MiB after this point (the limit for one value)
1 account scored, 1 rejected
ERR
