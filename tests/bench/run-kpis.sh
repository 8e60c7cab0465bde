#!/bin/sh
# KPIs' cost (LANGUAGE.md §10, issue 19): `kenko report` with 10 KPIs over
# 1,000,000 accounts against the same report without any KPI (target:
# within 1.2×), and both peaks (a median keeps 8 bytes an account with a
# value; the other aggregates keep nothing per account), and their CPU
# times (the least of 3 runs each) as a ratio. Run by
# tests/bench/run.sh (make bench); prints figures, asserts nothing.
# Data: BUILD/bench/accounts.csv as in run-report.sh.
# Usage: tests/bench/run-kpis.sh BUILD   (KENKO_BENCH_ACCOUNTS=N for another size)
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
kenko="$build/kenko"
work="$build/bench"
mkdir -p "$work"
n=${KENKO_BENCH_ACCOUNTS:-1000000}
. tests/bench/lib.sh
bench_accounts "$n"

# the reference scorecard without its KPIs (each `kpi` declaration runs to
# the next blank line) and its tests (some test the KPIs), then with these 10
awk '/^kpi /{skip=1} skip&&/^$/{skip=0} /^test /{t=1} !skip&&!t; t&&/^}/{t=0}' rules/aiueo.kenko >"$work/no-kpis.kenko"
cp "$work/no-kpis.kenko" "$work/ten-kpis.kenko"
cat >>"$work/ten-kpis.kenko" <<'KPIS'
kpi good_share "グッド構成比" = share(accounts where grade == good) target >= 60%
kpi onboarded "オンボーディング完了率" =
    count(accounts where tenure_days >= onboarding_days and implementation.grade != bad)
    / count(accounts where tenure_days >= onboarding_days) target >= 80%
kpi active_users "アクティブユーザー数" = sum(active_users) target >= 1_500
kpi risk_arr "リスクARR" = sum(arr where grade == bad) target <= 20_000_000
kpi n "顧客数" = count(accounts)
kpi arr_total "ARR合計" = sum(arr)
kpi health_avg "平均ヘルススコア" = avg(health)
kpi health_med "ヘルススコア中央値" = median(health)
kpi seats_max "最大席数" = max(seats where plan == "enterprise")
kpi flagged_share "要対応の割合" = share(accounts where flagged(renewal_risk) or flagged(usage_no_outcome))
KPIS
if [ "$(grep -c '^kpi ' "$work/no-kpis.kenko")" != 0 ] || ! "$kenko" check "$work/no-kpis.kenko" >/dev/null 2>&1 ||
  ! "$kenko" check "$work/ten-kpis.kenko" >/dev/null 2>&1; then
  echo "bench: the KPI rule files are not as meant" >&2
  exit 1
fi

# cpu_secs RULES: the user + system time of a report, the least of 3 runs
# (the wall clock of a shared machine can be mostly waiting, and the CPU
# time of one run moves too)
cpu_secs() {
  for r in 1 2 3; do
    /usr/bin/time -f '%U %S' -o "$work/cpu.out" "$kenko" report "$1" "$data" --as-of 2026-11-22 >/dev/null 2>&1
    cat "$work/cpu.out"
  done | awk '{ c = $1 + $2; if (NR == 1 || c < m) m = c } END { printf "%.2f", m }'
}

echo "== KPIs: report with 10 KPIs against without, $have accounts ($data)"
measure "$kenko" report "$work/no-kpis.kenko" "$data" --as-of 2026-11-22
base=$secs
cpu_base=$(cpu_secs "$work/no-kpis.kenko")
echo "kenko report, no KPI:   $secs s ($(rate "$secs") accounts/s, cpu $cpu_base s), peak $(mb "$peak_kb") MB"
measure "$kenko" report "$work/ten-kpis.kenko" "$data" --as-of 2026-11-22
cpu=$(cpu_secs "$work/ten-kpis.kenko")
echo "kenko report, 10 KPIs:  $secs s ($(rate "$secs") accounts/s, cpu $cpu s), peak $(mb "$peak_kb") MB;" \
  "$(ratio "$secs" "$base")x without, cpu $(ratio "$cpu" "$cpu_base")x (target: within 1.2x)"
exit 0
