run csv_crlf_boundaries.kenko csv_crlf_boundaries.csv --format csv --as-of 2026-11-22
