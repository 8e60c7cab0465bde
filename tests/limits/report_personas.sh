# `kenko report` made its aggregates the declarations times the shape of
# a table, and every text cell took a 4 KiB buffer: 12,000 personas over
# 10 accounts peaked at 302 MB (20,000: 502 MB; the persona table has 5
# cells a persona). (Persona conditions are bounds: the shadowed-case lint
# compares each with every earlier one, cheaply for bounds.)
{
  echo 'input id: text key'
  echo 'input seats: number'
  echo 'dimension d { rule r : seats > 5 }'
  echo 'grades { good >= 50 bad otherwise }'
  awk 'BEGIN { for (i = 0; i < 12000; i++) printf "persona p%d when seats >= %d\n", i, 40000 - i }'
  echo 'persona rest otherwise'
} >"$work/personas.kenko"
awk 'BEGIN { print "id,seats"; for (i = 0; i < 10; i++) printf "a%d,%d\n", i, i }' >"$work/ten.csv"
expect_run 0 report personas.kenko ten.csv --as-of 2026-01-01 <<'ERR'
10 accounts scored, 0 rejected
ERR
