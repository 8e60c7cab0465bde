#!/bin/sh
# i18n.sh — the translations (docs/i18n.md): every catalog in po/ passes
# `msgfmt --check` with every message translated (0 untranslated, 0
# fuzzy); po/kenko.pot holds exactly the messages of the sources (as
# `make pot` extracts them now); every message of the sources is
# translated in every catalog; the build's catalogs are current; kenko
# speaks Japanese under LANG=ja_JP.UTF-8 and English under LC_ALL=C.
# Last line "i18n: N passed, N failed".
# Usage: tests/i18n.sh BUILD
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
build=${1:-build}
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL $1"
  [ -s "$tmp/log" ] && sed 's/^/  /' "$tmp/log" | head -40
  return 0
}

# the messages of the sources now, extracted as `make pot` does
if make --no-print-directory -s pot POT="$tmp/kenko.pot" >"$tmp/log" 2>&1; then ok; else bad "make pot"; fi

# po/kenko.pot is current: the same messages both ways
if msgcmp --use-untranslated po/kenko.pot "$tmp/kenko.pot" >"$tmp/log" 2>&1 &&
  msgcmp --use-untranslated "$tmp/kenko.pot" po/kenko.pot >>"$tmp/log" 2>&1; then
  ok
else
  echo "(run make update-po, translate, and commit po/)" >>"$tmp/log"
  bad "po/kenko.pot is not the sources' messages"
fi

for po in po/*.po; do
  lang=$(basename "$po" .po)
  # valid, formats consistent, every message translated, none fuzzy
  if msgfmt --check --statistics -o /dev/null "$po" >"$tmp/stats" 2>&1 &&
    grep -q '^[0-9]* translated messages\.$' "$tmp/stats"; then
    ok
  else
    cp "$tmp/stats" "$tmp/log"
    bad "msgfmt --check --statistics $po: not every message translated"
  fi
  # every message of the sources is in it, translated (new ones fail here)
  if msgcmp "$po" "$tmp/kenko.pot" >"$tmp/log" 2>&1; then
    ok
  else
    bad "$po lacks translations of the sources' messages (make update-po, then translate)"
  fi
  # no obsolete entries left behind
  if grep -q '^#~' "$po"; then
    grep -n '^#~ msgid' "$po" >"$tmp/log"
    bad "$po keeps obsolete messages (#~): delete them"
  else
    ok
  fi
  # the build's catalog is the one compiled from it
  mo="$build/locale/$lang/LC_MESSAGES/kenko.mo"
  if [ -f "$mo" ] && msgfmt -o "$tmp/$lang.mo" "$po" && cmp -s "$mo" "$tmp/$lang.mo"; then
    ok
  else
    : >"$tmp/log"
    bad "$mo is missing or not built from $po"
  fi
done

# the language comes from the environment, and only from it
if locale -a 2>/dev/null | grep -qix 'ja_JP.utf-\{0,1\}8'; then
  ok
else
  echo "the ja_JP.UTF-8 locale is missing: make deps generates it" >"$tmp/log"
  bad "ja_JP.UTF-8 locale"
fi
printf 'input x: number\n' >"$tmp/r.kenko"
printf 'x\n1\n' >"$tmp/d.csv"
"$build/kenko" run "$tmp/r.kenko" "$tmp/nope.csv" >"$tmp/en" 2>&1
(unset LC_ALL LC_MESSAGES && LANG=ja_JP.UTF-8 KENKO_LOCALEDIR="$build/locale" &&
  export LANG KENKO_LOCALEDIR && "$build/kenko" run "$tmp/r.kenko" "$tmp/nope.csv") >"$tmp/ja" 2>&1
if grep -q 'エラー:' "$tmp/ja" && ! grep -q 'エラー:' "$tmp/en" && grep -q ' error: ' "$tmp/en"; then
  ok
else
  { echo "LC_ALL=C:"; cat "$tmp/en"; echo "LANG=ja_JP.UTF-8:"; cat "$tmp/ja"; } >"$tmp/log"
  bad "LANG=ja_JP.UTF-8 gives Japanese, LC_ALL=C English"
fi
# LC_ALL=C means English, whatever LANG and LANGUAGE say; so does the tests' C.UTF-8
(unset LC_ALL LC_MESSAGES && LANG=ja_JP.UTF-8 LANGUAGE=ja KENKO_LOCALEDIR="$build/locale" LC_ALL=C &&
  export LANG LANGUAGE KENKO_LOCALEDIR LC_ALL && "$build/kenko" run "$tmp/r.kenko" "$tmp/nope.csv") >"$tmp/c" 2>&1
if cmp -s "$tmp/c" "$tmp/en"; then ok; else cp "$tmp/c" "$tmp/log"; bad "LC_ALL=C gives English"; fi
# the build tree's catalogs (build/locale beside build/kenko) without
# KENKO_LOCALEDIR: `make`, then LANG=ja_JP.UTF-8 build/kenko speaks Japanese;
# a copy of the binary with no catalog beside it speaks English
(unset LC_ALL LC_MESSAGES LANGUAGE KENKO_LOCALEDIR && LANG=ja_JP.UTF-8 && export LANG &&
  "$build/kenko" run "$tmp/r.kenko" "$tmp/nope.csv") >"$tmp/near" 2>&1
mkdir -p "$tmp/bin"
cp "$build/kenko" "$tmp/bin/kenko"
(unset LC_ALL LC_MESSAGES LANGUAGE KENKO_LOCALEDIR && LANG=ja_JP.UTF-8 && export LANG &&
  "$tmp/bin/kenko" run "$tmp/r.kenko" "$tmp/nope.csv") >"$tmp/alone" 2>&1
if cmp -s "$tmp/near" "$tmp/ja" && grep -q ' error: ' "$tmp/alone"; then
  ok
else
  { echo "build/kenko:"; cat "$tmp/near"; echo "a copy without catalogs:"; cat "$tmp/alone"; } >"$tmp/log"
  bad "build/kenko finds build/locale without KENKO_LOCALEDIR"
fi

echo "i18n: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
