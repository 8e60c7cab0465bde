"""xlsx_read.py — a workbook read with Python's standard library only
(zipfile + ElementTree), no kenko code: every sheet by name, in order,
each cell as (kind, text, number format, fill colour), plus the frozen
pane and the autofilter. Used by tests/xlsx_check.py and
tests/xlsx_report_check.py."""
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def col_index(ref):
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch) - 64
    return n - 1


def width(text):
    """Display width: East Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in text)


class Cell:
    def __init__(self, kind, text, numfmt, fill):
        self.kind = kind      # "text" or "number"
        self.text = text      # the text, or the number as stored
        self.numfmt = numfmt  # the number format's code, or None (General)
        self.fill = fill      # the fill's ARGB ("FF2E9E5B"), or None

    def __repr__(self):
        return "%s %r" % (self.kind, self.text)


class Sheet:
    def __init__(self, name):
        self.name = name
        self.rows = []        # [row] → {column: Cell}
        self.frozen = False   # the first row frozen
        self.filter = None    # the autofilter's range ("A1:F4"), or None
        self.widths = {}      # column → width


def read_workbook(path):
    """The sheets of the workbook at PATH, in order."""
    z = zipfile.ZipFile(path)
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
    xfs = [(numfmts.get(xf.get("numFmtId")), fills[int(xf.get("fillId", "0"))])
           for xf in styles.find("m:cellXfs", NS)]
    rels = {r.get("Id"): r.get("Target")
            for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).findall("p:Relationship", NS)}
    sheets = []
    for s in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", NS):
        sheet = Sheet(s.get("name"))
        target = rels[s.get("{%s}id" % NS["r"])]
        xml = ET.fromstring(z.read("xl/" + target.lstrip("/").replace("xl/", "", 1)))
        for row in xml.find("m:sheetData", NS).findall("m:row", NS):
            cells = {}
            for c in row.findall("m:c", NS):
                t = c.get("t")
                numfmt, fill = xfs[int(c.get("s", "0"))]
                if t == "inlineStr":
                    kind, text = "text", "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
                elif t == "s":
                    kind, text = "text", shared[int(c.find("m:v", NS).text)]
                else:
                    kind, text = "number", c.find("m:v", NS).text
                cells[col_index(c.get("r"))] = Cell(kind, text, numfmt, fill)
            sheet.rows.append(cells)
        pane = xml.find("m:sheetViews/m:sheetView/m:pane", NS)
        sheet.frozen = pane is not None and pane.get("ySplit") == "1" and pane.get("state") == "frozen"
        flt = xml.find("m:autoFilter", NS)
        sheet.filter = flt.get("ref") if flt is not None else None
        cols = xml.find("m:cols", NS)
        for col in cols.findall("m:col", NS) if cols is not None else []:
            sheet.widths[int(col.get("min")) - 1] = float(col.get("width"))
        sheets.append(sheet)
    return sheets
