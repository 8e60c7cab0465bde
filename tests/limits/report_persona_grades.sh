# Each persona with grades of its own adds grade rows, and every tally
# (per persona, per segment case, per group) had a count for every grade
# row: 2,000 personas with their own grades over 2,000 accounts (one in
# each) took 16 GB and 110 s. Tallies now keep the rows their accounts
# fill (docs/report.md, "Memory").
{
  echo 'input id: text key'
  echo 'input seats: number'
  echo 'dimension d { rule r : seats > 5 }'
  echo 'grades { good >= 50 bad otherwise }'
  awk 'BEGIN { for (i = 0; i < 2000; i++) printf "persona p%d when seats == %d {\n  grades { g%d >= 50 b%d otherwise }\n}\n", i, i, i, i }'
  echo 'persona rest otherwise'
} >"$work/grades.kenko"
awk 'BEGIN { print "id,seats"; for (i = 0; i < 2000; i++) printf "a%d,%d\n", i, i }' >"$work/each.csv"
expect_run 0 report grades.kenko each.csv --as-of 2026-01-01 --format json <<'ERR'
2000 accounts scored, 0 rejected
ERR
