#!/usr/bin/env python3
"""Writes the newcomer path's two files of the same accounts (NOTES.md):

export.csv      what Excel in Japan saves: CP932, CRLF, a header with a
                full-width space after one name, dates 2023/4/1 and
                2023年4月1日, percent cells, はい/いいえ, full-width digits
plain-utf8.csv  the same values as plain text: UTF-8, ';'-separated,
                YYYY-MM-DD, decimals, true/false, "" for missing (read
                with --encoding utf-8 --delimiter ';')
"""
ROWS = [
    # id, company, plan, seats (excel, plain), active (excel, plain),
    # kickoff (excel, plain), start (excel, plain)
    ("C-001", "さくら精機株式会社", "プロ", "１２０", "120", "82%", "0.82", "はい", "true", "2023/4/1", "2023-04-01"),
    ("C-002", "株式会社みなと物流", "ベーシック", "8", "8", "35.5%", "0.355", "いいえ", "false", "2026年10月1日", "2026-10-01"),
    ("C-003", "東和エンジニアリング", "プロ", "４５", "45", "", "", "はい", "true", "2024/12/9", "2024-12-09"),
    ("C-004", "株式会社よつば人材", "ベーシック", "12", "12", "６０％", "0.6", "", "", "2025/7/15", "2025-07-15"),
    ("C-005", "しらかば薬局", "ベーシック", "3", "3", "5%", "0.05", "いいえ", "false", "２０２６／９／３０", "2026-09-30"),
]

with open("export.csv", "wb") as f:
    header = "顧客ID,会社名,プラン,契約席数\u3000,利用率,キックオフ済,契約開始日"
    lines = [header] + [",".join((r[0], r[1], r[2], r[3], r[5], r[7], r[9])) for r in ROWS]
    f.write(("\r\n".join(lines) + "\r\n").encode("cp932"))

with open("plain-utf8.csv", "wb") as f:
    header = "顧客ID;会社名;プラン;契約席数;利用率;キックオフ済;契約開始日"
    lines = [header] + [";".join((r[0], r[1], r[2], r[4], r[6], r[8], r[10])) for r in ROWS]
    f.write(("\n".join(lines) + "\n").encode("utf-8"))
