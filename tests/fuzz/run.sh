#!/bin/sh
# run.sh SECONDS [TARGET...] — runs each libFuzzer target (built by `make
# fuzz` into build/fuzz/) for SECONDS over a scratch corpus under
# build/fuzz/corpus/TARGET, seeded from the repository's test files
# (tests/fuzz/seed.sh). Fails when any target finds a crash, a leak, a
# timeout (10 s per input) or an input needing more than 512 MB; the
# input that did it is left in build/fuzz/artifacts/. Run from the
# repository root. Last line: "fuzz: N passed, N failed".
set -u
seconds=${1:-60}
shift
[ $# -gt 0 ] || set -- fuzz_rules fuzz_yaml fuzz_csv fuzz_jsonl fuzz_json
out=build/fuzz
# A smaller quarantine than ASan's 256 MB keeps a long run under the RSS
# limit; use-after-free is still caught within the last 64 MB freed.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
export ASAN_OPTIONS
mkdir -p "$out/artifacts" "$out/logs"
pass=0
fail=0
for target in "$@"; do
  case $target in
  fuzz_rules) kind=rules max_len=32768 dict=kenko.dict ;;
  fuzz_yaml) kind=yaml max_len=16384 dict=yaml.dict ;;
  fuzz_csv) kind=csv max_len=16384 dict=csv.dict ;;
  fuzz_jsonl) kind=jsonl max_len=16384 dict=yaml.dict ;;
  fuzz_json) kind=json max_len=16384 dict=yaml.dict ;;
  *) echo "run.sh: unknown target $target" >&2; fail=$((fail + 1)); continue ;;
  esac
  corpus=$out/corpus/$target
  sh tests/fuzz/seed.sh "$kind" "$corpus"
  log=$out/logs/$target.log
  echo "== $target: ${seconds}s, $(ls "$corpus" | wc -l) inputs in $corpus"
  "$out/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=512 -max_len="$max_len" \
    -dict="tests/fuzz/$dict" -artifact_prefix="$out/artifacts/$target-" -print_final_stats=1 \
    "$corpus" >"$log" 2>&1
  rc=$?
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log"
  if [ "$rc" -eq 0 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $target (exit $rc); log: $log"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -10
  fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
