run data.kenko csv_cr_lines.csv --as-of 2026-11-22 --format csv
