#!/bin/sh
# check-doc-examples.sh — every ```kenko block in docs/*.md is a complete
# rule file that `kenko check` accepts silently (no error, no warning).
# ```text blocks are fragments and are not checked.
#
# Usage: tests/check-doc-examples.sh [KENKO]     (default: build/kenko)
#
# Each block is written to build/doc-examples/NAME-N.kenko (NAME: the
# document's name without .md, N: the block's number in it, from 1) and
# checked. A block fails when `kenko check` exits non-zero or prints
# anything. The last line is exactly "doc examples: N passed, N failed".
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)

kenko=${1:-build/kenko}
case $kenko in
/*) ;;
*) kenko=$(pwd)/$kenko ;;
esac
cd "$(dirname "$0")/.." || exit 2

out=build/doc-examples
passed=0
failed=0

if [ ! -x "$kenko" ]; then
  echo "check-doc-examples: $kenko is not an executable (build it first)" >&2
  echo "doc examples: 0 passed, 1 failed"
  exit 2
fi

mkdir -p "$out" || exit 2
rm -f "$out"/*.kenko "$out"/*.out "$out"/*.where

for doc in docs/*.md; do
  [ -f "$doc" ] || continue
  name=$(basename "$doc" .md)
  # Writes NAME-N.kenko for each block, and NAME-N.where holding
  # "docs/NAME.md:LINE" (the line of the block's first source line).
  awk -v dir="$out" -v name="$name" -v doc="$doc" '
    /^ ? ? ?```kenko[ \t]*$/ && !inside {
      inside = 1
      n++
      file = dir "/" name "-" n ".kenko"
      printf "" > file
      printf "%s:%d\n", doc, NR + 1 > (dir "/" name "-" n ".where")
      close(dir "/" name "-" n ".where")
      next
    }
    /^ ? ? ?```[ \t]*$/ && inside {
      inside = 0
      close(file)
      next
    }
    inside { print > file }
    END {
      if (inside) {
        printf "%s: a ```kenko block is not closed\n", doc > "/dev/stderr"
        exit 1
      }
    }
  ' "$doc" || failed=$((failed + 1))
done

for example in "$out"/*.kenko; do
  [ -f "$example" ] || continue
  base=${example%.kenko}
  where=$(cat "$base.where" 2>/dev/null)
  "$kenko" check "$example" >"$base.out" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && [ ! -s "$base.out" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $where ($example): kenko check exited $rc"
    sed 's/^/  /' "$base.out"
  fi
done

echo "doc examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
