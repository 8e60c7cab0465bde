#!/bin/sh
# install.sh — `make install` into a staging directory and what a user
# does with it: the staged kenko runs, every man page renders with
# `man -l`, pkg-config finds the library, a small C program compiles and
# links against the staged header and library and loads a scorecard;
# `make uninstall` removes every file it installed; `make deb` builds a
# package whose control fields and file list are right and in which
# lintian finds no error. Last line "install: N passed, N failed".
# Usage: tests/install.sh BUILD
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
build=${1:-build}
cd "$(dirname "$0")/.." || exit 2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL $1"
  [ -s "$stage/log" ] && sed 's/^/  /' "$stage/log" | head -20
  return 0
}

root="$stage/root"
if make --no-print-directory -s install BUILD="$build" DESTDIR="$root" PREFIX=/usr >"$stage/log" 2>&1; then ok; else bad "make install"; fi

# nothing of DESTDIR in what was installed
if grep -rl "$root" "$root" >"$stage/log" 2>&1; then bad "DESTDIR written into installed files"; else ok; fi

"$root/usr/bin/kenko" --version >"$stage/log" 2>&1 && grep -q '^kenko [0-9]' "$stage/log" && ok || bad "staged kenko --version"
"$root/usr/bin/kenko" check rules/aiueo.kenko >"$stage/log" 2>&1 && ok || bad "staged kenko check"
# the installed catalog, found beside the binary (../share/locale)
if [ -f "$root/usr/share/locale/ja/LC_MESSAGES/kenko.mo" ] &&
  (unset LC_ALL LC_MESSAGES KENKO_LOCALEDIR && LANG=ja_JP.UTF-8 && export LANG &&
    "$root/usr/bin/kenko" run rules/aiueo.kenko "$stage/none.csv") 2>&1 | grep -q 'エラー:'; then
  ok
else
  bad "staged kenko under LANG=ja_JP.UTF-8 (its catalog in share/locale)"
fi

pages=$(ls docs/man/*.[157] 2>/dev/null)
for page in $pages; do
  sect=${page##*.}
  inst="$root/usr/share/man/man$sect/$(basename "$page").gz"
  if [ -f "$inst" ] && MANWIDTH=80 man -l "$inst" >"$stage/out" 2>"$stage/log" && [ -s "$stage/out" ] &&
    [ ! -s "$stage/log" ]; then
    ok
  else
    bad "man -l $inst"
  fi
done

export PKG_CONFIG_PATH="$root/usr/lib/pkgconfig"
flags=$(pkg-config --define-prefix --cflags --libs kenko 2>"$stage/log")
if [ -n "$flags" ] && echo "$flags" | grep -q -- '-lkenko'; then ok; else bad "pkg-config --cflags --libs kenko"; fi
cat >"$stage/hello.c" <<'C'
#include <stdio.h>
#include <kenko.h>
int main(int argc, char **argv) {
  int status;
  kenko_rules *r = kenko_load(argc > 1 ? argv[1] : "x.kenko", NULL, &status);
  if (!r) return 1;
  printf("rules %s\n", kenko_rules_fingerprint(r));
  kenko_rules_free(r);
  return 0;
}
C
# (under make asan-test the library is instrumented: link the runtime too)
# shellcheck disable=SC2086
if ${CC:-cc} -std=c11 ${KENKO_SAN:-} -o "$stage/hello" "$stage/hello.c" $flags >"$stage/log" 2>&1 &&
  "$stage/hello" rules/aiueo.kenko >"$stage/out" 2>"$stage/log" &&
  [ "$(cat "$stage/out")" = "rules $(build_fp=$("$build/kenko" run rules/aiueo.kenko rules/sample/accounts.csv --format csv --as-of 2026-11-22 2>/dev/null | sed -n '2p' | awk -F, '{print $NF}'); echo "$build_fp")" ]; then
  ok
else
  bad "a C program against the staged library"
fi

make --no-print-directory -s uninstall BUILD="$build" DESTDIR="$root" PREFIX=/usr >"$stage/log" 2>&1
left=$(find "$root" -type f)
if [ -z "$left" ]; then ok; else echo "$left" >"$stage/log"; bad "make uninstall left files"; fi

# the Debian package
if command -v dpkg-deb >/dev/null 2>&1 && command -v dpkg-shlibdeps >/dev/null 2>&1; then
  if deb=$(make --no-print-directory -s deb BUILD="$build" 2>"$stage/log") && [ -f "$deb" ]; then
    ok
    dpkg-deb -I "$deb" >"$stage/info" 2>&1
    for field in 'Package: kenko' 'Depends: .*libc6' 'Depends: .*libyaml' 'Depends: .*libxlsxwriter' 'Architecture: '; do
      if grep -q "^ $field" "$stage/info"; then ok; else cp "$stage/info" "$stage/log"; bad "dpkg-deb -I: $field"; fi
    done
    dpkg-deb -c "$deb" >"$stage/files" 2>&1
    for f in ./usr/bin/kenko ./usr/include/kenko.h libkenko.a kenko.pc ./usr/share/doc/kenko/copyright \
      ./usr/share/bash-completion/completions/kenko _kenko; do
      if grep -q -- "$f" "$stage/files"; then ok; else cp "$stage/files" "$stage/log"; bad "dpkg-deb -c: $f"; fi
    done
    if command -v lintian >/dev/null 2>&1; then
      lintian "$deb" >"$stage/log" 2>&1
      if grep -q '^E:' "$stage/log"; then bad "lintian errors"; else ok; fi
    fi
  else
    bad "make deb"
  fi
else
  echo "skip: install: dpkg-deb is not installed (no package built)"
  echo "install: $pass passed, $fail failed, 1 skipped"
  exit 0
fi

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
