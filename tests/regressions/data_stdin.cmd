run data.kenko - --input-format csv --format csv --as-of 2026-11-22
