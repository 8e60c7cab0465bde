check unknown_members.kenko
