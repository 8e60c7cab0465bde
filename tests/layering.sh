#!/bin/sh
# layering.sh — the layers of src/ hold (docs/architecture.md, "Layers").
#
# Every directory of src/ has a layer, lowest first:
#   base < front < check < engine < io < run < portfolio = sql = fmt = lsp < cli = api (src/api.c)
# and reads the #include "DIR/NAME.h" lines of every .c and .h below it:
#   1. no file includes a header of a higher layer (engine/x.c including
#      io/y.h is refused: the engine must not know the readers), unless the
#      pair is in tests/layering.allow with its reason (the debts the tree
#      still has; an entry that no longer occurs is an error too, so the
#      list only shrinks);
#   2. no two directories include each other's headers, directly or round
#      a longer circle (the same layer too: portfolio and sql);
#   3. compile.c never calls the evaluator: it names none of eval.c's
#      functions and does not include eval.h (issue 10);
#   4. every directory of src/ has a layer (a new one is added to the
#      table below, and to docs/architecture.md).
# On failure it prints what it found: the file, the line, the header and
# both layers, or the circle with a file for each of its steps.
#
# Then it checks itself: the same checks over a copy of src/ with a bad
# include planted (io including a portfolio header, front an engine one;
# sql and portfolio including each other; compile.c calling eval_account;
# a directory with no layer; an allowance that no longer occurs) must
# fail, each saying what it found.
#
# Usage: tests/layering.sh            (the repository's src/)
#        tests/layering.sh --check DIR [ALLOW]   (one run over DIR; exit 1 on a finding)
set -u
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/.." || exit 2

# the layers: DIRECTORY:RANK (. is src/ itself: api.c)
layers='base:0 front:1 check:2 engine:3 io:4 run:5 portfolio:6 sql:6 fmt:6 lsp:6 cli:7 .:7'

# check SRC ALLOW: prints the findings, one block each; exit 1 when any
check() {
  src=$1
  allow=$2
  # every include of a directory's header: "FROMDIR FILE LINE TODIR HEADER"
  edges=$(find "$src" -name '*.[ch]' | sort | while read -r f; do
    rel=${f#"$src"/}
    case $rel in */*) dir=${rel%%/*} ;; *) dir=. ;; esac
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]*/[^"]*"' "$f" |
      sed 's/^\([0-9]*\):[^"]*"\([a-z_]*\)\/\([^"]*\)".*/\1 \2 \2\/\3/' |
      while read -r line todir header; do
        echo "$dir $rel $line $todir $header"
      done
  done)
  dirs=$(find "$src" -mindepth 1 -maxdepth 1 -type d | sed "s|^$src/||" | sort)
  printf '%s\n' "$edges" | awk -v layers="$layers" -v dirs="$dirs" -v allowfile="$allow" '
    BEGIN {
      n = split(layers, l, " ")
      for (i = 1; i <= n; i++) { split(l[i], kv, ":"); rank[kv[1]] = kv[2] }
      nd = split(dirs, d, "\n")
      for (i = 1; i <= nd; i++)
        if (d[i] != "" && !(d[i] in rank)) {
          printf "no layer: src/%s/ is in no layer (add it to tests/layering.sh and docs/architecture.md)\n", d[i]
          bad++
        }
      # the allowed pairs: "FILE HEADER  # why"
      while ((getline line < allowfile) > 0) {
        sub(/#.*/, "", line)
        if (split(line, f, " ") < 2) continue
        allowed[f[1] " " f[2]] = 1
      }
    }
    NF == 5 {
      from = $1; file = $2; ln = $3; to = $4; hdr = $5
      if (from == to) next
      if (!(to in rank)) {
        printf "unknown layer: src/%s:%s includes \"%s\": no directory src/%s/ has a layer\n", file, ln, hdr, to
        bad++
        next
      }
      key = file " " hdr
      if (rank[to] > rank[from]) {
        if (key in allowed) { used[key] = 1; next }
        printf "upward include: src/%s:%s includes \"%s\": %s (layer %d) must not include %s (layer %d)\n",
               file, ln, hdr, from, rank[from], to, rank[to]
        bad++
        next
      }
      if (key in allowed) used[key] = 1
      e = from SUBSEP to
      if (!(e in edge)) { edge[e] = "src/" file ":" ln " includes \"" hdr "\""; out[from] = out[from] " " to }
    }
    # a circle between directories: depth first, the path kept
    function visit(v,    k, nn, w, t, i, s) {
      state[v] = 1; path[++depth] = v
      nn = split(out[v], t, " ")
      for (k = 1; k <= nn && !found; k++) {
        w = t[k]
        if (state[w] == 1) {
          s = ""
          for (i = 1; i <= depth; i++) if (path[i] == w) break
          for (; i <= depth; i++) {
            nxt = i < depth ? path[i + 1] : w
            s = s sprintf("\n  %s -> %s: %s", path[i], nxt, edge[path[i] SUBSEP nxt])
          }
          printf "circle between directories:%s\n", s
          found = 1; bad++
        } else if (state[w] == 0) visit(w)
      }
      depth--; state[v] = 2
    }
    END {
      for (v in out) if (!state[v] && !found) visit(v)
      for (k in allowed)
        if (!(k in used)) {
          printf "stale allowance: %s no longer occurs: remove it from %s\n", k, allowfile
          bad++
        }
      exit bad > 0
    }'
  rc=$?
  # compile.c and the evaluator
  compile=$src/engine/compile.c
  if [ -f "$compile" ]; then
    if grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"engine/eval\.h"' "$compile"; then
      echo "compile.c includes engine/eval.h: the compiler must not call the evaluator"
      rc=1
    fi
    # eval.c's functions: the definitions at the start of a line that are not static
    fns=$(grep -E '^[A-Za-z_][A-Za-z0-9_ \*]*[ \*]([a-z_][a-z0-9_]*)\(' "$src/engine/eval.c" | grep -v '^static' |
      sed -E 's/^[^(]*[ \*]([a-z_][a-z0-9_]*)\(.*/\1/' | sort -u)
    for fn in $fns; do
      if grep -nE "(^|[^A-Za-z0-9_])${fn}[[:space:]]*\(" "$compile" >/dev/null; then
        echo "compile.c calls eval.c's $fn: $(grep -nE "(^|[^A-Za-z0-9_])${fn}[[:space:]]*\(" "$compile" | head -n 1)"
        rc=1
      fi
    done
    [ -n "$fns" ] || { echo "eval.c: no function found (the pattern is stale)"; rc=1; }
  fi
  return $rc
}

if [ "${1:-}" = --check ]; then
  check "$2" "${3:-tests/layering.allow}"
  exit $?
fi

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL $1"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the tree as it is
if check src tests/layering.allow >"$tmp/log" 2>&1; then ok; else
  cat "$tmp/log"
  bad "src/: the layers above"
fi

# planted: CASE FILE TEXT — appends TEXT to FILE of a copy of src/; the
# check must fail and name the finding (GREP)
planted() {
  rm -rf "$tmp/src"
  cp -R src "$tmp/src"
  mkdir -p "$(dirname "$tmp/src/$2")"
  printf '%s\n' "$3" >>"$tmp/src/$2"
  if check "$tmp/src" tests/layering.allow >"$tmp/log" 2>&1; then
    bad "$1: the check passed a tree with $2 + '$3'"
  elif ! grep -q "$4" "$tmp/log"; then
    cat "$tmp/log"
    bad "$1: the check failed, but did not say \"$4\""
  else
    ok
  fi
}
planted "io includes portfolio" io/table.c '#include "portfolio/html.h"' \
  'upward include: src/io/table.c:[0-9]* includes "portfolio/html.h": io (layer 4) must not include portfolio (layer 6)'
planted "front includes engine" front/ast.h '#include "engine/eval.h"' 'upward include: src/front/ast.h'
rm -rf "$tmp/src"
cp -R src "$tmp/src"
echo '#include "sql/sql.h"' >>"$tmp/src/portfolio/report.h"
echo '#include "portfolio/report.h"' >>"$tmp/src/sql/sql_query.c"
if check "$tmp/src" tests/layering.allow >"$tmp/log" 2>&1; then
  bad "portfolio <-> sql: a circle in one layer passed"
elif ! grep -q 'circle between directories' "$tmp/log"; then
  cat "$tmp/log"
  bad "portfolio <-> sql: not reported as a circle"
else ok; fi
planted "compile calls eval" engine/compile.c 'static void f(void) { eval_account(0, 0, 0, 0); }' \
  "compile.c calls eval.c's eval_account"
planted "a new directory" newdir/x.c '' 'no layer: src/newdir/'
# an allowance for an include no file has
{ cat tests/layering.allow; echo 'engine/run.c io/nothing.h # planted'; } >"$tmp/allow"
if check src "$tmp/allow" >"$tmp/log" 2>&1; then
  bad "a stale allowance passed"
elif ! grep -q 'stale allowance: engine/run.c io/nothing.h' "$tmp/log"; then
  cat "$tmp/log"
  bad "a stale allowance: not reported"
else ok; fi

echo "layering: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
