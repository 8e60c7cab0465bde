run data.kenko yaml_invalid_utf8.yaml --as-of 2026-11-22 --format csv
