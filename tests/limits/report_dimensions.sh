# Every dimension had a 24 KB histogram for its deciles, filled or not,
# and its rows of the deciles table 4 KiB a cell: 60,000 dimensions over
# one account took 5 GB. A histogram now keeps the bins scores fell in.
{
  echo 'input id: text key'
  echo 'input seats: number'
  awk 'BEGIN { for (i = 0; i < 60000; i++) printf "dimension d%d { rule r : seats > %d }\n", i, i % 30 }'
  echo 'grades { good >= 50 bad otherwise }'
} >"$work/dims.kenko"
printf 'id,seats\na1,20\n' >"$work/one.csv"
expect_run 0 report dims.kenko one.csv --as-of 2026-01-01 <<'ERR'
1 account scored, 0 rejected
ERR
