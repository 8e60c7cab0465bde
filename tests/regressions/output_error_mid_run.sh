# A guard (issue 17, the account's path): the output's error is checked
# after every account (on_account, without the stream's lock), so a run
# whose output fails stops at the account whose row could not be written,
# not at the end: 3,000 accounts to /dev/full stop after the first 64 KiB
# of rows. It would say "3000 accounts scored" if the check were lost.
kenko=$1
{
  echo 'id,seats,churned'
  i=1
  while [ $i -le 3000 ]; do
    echo "account-number-$i,$i,false"
    i=$((i + 1))
  done
} >many.csv
"$kenko" run output.kenko many.csv --as-of 2026-01-01 --format csv -j 1 >/dev/full 2>err.txt
echo "exit $?"
cat err.txt
