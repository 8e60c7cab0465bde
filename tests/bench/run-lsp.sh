#!/bin/sh
# run-lsp.sh BUILD — `kenko lsp`: the time from a didChange of
# rules/aiueo.kenko (the whole reference scorecard, full sync) to its
# publishDiagnostics, over 50 edits, measured by the scripted client
# (tests/lsp/lsp_test.c; target: well under 50 ms). Prints; asserts nothing.
set -u
build=${1:-build}
echo "== lsp: diagnostics after an edit"
"$build/lsp-test" "$build/kenko" bench rules/aiueo.kenko
