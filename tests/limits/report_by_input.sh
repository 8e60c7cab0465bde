# `report --by input NAME` keeps at most 10,000 groups (the rest go to
# "(other)"), but its table of them took 4 KiB a cell: 288 MB at the cap.
{
  echo 'input id: text key'
  echo 'input team: text'
  echo 'input seats: number'
  echo 'dimension d { rule r : seats > 10 }'
  echo 'segment named { yes when team is not missing  no otherwise }'
  echo 'grades { good >= 50 bad otherwise }'
} >"$work/teams.kenko"
awk 'BEGIN { print "id,team,seats"; for (i = 0; i < 20000; i++) printf "a%d,team-%d,%d\n", i, i, i % 30 }' >"$work/teams.csv"
expect_run 0 report teams.kenko teams.csv --by input team --as-of 2026-01-01 <<'ERR'
20000 accounts scored, 0 rejected
ERR
