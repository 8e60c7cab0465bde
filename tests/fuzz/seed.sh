#!/bin/sh
# seed.sh KIND DIR — fills DIR with the seed corpus of a fuzz target from
# files already in the repository (nothing is stored twice in git):
#   rules  every .kenko under tests/ and rules/, and every ```kenko block
#          of docs/*.md
#   yaml   every .yaml .yml .json under tests/ and rules/
#   csv    every .csv under tests/ and rules/
#   jsonl  every .jsonl and .json under tests/ and rules/
#   json   every .json under tests/ and rules/
# Files are named by content hash, so re-seeding an existing corpus adds
# only what is new. Run from the repository root.
set -eu
kind=$1
dir=$2
mkdir -p "$dir"

add() {
  for f in "$@"; do
    [ -f "$f" ] || continue
    h=$(sha1sum "$f" | cut -c1-40)
    cp "$f" "$dir/seed-$h"
  done
}

case $kind in
rules)
  find tests rules -type f -name '*.kenko' -size -64k | while read -r f; do add "$f"; done
  tmp=$(mktemp -d)
  for doc in docs/*.md; do
    awk -v dir="$tmp" -v name="$(basename "$doc" .md)" '
      /^ ? ? ?```kenko[ \t]*$/ && !inside { inside = 1; n++; file = dir "/" name "-" n; printf "" > file; next }
      /^ ? ? ?```[ \t]*$/ && inside { inside = 0; close(file); next }
      inside { print > file }' "$doc"
  done
  add "$tmp"/*
  rm -rf "$tmp"
  ;;
yaml)
  find tests rules -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -size -64k |
    while read -r f; do add "$f"; done
  ;;
jsonl)
  find tests rules -type f \( -name '*.jsonl' -o -name '*.json' \) -size -64k | while read -r f; do add "$f"; done
  ;;
json)
  find tests rules -type f -name '*.json' -size -64k | while read -r f; do add "$f"; done
  ;;
csv)
  find tests rules -type f -name '*.csv' -size -64k | while read -r f; do add "$f"; done
  ;;
*)
  echo "seed.sh: unknown kind $kind (rules, yaml, csv, jsonl or json)" >&2
  exit 2
  ;;
esac
