run data.kenko yaml_flow_cut.yaml yaml_flow_cut_root.yaml --as-of 2026-11-22 --format csv
