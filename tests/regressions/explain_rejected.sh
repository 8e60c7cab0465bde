# `kenko explain --account ID` on an account that was rejected for bad
# data said "no account" (exit 2); it now says the account was rejected
# and why, at the account's place (exit 3). An id absent from the data is
# still "no account" (exit 2).
kenko=$1
printf 'id,seats\na1,20\na2,ten\na3,5\n' >x.csv
"$kenko" explain output.kenko x.csv --account a2 --as-of 2026-01-01
echo "exit $?"
"$kenko" explain output.kenko x.csv --account zz --as-of 2026-01-01
echo "exit $?"
printf -- '- {id: y1, seats: 20}\n- {id: y2, seats: [1]}\n' >x.yaml
"$kenko" explain output.kenko x.yaml --account y2 --as-of 2026-01-01
echo "exit $?"
