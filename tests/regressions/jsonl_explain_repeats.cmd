run jsonl_explain_repeats.kenko jsonl_explain_repeats.csv --format jsonl --explain --as-of 2026-11-22 -j 1
