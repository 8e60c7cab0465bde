run data.kenko yaml_utf8_edges.yaml --as-of 2026-11-22 --format csv
