#!/usr/bin/env python3
"""make_sample.py — writes the sample accounts for rules/aiueo.kenko.

    python3 rules/sample/make_sample.py        # rewrites accounts.yaml and accounts.csv

Both files hold the same 40 accounts (as of 2026-11-22), generated from the
one table below, so they never drift apart. Output is deterministic: the
same script always writes the same bytes. Standard library only.

The CSV cannot hold list inputs, so the support tickets (`tickets`, an
optional list input) appear in the YAML only, for a few accounts. Every
other field is the same in both files, so an account without tickets
scores identically from either file; an account with tickets differs only
in the member `engagement.no_stale_tickets` (N/A from the CSV).

A missing value is an absent key in the YAML and an empty cell in the CSV.
"""

import csv
import io
import os

# The data columns in file order. `業種` is the column of the `industry`
# input (`from "業種"`), `担当CSM` of `csm` (a `kept` input: read for
# `report --by input csm`, used by no rule).
COLUMNS = [
    "id", "name", "plan", "arr", "contract_start", "renewal_date", "seats",
    "seats_initial", "業種", "担当CSM", "churned",
    "support_contacts", "operators", "kickoff_done", "training_done",
    "setup_done",
    "active_users", "logins_30d", "core_features_used", "report_views_30d",
    "nps_score", "regular_meetings_90d", "cs_touches_90d", "executive_sponsor",
    "leads_actual", "leads_goal", "goals_set", "goals_met", "roi_reported",
    "case_study_published", "expansion_proposed",
]

# Typical values per profile; each account below starts from one profile
# and overrides what differs. Ratios are turned into counts from `seats`:
# active (share of seats active), logins (logins per seat in 30 days).
PROFILES = {
    # long-standing, proficient, results visible
    "loyal": dict(
        support_contacts=3, operators=3, kickoff_done=True, training_done=True,
        setup_done=True, active=0.82, logins=13, core_features_used=4,
        report_views_30d=12, nps_score=9, regular_meetings_90d=3,
        cs_touches_90d=7, executive_sponsor=True, leads_goal=300,
        lead_rate=1.1, goals_set=5, goals_met=5, roi_reported=True,
        case_study_published=True, expansion_proposed=True, churned=False),
    # steady use, partly visible results
    "steady": dict(
        support_contacts=2, operators=2, kickoff_done=True, training_done=True,
        setup_done=True, active=0.64, logins=8, core_features_used=3,
        report_views_30d=5, nps_score=8, regular_meetings_90d=3,
        cs_touches_90d=5, executive_sponsor=True, leads_goal=120,
        lead_rate=0.85, goals_set=4, goals_met=3, roi_reported=True,
        case_study_published=False, expansion_proposed=True, churned=False),
    # middling use, little outcome
    "average": dict(
        support_contacts=1, operators=2, kickoff_done=True, training_done=False,
        setup_done=True, active=0.42, logins=5, core_features_used=2,
        report_views_30d=3, nps_score=7, regular_meetings_90d=2,
        cs_touches_90d=3, executive_sponsor=False, leads_goal=100,
        lead_rate=0.6, goals_set=4, goals_met=2, roi_reported=False,
        case_study_published=False, expansion_proposed=False, churned=False),
    # low use, weak relationship
    "struggling": dict(
        support_contacts=1, operators=1, kickoff_done=True, training_done=False,
        setup_done=False, active=0.18, logins=1.5, core_features_used=1,
        report_views_30d=0, nps_score=4, regular_meetings_90d=0,
        cs_touches_90d=1, executive_sponsor=False, leads_goal=100,
        lead_rate=0.2, goals_set=3, goals_met=0, roi_reported=False,
        case_study_published=False, expansion_proposed=False, churned=False),
    # contract started within the last 90 days, going well
    "onboard": dict(
        support_contacts=1, operators=2, kickoff_done=True, training_done=True,
        setup_done=True, active=0.45, logins=5, core_features_used=2,
        report_views_30d=1, regular_meetings_90d=2, cs_touches_90d=5,
        executive_sponsor=False, goals_set=3, goals_met=0, churned=False),
    # contract started within the last 90 days, stuck in setup
    "onboard_slow": dict(
        support_contacts=0, operators=1, kickoff_done=True, training_done=False,
        setup_done=False, active=0.1, logins=1, core_features_used=0,
        report_views_30d=0, regular_meetings_90d=0, cs_touches_90d=2,
        executive_sponsor=False, churned=False),
}

# (id number, name, industry, plan, ARR in yen, contract start, renewal,
#  seats, initial seats, profile, overrides). None = missing.
ACCOUNTS = [
    (1, "さくら精機株式会社", "製造", "enterprise", 14_400_000, "2022-04-01", "2027-03-31", 240, 180, "loyal",
     {"operators": 5, "nps_score": 8}),
    (2, "株式会社みなと物流", "物流", "pro", 3_600_000, "2024-07-01", "2027-06-30", 60, 50, "steady", {}),
    (3, "ひかり不動産株式会社", "不動産", "pro", 2_400_000, "2024-02-01", "2027-01-31", 40, 50, "struggling",
     {"cs_touches_90d": 0}),
    (4, "株式会社あおば教育サービス", "教育", "basic", 720_000, "2026-10-01", "2027-09-30", 15, 15, "onboard", {}),
    (5, "北斗メディカル株式会社", "医療", "enterprise", 9_600_000, "2023-10-01", "2027-09-30", 160, 120, "loyal",
     {"operators": 3, "expansion_proposed": False}),
    (6, "株式会社つばさ旅行", "旅行", "basic", 960_000, "2025-04-01", "2027-03-31", 20, 20, "average",
     {"nps_score": None}),
    (7, "丸山食品工業株式会社", "製造", "pro", 4_800_000, "2023-06-01", "2027-05-31", 80, 60, "steady",
     {"leads_goal": 200, "lead_rate": 0.3, "goals_met": 1, "roi_reported": False}),
    (8, "株式会社ことぶき住宅", "不動産", "basic", 840_000, "2025-09-01", "2026-12-31", 12, 15, "struggling",
     {"churned": True}),
    (9, "中央システム開発株式会社", "IT・通信", "enterprise", 7_200_000, "2024-01-15", "2027-01-14", 120, 100, "steady",
     {"operators": 2, "cs_touches_90d": 11, "active": 0.22, "logins": 2, "core_features_used": 1,
      "report_views_30d": 1}),
    (10, "株式会社はなまる保険代理店", "金融", "pro", 1_800_000, "2026-09-15", "2027-09-14", 30, 30, "onboard_slow", {}),
    (11, "東和エンジニアリング株式会社", "製造", "pro", 3_000_000, "2022-11-01", "2027-10-31", 50, 40, "loyal",
     {"operators": 2, "leads_goal": 150, "case_study_published": False}),
    (12, "株式会社よつば人材", "人材", "pro", 2_160_000, "2025-03-01", "2027-02-28", 36, 36, "average",
     {"cs_touches_90d": 0}),
    (13, "株式会社しらかば薬局", "医療", "basic", 480_000, "2024-05-01", "2027-04-30", 8, 10, "struggling",
     {"churned": True, "nps_score": None}),
    (14, "みらいネット株式会社", "IT・通信", "pro", 2_880_000, "2024-12-01", "2026-11-30", 48, 40, "steady",
     {"lead_rate": 1.2, "goals_met": 4, "case_study_published": True, "expansion_proposed": False}),
    (15, "株式会社かもめ商事", None, "basic", 600_000, "2025-08-01", "2027-07-31", 10, 10, "average", {}),
    (16, "朝日ホームテック株式会社", "不動産", "pro", 3_240_000, "2023-09-01", "2027-08-31", 54, 60, "average",
     {"cs_touches_90d": 9, "active": 0.2, "logins": 2, "report_views_30d": 0}),
    (17, "株式会社いろは化粧品", "小売", "pro", 1_440_000, "2026-10-20", "2027-10-19", 24, 24, "onboard",
     {"kickoff_done": True, "training_done": None}),
    (18, "大和ロジスティクス株式会社", "物流", "enterprise", 12_000_000, "2023-03-01", "2027-02-28", 200, 200, "struggling",
     {"operators": 2, "cs_touches_90d": 2, "regular_meetings_90d": 1}),
    (19, "株式会社ほしぞらソフト", "IT・通信", "basic", 360_000, "2025-11-01", None, 6, 5, "steady",
     {"executive_sponsor": None, "regular_meetings_90d": None}),
    (20, "青葉信用金庫", "金融", "enterprise", 8_400_000, "2024-04-01", "2027-03-31", 140, 120, "steady",
     {"operators": 3, "lead_rate": 0.4, "goals_met": 1, "roi_reported": False}),
    (21, "株式会社たけのこ出版", "メディア", "basic", 540_000, "2024-08-01", "2027-07-31", 9, 12, "struggling",
     {"churned": True, "cs_touches_90d": None}),
    (22, "株式会社なぎさリゾート", "旅行", "pro", 2_040_000, "2026-09-01", "2027-08-31", 34, 34, "onboard",
     {"cs_touches_90d": 8}),
    (23, "富士見建設株式会社", "建設", "pro", 4_200_000, "2023-12-01", "2026-12-31", 70, 70, "average",
     {"active": 0.2, "logins": 2, "nps_score": 5, "cs_touches_90d": 1, "training_done": False}),
    (24, "株式会社こはるキッチン", "飲食", "basic", 420_000, "2025-06-01", "2027-05-31", 7, 7, "steady",
     {"nps_score": None, "leads_goal": None, "goals_set": None, "goals_met": None}),
    (25, "株式会社あかね広告", "メディア", "pro", 2_520_000, "2022-10-01", "2027-09-30", 42, 30, "loyal",
     {"operators": 2, "expansion_proposed": False, "leads_goal": 200}),
    (26, "山吹電機株式会社", "製造", "enterprise", 6_600_000, "2024-06-01", "2027-05-31", 110, 100, "average",
     {"operators": 2, "cs_touches_90d": 2}),
    (27, "株式会社ゆずりは介護", "医療", "basic", 660_000, "2026-11-01", "2027-10-31", 11, 11, "onboard",
     {"cs_touches_90d": 3, "active": 0.55}),
    (28, "株式会社はやて運輸", "物流", "pro", 1_920_000, "2024-09-01", "2027-02-28", 32, 40, "struggling",
     {"churned": True, "cs_touches_90d": 10}),
    (29, "しののめゼミナール株式会社", "教育", "pro", 1_680_000, "2025-01-10", "2027-01-09", 28, 20, "steady",
     {"lead_rate": 1.0, "goals_met": 4}),
    (30, "株式会社くすのき不動産", "不動産", "basic", 780_000, "2025-02-01", "2027-01-31", 13, 13, "average",
     {"nps_score": None, "regular_meetings_90d": None}),
    (31, "株式会社ひまわり生活", "小売", "pro", 3_960_000, "2023-07-01", "2027-06-30", 66, 50, "steady",
     {"active": 0.75, "logins": 10, "core_features_used": 3}),
    (32, "銀河インダストリー株式会社", "製造", "enterprise", 18_000_000, "2021-04-01", "2027-03-31", 300, 250, "loyal",
     {"operators": 6, "cs_touches_90d": 12, "case_study_published": False, "goals_met": 4}),
    (33, "株式会社こだまテレコム", "IT・通信", "pro", 2_280_000, "2025-05-01", "2027-04-30", 38, 38, "average",
     {"churned": True, "nps_score": 3, "active": 0.25}),
    (34, "株式会社うみかぜ水産", "卸売", "basic", 900_000, "2026-09-01", "2027-07-31", 15, 15, "onboard",
     {"nps_score": 8, "leads_goal": 50, "lead_rate": 0.5}),
    (35, "株式会社すずらん保育", "教育", "basic", 300_000, "2026-10-15", "2027-10-14", 5, 5, "onboard_slow",
     {"cs_touches_90d": 0}),
    (36, "白鷺ファイナンス株式会社", "金融", "enterprise", 10_800_000, "2024-11-01", "2027-10-31", 180, 150, "steady",
     {"operators": 4, "lead_rate": 1.05, "goals_met": 4, "case_study_published": True}),
    (37, "株式会社もみじ工務店", None, "basic", 540_000, "2025-10-01", None, 9, 9, "average",
     {"kickoff_done": None, "training_done": None}),
    (38, "株式会社あけぼの人材", "人材", "pro", 2_640_000, "2024-03-01", "2027-02-28", 44, 44, "average",
     {"churned": True, "nps_score": 6, "cs_touches_90d": 1, "setup_done": False, "active": 0.3}),
    (39, None, "飲食", "basic", 480_000, "2025-12-01", "2026-11-30", 8, 8, "steady", {}),
    (40, "雷鳥アウトドア株式会社", "小売", "pro", 3_360_000, "2022-08-01", "2027-07-31", 56, 48, "loyal",
     {"leads_goal": 160, "nps_score": None, "logins": 9, "report_views_30d": 6}),
]

# Support tickets, YAML only: (id number, [(priority, opened, closed)]).
TICKETS = {
    1: [("normal", "2026-10-02", "2026-10-04"), ("high", "2026-11-18", None)],
    3: [("high", "2026-09-20", None), ("high", "2026-10-11", None), ("normal", "2026-10-30", None)],
    9: [("high", "2026-10-05", "2026-10-06"), ("low", "2026-11-10", None)],
    18: [("high", "2026-08-30", None), ("normal", "2026-09-12", "2026-09-20")],
    20: [("normal", "2026-11-01", "2026-11-02")],
    32: [("high", "2026-07-14", "2026-07-15"), ("low", "2026-11-20", None)],
}


# The CSM in charge, by account number (no random draw: the other columns
# stay as they were).
CSMS = ["佐藤", "鈴木", "高橋"]


def build_account(row):
    """One account as an ordered dict of column -> value (None = missing)."""
    (num, name, industry, plan, arr, start, renewal, seats, seats_initial,
     profile, overrides) = row
    p = dict(PROFILES[profile])
    p.update(overrides)
    acct = {
        "id": "acct-%04d" % num, "name": name, "plan": plan, "arr": arr,
        "contract_start": start, "renewal_date": renewal, "seats": seats,
        "seats_initial": seats_initial, "業種": industry,
        "担当CSM": CSMS[(num - 1) % len(CSMS)],
        "churned": p.get("churned"),
    }
    for col in ("support_contacts", "operators", "kickoff_done",
                "training_done", "setup_done"):
        acct[col] = p.get(col)
    acct["active_users"] = round(seats * p["active"])
    acct["logins_30d"] = round(seats * p["logins"])
    for col in ("core_features_used", "report_views_30d", "nps_score",
                "regular_meetings_90d", "cs_touches_90d", "executive_sponsor"):
        acct[col] = p.get(col)
    goal = p.get("leads_goal")
    acct["leads_actual"] = round(goal * p["lead_rate"]) if goal is not None else None
    acct["leads_goal"] = goal
    for col in ("goals_set", "goals_met", "roi_reported",
                "case_study_published", "expansion_proposed"):
        acct[col] = p.get(col)
    assert list(acct) == COLUMNS, list(acct)
    return acct


def cell(value):
    """A value as CSV cell text ('' for missing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def yaml_scalar(value):
    """A value as a YAML plain or double-quoted scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return text  # a date, YYYY-MM-DD
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_csv(accounts, path):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for acct in accounts:
        writer.writerow([cell(acct[c]) for c in COLUMNS])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def write_yaml(accounts, path):
    lines = [
        "# Sample accounts for rules/aiueo.kenko (as of 2026-11-22).",
        "# Generated by rules/sample/make_sample.py; edit that script, not this file.",
        "# A missing value is an absent key. `tickets` (a list input) is YAML-only.",
        "accounts:",
    ]
    for acct in accounts:
        first = True
        for col in COLUMNS:
            if acct[col] is None:
                continue
            lead = "  - " if first else "    "
            lines.append("%s%s: %s" % (lead, col, yaml_scalar(acct[col])))
            first = False
        num = int(acct["id"][5:])
        if num in TICKETS:
            lines.append("    tickets:")
            for priority, opened, closed in TICKETS[num]:
                fields = ["priority: %s" % yaml_scalar(priority),
                          "opened: %s" % opened]
                if closed is not None:
                    fields.append("closed: %s" % closed)
                lines.append("      - { %s }" % ", ".join(fields))
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    accounts = [build_account(row) for row in ACCOUNTS]
    ids = [a["id"] for a in accounts]
    assert len(set(ids)) == len(ids), "duplicate id"
    write_yaml(accounts, os.path.join(here, "accounts.yaml"))
    write_csv(accounts, os.path.join(here, "accounts.csv"))


if __name__ == "__main__":
    main()
