# A .yaml file of NUL bytes (docs/limits.md: "one YAML value"): each NUL
# goes to libyaml as U+FFFD (three bytes, so that the accounts around a
# bad byte are still read), and the 64 MiB limit counts what libyaml is
# handed, not the file's bytes, so its buffers stay bounded. 30 MB of NULs
# (90 MB handed on) stands for any size: a 2 GB file stops at the same
# place. Counted in file bytes, this was 265 MB of peak memory.
write_data_rules
head -c 30000000 /dev/zero >"$work/nul.yaml"
expect_run 3 run rules.kenko nul.yaml --as-of 2026-01-01 --format jsonl <<'ERR'
nul.yaml:1:1: error: YAML value longer than 64 MiB after this point (the limit for one value)
0 accounts scored, 0 rejected
ERR
