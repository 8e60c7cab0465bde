run csv_list_optional.kenko csv_list.csv --as-of 2026-11-22 --format csv
