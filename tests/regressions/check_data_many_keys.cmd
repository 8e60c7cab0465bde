check data.kenko --data check_data_many_keys.yaml
