check include_outside_root/rules/main.kenko
