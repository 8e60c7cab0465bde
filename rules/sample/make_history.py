#!/usr/bin/env python3
"""make_history.py — writes the sample history for rules/aiueo-history.kenko.

    python3 rules/sample/make_history.py     # rewrites rules/sample/history/*.csv

Twelve monthly exports of the 40 sample accounts, one CSV per month-end
snapshot (2025-12-31 … 2026-11-30), dated by the file name as kenko's
`history` reads them (LANGUAGE.md §6): history/accounts-2026-01-31.csv.
The columns are those of accounts.csv (make_sample.py); the last month
holds the sample accounts' own values (accounts.csv, apart from the two
accounts that churned and left earlier).

The data is SYNTHETIC. Each account follows a story chosen below, so the
history shows on purpose what the trend rules look for:

  stable     the sample values every month, with a little noise in usage
  declining  a healthier profile a year ago, usage and engagement falling
             month on month over the last months
  churn      declines from early in the year and is marked churned in the
             month it leaves; two of them (acct-0013, acct-0021) are absent
             from the exports after that month
  drop       healthy until October, a sudden fall in November
             ("health fell 15+ points in a month")
  improving  a weaker profile a year ago, getting better all year
  downgrade  acct-0023: enterprise until October, pro (fewer seats, lower
             ARR) from November (`previous(plan)`)
  new        contract started during the year: absent before its start

Renewal dates roll back a year at a time, so each month's export holds the
next renewal after that month's end. NPS is surveyed quarterly (February,
May, August, November); the export holds the latest answer.

Output is deterministic: the noise comes from random.Random seeded by the
account and the month, so the same script always writes the same bytes.
Standard library only.
"""

import csv
import datetime
import io
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_sample  # noqa: E402  (the 40 accounts and their profiles)

MONTH_ENDS = [
    datetime.date(2025, 12, 31), datetime.date(2026, 1, 31),
    datetime.date(2026, 2, 28), datetime.date(2026, 3, 31),
    datetime.date(2026, 4, 30), datetime.date(2026, 5, 31),
    datetime.date(2026, 6, 30), datetime.date(2026, 7, 31),
    datetime.date(2026, 8, 31), datetime.date(2026, 9, 30),
    datetime.date(2026, 10, 31), datetime.date(2026, 11, 30),
]
LAST = len(MONTH_ENDS) - 1
SURVEY_MONTHS = (2, 5, 8, 11)  # indexes of Feb, May, Aug, Nov

# id number -> (story, the profile a year ago, first month of the change)
STORIES = {
    3: ("declining", "average", 5),
    16: ("declining", "steady", 4),
    18: ("declining", "average", 6),
    23: ("declining", "steady", 3),
    8: ("churn", "average", 2),
    13: ("churn", "average", 1),
    21: ("churn", "steady", 2),
    28: ("churn", "average", 3),
    33: ("churn", "steady", 3),
    38: ("churn", "steady", 2),
    9: ("drop", "steady", LAST),
    7: ("drop", "loyal", LAST),
    11: ("improving", "average", 0),
    31: ("improving", "average", 0),
    36: ("improving", "average", 2),
    12: ("improving", "struggling", 4),
}
# churners that leave: the month (index) of their last export
LEAVES = {13: 7, 21: 10}
# usage overrides of the final state, left out of the state a year ago
USAGE = {"active", "logins", "core_features_used", "report_views_30d",
         "nps_score", "regular_meetings_90d", "cs_touches_90d", "lead_rate",
         "goals_met", "roi_reported", "training_done", "setup_done",
         "executive_sponsor", "case_study_published", "expansion_proposed"}
# fields that move month to month (numbers blended, bools switched)
MOVING = ["support_contacts", "operators", "training_done", "setup_done",
          "active_users", "logins_30d", "core_features_used",
          "report_views_30d", "nps_score", "regular_meetings_90d",
          "cs_touches_90d", "executive_sponsor", "leads_actual", "goals_met",
          "roi_reported", "case_study_published", "expansion_proposed"]


def parse_date(text):
    return datetime.date.fromisoformat(text) if text else None


def minus_year(d):
    """D one year earlier (29 February becomes 28 February)."""
    if d.month == 2 and d.day == 29:
        return datetime.date(d.year - 1, 2, 28)
    return datetime.date(d.year - 1, d.month, d.day)


def renewal_at(final, when):
    """The next renewal after WHEN of a contract renewing on FINAL's day."""
    if final is None:
        return None
    r = final
    while minus_year(r) > when:
        r = minus_year(r)
    return r


def year_ago_state(row, profile):
    """The account as it was a year ago: PROFILE instead of its own, its
    usage overrides left out (identity fields kept)."""
    (num, name, industry, plan, arr, start, renewal, seats, seats_initial,
     _profile, overrides) = row
    kept = {k: v for k, v in overrides.items() if k not in USAGE}
    if "lead_rate" not in make_sample.PROFILES[profile]:
        kept["lead_rate"] = 0.2  # a goal set, few leads yet
    return make_sample.build_account((num, name, industry, plan, arr, start,
                                      renewal, seats, seats_initial, profile,
                                      kept))


def progress(story, first, k, last):
    """How far (0..1) the account has moved from its year-ago state to its
    final state in month K."""
    if story == "stable":
        return 1.0
    if story == "drop":
        return 1.0 if k >= last else 0.0
    if k < first:
        return 0.0
    if last <= first:
        return 1.0
    return min(1.0, (k - first + 1) / (last - first + 1))


def blend(old, new, s):
    """A value S of the way from OLD to NEW (numbers rounded; other values
    switch at half way; a missing end gives the other end's value)."""
    if old is None or new is None:
        return new if s >= 0.5 or old is None else old
    if isinstance(new, bool) or not isinstance(new, (int, float)):
        return new if s >= 0.5 else old
    return round(old + (new - old) * s)


def month_state(row, k, final, ago, story, first):
    """Account ROW's export in month K, or None when it is absent."""
    num = row[0]
    when = MONTH_ENDS[k]
    start = parse_date(final["contract_start"])
    if start > when:
        return None
    last = LEAVES.get(num, LAST)
    if k > last:
        return None
    acct = dict(final)
    if start > MONTH_ENDS[0]:
        # new this year: ramps up from a slow onboarding over its months
        story = "improving"
        months = [i for i in range(LAST + 1) if MONTH_ENDS[i] >= start]
        first = months[0]
        ago = year_ago_state(row, "onboard_slow")
    s = progress(story, first, k, last)
    survey = max([m for m in SURVEY_MONTHS if m <= k], default=-1)
    s_survey = progress(story, first, survey, last) if survey >= 0 else 0.0
    for col in MOVING:
        acct[col] = blend(ago[col], final[col], s_survey if col == "nps_score" else s)
    if k < last:
        rng = random.Random(num * 100 + k)
        seats = acct["seats"]
        for col, spread in (("active_users", 0.06), ("logins_30d", 0.1)):
            if acct[col] is not None:
                acct[col] = max(0, round(acct[col] * (1 + spread * (2 * rng.random() - 1))))
        acct["active_users"] = min(acct["active_users"], seats)
    if num == 23 and k < LAST:  # the downgrade: enterprise until October
        acct["plan"] = "enterprise"
        acct["arr"] = 6_000_000
        acct["seats"] = 100
        acct["active_users"] = round(acct["active_users"] * 100 / 70)
        acct["logins_30d"] = round(acct["logins_30d"] * 100 / 70)
    acct["churned"] = story == "churn" and k == last if final["churned"] is not None else None
    renewal = renewal_at(parse_date(final["renewal_date"]), when)
    acct["renewal_date"] = renewal.isoformat() if renewal else None
    return acct


def write_month(accounts, path):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(make_sample.COLUMNS)
    for acct in accounts:
        writer.writerow([make_sample.cell(acct[c]) for c in make_sample.COLUMNS])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.join(here, "history")
    os.makedirs(outdir, exist_ok=True)
    months = [[] for _ in MONTH_ENDS]
    for row in make_sample.ACCOUNTS:
        num = row[0]
        story, before, first = STORIES.get(num, ("stable", None, LAST))
        final = make_sample.build_account(row)
        ago = year_ago_state(row, before) if before else final
        for k in range(LAST + 1):
            acct = month_state(row, k, final, ago, story, first)
            if acct is not None:
                months[k].append(acct)
    for k, when in enumerate(MONTH_ENDS):
        write_month(months[k], os.path.join(outdir, "accounts-%s.csv" % when.isoformat()))


if __name__ == "__main__":
    main()
