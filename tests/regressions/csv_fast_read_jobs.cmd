run csv_fast_read.kenko csv_fast_read.csv --format jsonl --explain --as-of 2026-11-22 -j 3
