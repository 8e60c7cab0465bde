run data.kenko csv_plain_boundaries.csv --format csv --as-of 2026-11-22
