run persona_indicator_defaults.kenko persona_indicator_defaults.csv --format jsonl --explain --as-of 2026-11-22
