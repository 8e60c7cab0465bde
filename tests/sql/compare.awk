# compare.awk — the rows of a kenko sql query (second file) against
# `kenko run --format csv` (first file), matched by id (or by the columns
# named in `keys`, comma-separated: history's rows by "id,as_of"): the
# same columns, every text cell exactly, every number within 1e-9
# relative. Prints one line per difference (at most 10) and ends with
# "rows: N compared, N differ".
# With `ordered` set (history), the query's rows must also come ordered
# by as_of, then id by its bytes (its ORDER BY; run LC_ALL=C).
# Usage: awk -v case=NAME [-v keys=id,as_of] [-v ordered=1] -f compare.awk expected.csv got.csv
function csv_split(line, out,    n, i, c, field, q) {
  n = 0; field = ""; q = 0
  for (i = 1; i <= length(line); i++) {
    c = substr(line, i, 1)
    if (q) {
      if (c == "\"") {
        if (substr(line, i + 1, 1) == "\"") { field = field "\""; i++ } else q = 0
      } else field = field c
    } else if (c == "\"") q = 1
    else if (c == ",") { out[++n] = field; field = "" }
    else field = field c
  }
  out[++n] = field
  return n
}
function is_num(s) { return s ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ }
function same(x, y,    d, m) {
  if (x == y) return 1
  if (!is_num(x) || !is_num(y)) return 0
  d = x - y; if (d < 0) d = -d
  m = x < 0 ? -x : x; if ((y < 0 ? -y : y) > m) m = (y < 0 ? -y : y)
  return d <= 1e-9 * m || d < 1e-12
}
# the row's key: its cells in the key columns (positions POS[1..nk])
function row_key(cells, pos,    i, k) {
  k = cells[pos[1]]
  for (i = 2; i <= nk; i++) k = k "|" cells[pos[i]]
  return k
}
function bad(msg) { ndiff++; if (ndiff <= 10) print "FAIL " case ": " msg }
FNR == 1 {
  sub(/\r$/, "")
  nh = csv_split($0, h)
  if (NR == 1) {
    nk = split(keys == "" ? "id" : keys, kname, ",")
    for (i = 1; i <= nh; i++) { ecol[i] = h[i]; epos[h[i]] = i }
    for (i = 1; i <= nk; i++) ekey[i] = epos[kname[i]]
    enh = nh
  } else {
    for (i = 1; i <= nh; i++) gpos[h[i]] = i
    for (i = 1; i <= nk; i++) gkey[i] = gpos[kname[i]]
    for (i = 1; i <= enh; i++) if (!(ecol[i] in gpos)) bad("no column " ecol[i] " in the query's rows")
    if (nh != enh + ("members" in gpos)) bad("the query has " nh " columns, run has " enh)
  }
  next
}
NR == FNR { sub(/\r$/, ""); n = csv_split($0, f); id = row_key(f, ekey); erow[id] = $0; nexp++; next }
{
  sub(/\r$/, "")
  n = csv_split($0, g); id = row_key(g, gkey)
  if (!(id in erow)) { bad("row " id " is not in run's output"); next }
  if (id in seen) { bad("row " id " twice"); next }
  seen[id] = 1; compared++
  if (ordered != "") {
    at = g[gpos["as_of"]] ""; who = g[gpos["id"]] ""
    if (compared > 1 && (at < last_at || (at == last_at && who < last_who)))
      bad("row " id " comes after " last_who "|" last_at ": not ordered by as_of, id")
    last_at = at; last_who = who
  }
  csv_split(erow[id], f)
  for (i = 1; i <= enh; i++) {
    v = g[gpos[ecol[i]]]
    if (!same(f[i], v)) bad("account " id " column " ecol[i] ": run " f[i] ", sql " v)
  }
}
END {
  if (compared != nexp) bad(sprintf("%d rows from run, %d matched from the query", nexp, compared))
  printf "rows: %d compared, %d differ\n", compared, ndiff
  exit ndiff > 0
}
