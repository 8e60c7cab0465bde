check unknown_names.kenko
