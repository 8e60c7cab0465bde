test include_root_widened/rules/main.kenko include_root_widened/rules/bad.kenko --include-root include_root_widened/shared
