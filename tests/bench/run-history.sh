#!/bin/sh
# `kenko history --format csv` over 100,000 accounts × 12 monthly snapshots
# (1.2M records, one file per month-end, dated by its name) against `kenko
# run --format csv` over the same 1.2M records (each monthly file scored as
# of its date, the twelve times added up; target: history within 1.5×),
# and history's peak memory (target: under 200 MB). With the trend rules
# (rules/aiueo-history.kenko, when it checks) too. Run by tests/bench/run.sh
# (make bench); prints figures, asserts nothing.
# Usage: tests/bench/run-history.sh BUILD   (KENKO_BENCH_HISTORY_ACCOUNTS=N for another size)
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$build/kenko"
work="$build/bench"
dir="$work/history"
mkdir -p "$dir"
n=${KENKO_BENCH_HISTORY_ACCOUNTS:-100000}

# the snapshots: the same account ids every month, other values (one seed a month)
. tests/bench/lib.sh
bench_snapshots "$dir" "$n"
have=$((n * 12))

# run over each month's file as of its date, the twelve runs in one script
# (so that /usr/bin/time sees them: the peak is the largest month's)
cat >"$work/run-each-month.sh" <<SCRIPT
for d in $dates; do
  "$kenko" run "\$1" "$dir/accounts-\$d.csv" --as-of "\$d" --format csv || exit 1
done
SCRIPT

echo "== history: $n accounts × 12 monthly snapshots ($have records, $dir)"
rules=rules/aiueo.kenko
measure sh "$work/run-each-month.sh" "$rules"
run_secs=$secs
echo "kenko run --format csv, each month:  $secs s in all ($(rate "$secs") records/s), peak $(mb "$peak_kb") MB (a month at a time)"
measure "$kenko" history "$rules" "$dir"/accounts-*.csv --format csv
echo "kenko history --format csv:          $secs s ($(rate "$secs") records/s), peak $(mb "$peak_kb") MB;" \
  "$(ratio "$secs" "$run_secs")x run (target: within 1.5x; peak under 200 MB)"
measure "$kenko" history "$rules" "$dir"/accounts-*.csv
echo "kenko history (text):                $secs s, peak $(mb "$peak_kb") MB"
measure "$kenko" history "$rules" "$dir"/accounts-*.csv --html "$work/history.html"
echo "kenko history --html:                $secs s, peak $(mb "$peak_kb") MB"
trend=rules/aiueo-history.kenko
if [ -f "$trend" ] && "$kenko" check "$trend" >/dev/null 2>&1; then
  measure "$kenko" history "$trend" "$dir"/accounts-*.csv --format csv
  echo "with the trend rules ($trend): $secs s, peak $(mb "$peak_kb") MB; $(ratio "$secs" "$run_secs")x run"
fi
exit 0
