# `kenko check --data` collects the keys of the first accounts of a YAML
# file: more than 65,536 different keys make the file unusable (and a
# hash keeps collecting them linear).
write_data_rules
{
  printf -- '- id: a1\n  seats: 3\n'
  awk 'BEGIN { for (i = 0; i < 70000; i++) printf "  k%d: 1\n", i }'
} >"$work/keys.yaml"
expect_run 1 check rules.kenko --data keys.yaml <<'ERR'
keys.yaml:65537:3: error: more than 65536 different keys in the accounts (the limit)
ERR
