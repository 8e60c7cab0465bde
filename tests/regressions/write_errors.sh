# Writes that fail were ignored: to /dev/full or to a closed standard
# output, run, report, validate, diff, explain and test printed their
# summary and exited 0 (or 3) with nothing written. Now each ends with
# "cannot write standard output: REASON" and exit 2.
kenko=$1
printf 'id,seats,churned\na1,20,false\na2,5,true\na3,12,\n' >w.csv
for cmd in "run output.kenko w.csv --as-of 2026-01-01" \
  "run output.kenko w.csv --as-of 2026-01-01 --format csv" \
  "explain output.kenko w.csv --account a1 --as-of 2026-01-01" \
  "report output.kenko w.csv --as-of 2026-01-01" \
  "validate output.kenko w.csv --as-of 2026-01-01" \
  "diff output.kenko output.kenko w.csv --as-of 2026-01-01" \
  "test output.kenko" "--help" "--version"; do
  echo "== kenko $cmd >/dev/full"
  # shellcheck disable=SC2086
  "$kenko" $cmd >/dev/full 2>err.txt
  echo "exit $?"
  cat err.txt
  echo "== kenko $cmd >&-"
  # shellcheck disable=SC2086
  "$kenko" $cmd >&- 2>err.txt
  echo "exit $?"
  cat err.txt
done
