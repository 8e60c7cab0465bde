diff rule_text_controls.kenko rule_text_controls_new.kenko rule_text_controls.csv --as-of 2026-11-22
