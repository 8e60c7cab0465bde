check include_fifo/rules/main.kenko --include-root /dev
