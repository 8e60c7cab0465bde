# Over history the accounts followed across snapshots were found by a
# 64-bit hash of their key alone (snapshot.c), so two customers whose keys
# collide (`ioyhQUYHAg6`, `1rp0UE9tOn7`: the same hash, see key_collision)
# were one account: the second was rejected as "duplicate key in
# snapshot", its trend functions read the other's past, and history /
# validate --horizon / effect followed them as one. Keys are now found by
# the hash and decided by their text, as in a plain run.
kenko=$1
cat >hk.kenko <<'RULES'
input id: text key
input month_end: date snapshot
input seats: number
dimension d {
  score seats : seats
  score back  : past(seats, 1mo)
}
grades { good >= 50 bad otherwise }
RULES
cat >hk.csv <<'DATA'
id,month_end,seats
ioyhQUYHAg6,2026-01-31,10
1rp0UE9tOn7,2026-01-31,90
ioyhQUYHAg6,2026-02-28,20
1rp0UE9tOn7,2026-02-28,80
ioyhQUYHAg6,2026-02-28,30
DATA
# two accounts each snapshot (the third record of February is a real
# duplicate); each one's `back` is its own January value (10 and 90)
"$kenko" run hk.kenko hk.csv --format csv
echo "exit $?"
"$kenko" history hk.kenko hk.csv --format csv
echo "exit $?"
