# lib.sh — timing helpers shared by the bench scripts (sourced; needs
# $work and $have set by the caller).

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
