# lib.sh — data and timing helpers shared by the bench scripts (sourced
# after the caller sets $work; the timing helpers also read $have).

# bench_accounts N: $work/accounts.csv with at least N generated accounts
# (made, with seed 42, only when it holds fewer); sets data and have.
bench_accounts() {
  data="$work/accounts.csv"
  have=0
  [ -s "$data" ] && have=$(($(wc -l <"$data") - 1))
  if [ "$have" -lt "$1" ]; then
    cc -O2 -o "$work/gen_accounts" tests/bench/gen_accounts.c || exit 1
    "$work/gen_accounts" csv "$1" 42 >"$data.tmp" && mv "$data.tmp" "$data"
    have=$1
  fi
}

# bench_snapshots DIR N: twelve month-end snapshots DIR/accounts-DATE.csv of
# the same N account ids (other values: one seed a month), each made only
# when it does not hold N accounts; sets dates (the twelve, in order).
bench_snapshots() {
  dates="2025-12-31 2026-01-31 2026-02-28 2026-03-31 2026-04-30 2026-05-31 2026-06-30 2026-07-31 2026-08-31 2026-09-30 2026-10-31 2026-11-30"
  cc -O2 -o "$work/gen_accounts" tests/bench/gen_accounts.c || exit 1
  k=0
  for d in $dates; do
    k=$((k + 1))
    f="$1/accounts-$d.csv"
    have=0
    [ -s "$f" ] && have=$(($(wc -l <"$f") - 1))
    [ "$have" -eq "$2" ] || "$work/gen_accounts" csv "$2" "$k" >"$f"
  done
}

now_ns() { date +%s%N; }

# measure COMMAND...: sets secs (best of 3 runs) and peak_kb (of the last
# run; /usr/bin/time -f %M), output thrown away
measure() {
  best=""
  i=0
  while [ "$i" -lt 3 ]; do
    t0=$(now_ns)
    "$@" >/dev/null 2>&1
    t1=$(now_ns)
    dt=$(((t1 - t0) / 1000000))
    if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
    i=$((i + 1))
  done
  secs=$(echo "$best" | awk '{ printf "%.2f", $1 / 1000 }')
  peak_kb="?"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$work/time.out" "$@" >/dev/null 2>&1
    peak_kb=$(tail -n 1 "$work/time.out")
  fi
}

rate() { awk -v n="$have" -v s="$1" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "?" }'; }
mb() { case $1 in *[!0-9]* | '') echo "?" ;; *) awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' ;; esac; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }
