#!/usr/bin/env python3
"""xlsx_check.py XLSX CSV LANG — reads a workbook kenko wrote with the
standard library only (zipfile + ElementTree) and compares its first sheet
with the CSV of the same run (`--labels`), cell for cell; checks the frozen
header, the filter, the number formats, the grade fills and the column
widths. LANG (en or ja) is the language both were written in: the sheet's
name and the fixed headings must be kenko's words in that language (the
number and grade columns are found by them). Prints what differs and exits
1, or exits 0. Used by tests/xlsx.sh."""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xlsx_read import read_workbook, width  # noqa: E402

# the HTML report's grade colours (src/portfolio/html.c), by label
GRADE_FILLS = {"グッド": "FF2E9E5B", "ノーマル": "FFF0B429", "バッド": "FFE0564B",
               "good": "FF2E9E5B", "bad": "FFE0564B"}
# kenko's own words in each language (po/ja.po): the sheet of run and of
# history, the headings of the number and grade columns
WORDS = {
    "en": {"sheets": ("Results", "History"), "health": "Health", "coverage": "Coverage",
           "grade": "Grade", "dim_grade": " grade"},
    "ja": {"sheets": ("結果", "履歴"), "health": "ヘルススコア", "coverage": "カバレッジ",
           "grade": "グレード", "dim_grade": " グレード"},
}
errors = []


def main():
    xlsx, csv_path, lang = sys.argv[1], sys.argv[2], sys.argv[3]
    words = WORDS[lang]
    sheet = read_workbook(xlsx)[0]
    rows = [{c: ((cell.kind, cell.text), (cell.numfmt, cell.fill)) for c, cell in row.items()}
            for row in sheet.rows]

    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    if len(rows) != len(table):
        errors.append("%d rows in the xlsx, %d in the csv" % (len(rows), len(table)))
    ncols = len(table[0])
    head = table[0]
    history = words["coverage"] in head
    if sheet.name != words["sheets"][history]:
        errors.append("the sheet is named %r, not %r" % (sheet.name, words["sheets"][history]))
    for word in ("health", "grade"):
        if words[word] not in head:
            errors.append("no heading %r in the header %r" % (words[word], head))
    # the number columns: health, history's coverage, each dimension's score
    numeric = [h in (words["health"], words["coverage"]) or
               (c + 1 < ncols and head[c + 1] == h + words["dim_grade"])
               for c, h in enumerate(head)]
    widest = [0] * ncols
    for r, (xrow, crow) in enumerate(zip(rows, table)):
        for c in range(ncols):
            want = crow[c] if c < len(crow) else ""
            if r == 0 or not numeric[c] or want == "":
                widest[c] = max(widest[c], width(want))
            elif head[c] == words["coverage"]:
                widest[c] = max(widest[c], len("%.1f%%" % (float(want) * 100)))
            else:
                widest[c] = max(widest[c], len("%.1f" % float(want)))
            got = xrow.get(c)
            where = "row %d column %d (%s)" % (r + 1, c + 1, table[0][c])
            if want == "":
                if got is not None:
                    errors.append("%s: csv empty, xlsx %r" % (where, got[0]))
                continue
            if got is None:
                errors.append("%s: csv %r, xlsx empty" % (where, want))
                continue
            (kind, text), (numfmt, fill) = got
            if r > 0 and numeric[c]:
                # libxlsxwriter stores a number with 16 significant digits
                if kind != "number" or text != "%.16G" % float(want):
                    errors.append("%s: csv %s, xlsx %s %s" % (where, want, kind, text))
                fmt = numfmt
                if fmt != ("0.0%" if head[c] == words["coverage"] else "0.0"):
                    errors.append("%s: number shown as %r, not one decimal" % (where, fmt))
            elif kind != "text" or text != want:
                errors.append("%s: csv %r, xlsx %s %r" % (where, want, kind, text))
            graded = head[c] == words["grade"] or head[c].endswith(words["dim_grade"])
            if r > 0 and graded and want in GRADE_FILLS:
                if fill != GRADE_FILLS[want]:
                    errors.append("%s: grade %s filled %s, not %s" % (where, want, fill, GRADE_FILLS[want]))

    if not sheet.frozen:
        errors.append("the header row is not frozen")
    last = chr(64 + ncols) if ncols <= 26 else None
    if sheet.filter is None or (last and sheet.filter != "A1:%s%d" % (last, len(table))):
        errors.append("no autofilter over the table (%s)" % sheet.filter)
    for c, got in sorted(sheet.widths.items()):
        want = min(widest[c] + 2, 60)
        if not (want <= got < want + 1):
            errors.append("column %d (%s) is %.2f wide, its widest cell needs %d" % (c + 1, table[0][c], got, want))
    for e in errors[:20]:
        print(e)
    sys.exit(1 if errors else 0)


main()
