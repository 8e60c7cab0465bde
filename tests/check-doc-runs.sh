#!/bin/sh
# check-doc-runs.sh — the examples in docs/*.md that show kenko's output
# are run, and what they show must be what kenko prints.
#
# Usage: tests/check-doc-runs.sh [KENKO]     (default: build/kenko)
#
# In a document, a fenced block right after the line
#     <!-- doc-file: NAME -->
# is written to NAME in that document's scratch directory
# (build/doc-runs/DOC/), and a fenced block right after the line
#     <!-- doc-run -->
# is a command and its output: its first line is `$ kenko ARGS`, the rest
# is exactly the standard output of `kenko ARGS` run in the scratch
# directory (files are written in the order they appear, so a run sees
# every file above it). A run fails when its output differs or kenko
# exits with a status other than 0 or 1, or prints to stderr anything but
# its summary line ("N accounts scored, …").
# The last line is exactly "doc runs: N passed, N failed".
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # the English output the docs show (docs/i18n.md)

kenko=${1:-build/kenko}
case $kenko in
/*) ;;
*) kenko=$(pwd)/$kenko ;;
esac
cd "$(dirname "$0")/.." || exit 2

out=build/doc-runs
passed=0
failed=0

if [ ! -x "$kenko" ]; then
  echo "check-doc-runs: $kenko is not an executable (build it first)" >&2
  echo "doc runs: 0 passed, 1 failed"
  exit 2
fi
rm -rf "$out"
mkdir -p "$out" || exit 2

for doc in docs/*.md; do
  grep -q '^<!-- doc-\(file\|run\)' "$doc" || continue
  name=$(basename "$doc" .md)
  dir=$out/$name
  mkdir -p "$dir"
  # Splits the document: each doc-file block to DIR/NAME; each doc-run
  # block to DIR/run-N.args (the arguments), DIR/run-N.expected (the
  # output) and DIR/run-N.where (docs/X.md:LINE).
  awk -v dir="$dir" -v doc="$doc" '
    /^<!-- doc-file: [^ ]+ -->$/ { pending = "file"; target = $3; next }
    /^<!-- doc-run -->$/ { pending = "run"; next }
    /^```/ && !inside && pending != "" {
      inside = 1; kind = pending; pending = ""; first = 1
      if (kind == "file") { file = dir "/" target; printf "" > file }
      else { n++; file = dir "/run-" n ".expected"; printf "" > file
             printf "%s:%d\n", doc, NR > (dir "/run-" n ".where"); close(dir "/run-" n ".where") }
      next
    }
    /^```[ \t]*$/ && inside { inside = 0; close(file); next }
    inside && kind == "run" && first {
      first = 0
      if ($0 !~ /^\$ kenko /) { printf "%s:%d: a doc-run block must start with \"$ kenko \"\n", doc, NR > "/dev/stderr"; bad = 1 }
      args = substr($0, 9)
      printf "%s\n", args > (dir "/run-" n ".args"); close(dir "/run-" n ".args")
      next
    }
    inside { print > file }
    /^./ && !inside && pending != "" && !/^```/ { printf "%s:%d: a doc-file or doc-run mark must be followed by a fenced block\n", doc, NR > "/dev/stderr"; bad = 1; pending = "" }
    END { if (inside) { printf "%s: a block is not closed\n", doc > "/dev/stderr"; bad = 1 } exit bad }
  ' "$doc" || failed=$((failed + 1))
  for args_file in "$dir"/run-*.args; do
    [ -f "$args_file" ] || continue
    base=${args_file%.args}
    where=$(cat "$base.where")
    args=$(cat "$args_file")
    # shellcheck disable=SC2086
    (cd "$dir" && "$kenko" $args) >"$base.out" 2>"$base.err"
    rc=$?
    grep -v -E '^[0-9]+ (account|record)s? scored' "$base.err" >"$base.err2"
    if [ "$rc" -gt 1 ]; then
      failed=$((failed + 1))
      echo "FAIL $where: kenko $args exited $rc"
      sed 's/^/  /' "$base.err" | head -10
    elif [ -s "$base.err2" ]; then
      failed=$((failed + 1))
      echo "FAIL $where: kenko $args printed to stderr"
      sed 's/^/  /' "$base.err2" | head -10
    elif ! cmp -s "$base.out" "$base.expected"; then
      failed=$((failed + 1))
      echo "FAIL $where: kenko $args printed something else (- doc, + kenko)"
      diff "$base.expected" "$base.out" | head -20
    else
      passed=$((passed + 1))
    fi
  done
done

echo "doc runs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
