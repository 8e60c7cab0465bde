#!/bin/sh
# make-deb.sh BUILD — builds build/kenko_VERSION_ARCH.deb with dpkg-deb from
# a staged `make install PREFIX=/usr DESTDIR=…`. Depends is computed from
# the libraries the binary links (dpkg-shlibdeps), and the one it opens
# for workbooks (libxlsxwriter). Called by `make deb`.
set -eu
build=${1:-build}
version=$(sed -n 's/^#define KENKO_VERSION "\(.*\)"/\1/p' include/kenko.h)
arch=$(dpkg --print-architecture)
stage="$build/deb/kenko"
rm -rf "$build/deb"
mkdir -p "$stage"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "")
libdir=/usr/lib${multiarch:+/$multiarch}
make --no-print-directory -s install PREFIX=/usr LIBDIR="$libdir" DESTDIR="$(pwd)/$stage" BUILD="$build" >/dev/null

# no debugging symbols in a package (Debian's policy: a -dbgsym package
# would carry them)
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/kenko"
strip --strip-debug "$stage$libdir/libkenko.a"

# Debian's documentation files: copyright, and a changelog
doc="$stage/usr/share/doc/kenko"
mkdir -p "$doc"
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: kenko"
  echo ""
  echo "Files: *"
  echo "Copyright: 2026 the kenko authors"
  echo "License: MIT"
  sed -n '3,21p' LICENSE | sed 's/^$/./; s/^/ /'
} >"$doc/copyright"
printf 'kenko (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- kenko authors <kenko@example.com>  %s\n' \
  "$version" "$version" "$(date -R -d @"${SOURCE_DATE_EPOCH:-1764979200}")" | gzip -9n >"$doc/changelog.gz"

# Depends from the linked shared libraries
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debian"
printf 'Source: kenko\n\nPackage: kenko\nArchitecture: any\n' >"$tmp/debian/control"
bin=$(pwd)/$stage/usr/bin/kenko
depends=$(cd "$tmp" && dpkg-shlibdeps -O -e"$bin" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "make-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# libxlsxwriter is opened when a workbook is written (src/io/xlsx.c), not
# linked, so dpkg-shlibdeps does not see it: the package holding the
# soname kenko opens (the header's) is added by hand
xlsx_so=libxlsxwriter.so.$(sed -n 's/^#define LXW_SOVERSION "\(.*\)"/\1/p' /usr/include/xlsxwriter.h)
xlsx_pkg=$(dpkg -S "*/$xlsx_so" 2>/dev/null | sed -n '1s/:.*//p')
[ -n "$xlsx_pkg" ] || { echo "make-deb: no package holds $xlsx_so" >&2; exit 1; }
depends="$depends, $xlsx_pkg"
size=$(du -sk "$stage" | cut -f1)

mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: kenko
Version: $version
Architecture: $arch
Maintainer: kenko authors <kenko@example.com>
Installed-Size: $size
Depends: $depends
Section: devel
Priority: optional
Description: health-score rule language for customer-success teams
 kenko reads an account health score written as a text file (indicators,
 thresholds, the aiueo dimensions, personas, grades, flags, the CS journey)
 and runs it over CRM exports, explaining every score: the points each rule
 cost add up to 100 minus the health.
CONTROL
find "$stage" -type d -exec chmod 0755 {} +
out="$build/kenko_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$stage" "$out" >/dev/null
echo "$out"
