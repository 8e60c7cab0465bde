#!/bin/sh
# An independent check of `kenko validate`: scores the telecom churn data
# (rules/sample/mlc_churn.csv beside the repository) with
# tests/data/telco_validate.kenko through `kenko run` (csv and jsonl),
# recomputes the figures in Python by other methods — AUC by mid-ranks
# (the rank-sum formula) and by O(n²) pair counting, rates and Wilson
# intervals from the rows — and compares them with
# `kenko validate --format json` to 1e-9. Last line
# "validate-check: N passed, N failed".
# Usage: tests/validate-check.sh path/to/kenko
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/rules/sample/mlc_churn.csv"
rules="$root/tests/data/telco_validate.kenko"
if [ ! -f "$data" ]; then
  echo "validate-check: $data not found (it is part of the repository)"
  echo "validate-check: 0 passed, 1 failed"
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "skip: validate-check: python3 is not installed"
  echo "validate-check: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
as_of=2026-11-22
for f in csv jsonl; do
  if ! "$kenko" run "$rules" "$data" --as-of $as_of --format $f >"$work/run.$f" 2>"$work/run.err"; then
    cat "$work/run.err"
    echo "validate-check: kenko run --format $f failed"
    echo "validate-check: 0 passed, 1 failed"
    exit 1
  fi
done
if ! "$kenko" validate "$rules" "$data" --as-of $as_of --format json >"$work/validate.json" 2>"$work/validate.err"; then
  cat "$work/validate.err"
  echo "validate-check: kenko validate failed"
  echo "validate-check: 0 passed, 1 failed"
  exit 1
fi

python3 - "$data" "$work/run.csv" "$work/run.jsonl" "$work/validate.json" <<'EOF'
import csv, json, math, sys
from fractions import Fraction

data_path, run_csv, run_jsonl, validate_json = sys.argv[1:5]
passed = failed = 0

def check(name, got, want, tol=1e-9):
    global passed, failed
    if want is None or got is None:
        ok = want is None and got is None
    elif isinstance(want, int) and isinstance(got, int):
        ok = got == want
    else:
        ok = abs(got - want) <= tol
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: kenko {got!r}, recomputed {want!r}")

# The outcome, by the line each customer starts on (no quoted newlines
# in this file, so line = 1-based record number + 1 for the header).
churn = {}
with open(data_path, newline="") as f:
    reader = csv.DictReader(f)
    for i, row in enumerate(reader):
        churn[i + 2] = {"yes": True, "no": False}[row["churn"].strip().lower()]

def line_of(account_id):
    return int(account_id.rsplit(":", 1)[1])

rows = []
with open(run_csv, newline="") as f:
    for row in csv.DictReader(f):
        row["outcome"] = churn[line_of(row["id"])]
        rows.append(row)

def auc_midrank(pairs):
    """Rank-sum (Mann-Whitney) with mid-ranks for ties, in exact fractions."""
    pairs = sorted(pairs, key=lambda p: p[0])
    n = len(pairs)
    rank_sum_without = Fraction(0)
    i = 0
    while i < n:
        j = i
        while j < n and pairs[j][0] == pairs[i][0]:
            j += 1
        mid = Fraction(i + 1 + j, 2)          # ranks i+1 .. j, averaged
        rank_sum_without += mid * sum(1 for k in range(i, j) if not pairs[k][1])
        i = j
    n0 = sum(1 for p in pairs if not p[1])
    n1 = n - n0
    if n0 == 0 or n1 == 0:
        return None
    u = rank_sum_without - Fraction(n0 * (n0 + 1), 2)
    return float(u / (n0 * n1))

def auc_pairs(pairs):
    """O(n²) pair counting: P(without > with) + ½ P(equal)."""
    without = [s for s, o in pairs if not o]
    with_ = [s for s, o in pairs if o]
    if not without or not with_:
        return None
    total = 0
    for s in without:
        for t in with_:
            total += 2 if s > t else 1 if s == t else 0
    return total / (2 * len(without) * len(with_))

def score_pairs(column, subset=None):
    out = []
    for row in rows if subset is None else subset:
        if row[column] != "":
            out.append((float(row[column]), row["outcome"]))
    return out

v = json.load(open(validate_json))
check("accounts", v["accounts"], len(rows))
check("used", v["used"], len(rows))
check("with_outcome", v["with_outcome"], sum(r["outcome"] for r in rows))

health = score_pairs("health")
check("health auc (mid-ranks)", v["health"]["auc"], auc_midrank(health))
check("health auc (pairs)", v["health"]["auc"], auc_pairs(health))
check("health with_outcome", v["health"]["with_outcome"], sum(o for _, o in health))
check("health without_outcome", v["health"]["without_outcome"], sum(not o for _, o in health))

for dim in v["dimensions"]:
    pairs = score_pairs(dim["name"])
    check(f"{dim['name']} auc (mid-ranks)", dim["auc"], auc_midrank(pairs))
    check(f"{dim['name']} accounts", dim["accounts"], len(pairs))

for persona in v["personas"]:
    subset = [r for r in rows if r["persona"] == (persona["name"] or "")]
    pairs = score_pairs("health", subset)
    check(f"persona {persona['name']} auc (mid-ranks)", persona["auc"], auc_midrank(pairs))
    check(f"persona {persona['name']} accounts", persona["accounts"], len(pairs))

Z = 1.959963984540054
def wilson(k, n):
    p = k / n
    denom = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denom
    return (0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half))

grades = {}
for r in rows:
    g = grades.setdefault(r["grade"] or None, [0, 0])
    g[0] += 1
    g[1] += r["outcome"]
seen = set()
for g in v["grades"]:
    n, k = grades.get(g["grade"], [0, 0])
    seen.add(g["grade"])
    check(f"grade {g['grade']} accounts", g["accounts"], n)
    check(f"grade {g['grade']} with_outcome", g["with_outcome"], k)
    check(f"grade {g['grade']} rate", g["rate"], k / n if n else None)
    if n:
        low, high = wilson(k, n)
        check(f"grade {g['grade']} low", g["low"], low)
        check(f"grade {g['grade']} high", g["high"], high)
    check(f"grade {g['grade']} small", g["small"], n < 30)
check("every grade in the rows is listed", int(set(grades) <= seen), 1)

# Rule members: fail/pass outcome rates and lift, from the jsonl rows.
stats = {}
with open(run_jsonl) as f:
    for line in f:
        acct = json.loads(line)
        outcome = churn[line_of(acct["id"])]
        for dim in acct["dimensions"]:
            for m in dim["members"]:
                if m["kind"] != "rule":
                    continue
                s = stats.setdefault((dim["name"], m["name"]), {"fail": [0, 0], "pass": [0, 0], "n/a": [0, 0]})
                s[m["status"]][0] += 1
                s[m["status"]][1] += outcome
for m in v["members"]:
    s = stats[(m["dimension"], m["member"])]
    name = f"{m['dimension']}.{m['member']}"
    for side in ("fail", "pass"):
        n, k = s[side]
        check(f"{name} {side} accounts", m[side]["accounts"], n)
        check(f"{name} {side} rate", m[side]["rate"], k / n if n else None)
    check(f"{name} n/a", m["na"], s["n/a"][0])
    rf = s["fail"][1] / s["fail"][0] if s["fail"][0] else None
    rp = s["pass"][1] / s["pass"][0] if s["pass"][0] else None
    check(f"{name} lift", m["lift"], rf / rp if rf is not None and rp else None)

print(f"validate-check: health AUC {v['health']['auc']:.6f} over {len(health)} accounts, "
      f"{sum(o for _, o in health)} churned")
print(f"validate-check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
