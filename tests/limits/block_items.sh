# A score with 10,001 bands: blocks hold at most 10,000 items (some checks
# compare each item with the ones before it).
(cd "$work" && { printf 'input id: text key\ninput s: number\ngrades { good >= 50 bad otherwise }\ndimension d {\n  score b {\n'; awk 'BEGIN { for (i = 0; i < 10000; i++) printf "    %d when s >= %d\n", i % 100, 10000 - i }'; printf '    0 otherwise\n  }\n}\n'; } >bands.kenko)
expect_run 1 check bands.kenko <<'ERR'
bands.kenko:10006:5: error: too many bands in one block (limit is 10000)
10006 |     0 otherwise
      |     ^~~~~~~~~~~
ERR
