#!/bin/sh
# Property test of `kenko effect` (LANGUAGE.md §7) with a planted effect:
# generated histories (awk, one seed each) of N accounts over 10 monthly
# snapshots (2025-12-31 … 2026-09-30), health = the mean of two usage
# inputs with a little noise each month, where
#   - tag `boost` is given to a third of the accounts on 2026-01-10, and
#     from 2026-03-31 on their two inputs are PLANTED points higher (so
#     their health rises by PLANTED against the others: before 2025-12-31,
#     after 2026-04-30, the first snapshot 90 days on);
#   - tag `none` is given to another third on 2026-05-10 and changes
#     nothing (before 2026-04-30, after 2026-08-31: a window in which no
#     account's level moves, so the boosted accounts, which may be its
#     controls, do not bias it).
# Per seed: the `boost` effect is positive, its 95% interval excludes 0,
# and it is within 2 points of PLANTED (no clamping: the inputs stay below
# 85 before the boost); the `none` interval includes 0 in most seeds — the
# share over the seeds is printed and must be over half. It is below 95%,
# and that is §7's method, not noise: every event of a tag here has the
# same before and after snapshots and so the same controls, whose mean
# change is shared by all the differences; the interval, mean ± 1.96·s/√n
# of the differences, leaves that shared part's variance out (with twice as
# many controls as events, the true spread is about 1.22 times the
# interval's, so about 89% is expected). docs/effect.md says so.
# Only POSIX sh and awk. Ends with "property-effect: N passed, N failed".
# Usage: tests/property-effect.sh path/to/kenko   (PROPERTY_EFFECT_SEEDS=N, default 100)
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
seeds=${PROPERTY_EFFECT_SEEDS:-100}
n=${PROPERTY_EFFECT_ACCOUNTS:-240}
planted=15
cd "$(dirname "$0")/.." || exit 2
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
not_ok() { fail=$((fail + 1)); echo "FAIL $1"; }

cat >"$work/rules.kenko" <<'RULES'
input id: text key
input usage: number
input logins: number
dimension use {
  score u : clamp(usage, 0, 100)
  score l : clamp(logins, 0, 100)
}
grades {
  good >= 0
  bad  otherwise
}
RULES
# (one grade for every account: each event's controls are all the accounts
# not given the tag, the widest comparison)

none_covered=0
for seed in $(awk -v n="$seeds" 'BEGIN { for (i = 1; i <= n; i++) print i }'); do
  rm -f "$work"/acct-*.csv
  awk -v seed="$seed" -v n="$n" -v planted="$planted" -v dir="$work" '
    BEGIN {
      srand(seed)
      split("2025-12-31 2026-01-31 2026-02-28 2026-03-31 2026-04-30 2026-05-31 2026-06-30 2026-07-31 2026-08-31 2026-09-30", d, " ")
      for (i = 1; i <= n; i++) { u[i] = 20 + 60 * rand(); l[i] = 20 + 60 * rand(); g[i] = i % 3 }
      print "id,date,action" > (dir "/actions.csv")
      for (i = 1; i <= n; i++) {
        if (g[i] == 0) print "a" i ",2026-01-10,boost" > (dir "/actions.csv")
        if (g[i] == 1) print "a" i ",2026-05-10,none" > (dir "/actions.csv")
      }
      for (s = 1; s <= 10; s++) {
        f = dir "/acct-" d[s] ".csv"
        print "id,usage,logins" > f
        for (i = 1; i <= n; i++) {
          up = (g[i] == 0 && s >= 4) ? planted : 0
          printf "a%d,%.2f,%.2f\n", i, u[i] + up + 4 * (rand() - 0.5), l[i] + up + 4 * (rand() - 0.5) > f
        }
        close(f)
      }
    }'
  "$kenko" effect "$work/rules.kenko" "$work"/acct-*.csv --actions "$work/actions.csv" --format json \
    >"$work/out.json" 2>"$work/err"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    not_ok "seed $seed: kenko effect exits $rc"
    cat "$work/err"
    continue
  fi
  # the two tags' effect and interval, in log order: boost, then none
  awk -v seed="$seed" -v planted="$planted" '
    {
      s = $0
      while (match(s, /"action":"[a-z]*","events":[0-9]*,"used":[0-9]*[^]]*"interval":\[[-0-9.e+]*,[-0-9.e+]*\]/)) {
        t = substr(s, RSTART, RLENGTH)
        s = substr(s, RSTART + RLENGTH)
        name = t; sub(/^"action":"/, "", name); sub(/".*/, "", name)
        e = t; sub(/.*"effect":/, "", e); sub(/,.*/, "", e)
        iv = t; sub(/.*"interval":\[/, "", iv); sub(/\]$/, "", iv); split(iv, b, ",")
        print name, e, b[1], b[2]
      }
    }' "$work/out.json" >"$work/tags"
  boost=$(awk '$1 == "boost"' "$work/tags")
  none=$(awk '$1 == "none"' "$work/tags")
  if [ -z "$boost" ] || [ -z "$none" ]; then
    not_ok "seed $seed: both tags with an interval in the JSON"
    continue
  fi
  # shellcheck disable=SC2086
  set -- $boost
  if awk -v e="$2" -v lo="$3" -v p="$planted" 'BEGIN { exit !(e > 0 && lo > 0 && e > p - 2 && e < p + 2) }'; then
    ok
  else
    not_ok "seed $seed: boost effect $2, interval $3 .. $4 (planted +$planted: positive, excludes 0, within 2 points)"
  fi
  # shellcheck disable=SC2086
  set -- $none
  if awk -v lo="$3" -v hi="$4" 'BEGIN { exit !(lo <= 0 && hi >= 0) }'; then none_covered=$((none_covered + 1)); fi
done
share=$(awk -v c="$none_covered" -v s="$seeds" 'BEGIN { printf "%.0f", 100 * c / s }')
echo "property-effect: the no-effect tag's 95% interval includes 0 in $none_covered of $seeds seeds ($share%)"
if [ "$share" -gt 50 ]; then ok; else not_ok "the no-effect tag's interval includes 0 in only $share% of the seeds (want most)"; fi
echo "property-effect: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
