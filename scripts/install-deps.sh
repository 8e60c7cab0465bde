#!/bin/sh
# Installs the Debian packages kenko needs, but only those that are missing.
# Called by `make` (target `deps`); safe to run again.
set -e
missing=""
command -v flex  >/dev/null 2>&1 || missing="$missing flex"
command -v bison >/dev/null 2>&1 || missing="$missing bison"
command -v cc    >/dev/null 2>&1 || missing="$missing gcc"
[ -f /usr/include/yaml.h ] || missing="$missing libyaml-dev"
[ -f /usr/include/jansson.h ] || missing="$missing libjansson-dev"
[ -f /usr/include/xlsxwriter.h ] || missing="$missing libxlsxwriter-dev"
[ -f /usr/include/criterion/criterion.h ] || missing="$missing libcriterion-dev"
command -v msgfmt >/dev/null 2>&1 || missing="$missing gettext"
# the Japanese golden tests run under LANG=ja_JP.UTF-8 (docs/i18n.md)
[ -f /usr/share/i18n/locales/ja_JP ] || missing="$missing locales"
has_ja_locale() { locale -a 2>/dev/null | grep -qix 'ja_JP.utf-\{0,1\}8'; }
# kenko sql's differential test runs its queries in a real PostgreSQL (tests/sql/postgres.sh)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$KENKO_EXTRA_PACKAGES" ]; then
  for p in $KENKO_EXTRA_PACKAGES; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
  echo "kenko: installing missing packages:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq $missing >/dev/null
fi
if ! has_ja_locale; then
  echo "kenko: generating the ja_JP.UTF-8 locale" >&2
  $SUDO localedef -i ja_JP -c -f UTF-8 -A /usr/share/locale/locale.alias ja_JP.UTF-8
fi
