# lib.sh — sourced by each tests/limits/*.sh. Each test generates its
# input in $work (never a big file in git), runs kenko once and pins the
# exact stderr and exit status; every run must stay under 256 MB of peak
# memory (measured with /usr/bin/time; 1 GB under ASan) and 60 seconds.
#
# A test calls `expect_run EXIT ARGS...` with the expected stderr on its
# standard input, from $work. It fails (exit 1) with a diff when anything
# differs. KENKO and work are set by tests/run-limits.sh.

MAX_RSS_KB=262144
MAX_SECONDS=60
# Under AddressSanitizer (make asan-test) freed memory sits in quarantine
# and every byte has a shadow: the bound is 1 GB there, still far below
# what a missing limit costs.
if grep -q __asan_init "$KENKO" 2>/dev/null; then MAX_RSS_KB=1048576; fi

# expect_run EXIT ARGS...: runs `kenko ARGS` in $work; stdout is kept in
# $work/out, and the expected stderr is read from stdin.
expect_run() {
  want_rc=$1
  shift
  cat >"$work/want_err"
  if [ -x /usr/bin/time ]; then
    (cd "$work" && timeout "$MAX_SECONDS" /usr/bin/time -f %M -o "$work/rss" "$KENKO" "$@" \
      >"$work/out" 2>"$work/err" </dev/null)
  else
    (cd "$work" && timeout "$MAX_SECONDS" "$KENKO" "$@" >"$work/out" 2>"$work/err" </dev/null)
  fi
  rc=$?
  # /usr/bin/time reports a non-zero exit in its output file; keep the number.
  rss=$(tail -n 1 "$work/rss" 2>/dev/null)
  ok=0
  if [ "$rc" -eq 124 ]; then
    echo "  timed out after ${MAX_SECONDS}s"
    ok=1
  elif [ "$rc" -ne "$want_rc" ]; then
    echo "  exit $rc, expected $want_rc"
    ok=1
  fi
  if ! cmp -s "$work/want_err" "$work/err"; then
    echo "  stderr differs:"
    diff "$work/want_err" "$work/err" | cut -c1-200 | head -20
    ok=1
  fi
  case $rss in
  '' | *[!0-9]*) echo "  (memory not measured: no /usr/bin/time)" ;;
  *)
    echo "  peak memory $((rss / 1024)) MB"
    if [ "$rss" -gt "$MAX_RSS_KB" ]; then
      echo "  over the $((MAX_RSS_KB / 1024)) MB bound"
      ok=1
    fi
    ;;
  esac
  return $ok
}

# The rules the data tests read with (no warnings).
write_data_rules() {
  cat >"$work/rules.kenko" <<'RULES'
input id: text key
input seats: number
input items: list { n: number } optional
indicator total = sum(items.n)
dimension d {
  rule enough : seats > 1
  score many : total ?? 0
}
grades { good >= 50 bad otherwise }
RULES
}
