check same_test_names.kenko
