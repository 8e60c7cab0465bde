# lib.sh — what the browser tests (tests/e2e/*.sh) share: counting
# checks, finding headless Chromium (installed with apt-get as root in CI;
# otherwise the suite is skipped: "SUITE: 0 passed, 0 failed, 1 skipped")
# and running it quietly; the page's place and the counters. Sourced after
# `kenko` (the binary, an absolute path), `page` (the page's name: its file
# is BUILD/PAGE.html, its screenshot BUILD/PAGE.png) and `suite` are set;
# sets build, html, png, pass, fail and tmp (removed on exit). The
# scripts run in the C locale (English); kenko_ja runs kenko in Japanese.

build=$(dirname "$kenko")
html="$build/$page.html"
png="$build/$page.png"
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
not_ok() { fail=$((fail + 1)); echo "FAIL $1"; }
# check NAME COMMAND...: passes when COMMAND succeeds
check() {
  name=$1
  shift
  if "$@"; then ok "$name"; else not_ok "$name"; fi
}

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ] && [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ]; then
  echo "$suite: installing chromium and fonts-noto-cjk (CI)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  command -v chromium >/dev/null 2>&1 && browser=chromium
fi
if [ -z "$browser" ]; then
  echo "skip: $suite: chromium is not installed (apt-get install chromium fonts-noto-cjk, or run in CI as root)"
  echo "$suite: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=ja 2>/dev/null)" ]; then
  echo "$suite: note: no Japanese font installed (fonts-noto-cjk); the screenshot will show boxes"
fi

# run_browser ARGS...: headless Chromium, quiet, bounded in time
run_browser() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --hide-scrollbars "$@" 2>/dev/null
}


# kenko_ja ARGS...: kenko under LANG=ja_JP.UTF-8 with the build's catalogs
# (as the golden tests' .ja commands run it): the pages in Japanese.
kenko_ja() {
  env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=ja_JP.UTF-8 KENKO_LOCALEDIR="$build/locale" "$kenko" "$@"
}

# check_has FILE WHAT WORDS...: each of WORDS is in FILE (a rendered DOM);
# check_lacks FILE WHAT WORDS...: none is.
check_has() {
  f=$1 what=$2
  shift 2
  for w in "$@"; do check "$what: $w" grep -q -- "$w" "$f"; done
}
check_lacks() {
  f=$1 what=$2
  shift 2
  for w in "$@"; do check "$what: $w" sh -c '! grep -q -- "$1" "$2"' sh "$w" "$f"; done
}

# render_english HTML: the page kenko wrote in the C locale says lang="en";
# its DOM as Chromium renders it goes to $tmp/en-dom.html.
render_english() {
  check "English page: lang=en" grep -q '<html lang="en">' "$1"
  run_browser --dump-dom "file://$1" >"$tmp/en-dom.html"
  check "chromium renders the English page" [ -s "$tmp/en-dom.html" ]
}

# check_self_contained HTML LANG: the page stands alone — UTF-8, in the
# language LANG (lang="en" in the C locale, "ja" under kenko_ja), no
# request to the network, one inline script, a Japanese font stack for
# the rules' labels (what every kenko page promises, report and history
# alike).
check_self_contained() {
  check "utf-8 and lang=$2" grep -q "<html lang=\"$2\">" "$1"
  check "meta charset utf-8" grep -q '<meta charset="utf-8">' "$1"
  check "nothing fetched from the network" sh -c "! grep -Eiq '(src|href)=\"(https?:)?//|@import|url\\(|@font-face' '$1'"
  check "exactly one (inline) script" [ "$(grep -c '<script' "$1")" -eq 1 ]
  check "a Japanese font stack" grep -q '"Noto Sans CJK JP"' "$1"
}
