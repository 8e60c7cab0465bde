# 100,000 nested parentheses: the scanner refuses more than 256 open
# brackets, at the 257th.
(cd "$work" && awk 'BEGIN { printf "indicator x = "; for (i = 0; i < 100000; i++) printf "("; printf "1"; for (i = 0; i < 100000; i++) printf ")"; print "" }' >paren.kenko)
expect_run 1 check paren.kenko <<'ERR'
paren.kenko:1:271: error: brackets nested too deeply (limit is 256)
    1 | …((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((…
      |                                                                                  ^
ERR
