check csv_list_required.kenko --data csv_list.csv
