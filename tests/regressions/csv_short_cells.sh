# See csv_short_cells.gen and compare_fast_general.inc: the one-pass and the
# general path must read the same records the same way.
kenko=$1
rules=csv_short_cells.kenko
. ./compare_fast_general.inc
