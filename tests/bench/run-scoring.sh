#!/bin/sh
# run-scoring.sh BUILD — scoring throughput and peak memory at a million
# accounts of rules/aiueo.kenko, against two floors: a minimal CSV
# splitter + strtod (csv_floor.c) and libyaml's event parser alone
# (yaml_floor.c). Prints figures and whether each target of the issue is
# met; asserts nothing (a benchmark, never a test). Run by tests/bench/run.sh.
#
# Times are CPU seconds (user + sys) of the whole process, the best of a
# few runs: on a shared machine they vary far less than wall time, and
# every command here is single-threaded. Peak RSS is /usr/bin/time's %M.
# The whole script takes about a minute and a half at a million accounts
# on a slow machine (more the first time, generating the data).
#
#   KENKO_BENCH_ACCOUNTS   accounts to generate (default 1000000)
#   KENKO_BENCH_RUNS       runs of the CSV commands, best kept (default 3;
#                          the slower YAML ones get one run less)
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$build/kenko"
work="$build/bench"
count=${KENKO_BENCH_ACCOUNTS:-1000000}
csv_runs=${KENKO_BENCH_RUNS:-3}
yaml_runs=$((csv_runs > 1 ? csv_runs - 1 : 1))
rules=rules/aiueo.kenko
as_of=2026-11-22
cc=${CC:-cc}
mkdir -p "$work"

echo "== scoring: $count generated accounts of $rules (CPU seconds, best of $csv_runs; YAML $yaml_runs)"
if [ ! -x "$kenko" ]; then
  echo "bench: $kenko is not built" >&2
  exit 1
fi
for tool in gen_accounts csv_floor; do
  "$cc" -O2 -o "$work/$tool" "tests/bench/$tool.c" || exit 1
done
"$cc" -O2 -o "$work/yaml_floor" tests/bench/yaml_floor.c -lyaml || exit 1

# gen FORMAT: the data file, generated unless a complete one is there. A
# stamp beside it records the generator's checksum and the file's size.
gen() {
  file="$work/accounts-$count.$1"
  stamp="$(cksum <tests/bench/gen_accounts.c | cut -d' ' -f1) $count"
  if [ -f "$file" ] && [ -f "$file.stamp" ] &&
    [ "$(cat "$file.stamp")" = "$stamp $(wc -c <"$file" | tr -d ' ')" ]; then
    return 0
  fi
  "$work/gen_accounts" "$1" "$count" >"$file" || exit 1
  echo "$stamp $(wc -c <"$file" | tr -d ' ')" >"$file.stamp"
}
gen csv
gen yaml
csv="$work/accounts-$count.csv"
yaml="$work/accounts-$count.yaml"

have_time=0
[ -x /usr/bin/time ] && have_time=1

# measure RUNS COMMAND...: sets cpu (seconds, the best of RUNS) and rss
# (KB of that run, or empty when unknown); output goes to /dev/null.
measure() {
  runs=$1
  shift
  cpu=""
  rss=""
  i=0
  while [ "$i" -lt "$runs" ]; do
    if [ "$have_time" = 1 ]; then
      /usr/bin/time -f "%U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt"
      line=$(tail -n 1 "$work/time.txt")
      t=$(echo "$line" | awk '{ printf "%.3f", $1 + $2 }')
      m=$(echo "$line" | awk '{ print $3 }')
    else
      t0=$(date +%s%N)
      "$@" >/dev/null 2>"$work/stderr.txt"
      t1=$(date +%s%N)
      t=$(echo "$t0 $t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }')
      m=""
    fi
    if [ -z "$cpu" ] || awk -v a="$t" -v b="$cpu" 'BEGIN { exit !(a < b) }'; then
      cpu=$t
      rss=$m
    fi
    i=$((i + 1))
  done
}

# report LABEL: one line with the rate and peak RSS of the last measure.
report() {
  awk -v label="$1" -v n="$count" -v t="$cpu" -v m="$rss" 'BEGIN {
    rate = t > 0 ? n / t : 0
    mem = m == "" ? "n/a" : sprintf("%.1f MB", m / 1024)
    printf "%-34s %10.0f accounts/s  (%.2f s, peak RSS %s)\n", label, rate, t, mem
  }'
}

measure "$csv_runs" "$work/csv_floor" "$csv"
csv_floor=$cpu
report "csv floor (split + strtod)"
measure "$yaml_runs" "$work/yaml_floor" "$yaml"
yaml_floor=$cpu
report "yaml floor (libyaml events only)"
peak=0
note_rss() { [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss; }
measure "$csv_runs" "$kenko" run "$rules" "$csv" --format csv --as-of "$as_of"
kenko_csv=$cpu
note_rss
report "kenko run: csv -> csv"
measure "$yaml_runs" "$kenko" run "$rules" "$yaml" --format csv --as-of "$as_of"
kenko_yaml=$cpu
note_rss
report "kenko run: yaml -> csv"
measure "$csv_runs" "$kenko" run "$rules" "$csv" --format jsonl --explain --as-of "$as_of"
kenko_explain=$cpu
note_rss
report "kenko run: csv -> jsonl --explain"

# verdict OK TEXT: TEXT and whether the target is met.
verdict() {
  if [ "$1" = 1 ]; then echo "$2: target met"; else echo "$2: target missed"; fi
}
ok=$(awk -v k="$kenko_csv" -v f="$csv_floor" 'BEGIN { print ((k > 0 && f / k >= 0.5) ? 1 : 0) }')
verdict "$ok" "$(awk -v k="$kenko_csv" -v f="$csv_floor" 'BEGIN {
  printf "csv -> csv at %.0f%% of the csv floor (target >= 50%%)", (k > 0 ? 100 * f / k : 0) }')"
ok=$(awk -v k="$kenko_csv" -v n="$count" 'BEGIN { print ((k > 0 && n / k >= 1000000) ? 1 : 0) }')
verdict "$ok" "$(awk -v k="$kenko_csv" -v n="$count" 'BEGIN {
  printf "csv -> csv at %.0f accounts/s (target >= 1000000)", (k > 0 ? n / k : 0) }')"
ok=$(awk -v k="$kenko_yaml" -v f="$yaml_floor" 'BEGIN { print ((k > 0 && f / k >= 0.7) ? 1 : 0) }')
verdict "$ok" "$(awk -v k="$kenko_yaml" -v f="$yaml_floor" 'BEGIN {
  printf "yaml at %.0f%% of libyaml parse-only (target >= 70%%)", (k > 0 ? 100 * f / k : 0) }')"
ok=$(awk -v e="$kenko_explain" -v k="$kenko_csv" 'BEGIN { print ((k > 0 && e <= 3 * k) ? 1 : 0) }')
verdict "$ok" "$(awk -v e="$kenko_explain" -v k="$kenko_csv" 'BEGIN {
  printf "jsonl --explain takes %.1fx the time of csv output (target <= 3x)", (k > 0 ? e / k : 0) }')"
if [ "$have_time" = 1 ]; then
  ok=$(awk -v m="$peak" 'BEGIN { print ((m < 32 * 1024) ? 1 : 0) }')
  verdict "$ok" "$(awk -v m="$peak" -v n="$count" 'BEGIN {
    printf "peak RSS %.1f MB at %d accounts (target < 32 MB)", m / 1024, n }')"
else
  echo "peak RSS: unknown (no /usr/bin/time)"
fi
exit 0
