#!/bin/sh
# vim.sh — editors/vim: a .kenko file gets filetype kenko, formatprg
# `kenko fmt -`, and the syntax groups of a comment, a declaration keyword,
# a string, a percent and a date. Skipped without vim.
# Last line: "vim: N passed, N failed".
set -u
LC_ALL=C.UTF-8; export LC_ALL; unset LANGUAGE # English messages whatever the environment (docs/i18n.md)
cd "$(dirname "$0")/../.." || exit 2
if ! command -v vim >/dev/null 2>&1; then
  echo "skip: vim: vim is not installed"
  echo "vim: 0 passed, 0 failed"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '# c\ninput seats "席数": number\nthreshold t = 60%%\ntest "x" {\n  as_of 2026-11-22\n}\n' >"$tmp/a.kenko"
# (vim takes at most ten -c commands: the checks go in a script)
cat >"$tmp/check.vim" <<VIM
set rtp^=editors/vim
filetype plugin on
syntax on
edit $tmp/a.kenko
redir! > $tmp/out
echo &filetype
echo &formatprg
echo synIDattr(synID(1, 1, 1), "name")
echo synIDattr(synID(2, 1, 1), "name")
echo synIDattr(synID(2, 13, 1), "name")
echo synIDattr(synID(3, 15, 1), "name")
echo synIDattr(synID(5, 9, 1), "name")
redir END
qa!
VIM
timeout 30 vim -Nu NONE -es -S "$tmp/check.vim" </dev/null >/dev/null 2>&1
want='kenko
kenko fmt -
kenkoComment
kenkoDecl
kenkoString
kenkoPercent
kenkoDate'
got=$(grep -v '^$' "$tmp/out")
if [ "$got" = "$want" ]; then
  echo "vim: 1 passed, 0 failed"
else
  echo "FAIL vim: got"
  echo "$got"
  echo "vim: 0 passed, 1 failed"
  exit 1
fi
