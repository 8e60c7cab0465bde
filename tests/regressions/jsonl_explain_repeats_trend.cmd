run jsonl_explain_repeats_trend.kenko jsonl_explain_repeats_trend.csv --format jsonl --explain --as-of 2026-11-30 -j 1
