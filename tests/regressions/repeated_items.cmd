check repeated_items.kenko
