run data.kenko json_surrogate_pairs.json --as-of 2026-11-22 --format csv
