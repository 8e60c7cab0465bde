diff data.kenko diff_key_collision_new.csv --data diff_key_collision_old.csv --as-of 2026-11-22
