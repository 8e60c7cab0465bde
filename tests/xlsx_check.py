#!/usr/bin/env python3
"""xlsx_check.py XLSX CSV — reads a workbook kenko wrote with the standard
library only (zipfile + ElementTree) and compares its first sheet with the
CSV of the same run (`--labels`), cell for cell; checks the frozen header,
the filter, the number formats, the grade fills and the column widths.
Prints what differs and exits 1, or exits 0. Used by tests/xlsx.sh."""
import csv
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
# the HTML report's grade colours (src/portfolio/html.c), by label
GRADE_FILLS = {"グッド": "FF2E9E5B", "ノーマル": "FFF0B429", "バッド": "FFE0564B",
               "good": "FF2E9E5B", "bad": "FFE0564B"}
errors = []


def col_index(ref):
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch) - 64
    return n - 1


def width(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in text)


def main():
    xlsx, csv_path = sys.argv[1], sys.argv[2]
    z = zipfile.ZipFile(xlsx)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    styles = ET.fromstring(z.read("xl/styles.xml"))
    numfmts = {nf.get("numFmtId"): nf.get("formatCode") for nf in styles.iter("{%s}numFmt" % NS["m"])}
    fills = []
    for f in styles.find("m:fills", NS).findall("m:fill", NS):
        fg = f.find("m:patternFill/m:fgColor", NS)
        fills.append(fg.get("rgb") if fg is not None else None)
    xfs = [(xf.get("numFmtId"), int(xf.get("fillId", "0"))) for xf in styles.find("m:cellXfs", NS)]

    sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.find("m:sheetData", NS).findall("m:row", NS):
        cells = {}
        for c in row.findall("m:c", NS):
            i = col_index(c.get("r"))
            t = c.get("t")
            style = xfs[int(c.get("s", "0"))]
            if t == "inlineStr":
                value = ("text", "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"])))
            elif t == "s":
                value = ("text", shared[int(c.find("m:v", NS).text)])
            else:
                value = ("number", c.find("m:v", NS).text)
            cells[i] = (value, style)
        rows.append(cells)

    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    if len(rows) != len(table):
        errors.append("%d rows in the xlsx, %d in the csv" % (len(rows), len(table)))
    ncols = len(table[0])
    head = table[0]
    # the number columns: health, history's coverage, each dimension's score
    numeric = [h in ("ヘルススコア", "カバレッジ") or (c + 1 < ncols and head[c + 1] == h + " グレード")
               for c, h in enumerate(head)]
    widest = [0] * ncols
    for r, (xrow, crow) in enumerate(zip(rows, table)):
        for c in range(ncols):
            want = crow[c] if c < len(crow) else ""
            if r == 0 or not numeric[c] or want == "":
                widest[c] = max(widest[c], width(want))
            elif head[c] == "カバレッジ":
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
                fmt = numfmts.get(numfmt)
                if fmt != ("0.0%" if head[c] == "カバレッジ" else "0.0"):
                    errors.append("%s: number shown as %r, not one decimal" % (where, fmt))
            elif kind != "text" or text != want:
                errors.append("%s: csv %r, xlsx %s %r" % (where, want, kind, text))
            if r > 0 and table[0][c].endswith("グレード") and want in GRADE_FILLS:
                if fills[fill] != GRADE_FILLS[want]:
                    errors.append("%s: grade %s filled %s, not %s" % (where, want, fills[fill], GRADE_FILLS[want]))

    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    if pane is None or pane.get("ySplit") != "1" or pane.get("state") != "frozen":
        errors.append("the header row is not frozen")
    last = chr(64 + ncols) if ncols <= 26 else None
    flt = sheet.find("m:autoFilter", NS)
    if flt is None or (last and flt.get("ref") != "A1:%s%d" % (last, len(table))):
        errors.append("no autofilter over the table (%s)" % (flt.get("ref") if flt is not None else None))
    for col in sheet.find("m:cols", NS).findall("m:col", NS):
        c = int(col.get("min")) - 1
        want = min(widest[c] + 2, 60)
        got = float(col.get("width"))
        if not (want <= got < want + 1):
            errors.append("column %d (%s) is %.2f wide, its widest cell needs %d" % (c + 1, table[0][c], got, want))
    for e in errors[:20]:
        print(e)
    sys.exit(1 if errors else 0)


main()
