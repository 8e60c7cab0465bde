# With SIGPIPE ignored, a write to a pipe whose reader has gone fails with
# EPIPE: it was ignored (exit 0, and every account was still scored). Now
# the run stops there and says so, exit 2. The output is far larger than
# a pipe's buffer, so the reader (`true`) is gone before it is written.
kenko=$1
awk 'BEGIN { print "id,seats"; for (i = 0; i < 5000; i++) printf "a%d,%d\n", i, i % 30 }' >p.csv
trap '' PIPE
{
  "$kenko" run output.kenko p.csv --as-of 2026-01-01 2>err.txt
  echo "exit $?" >status.txt
} | true
cat status.txt
grep -v 'accounts scored' err.txt
# and it stopped at the failed write instead of scoring every account
scored=$(sed -n 's/^\([0-9]*\) accounts* scored.*/\1/p' err.txt)
[ "${scored:-5000}" -lt 5000 ] && echo "stopped early" || echo "scored all $scored accounts"
