run rule_text_controls_raw.kenko rule_text_controls.csv --as-of 2026-11-22
