run data.kenko yaml_filter_boundaries.yaml --format csv --as-of 2026-11-22
