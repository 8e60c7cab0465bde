report rule_text_controls.kenko rule_text_controls.csv --as-of 2026-11-22 --by segment s
