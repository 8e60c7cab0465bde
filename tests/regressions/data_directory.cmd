run data.kenko data_directory.csv --as-of 2026-11-22 --format csv
