check csv_list_optional.kenko --data csv_list.csv
