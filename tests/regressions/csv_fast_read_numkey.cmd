run csv_fast_read_numkey.kenko csv_fast_read_numkey.csv --format jsonl --explain --as-of 2026-11-22 -j 1
