diff --git HEAD dgit/rules/score.kenko dgit/data.csv --as-of 2026-11-22
