run number_key.kenko number_key_big.csv --as-of 2026-11-22 --format csv
