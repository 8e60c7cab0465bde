#!/usr/bin/env python3
"""aiueo_peer.py — rules/aiueo.kenko written by hand in plain Python
(standard library only), for `make bench`: what kenko is compared with
when it says how much faster it is than "a script". It reads the same CSV
(header row; LF or CRLF) and writes what `kenko run --format csv` writes
for each account up to the bottleneck column (id, persona, health, grade,
each dimension's score and grade, flags, bottleneck). Lists cannot come
from CSV, so the tickets input is always missing, as in kenko.

    aiueo_peer.py FILE.csv AS_OF      (AS_OF: YYYY-MM-DD)

tests/bench/run-scoring.sh checks that it gives kenko's output on the
sample accounts (rules/sample/accounts.csv) before timing it.
"""
import csv
import datetime
import math
import sys

DAY0 = datetime.date(1970, 1, 1)
NUMBERS = """arr seats seats_initial support_contacts operators active_users logins_30d core_features_used
report_views_30d nps_score regular_meetings_90d cs_touches_90d leads_actual leads_goal goals_set
goals_met""".split()
BOOLS = """churned kickoff_done training_done setup_done executive_sponsor roi_reported case_study_published
expansion_proposed""".split()
DATES = ["contract_start", "renewal_date"]
REQUIRED = """id plan arr contract_start seats support_contacts operators setup_done active_users""".split()
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "1"), ("false", "no", "0")
DEFAULTS = {"good_active_ratio": 0.6, "fair_active_ratio": 0.3, "target_logins_per_seat": 8,
            "min_report_views": 4, "min_regular_meetings": 3}
TOP_GRADES = ((70, "good"), (40, "normal"))
IMPLEMENTATION_GRADES = ((80, "good"), (50, "normal"))
PERSONAS = {
    "loyal": ({"good_active_ratio": 0.8, "fair_active_ratio": 0.5, "target_logins_per_seat": 12,
               "min_report_views": 8}, {"implementation": 10, "outcome": 30}, None),
    "onboard": ({"good_active_ratio": 0.4, "fair_active_ratio": 0.15, "target_logins_per_seat": 4,
                 "min_regular_meetings": 2}, {"implementation": 40, "outcome": 0},
                ((60, "good"), (30, "normal"))),
    "active": ({}, {}, None),
}
WEIGHTS = {"account": 10, "implementation": 20, "utilization": 30, "engagement": 20, "outcome": 20}


def convert(name, text):
    """A cell as its input's type; None when empty (missing)."""
    text = text.strip()
    if text == "":
        return None
    if name in NUMBERS:
        return float(text)
    if name in BOOLS:
        word = text.lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValueError(f"expected bool, got {text!r}")
    if name in DATES:
        y, m, d = text.replace("/", "-").split("-")
        return (datetime.date(int(y), int(m), int(d)) - DAY0).days
    return text


def div(a, b):
    return None if a is None or b is None or b == 0 else a / b


def ge(a, b):
    return None if a is None or b is None else a >= b


def ne(a, b):
    return None if a is None or b is None else a != b


def eq(a, b):
    return None if a is None or b is None else a == b


def and_(*xs):
    """Kleene and: false wins, then missing."""
    if any(x is False for x in xs):
        return False
    return None if any(x is None for x in xs) else True


def rule(cond):
    return None if cond is None else (100.0 if cond else 0.0)


def scale(x, lo, hi):
    if x is None:
        return None
    s = (x - lo) / (hi - lo) * 100
    return 0.0 if s < 0 else 100.0 if s > 100 else s


def bands(x, steps):
    """The first band whose bound x reaches (x missing: N/A)."""
    if x is None:
        return None
    for bound, points in steps:
        if x >= bound:
            return float(points)
    return 0.0


def round_half_away(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def rollup(members):
    """Σ(w·s)/Σw over the members that are not N/A; None when all are."""
    total = weights = 0.0
    for weight, score in members:
        if score is not None:
            total += weight * score
            weights += weight
    return None if weights == 0 else total / weights


def grade_of(score, grades):
    if score is None:
        return None
    for bound, name in grades:
        if score >= bound:
            return name
    return "bad"


def number_text(x):
    if x is None:
        return ""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def score(a, as_of):
    tenure = as_of - a["contract_start"]
    to_renewal = None if a["renewal_date"] is None else a["renewal_date"] - as_of
    seats = a["seats"]
    if a["plan"] == "enterprise":
        required_ops = max(2, round_half_away(seats / 50))
    else:
        required_ops = 2
    active_ratio = div(a["active_users"], seats)
    logins_per_seat = div(a["logins_30d"], seats)
    lead_attainment = div(a["leads_actual"], a["leads_goal"])
    goal_progress = div(a["goals_met"], a["goals_set"])

    loyal = and_(tenure >= 365, ge(active_ratio, 0.7), ge(a["core_features_used"], 3))
    persona = "loyal" if loyal else "onboard" if tenure < 90 else "active"
    overrides, weight_overrides, persona_grades = PERSONAS[persona]
    t = dict(DEFAULTS, **overrides)
    grades = persona_grades or TOP_GRADES

    def either(x):
        return False if x is None else x

    dims = {}
    dims["account"] = rollup([
        (1, rule(a["name"] is not None and a["industry"] is not None and a["renewal_date"] is not None)),
        (0 if persona == "onboard" else 1, scale(tenure, 0, 730)),
        (1, rule(ge(seats, a["seats_initial"]))),
    ])
    dims["implementation"] = rollup([
        (1, rule(a["support_contacts"] >= 1)),
        (2, rule(a["operators"] >= required_ops)),
        (1, rule(either(a["kickoff_done"]))),
        (1, rule(either(a["training_done"]))),
        (2, rule(a["setup_done"])),
    ])
    dims["utilization"] = rollup([
        (2, bands(active_ratio, ((t["good_active_ratio"], 100), (t["fair_active_ratio"], 50)))),
        (1, scale(logins_per_seat, 0, t["target_logins_per_seat"])),
        (1, scale(a["core_features_used"], 0, 3)),
        (1, rule(ge(a["report_views_30d"], t["min_report_views"]))),
    ])
    dims["engagement"] = rollup([
        (1, bands(a["nps_score"], ((9, 100), (7, 50)))),
        (1, rule(ge(a["regular_meetings_90d"], t["min_regular_meetings"]))),
        (1, scale(a["cs_touches_90d"], 0, 6)),
        (2, rule(either(a["executive_sponsor"]))),
        (1, None),  # no_stale_tickets: no ticket list from CSV
    ])
    dims["outcome"] = rollup([
        (2, bands(lead_attainment, ((1.0, 100), (0.8, 70), (0.5, 30)))),
        (1, scale(goal_progress, 0, 1)),
        (1, rule(either(a["roi_reported"]))),
        (1, rule(either(a["case_study_published"]))),
    ])
    weights = dict(WEIGHTS, **weight_overrides)
    health = rollup([(weights[d], s) for d, s in dims.items() if weights[d] > 0])
    grade = grade_of(health, grades)
    dim_grades = {d: grade_of(s, IMPLEMENTATION_GRADES if d == "implementation" else grades)
                  for d, s in dims.items()}

    touches = a["cs_touches_90d"]
    flags = []
    if and_(ge(touches, 8), eq(dim_grades["utilization"], "bad")):
        flags.append("touch_no_usage")
    if and_(persona != "onboard", eq(dim_grades["utilization"], "good"), eq(dim_grades["outcome"], "bad")):
        flags.append("usage_no_outcome")
    expansion = either(a["expansion_proposed"])
    if and_(eq(dim_grades["outcome"], "good"), not expansion):
        flags.append("outcome_no_expansion")
    if and_(ge(to_renewal, 0), None if to_renewal is None else to_renewal <= 180, eq(grade, "bad")):
        flags.append("renewal_risk")

    high = a["arr"] >= 6_000_000
    steps = (
        ("accompany", ge(touches, 3 if high else 1)),
        ("process", and_(ne(dim_grades["implementation"], "bad"), ne(dim_grades["utilization"], "bad"))),
        ("success", and_(ne(dim_grades["engagement"], "bad"), ne(dim_grades["outcome"], "bad"))),
        ("mission", and_(not either(a["churned"]), expansion)),
    )
    bottleneck = next((name for name, passed in steps if passed is not True), "")

    cells = [a["id"], persona, number_text(health), grade or ""]
    for d, s in dims.items():
        cells += [number_text(s), dim_grades[d] or ""]
    cells += [";".join(flags), bottleneck]
    return cells


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: aiueo_peer.py FILE.csv AS_OF")
    as_of = (datetime.date.fromisoformat(sys.argv[2]) - DAY0).days
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["id", "persona", "health", "grade"] +
                 [c for d in WEIGHTS for c in (d, d + "_grade")] + ["flags", "bottleneck"])
    scored = rejected = 0
    with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        for row in reader:
            try:
                a = {name: convert(name, row.get(column, ""))
                     for name, column in COLUMNS}
                if any(a[name] is None for name in REQUIRED):
                    raise ValueError("missing required value")
            except ValueError as e:
                print(f"{sys.argv[1]}:{reader.line_num}: {e}", file=sys.stderr)
                rejected += 1
                continue
            out.writerow(score(a, as_of))
            scored += 1
    print(f"{scored} accounts scored, {rejected} rejected", file=sys.stderr)


COLUMNS = [(n, n) for n in ["id", "name", "plan"] + NUMBERS + BOOLS + DATES] + [("industry", "業種")]

if __name__ == "__main__":
    main()
