run data.kenko yaml_control_chars.yaml --as-of 2026-11-22 --format csv
