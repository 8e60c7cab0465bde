#!/bin/sh
# End-to-end test of `kenko effect --html` in a real browser: the page for
# the reference scorecard with history over the sample history and the
# sample action log (rules/sample/actions.csv: a utilization workshop that
# works in the generated data, a newsletter that does not), rendered by
# headless Chromium: a section per tag with its counts, the effect and its
# interval drawn against zero, the before/after health distributions of
# the accounts acted on and of their controls, the members that moved,
# the "not proof of cause" line, the page's words in Japanese under
# LANG=ja_JP.UTF-8 and in English in the C locale; a self-contained file;
# and escaping of what it shows. Leaves BUILD/effect.html (Japanese) and a
# screenshot, BUILD/effect.png.
# Usage: tests/e2e/effect_html.sh path/to/kenko   (last line: "e2e-effect: N passed, N failed")
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/../.." || exit 2
page=effect
suite=e2e-effect
. tests/e2e/lib.sh

rules=rules/aiueo-history.kenko
rm -f "$html" "$png"
kenko_ja effect "$rules" rules/sample/history/accounts-*.csv --actions rules/sample/actions.csv --html "$html" \
  --format json >"$tmp/effect.json" 2>"$tmp/stderr"
check "kenko effect --html exits 0" [ $? -eq 0 ]
check "the HTML file is written" [ -s "$html" ]
check "the JSON is still written to stdout" grep -q '"tags"' "$tmp/effect.json"

# ---- self-contained ----------------------------------------------------------------
check "utf-8 and lang=ja" grep -q '<html lang="ja">' "$html"
check "the JSON keeps its English keys and note (a machine format)" grep -q '"note":"compares the accounts' "$tmp/effect.json"
check "meta charset utf-8" grep -q '<meta charset="utf-8">' "$html"
check "nothing fetched from the network" sh -c "! grep -Eiq '(src|href)=\"(https?:)?//|@import|url\\(|@font-face' '$html'"
check "no script" sh -c "! grep -q '<script' '$html'"

# ---- rendered by the browser ---------------------------------------------------------
run_browser --dump-dom "file://$html" >"$tmp/dom.html"
check "chromium renders the page" [ -s "$tmp/dom.html" ]
sections=$(grep -o '<section class="tag"' "$tmp/dom.html" | wc -l)
check "a section per tag ($sections of 2)" [ "$sections" -eq 2 ]
check "the workshop's section" grep -q 'アクション 活用ワークショップ' "$tmp/dom.html"
check "the newsletter's section" grep -q 'アクション ニュースレター送付' "$tmp/dom.html"
intervals=$(grep -o '<svg class="chart interval"' "$tmp/dom.html" | wc -l)
check "an interval chart per tag ($intervals)" [ "$intervals" -eq 2 ]
check "each interval drawn (a line and the mean)" [ "$(grep -o '<line class="ci"' "$tmp/dom.html" | wc -l)" -eq 2 ]
dists=$(grep -o '<svg class="chart dist"' "$tmp/dom.html" | wc -l)
check "before and after distributions per tag ($dists of 4)" [ "$dists" -eq 4 ]
acted=$(grep -o '<rect class="acted"' "$tmp/dom.html" | wc -l)
controls=$(grep -o '<rect class="control"' "$tmp/dom.html" | wc -l)
check "acted-on and control bars, 10 bins each ($acted, $controls)" [ "$acted" -eq 40 ] && [ "$controls" -eq 40 ]
check "the workshop's interval is above 0" grep -q '区間は 0 より上' "$tmp/dom.html"
check "the newsletter's interval crosses 0" grep -q '区間が 0 をまたぐ' "$tmp/dom.html"
causes=$(grep -o '因果の証明ではありません' "$tmp/dom.html" | wc -l)
check "the not-proof-of-cause line (header and each tag: $causes)" [ "$causes" -eq 3 ]
# the page's figures are the JSON's
mean=$(grep -o '"effect":[-0-9.]*' "$tmp/effect.json" | head -n 1 | cut -d: -f2)
shown=$(awk -v m="$mean" 'BEGIN { printf "%+.1f", m }')
check "the first tag's effect as in the JSON ($shown)" grep -q "<strong>$shown</strong>" "$tmp/dom.html"
check_has "$tmp/dom.html" "Japanese label in the DOM" アクションの効果 比較対象 アクション前のヘルススコア \
  アクション後のヘルススコア どう効いたか 結果待ち
check_lacks "$tmp/dom.html" "no English words on the Japanese page" 'Effect of actions' 'How it worked' \
  'not proof of cause'

# ---- the English page (C locale) -------------------------------------------------------
"$kenko" effect "$rules" rules/sample/history/accounts-*.csv --actions rules/sample/actions.csv --html "$tmp/en.html" \
  >/dev/null 2>&1
render_english "$tmp/en.html"
check_has "$tmp/en-dom.html" "English words in the DOM" '<h2>Action 活用ワークショップ</h2>' 'Effect: <strong>' \
  'the interval is above 0' 'Health before the action' 'How it worked' '<th class="num">pending</th>'
causes=$(grep -o 'not proof of cause' "$tmp/en-dom.html" | wc -l)
check "English page: the not-proof-of-cause line ($causes)" [ "$causes" -eq 3 ]
check_lacks "$tmp/en-dom.html" "no Japanese page word on the English page" アクションの効果 比較対象 どう効いたか
check "English page: the first tag's effect as in the JSON ($shown)" grep -q "<strong>$shown</strong>" "$tmp/en-dom.html"

# ---- escaping: a tag and labels with markup stay text -------------------------------------
mkdir -p "$tmp/esc"
cat >"$tmp/esc/rules.kenko" <<'RULES'
scorecard "<b>A&B</b>"
input id: text key
input usage: number
dimension use "<script>alert(1)</script>" { score u "<img src=x onerror=alert(2)>" : usage }
grades { good >= 50  bad otherwise }
RULES
printf 'id,usage\na,10\nb,10\nc,10\n' >"$tmp/esc/data-2026-01-31.csv"
printf 'id,usage\na,40\nb,10\nc,20\n' >"$tmp/esc/data-2026-04-30.csv"
printf 'id,date,action\na,2026-01-31,"<i>call</i>"\n' >"$tmp/esc/actions.csv"
kenko_ja effect "$tmp/esc/rules.kenko" "$tmp/esc"/data-*.csv --actions "$tmp/esc/actions.csv" --html "$tmp/esc/e.html" >/dev/null 2>&1
check "escaping: the page is written" [ -s "$tmp/esc/e.html" ]
check "escaping: no markup from labels or tags" sh -c "! grep -Eq '<img|<b>A|<i>call|<script' '$tmp/esc/e.html'"
check "escaping: the tag as text" grep -q '&lt;i&gt;call&lt;/i&gt;' "$tmp/esc/e.html"

# ---- the screenshot ------------------------------------------------------------------
run_browser --screenshot="$png" --window-size=1100,2600 "file://$html" >/dev/null
check "screenshot $png" sh -c "[ -s '$png' ] && [ \"\$(head -c 4 '$png' | od -An -c | tr -d ' ')\" = '211PNG' ]"

echo "e2e-effect: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
