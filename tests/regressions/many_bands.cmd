check many_bands.kenko
