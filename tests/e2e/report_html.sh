#!/bin/sh
# End-to-end test of `kenko report --html` in a real browser: generates the
# report for the reference scorecard and its sample accounts, renders it
# with headless Chromium, and checks the DOM (charts, the worst-accounts
# table, the page's words in Japanese under LANG=ja_JP.UTF-8 and in English
# in the C locale, the rules' labels as written in both, the sort script)
# and that the file is self-contained and escapes what it shows. Leaves
# BUILD/report.html (Japanese) and a screenshot, BUILD/report.png (BUILD:
# the directory of KENKO).
#
# Without Chromium: as root in CI (CI=true) it is installed with apt-get;
# otherwise the test is skipped and counts 0 passed, 0 failed.
# Usage: tests/e2e/report_html.sh path/to/kenko   (last line: "e2e: N passed, N failed")
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/../.." || exit 2
page=report
suite=e2e
. tests/e2e/lib.sh

# ---- the report, in Japanese ---------------------------------------------------
rules=rules/aiueo.kenko
data=rules/sample/accounts.yaml
rm -f "$html" "$png"
kenko_ja report "$rules" "$data" --as-of 2026-11-22 --html "$html" >"$tmp/report.txt" 2>"$tmp/stderr"
check "kenko report --html exits 0" [ $? -eq 0 ]
check "the HTML file is written" [ -s "$html" ]
"$kenko" report "$rules" "$data" --as-of 2026-11-22 --format json >"$tmp/report.json" 2>/dev/null
scored=$(grep -o '"accounts":{"scored":[0-9]*' "$tmp/report.json" | grep -o '[0-9]*$')
health_na=$(grep -o '"health":{[^}]*"n_a":[0-9]*' "$tmp/report.json" | grep -o '[0-9]*$')
worst=$((scored - health_na))
[ "$worst" -gt 50 ] && worst=50
echo "     ($scored accounts scored, $health_na without a health: $worst worst accounts expected)"

# ---- self-contained and escaped (the file itself) -------------------------------
check_self_contained "$html" ja

# ---- rendered by the browser -------------------------------------------------------
run_browser --dump-dom "file://$html" >"$tmp/dom.html"
check "chromium renders the report" [ -s "$tmp/dom.html" ]
svgs=$(grep -o '<svg' "$tmp/dom.html" | wc -l)
# overall, personas, segment touch, funnel, bottlenecks, flags, drivers, scores
check "8 SVG charts ($svgs)" [ "$svgs" -eq 8 ]
rows=$(grep -o 'class="worst-row"' "$tmp/dom.html" | wc -l)
check "worst-accounts table has $worst rows ($rows)" [ "$rows" -eq "$worst" ]
for id in composition forecast funnel flags drivers scores worst; do
  check "section #$id" grep -q "<section id=\"$id\">" "$tmp/dom.html"
done
# the page's words (gettext) and the rules' labels (as written)
check_has "$tmp/dom.html" "Japanese label in the DOM" グレード構成 ヘルススコアの低い顧客 失点要因 ボトルネックの分布 \
  ロイヤル オンボード ハイタッチ 想定継続率 '①顧客と伴走できてる?' 役員スポンサーがいる 更新6ヶ月以内で健康度がバッド
check_lacks "$tmp/dom.html" "no English heading on the Japanese page" 'Grade composition' \
  'Accounts with the lowest health' 'Score distributions'
# the display name (`input name … display`) next to each id
names=$(grep -o '<td class="name">[^<]' "$tmp/dom.html" | wc -l)
check "worst-accounts: the accounts' display names (顧客名) next to their ids ($names)" grep -q '<th>顧客名</th>' "$tmp/dom.html"
check "worst-accounts: some row has a name" [ "$names" -gt 0 ]
bars=$(grep -o '<rect x=' "$tmp/dom.html" | wc -l)
check "charts have bars ($bars)" [ "$bars" -gt 20 ]

# ---- the same report in the C locale: English words, the rules' labels as written ----
"$kenko" report "$rules" "$data" --as-of 2026-11-22 --html "$tmp/en.html" >/dev/null 2>&1
render_english "$tmp/en.html"
check_has "$tmp/en-dom.html" "English words in the DOM" '<h2>Grade composition</h2>' \
  'Accounts with the lowest health' '<h2>Drivers' '<th>account name</th>' 'Mean health' 'Click a heading to sort'
check_lacks "$tmp/en-dom.html" "no Japanese page word on the English page" グレード構成 ヘルススコアの低い顧客 \
  主な失点要因 平均ヘルススコア
check_has "$tmp/en-dom.html" "English page: the rules' label as written" ロイヤル 想定継続率 役員スポンサーがいる
check "English page: the same numbers (the worst-accounts rows)" \
  [ "$(grep -o 'class="worst-row"' "$tmp/en-dom.html" | wc -l)" -eq "$worst" ]

# ---- the sort script: two clicks on "#" sort the rows by rank, descending (as
# numbers: 40 before 9) --------------------------------------------------------------
sed 's|</body>|<script>var th = document.querySelectorAll("#worst-accounts th")[0]; th.click(); th.click();</script></body>|' \
  "$html" >"$tmp/sorted.html"
run_browser --dump-dom "file://$tmp/sorted.html" >"$tmp/sorted-dom.html"
check "clicking a heading marks it sorted" grep -q 'aria-sort="descending"' "$tmp/sorted-dom.html"
first=$(grep -o '<tr class="worst-row"><td class="num">[0-9]*' "$tmp/sorted-dom.html" | head -n 1 | grep -o '[0-9]*$')
check "sorted by rank, descending, as numbers: row $worst comes first ($first)" [ "${first:-0}" -eq "$worst" ]

# ---- escaping: labels and ids with markup stay text --------------------------------
mkdir -p "$tmp/esc"
cat >"$tmp/esc/rules.kenko" <<'RULES'
scorecard "<b>A&B</b> \"quoted\""
input id: text key
input usage: number
dimension use "<script>alert(1)</script>" { score u "<img src=x onerror=alert(2)>" : usage }
grades { good "<i>良</i>" >= 50  bad "悪" otherwise }
RULES
printf 'id,usage\n"<img src=y onerror=alert(3)>",10\nplain,90\n' >"$tmp/esc/data.csv"
kenko_ja report "$tmp/esc/rules.kenko" "$tmp/esc/data.csv" --as-of 2026-11-22 --html "$tmp/esc/r.html" >/dev/null 2>&1
check "escaping: no markup from labels or data" sh -c "! grep -Eq '<img|<b>A|<i>良|<script>alert' '$tmp/esc/r.html'"
check "escaping: still one script" [ "$(grep -c '<script' "$tmp/esc/r.html")" -eq 1 ]
check "escaping: entities in the text" grep -q '&lt;img src=y onerror=alert(3)&gt;' "$tmp/esc/r.html"
check "escaping: quotes and ampersands" grep -q '&lt;b&gt;A&amp;B&lt;/b&gt; &quot;quoted&quot;' "$tmp/esc/r.html"

# ---- the screenshot ------------------------------------------------------------------
run_browser --screenshot="$png" --window-size=1280,2000 "file://$html" >/dev/null
check "screenshot $png" sh -c "[ -s '$png' ] && [ \"\$(head -c 4 '$png' | od -An -c | tr -d ' ')\" = '211PNG' ]"

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
