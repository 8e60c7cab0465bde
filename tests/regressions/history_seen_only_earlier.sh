# The summary's "seen only in earlier snapshots" (LANGUAGE.md §6): the
# accounts of the history absent from the snapshot scored.
# - An account whose record in the scored snapshot was rejected (bad data)
#   was counted as seen only earlier, though it was there: now a rejected
#   record counts in the snapshot being read, as the per-snapshot figures
#   already did (and its key takes its place, as in a plain run).
# - `validate --horizon` scores every snapshot, yet its summary said "N
#   accounts scored, 0 seen only in earlier snapshots", N being records:
#   it now counts records, as `kenko history` does.
# The counts are checked for each snapshot as --as-of, with and without
# a trend rule (which makes every earlier record evaluated), against the
# data: b leaves after February, c is rejected in March, d joins in March.
kenko=$1
cat >base.kenko <<'RULES'
input id: text key
input seats: number
input churned: bool optional
outcome churned
dimension d {
  score seats : seats
}
grades { good >= 50 bad otherwise }
RULES
{ cat base.kenko; echo 'input month_end: date snapshot'; } >long.kenko
{ cat base.kenko; echo 'flag fell when seats < previous(seats)'; } >trend.kenko
{ cat long.kenko; echo 'flag fell when seats < previous(seats)'; } >longtrend.kenko
printf 'id,seats,churned\na,10,false\nb,20,false\nc,30,false\n' >s-2026-01-31.csv
printf 'id,seats,churned\na,15,false\nb,25,true\nc,35,false\n' >s-2026-02-28.csv
printf 'id,seats,churned\na,12,false\nc,xx,false\nd,60,false\n' >s-2026-03-31.csv
# the same records as a long table (long.kenko: no trend function)
echo 'month_end,id,seats,churned' >long.csv
for f in s-*.csv; do
  d=${f#s-}
  awk -v d="${d%.csv}" 'NR > 1 { print d "," $0 }' "$f" >>long.csv
done
for rules in long longtrend trend; do
  data=long.csv
  [ $rules = trend ] && data="s-2026-01-31.csv s-2026-02-28.csv s-2026-03-31.csv"
  for as_of in 2026-01-31 2026-02-28 2026-03-31; do
    echo "== $rules.kenko --as-of $as_of"
    "$kenko" run $rules.kenko $data --as-of $as_of --format csv 2>&1 >/dev/null | grep -v ': error: '
    "$kenko" report $rules.kenko $data --as-of $as_of 2>&1 >/dev/null | grep -v ': error: '
  done
  echo "== $rules.kenko validate --horizon 1mo"
  "$kenko" validate $rules.kenko $data --horizon 1mo 2>&1 >/dev/null | grep -v ': error: '
done
