#!/bin/sh
# End-to-end test of `kenko history --html` in a real browser: the page for
# the reference scorecard with history over the sample history (12 monthly
# snapshots of the 40 sample accounts), rendered by headless Chromium: the
# DOM (a stacked bar per snapshot, the retention and persona line charts,
# one row with a sparkline per falling account, the page's words in
# Japanese under LANG=ja_JP.UTF-8 and in English in the C locale, the
# rules' labels as written in both, the sort script), a self-contained
# file, and escaping of what it shows. Leaves BUILD/history.html
# (Japanese) and a screenshot, BUILD/history.png.
# Usage: tests/e2e/history_html.sh path/to/kenko   (last line: "e2e-history: N passed, N failed")
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/../.." || exit 2
page=history
suite=e2e-history
. tests/e2e/lib.sh

# ---- the page ------------------------------------------------------------------
rules=rules/aiueo-history.kenko
[ -f "$rules" ] || rules=rules/aiueo.kenko
rm -f "$html" "$png"
kenko_ja history "$rules" rules/sample/history/accounts-*.csv --html "$html" >/dev/null 2>"$tmp/stderr"
check "kenko history --html exits 0" [ $? -eq 0 ]
check "the HTML file is written" [ -s "$html" ]
# the same command in the C locale: the English page, and the text that says how many fell
"$kenko" history "$rules" rules/sample/history/accounts-*.csv --html "$tmp/en.html" >"$tmp/history.txt" 2>/dev/null
snaps=$(ls rules/sample/history/accounts-*.csv | wc -l | tr -d ' ')
fell=$(grep -o '^Fell between [0-9-]* and [0-9-]* ([0-9]*)' "$tmp/history.txt" | grep -o '([0-9]*)' | tr -d '()')
[ "${fell:-0}" -gt 30 ] && fell=30
echo "     ($snaps snapshots; ${fell:-0} falling accounts expected on the page)"

# ---- self-contained (the file itself) --------------------------------------------
check_self_contained "$html" ja

# ---- rendered by the browser -------------------------------------------------------
run_browser --dump-dom "file://$html" >"$tmp/dom.html"
check "chromium renders the page" [ -s "$tmp/dom.html" ]
for id in composition retention personas falling; do
  check "section #$id" grep -q "<section id=\"$id\">" "$tmp/dom.html"
done
# the composition chart: one bar label per snapshot
labels=$(sed -n '/<section id="composition">/,/<\/section>/p' "$tmp/dom.html" | grep -o 'class="lbl"[^>]*>20[0-9-]*<' | wc -l)
check "a stacked bar per snapshot ($labels of $snaps)" [ "$labels" -eq "$snaps" ]
lines=$(grep -o '<polyline class="line"' "$tmp/dom.html" | wc -l)
check "line charts drawn ($lines lines)" [ "$lines" -ge 3 ]
rows=$(grep -o 'class="falling-row"' "$tmp/dom.html" | wc -l)
check "falling-accounts table has ${fell:-0} rows ($rows)" [ "$rows" -eq "${fell:-0}" ]
sparks=$(grep -o '<svg class="spark"' "$tmp/dom.html" | wc -l)
check "a sparkline per falling account ($sparks)" [ "$sparks" -eq "${fell:-0}" ]
retention=$(grep -o 'class="retention-row"' "$tmp/dom.html" | wc -l)
check "retention table: a row per snapshot ($retention)" [ "$retention" -eq "$snaps" ]
# the page's words (gettext) and the rules' labels (as written)
check_has "$tmp/dom.html" "Japanese label in the DOM" グレード構成の推移 予測の推移 ペルソナ別 グレードが下がった顧客 \
  'KPI の推移' ロイヤル オンボード アクティブ率 想定継続率
check_lacks "$tmp/dom.html" "no English heading on the Japanese page" 'Grade composition per snapshot' \
  'Accounts whose grade fell' 'Mean health per persona'
# 売上継続率 (arr_kept) has no value in the first snapshots: said in words, in the page's language
check "a KPI without a value: 値なし" grep -q '<td class="num">値なし</td>' "$tmp/dom.html"
# the display name (`input name … display`) next to each id
names=$(grep -o '<td class="name">[^<]' "$tmp/dom.html" | wc -l)
check "falling-accounts: the accounts' display names (顧客名) next to their ids ($names)" grep -q '<th>顧客名</th>' "$tmp/dom.html"
check "falling-accounts: some row has a name" [ "$names" -gt 0 ]

# ---- the English page (C locale): English words, the rules' labels as written ----
render_english "$tmp/en.html"
check_has "$tmp/en-dom.html" "English words in the DOM" '<h2>Grade composition per snapshot</h2>' \
  '<h2>Forecasts per snapshot</h2>' '<h2>Mean health per persona</h2>' 'Accounts whose grade fell' \
  '<th class="num">change</th>' 'KPIs per snapshot' '<td class="num">no value</td>'
check_lacks "$tmp/en-dom.html" "no Japanese page word on the English page" グレード構成の推移 予測の推移 \
  グレードが下がった顧客 下がった要因
check_has "$tmp/en-dom.html" "English page: the rules' label as written" ロイヤル 想定継続率 アクティブ率
check "English page: the same falling accounts" \
  [ "$(grep -o 'class="falling-row"' "$tmp/en-dom.html" | wc -l)" -eq "${fell:-0}" ]

# ---- the sort script: two clicks on 変化 (change) sort the falls, largest rise
# first: the first row's change is then the largest (least negative) -----------------
sed 's|</body>|<script>var th = Array.prototype.filter.call(document.querySelectorAll("#falling-accounts th"), function (h) { return h.textContent == "変化"; })[0]; th.click(); th.click();</script></body>|' \
  "$html" >"$tmp/sorted.html"
run_browser --dump-dom "file://$tmp/sorted.html" >"$tmp/sorted-dom.html"
check "clicking a heading marks it sorted" grep -q 'aria-sort="descending"' "$tmp/sorted-dom.html"
changes=$(grep -o '<td class="num" data-v="[-0-9.]*">[-+][0-9.]*</td>' "$tmp/sorted-dom.html" | grep -o '>[-+][0-9.]*<' | tr -d '<>+')
sorted=$(printf '%s\n' $changes | sort -g -r | tr '\n' ' ')
check "sorted by change, descending, as numbers" [ "$(printf '%s\n' $changes | tr '\n' ' ')" = "$sorted" ]

# ---- escaping: labels and ids with markup stay text ----------------------------------
mkdir -p "$tmp/esc"
cat >"$tmp/esc/rules.kenko" <<'RULES'
scorecard "<b>A&B</b> \"quoted\""
input id: text key
input usage: number
dimension use "<script>alert(1)</script>" { score u "<img src=x onerror=alert(2)>" : usage }
grades { good "<i>良</i>" >= 50  bad "悪" otherwise }
persona p "<u>persona</u>" otherwise
forecast keep "<s>継続</s>" { good 90%  bad 50% }
RULES
printf 'id,usage\n"<img src=y onerror=alert(3)>",90\nplain,90\n' >"$tmp/esc/data-2026-01-31.csv"
printf 'id,usage\n"<img src=y onerror=alert(3)>",10\nplain,80\n' >"$tmp/esc/data-2026-02-28.csv"
kenko_ja history "$tmp/esc/rules.kenko" "$tmp/esc"/data-*.csv --html "$tmp/esc/h.html" >/dev/null 2>&1
check "escaping: the page is written" [ -s "$tmp/esc/h.html" ]
check "escaping: no markup from labels or data" sh -c "! grep -Eq '<img|<b>A|<i>良|<u>persona|<s>継続|<script>alert' '$tmp/esc/h.html'"
check "escaping: still one script" [ "$(grep -c '<script' "$tmp/esc/h.html")" -eq 1 ]
check "escaping: the falling account's id as text" grep -q '&lt;img src=y onerror=alert(3)&gt;' "$tmp/esc/h.html"
check "escaping: quotes and ampersands" grep -q '&lt;b&gt;A&amp;B&lt;/b&gt; &quot;quoted&quot;' "$tmp/esc/h.html"

# ---- the screenshot ------------------------------------------------------------------
run_browser --screenshot="$png" --window-size=1280,3000 "file://$html" >/dev/null
check "screenshot $png" sh -c "[ -s '$png' ] && [ \"\$(head -c 4 '$png' | od -An -c | tr -d ' ')\" = '211PNG' ]"

echo "e2e-history: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
