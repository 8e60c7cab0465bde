#!/bin/sh
# help.sh — the command line's help, did-you-mean, man page and shell
# completion agree with the option table (src/cli/help.c), which is the
# table the option check itself uses (an option not in it is rejected
# before a command runs):
#   - every command `kenko help` lists has `kenko CMD --help` and `kenko
#     help CMD` (exit 0, the same text, a synopsis, an example);
#   - every option a command's --help lists is accepted by that command
#     (never "unknown option"), so table ⊆ parser; parser ⊆ table holds by
#     construction (tested: an option outside the table is refused);
#   - every option of every command is in the man page kenko(1), and the
#     committed roff is what scdoc makes of the .scd (when scdoc exists);
#   - bash completion (completions/kenko.bash) completes commands,
#     options, --format values and file kinds, exercised with compgen.
# Last line "help: N passed, N failed".
# Usage: tests/help.sh path/to/kenko
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
kenko=${1:-build/kenko}
case $kenko in /*) ;; *) kenko="$(pwd)/$kenko" ;; esac
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL $1"
}

commands=$("$kenko" help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$commands" ] && ok || bad "kenko help lists no commands"
"$kenko" --version | grep -q '^kenko [0-9.]* (language contract v2)$' && ok || bad "--version names the contract"

for cmd in $commands; do
  [ "$cmd" = help ] && continue
  if "$kenko" "$cmd" --help >"$tmp/h" 2>"$tmp/e" && [ ! -s "$tmp/e" ] && grep -q "^usage: kenko $cmd" "$tmp/h" &&
    grep -q '^example:' "$tmp/h"; then ok; else bad "kenko $cmd --help"; fi
  "$kenko" help "$cmd" >"$tmp/h2" 2>&1 && cmp -s "$tmp/h" "$tmp/h2" && ok || bad "kenko help $cmd = kenko $cmd --help"
  for opt in $(sed -n 's/^  \(-[-a-z]*\).*/\1/p' "$tmp/h"); do
    "$kenko" "$cmd" "$opt" x >/dev/null 2>"$tmp/e" </dev/null
    if grep -q 'unknown option' "$tmp/e"; then bad "kenko $cmd accepts $opt (its --help lists it)"; else ok; fi
    if grep -q -e "\\\\$opt\\b" -e "$opt\\b" docs/man/kenko.1 && grep -qF -- "$opt" docs/man/kenko.1.scd; then ok; else
      bad "$opt (kenko $cmd) is in docs/man/kenko.1"
    fi
  done
  "$kenko" "$cmd" --no-such-option x >/dev/null 2>"$tmp/e"
  [ $? -eq 2 ] && grep -q "unknown option \`--no-such-option\` for \`kenko $cmd\`" "$tmp/e" && ok ||
    bad "kenko $cmd refuses an option outside its table"
done

if command -v scdoc >/dev/null 2>&1; then
  for src in docs/man/*.scd; do
    # scdoc dates a page today unless SOURCE_DATE_EPOCH says otherwise:
    # the committed page's own date (else the check fails from the day
    # after `make man` on)
    day=$(sed -n 's/^\.TH "[^"]*" "[^"]*" "\([0-9-]*\)".*/\1/p' "${src%.scd}")
    epoch=$(date -u -d "$day" +%s 2>/dev/null) || epoch=$(date -u +%s)
    SOURCE_DATE_EPOCH=$epoch scdoc <"$src" >"$tmp/roff" 2>&1 && cmp -s "$tmp/roff" "${src%.scd}" && ok ||
      bad "${src%.scd} is not what scdoc makes of $src (make man)"
  done
fi

# bash completion, through compgen
if command -v bash >/dev/null 2>&1; then
  complete_words() { # WORD... : COMPREPLY for the last word
    PATH="$(dirname "$kenko"):$PATH" bash -c '
      . completions/kenko.bash
      COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _kenko
      printf "%s\n" "${COMPREPLY[@]}"' kenko "$@" | sort | tr '\n' ' '
  }
  [ "$(complete_words kenko ru)" = "run " ] && ok || bad "completion: kenko ru → run"
  [ "$(complete_words kenko hi)" = "history " ] && ok || bad "completion: kenko hi → history"
  [ "$(complete_words kenko run --fo)" = "--format " ] && ok || bad "completion: run --fo → --format"
  [ "$(complete_words kenko report --format '')" = "json text " ] && ok || bad "completion: report --format values"
  [ "$(complete_words kenko run --format '')" = "csv jsonl text xlsx " ] && ok || bad "completion: run --format values"
  case "$(complete_words kenko run rules/ai)" in "rules/aiueo"*) ok ;; *) bad "completion: RULES → .kenko files" ;; esac
  [ "$(complete_words kenko run rules/aiueo.kenko rules/sample/accounts.)" = "rules/sample/accounts.csv rules/sample/accounts.yaml " ] &&
    ok || bad "completion: DATA → data files"
  case "$(complete_words kenko check --)" in *--include-root*) ok ;; *) bad "completion: check's options" ;; esac
  [ "$(complete_words kenko run --output-encoding '')" = "cp932 utf-8 " ] && ok || bad "completion: --output-encoding values"
  case "$(complete_words kenko history --)" in *--bom*--digits*--labels*--output-encoding*) ok ;; *) bad "completion: history's csv options" ;; esac
fi

echo "help: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
