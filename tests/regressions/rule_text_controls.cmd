explain rule_text_controls.kenko rule_text_controls.csv --account a --as-of 2026-11-22
