# YAML nesting, two limits. The value of a declared input nested past 64
# levels rejects its account and the reader goes on; nesting past 10,000
# levels anywhere stops the file (libyaml keeps a stack entry per level),
# the account it cuts counted as rejected. Here 100 and 20,000 levels.
write_data_rules
for depth in 100 20000; do
  {
    printf -- '- id: a1\n  seats: 3\n- id: a2\n  seats: '
    awk -v d=$depth 'BEGIN { for (i = 0; i < d; i++) printf "["; for (i = 0; i < d; i++) printf "]"; print "" }'
    printf -- '- id: a3\n  seats: 3\n'
  } >"$work/deep$depth.yaml"
done
expect_run 3 run rules.kenko deep100.yaml --as-of 2026-01-01 --format jsonl <<'ERR'
deep100.yaml:4:72: error: account "a2": field "seats": YAML nested too deeply (limit is 64)
2 accounts scored, 1 rejected
ERR
status=$?
expect_run 3 run rules.kenko deep20000.yaml --as-of 2026-01-01 --format jsonl <<'ERR' || status=1
deep20000.yaml:4:10008: error: YAML nested deeper than 10000 levels (the file is not read further)
1 account scored, 1 rejected
ERR
[ "$status" -eq 0 ]
