#!/bin/sh
# Property test: generates a few thousand accounts with
# tests/bench/gen_accounts.c, scores them with rules/aiueo.kenko
# (--format jsonl) and checks, for every account, what must hold whatever
# the data:
#   - Σ lost over all members = 100 − health (to 1e-9); all lost 0 when
#     health is null, and an N/A member loses nothing;
#   - health = Σ W_d·S_d / Σ W_d over the dimensions with a score and W_d > 0;
#     null exactly when there is none, and then grade is null too;
#   - each dimension score = Σ wᵢ·sᵢ / Σ wᵢ over its members with a score
#     (and wᵢ > 0), null when there is none; member scores within 0..100;
#   - coverage within [0, 1] and equal to Σ (W_d/ΣW)·(wᵢ/Σw_d) over the
#     members with a score;
# then, once each: a second run gives byte-identical output, and the same
# accounts as YAML give the same output as CSV.
# Only POSIX sh, awk and a C compiler (for the generator) are needed.
# Ends with "property: N passed, N failed" (one count per account, plus the
# run, determinism and CSV = YAML checks).
# Usage: tests/property.sh path/to/kenko   (PROPERTY_COUNT=N to change the size)
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
count=${PROPERTY_COUNT:-3000}
seed=${PROPERTY_SEED:-42}
as_of=2026-11-22
cd "$(dirname "$0")/.." || exit 2
rules=rules/aiueo.kenko

work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT

fail_setup() {
  echo "property: $1"
  echo "property: 0 passed, 1 failed"
  exit 1
}

[ -x "$kenko" ] || fail_setup "no kenko binary at $kenko"
${CC:-cc} -O2 -o "$work/gen_accounts" tests/bench/gen_accounts.c ||
  fail_setup "cannot compile tests/bench/gen_accounts.c"
"$work/gen_accounts" csv "$count" "$seed" >"$work/accounts.csv" || fail_setup "generator failed"
"$work/gen_accounts" yaml "$count" "$seed" >"$work/accounts.yaml" || fail_setup "generator failed"

pass=0
fail=0

# run NAME DATA: scores DATA into $work/NAME.jsonl; counts a failure when the
# run does not exit 0 or does not print one line per account
run() {
  "$kenko" run "$rules" "$2" --format jsonl --as-of "$as_of" >"$work/$1.jsonl" 2>"$work/$1.err"
  rc=$?
  lines=$(wc -l <"$work/$1.jsonl" | tr -d ' ')
  if [ "$rc" -ne 0 ] || [ "$lines" -ne "$count" ]; then
    echo "FAIL run $2: exit $rc, $lines lines for $count accounts"
    head -5 "$work/$1.err"
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}

run first "$work/accounts.csv"
run second "$work/accounts.csv"
run yaml "$work/accounts.yaml"

if cmp -s "$work/first.jsonl" "$work/second.jsonl"; then
  pass=$((pass + 1))
else
  echo "FAIL determinism: two runs of the same command differ"
  fail=$((fail + 1))
fi
if cmp -s "$work/first.jsonl" "$work/yaml.jsonl"; then
  pass=$((pass + 1))
else
  echo "FAIL the same accounts as CSV and as YAML give different output"
  diff "$work/first.jsonl" "$work/yaml.jsonl" | head -4
  fail=$((fail + 1))
fi

# Per-account checks. The JSON is tokenized and walked by a small recursive
# parser; every scalar is stored under its path (.dimensions[0].members[2].lost).
awk -v counts="$work/counts" '
function tokenize(s,    i, n, c, j) {
  ntok = 0; n = length(s); i = 1
  while (i <= n) {
    c = substr(s, i, 1)
    if (c == "\"") {
      j = i + 1
      while (j <= n) {
        c = substr(s, j, 1)
        if (c == "\\") { j += 2; continue }
        if (c == "\"") break
        j++
      }
      tok[++ntok] = substr(s, i + 1, j - i - 1); typ[ntok] = "s"; i = j + 1
    } else if (c ~ /[-0-9]/) {
      j = i + 1
      while (j <= n && substr(s, j, 1) ~ /[-+0-9.eE]/) j++
      tok[++ntok] = substr(s, i, j - i); typ[ntok] = "n"; i = j
    } else if (c ~ /[a-z]/) {
      j = i + 1
      while (j <= n && substr(s, j, 1) ~ /[a-z]/) j++
      tok[++ntok] = substr(s, i, j - i); typ[ntok] = "l"; i = j
    } else if (c == "{" || c == "}" || c == "[" || c == "]" || c == ":" || c == ",") {
      tok[++ntok] = c; typ[ntok] = "p"; i++
    } else {
      i++
    }
  }
}
function is(c) { return typ[p] == "p" && tok[p] == c }
function value(path,    key, idx) {
  if (is("{")) {
    p++
    if (is("}")) { p++; return }
    while (p <= ntok) {
      key = tok[p]; p += 2
      value(path "." key)
      if (is(",")) { p++; continue }
      p++; return
    }
  } else if (is("[")) {
    p++; idx = 0
    if (is("]")) { p++; N[path] = 0; return }
    while (p <= ntok) {
      value(path "[" idx "]"); idx++
      if (is(",")) { p++; continue }
      p++; N[path] = idx; return
    }
  } else {
    V[path] = tok[p]; p++
  }
}
function absval(x) { return x < 0 ? -x : x }
function bad(msg) {
  if (ok) { nshown++; if (nshown <= 10) printf "FAIL account %s: %s\n", V[".id"], msg }
  ok = 0
}
{
  split("", V); split("", N)
  tokenize($0); p = 1; value("")
  ok = 1
  health = V[".health"]; coverage = V[".coverage"]
  nd = N[".dimensions"]
  sum_lost = 0; sum_W = 0; sum_WS = 0; sum_W_all = 0
  for (d = 0; d < nd; d++) {
    dp = ".dimensions[" d "]"
    W[d] = V[dp ".weight"] + 0; S = V[dp ".score"]
    nm = N[dp ".members"]
    sw = 0; sws = 0; sw_all = 0
    for (m = 0; m < nm; m++) {
      mp = dp ".members[" m "]"
      w = V[mp ".weight"] + 0; s = V[mp ".score"]; lost = V[mp ".lost"] + 0
      sum_lost += lost
      if (w > 0) sw_all += w
      if (s == "null") {
        if (lost != 0) bad(sprintf("n/a member %s loses %.17g", V[mp ".name"], lost))
        if (V[mp ".status"] != "n/a") bad("member " V[mp ".name"] " has no score but status " V[mp ".status"])
      } else {
        if (s + 0 < 0 || s + 0 > 100) bad("member " V[mp ".name"] " scores " s)
        if (w > 0) { sw += w; sws += w * s }
      }
    }
    if (sw > 0) {
      expect = sws / sw
      if (S == "null") bad(sprintf("dimension %s is null, expected %.17g", V[dp ".name"], expect))
      else if (absval(S - expect) > 1e-9)
        bad(sprintf("dimension %s = %.17g, Σwᵢsᵢ/Σwᵢ = %.17g", V[dp ".name"], S, expect))
    } else if (S != "null") {
      bad(sprintf("dimension %s = %s with no member scored", V[dp ".name"], S))
    }
    share_nn[d] = sw_all > 0 ? sw / sw_all : 0
    if (W[d] > 0) {
      sum_W_all += W[d]
      if (S != "null") { sum_W += W[d]; sum_WS += W[d] * S }
    }
  }
  if (sum_W > 0) {
    expect = sum_WS / sum_W
    if (health == "null") bad(sprintf("health is null, expected %.17g", expect))
    else {
      if (absval(health - expect) > 1e-9)
        bad(sprintf("health = %.17g, ΣW·S/ΣW = %.17g", health, expect))
      if (absval(sum_lost - (100 - health)) > 1e-9)
        bad(sprintf("Σ lost = %.17g, 100 − health = %.17g", sum_lost, 100 - health))
    }
    if (V[".grade"] == "null") bad("health " health " but grade null")
  } else {
    if (health != "null") bad("health " health " with no dimension scored")
    if (V[".grade"] != "null") bad("no health but grade " V[".grade"])
    if (sum_lost != 0) bad(sprintf("no health but Σ lost = %.17g", sum_lost))
  }
  if (coverage == "null" || coverage + 0 < 0 || coverage + 0 > 1) bad("coverage " coverage " outside [0, 1]")
  cov = 0
  if (sum_W_all > 0)
    for (d = 0; d < nd; d++) if (W[d] > 0) cov += W[d] / sum_W_all * share_nn[d]
  if (absval(coverage - cov) > 1e-9) bad(sprintf("coverage = %.17g, expected %.17g", coverage, cov))
  if (ok) passed++; else failed++
}
END {
  printf "%d %d\n", passed, failed > counts
}
' "$work/first.jsonl"
read -r apass afail <"$work/counts" || { apass=0; afail=1; }
[ -n "$afail" ] || afail=1
pass=$((pass + apass))
fail=$((fail + afail))
echo "property: $count accounts checked ($apass passed, $afail failed), seed $seed"
echo "property: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
