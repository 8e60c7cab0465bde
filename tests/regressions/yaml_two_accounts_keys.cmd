run data.kenko yaml_two_accounts_keys.yaml --as-of 2026-11-22 --format csv
