run data.kenko key_collision.csv --as-of 2026-11-22 --format csv
