#!/usr/bin/env python3
"""xlsx_report_check.py XLSX JSON [--html HTML] [--sheets SHEETS] [--english ENGLISH]
— `kenko report --xlsx` read back with the standard library
(tests/xlsx_read.py) and compared with `report --format json` of the same
run, table by table and cell for cell: every number as stored (16
significant digits) and shown (counts "0", shares "0.0%", scores "0.0"),
every label and name; each sheet's header frozen and filtered. HTML: the
same run's `--html` page, whose legend gives each grade's colour: the
grade cells must be filled with it. SHEETS is the sheet names expected,
one argument joined by "|" (the translated names). ENGLISH is the same report's
workbook made in English: then every text cell of kenko's own (one that
is not a string of the JSON: a name or label from the rules or the data,
a number's "n", "n/a", "10%") must read differently here, i.e. be
translated. Prints what differs and exits 1, or exits 0.
Used by tests/xlsx.sh."""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xlsx_read import read_workbook  # noqa: E402

FORMATS = {"int": "0", "pct": "0.0%", "num1": "0.0", "gen": None}
errors = []


def check_cell(sheet, r, c, want, how=None):
    """Cell (r, c) of SHEET (r counts the header as 0) against WANT: text,
    a number shown as HOW (int, pct, num1, gen), or None (empty)."""
    where = "%s: row %d column %d" % (sheet.name, r + 1, c + 1)
    got = sheet.rows[r].get(c) if r < len(sheet.rows) else None
    if want is None:
        if got is not None:
            errors.append("%s: empty expected, found %r" % (where, got))
        return
    if got is None:
        errors.append("%s: %r expected, found an empty cell" % (where, want))
        return
    if how is None:
        if got.kind != "text" or got.text != want:
            errors.append("%s: %r expected, found %r" % (where, want, got))
        return
    if got.kind != "number" or got.text != "%.16G" % want:
        errors.append("%s: the number %.16G expected, found %r" % (where, want, got))
    if got.numfmt != FORMATS[how]:
        errors.append("%s: shown as %r, not %r" % (where, got.numfmt, FORMATS[how]))


def check_rows(sheet, rows):
    """ROWS: [(cells)], each cell (value, how) or a text or None, below the header."""
    if len(sheet.rows) != len(rows) + 1:
        errors.append("%s: %d rows, %d expected" % (sheet.name, len(sheet.rows) - 1, len(rows)))
    for r, row in enumerate(rows, 1):
        for c, cell in enumerate(row):
            if isinstance(cell, tuple):
                check_cell(sheet, r, c, cell[0] if cell[0] is not None else None, cell[1])
            else:
                check_cell(sheet, r, c, cell)
        extra = [c for c in sheet.rows[r] if c >= len(row)] if r < len(sheet.rows) else []
        if extra:
            errors.append("%s: row %d has cells past the table's %d columns" % (sheet.name, r + 1, len(row)))


def shown(label, name):
    return label if label else name


def num(v, how):
    return (v, how) if v is not None else None


def composition_rows(groups, grade_names, key, forecasts=None):
    rows = []
    for g in groups:
        row = [None, g.get(key), num(g["accounts"], "int"), num(g["share"], "pct")]
        row += [num(g["grades"][n], "int") for n in grade_names]
        if forecasts is not None:
            row.append(num(g["mean_health"], "num1"))
            row += [num(g["forecasts"][f]["expected"], "pct") for f in forecasts]
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("xlsx")
    ap.add_argument("json")
    ap.add_argument("--html")
    ap.add_argument("--sheets")
    ap.add_argument("--english")
    args = ap.parse_args()
    sheets = read_workbook(args.xlsx)
    with open(args.json, encoding="utf-8") as f:
        rep = json.load(f)
    fills = {}  # grade label → the HTML legend's colour
    if args.html:
        with open(args.html, encoding="utf-8") as f:
            legend = re.search(r'class="legend">(.*?)</div>', f.read()).group(1)
        for color, label in re.findall(r'<i style="background:#([0-9a-f]{6})"></i>([^<]*)</span>', legend):
            fills[label.replace("&amp;", "&")] = "FF" + color.upper()
    by_name = list(sheets)
    for s in sheets:
        if not s.frozen:
            errors.append("%s: the header row is not frozen" % s.name)
        if not s.filter or not s.filter.startswith("A1:"):
            errors.append("%s: no autofilter over the table" % s.name)
    if args.sheets:
        want = args.sheets.split("|")
        if [s.name for s in sheets] != want:
            errors.append("sheets %r, expected %r" % ([s.name for s in sheets], want))
    it = iter(by_name)

    summary = next(it)
    h = rep["health"]
    cov = rep["coverage"]
    values = [rep["title"], rep["as_of"], rep["rules"], (rep["accounts"]["scored"], "int"),
              (rep["accounts"]["rejected"], "int"), num(h["mean"], "num1"), num(h["median"], "num1"),
              (h["n_a"], "int"), num(cov["mean"], "pct"), (cov["below_half"], "int")]
    for r, v in enumerate(values, 1):
        if isinstance(v, tuple):
            check_cell(summary, r, 1, v[0], v[1])
        else:
            check_cell(summary, r, 1, v)

    if rep.get("kpis"):
        kpis = next(it)
        rows = []
        words = {True: set(), False: set()}
        for i, k in enumerate(rep["kpis"], 1):
            cells = kpis.rows[i] if i < len(kpis.rows) else {}
            value, target, status = cells.get(2), cells.get(3), cells.get(4)
            how = "pct" if value is not None and value.numfmt == "0.0%" else "gen"
            # the target as written and the status are words for people: there when the JSON has a target
            if k["target"] is not None and (target is None or status is None):
                errors.append("%s: KPI %s has a target, the sheet no target or status" % (kpis.name, k["kpi"]))
            rows.append([shown(k["label"], k["kpi"]), k["kpi"], num(k["value"], how),
                         target.text if target and k["target"] is not None else None,
                         status.text if status and k["target"] is not None else None])
            if k["met"] is not None and status:
                words[k["met"]].add(status.text)
        check_rows(kpis, rows)
        if len(words[True]) > 1 or len(words[False]) > 1 or words[True] & words[False]:
            errors.append("%s: met and not met are not two words: %r" % (kpis.name, words))

    comp = rep["composition"]
    grades = next(it)
    grade_names = [g["grade"] for g in comp["grades"]]
    rows = []
    for g in comp["grades"]:
        row = [shown(g["label"], g["grade"]), g["grade"], (g["accounts"], "int"), (g["share"], "pct")]
        if comp["weighted_by"]:
            row += [num(g["weight"], "gen"), num(g["weighted_share"], "pct")]
        rows.append(row)
    # the grade labels come first: the n/a row's label is the sheet's own
    for r, g in enumerate(comp["grades"], 1):
        cell = grades.rows[r].get(0)
        if g["grade"] == "n/a" and cell is not None:
            rows[r - 1][0] = cell.text
        if args.html and (cell is None or cell.fill != fills.get(cell.text)):
            errors.append("%s: grade %s filled %s, not as in the HTML report (%s)" % (
                grades.name, g["grade"], cell and cell.fill, fills.get(cell.text if cell else None)))
    check_rows(grades, rows)
    grade_labels = [grades.rows[r][0].text for r in range(1, len(grades.rows))]

    def composition(sheet, groups, key, forecasts=None):
        head = [sheet.rows[0][c].text for c in sorted(sheet.rows[0])]
        if head[4:4 + len(grade_labels)] != grade_labels:
            errors.append("%s: grade columns %r, expected %r" % (sheet.name, head[4:], grade_labels))
        rows = composition_rows(groups, grade_names, key, forecasts)
        for r, row in enumerate(rows, 1):  # a group's label: its label or its value, else a word of the sheet's
            g = groups[r - 1]
            cell = sheet.rows[r].get(0) if r < len(sheet.rows) else None
            row[0] = shown(g.get("label"), g.get(key)) if g.get(key) else (cell.text if cell else "?")
        check_rows(sheet, rows)

    if rep["by"]:
        composition(next(it), rep["by"]["groups"], "value", [f["name"] for f in rep["forecasts"]])
    if rep["personas"]:
        composition(next(it), rep["personas"], "persona")
    for seg in rep["segments"]:
        composition(next(it), seg["cases"], "case")

    if rep["forecasts"]:
        sheet = next(it)
        rows = []
        for f in rep["forecasts"]:
            row = [shown(f["label"], f["name"]), f["name"]]
            row += [num(f["rates"].get(n), "pct") for n in grade_names[:-1]]
            row += [num(f["expected"], "pct"), (f["rated"], "int"), (f["left_out"], "int")]
            if f["weighted_by"]:
                row += [f["weighted_by"], num(f["weighted"], "pct"), num(f["weight_total"], "gen")]
            rows.append(row)
        check_rows(sheet, rows)

    if rep["journey"]:
        sheet = next(it)
        j = rep["journey"]
        n = rep["accounts"]["scored"]
        rows = [[shown(s["label"], s["step"]), s["step"], (s["passed"], "int"), (s["unknown"], "int"),
                 (s["reached"], "int"), (s["bottleneck"], "int"), (s["bottleneck"] / n, "pct")]
                for s in j["steps"]]
        last = sheet.rows[len(rows) + 1].get(0) if len(sheet.rows) > len(rows) + 1 else None
        rows.append([last.text if last else "?", None, None, None, None, (j["no_bottleneck"], "int"),
                     (j["no_bottleneck"] / n, "pct")])
        check_rows(sheet, rows)

    if rep["flags"]:
        sheet = next(it)
        rows = []
        for i, f in enumerate(rep["flags"], 1):
            sev = sheet.rows[i].get(2) if i < len(sheet.rows) else None
            rows.append([shown(f["label"], f["flag"]), f["flag"], sev.text if sev else "?", (f["raised"], "int"),
                         (f["share"], "pct"), (f["unknown"], "int"), f["action"]])
        check_rows(sheet, rows)
        sev_words = {}
        for i, f in enumerate(rep["flags"], 1):
            sev_words.setdefault(f["severity"], set()).add(sheet.rows[i][2].text)
        if any(len(v) != 1 for v in sev_words.values()) or \
                len({next(iter(v)) for v in sev_words.values()}) != len(sev_words):
            errors.append("%s: one word per severity expected: %r" % (sheet.name, sev_words))

    sheet = next(it)
    check_rows(sheet, [[shown(d["label"], "%s.%s" % (d["dimension"], d["member"])),
                        "%s.%s" % (d["dimension"], d["member"]),
                        (d["lost"], "num1"), (d["mean"], "num1"), (d["accounts"], "int")]
                       for d in rep["drivers"]["top"]])

    sheet = next(it)
    rows = []
    for i, s in enumerate(rep["scores"]):
        label = sheet.rows[1][0].text if i == 0 and len(sheet.rows) > 1 else shown(s["label"], s["name"])
        row = [label, s["name"], (s["scored"], "int"), (s["n_a"], "int"), num(s["mean"], "num1"),
               num(s["min"], "num1")]
        row += [num(d, "num1") for d in s["deciles"]] + [num(s["max"], "num1")]
        rows.append(row)
    check_rows(sheet, rows)

    if args.english:
        strings = set()

        def collect(v):
            if isinstance(v, str):
                strings.add(v)
            elif isinstance(v, dict):
                for k, x in v.items():
                    strings.add(k)
                    collect(x)
            elif isinstance(v, list):
                for x in v:
                    collect(x)
        collect(rep)
        english = read_workbook(args.english)
        for en, here in zip(english, sheets):
            for r, row in enumerate(en.rows):
                for c, cell in row.items():
                    if cell.kind != "text" or cell.text in strings or cell.text in ("n", "n/a") or \
                            cell.text.endswith("%") or cell.text[:1] in "<>=" or \
                            all(part in strings for part in cell.text.split(".")):
                        continue  # names, labels, a target as written, a member's dimension.name
                    mine = here.rows[r].get(c) if r < len(here.rows) else None
                    if mine is None or mine.text == cell.text:
                        errors.append("%s: row %d column %d: %r is not translated" % (here.name, r + 1, c + 1,
                                                                                       cell.text))

    rest = list(it)
    if rest:
        errors.append("sheets the JSON has no table for: %r" % [s.name for s in rest])
    for e in errors[:30]:
        print(e)
    sys.exit(1 if errors else 0)


main()
