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
[ -f /usr/include/criterion/criterion.h ] || missing="$missing libcriterion-dev"
[ -f /usr/include/jansson.h ] || missing="$missing libjansson-dev"
if [ -n "$KENKO_EXTRA_PACKAGES" ]; then
  for p in $KENKO_EXTRA_PACKAGES; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
fi
[ -z "$missing" ] && exit 0
echo "kenko: installing missing packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq $missing >/dev/null
