# A guard (issue 17, --jobs): a run whose output fails stops at the same
# account at every -j. The rows of accounts scored on a reading thread
# are kept in their batch and copied to the output's buffer a batch at
# once, or when the buffer would pass 64 KiB with them: written then, as
# at -j 1, so that the failed write comes after the same row. 3,000 and
# 9,000 accounts to /dev/full and to a closed standard output, -j 1, 2,
# 3 and 8: the first 64 KiB of rows fail, "1026 accounts scored" each
# time, whichever thread's piece holds the row (at -j 3 and 8 it is most
# often a worker's batch).
kenko=$1
for n in 3000 9000; do
  {
    echo 'id,seats,churned'
    i=1
    while [ $i -le $n ]; do
      echo "account-number-$i,$i,false"
      i=$((i + 1))
    done
  } >many.csv
  for j in 1 2 3 8; do
    "$kenko" run output.kenko many.csv --as-of 2026-01-01 --format csv -j $j >/dev/full 2>err.txt
    echo "$n accounts, -j $j, /dev/full: exit $?"
    cat err.txt
    "$kenko" run output.kenko many.csv --as-of 2026-01-01 --format jsonl -j $j >&- 2>err.txt
    echo "$n accounts, -j $j, jsonl, closed: exit $?"
    cat err.txt
  done
done
