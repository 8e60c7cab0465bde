#!/bin/sh
# KPIs recomputed outside the C code: generates accounts with
# tests/bench/gen_accounts.c, scores them with rules/aiueo.kenko plus a
# set of KPIs (count, share, sum, avg, min, max, median, a ratio), and
# recomputes every KPI with awk from `run --format jsonl` (health, grade)
# joined by id with the generated CSV (arr, active_users); each must equal
# `report --format json`'s "kpis" value (to 1e-9, relative). Ends with
# "kpi-recompute: N passed, N failed" (one count per KPI).
# Usage: tests/kpi-recompute.sh path/to/kenko   (KPI_COUNT=N to change the size)
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
count=${KPI_COUNT:-3000}
as_of=2026-11-22
cd "$(dirname "$0")/.." || exit 2
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT

setup_fail() {
  echo "kpi-recompute: $1"
  echo "kpi-recompute: 0 passed, 1 failed"
  exit 1
}
${CC:-cc} -O2 -o "$work/gen" tests/bench/gen_accounts.c || setup_fail "cannot compile the generator"
"$work/gen" csv "$count" 7 >"$work/accounts.csv" || setup_fail "generator failed"
cat rules/aiueo.kenko - >"$work/rules.kenko" <<'KPIS'

kpi k_n = count(accounts)
kpi k_good = share(accounts where grade == good)
kpi k_bad_arr = sum(arr where grade == bad)
kpi k_avg = avg(health)
kpi k_min = min(health)
kpi k_max = max(health where grade != bad)
kpi k_median = median(health)
kpi k_users = sum(active_users)
kpi k_ratio = sum(arr where grade == good) / sum(arr)
KPIS
"$kenko" run "$work/rules.kenko" "$work/accounts.csv" --format jsonl --as-of "$as_of" >"$work/run.jsonl" 2>/dev/null ||
  setup_fail "kenko run failed"
"$kenko" report "$work/rules.kenko" "$work/accounts.csv" --format json --as-of "$as_of" >"$work/report.json" \
  2>/dev/null || setup_fail "kenko report failed"

# The report's KPI values: "kpi":"NAME",…,"value":V
tr '{' '\n' <"$work/report.json" | sed -n 's/^"kpi":"\([a-z_]*\)".*"value":\([^,]*\),.*/\1 \2/p' >"$work/got.txt"

# id → arr, active_users from the CSV (columns found by header)
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
         { print $1, $col["arr"], $col["active_users"] }' "$work/accounts.csv" >"$work/inputs.txt"
# id health grade from the jsonl (top-level fields; null when missing)
sed 's/^{"id":"\([^"]*\)".*"health":\([^,]*\),"grade":\([^,]*\),.*/\1 \2 \3/' "$work/run.jsonl" |
  tr -d '"' >"$work/scores.txt"

awk '
  FNR == NR { arr[$1] = $2; users[$1] = $3; next }
  {
    id = $1; h = $2; g = $3; n++
    if (g == "good") { good++; if (arr[id] != "") good_arr += arr[id] }
    if (g == "bad" && arr[id] != "") { bad_arr += arr[id]; any_bad = 1 }
    if (arr[id] != "") all_arr += arr[id]
    if (users[id] != "") { susers += users[id]; any_users = 1 }
    if (h != "null") {
      nh++; sh += h; hs[nh] = h
      if (nh == 1 || h < mn) mn = h
      if (g != "bad" && g != "null" && (nmx == 0 || h > mx)) { mx = h; nmx = 1 }
    }
  }
  END {
    # insertion-free median: sort the health values
    m = nh; for (i = 1; i <= m; i++) v[i] = hs[i]
    asort_n(v, m)
    med = m == 0 ? "null" : (m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2)
    printf "k_n %.17g\n", n
    printf "k_good %s\n", n ? sprintf("%.17g", good / n) : "null"
    printf "k_bad_arr %s\n", any_bad ? sprintf("%.17g", bad_arr) : "null"
    printf "k_avg %s\n", nh ? sprintf("%.17g", sh / nh) : "null"
    printf "k_min %s\n", nh ? sprintf("%.17g", mn) : "null"
    printf "k_max %s\n", nmx ? sprintf("%.17g", mx) : "null"
    printf "k_median %s\n", med == "null" ? med : sprintf("%.17g", med)
    printf "k_users %s\n", any_users ? sprintf("%.17g", susers) : "null"
    printf "k_ratio %s\n", all_arr ? sprintf("%.17g", good_arr / all_arr) : "null"
  }
  function asort_n(a, n,   i, j, t, gap) {
    for (gap = int(n / 2); gap > 0; gap = int(gap / 2))
      for (i = gap + 1; i <= n; i++) {
        t = a[i]
        for (j = i; j > gap && a[j - gap] > t; j -= gap) a[j] = a[j - gap]
        a[j] = t
      }
  }
' "$work/inputs.txt" "$work/scores.txt" >"$work/want.txt"

awk '
  FNR == NR { want[$1] = $2; next }
  { got[$1] = $2 }
  END {
    pass = 0; fail = 0
    for (k in want) {
      w = want[k]; g = got[k]
      ok = (w == "null" || g == "null") ? (w == g) : ((w - g) <= 1e-9 * (w < 0 ? -w : w) + 1e-12 && (g - w) <= 1e-9 * (w < 0 ? -w : w) + 1e-12)
      if (ok) pass++; else { fail++; printf "FAIL %s: report %s, recomputed %s\n", k, g, w }
    }
    if (pass + fail != 9) { fail++; print "FAIL: expected 9 KPIs, found " pass + fail }
    printf "kpi-recompute: %d passed, %d failed\n", pass, fail
    exit fail > 0
  }
' "$work/want.txt" "$work/got.txt"
