#!/usr/bin/env python3
"""Writes the bad-Excel catalog's data files (NOTES.md says what each is)."""
HEADER = "顧客ID,席数,利用率,キックオフ済,契約開始日"
PLAIN = [
    "C001,50,80%,はい,2023/4/1",
    "C002,120,45.5%,いいえ,2023年10月1日",
    "C003,30,5%,はい,2024/1/9",
]


def write(name, text, encoding="utf-8", newline="\r\n", bom=b""):
    with open(name, "wb") as f:
        f.write(bom + text.replace("\n", newline).encode(encoding))


def lines(rows, header=HEADER):
    return "\n".join([header] + rows) + "\n"


# 1. Excel's "CSV" in Japan: CP932, CRLF.
write("cp932.csv", lines(PLAIN), "cp932")
# 2. UTF-16LE with a BOM (what Excel's "Unicode" choices write), CRLF.
write("utf16le.csv", lines(PLAIN), "utf-16-le", bom=b"\xff\xfe")
# 3. Line ends mixed: CRLF, then LF, then CRLF (a file edited twice).
with open("mixed_crlf.csv", "wb") as f:
    f.write((HEADER + "\r\n" + PLAIN[0] + "\n" + PLAIN[1] + "\r\n" + PLAIN[2] + "\n").encode())
# 4. "CSV UTF-8" (with its BOM): every everyday shape of a cell.
write("shapes.csv", lines([
    "S01,５０,８０％,はい,2023/4/1",
    "S02,－５,12.5%,いいえ,2023年4月1日",
    "S03,　７０　,１００%,ＴＲＵＥ,２０２３／１２／３１",
    "S04,６０．５,0.5,1,2023-4-1",
]), bom=b"\xef\xbb\xbf")
# 5. Cells that mean "no value" in spreadsheets.
write("na.csv", lines([
    "N01,NA,80%,はい,2023/4/1",
    "N02,50,#N/A,-,2023/4/1",
    "N03,50,80%,はい,なし",
    "N04,#DIV/0!,80%,はい,2023/4/1",
    "N05,NA,80%,はい,2023/4/1",
    "N06,ten,80%,はい,2023/4/1",
]))
# 6. Thousands separators (Excel quotes such cells in a CSV).
write("thousands.csv", lines([
    'T01,"1,200",80%,はい,2023/4/1',
    'T02,"１，５００",80%,はい,2023/4/1',
    "T03,30,80%,はい,2023/4/1",
]))
# 7. A header with a zero-width space before 顧客ID and a full-width space
#    after 席数.
write("header_invisible.csv", lines(PLAIN, "\u200b顧客ID,席数\u3000,利用率,キックオフ済,契約開始日"))
# 8. A full-width space inside a column name: not the declared one.
write("header_space_inside.csv", lines(PLAIN, "顧客ID,席数,利用率,キックオフ\u3000済,契約開始日"))
# 9. Neither UTF-8 nor CP932 (Latin-1: é is 0xE9, then a comma).
with open("latin1.csv", "wb") as f:
    f.write((HEADER + "\r\n").encode())
    f.write(b"L01,50,80%,\xe9,2023/4/1\r\nL02,50,80%,1,2023/4/1\r\n")
