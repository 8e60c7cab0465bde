# A 100,000-term sum: a left-leaning tree 100,000 levels deep. The parser
# refuses trees deeper than 1,000 levels.
(cd "$work" && awk 'BEGIN { printf "indicator x = 1"; for (i = 1; i < 100000; i++) printf " + 1"; print "" }' >deep.kenko)
expect_run 1 check deep.kenko <<'ERR'
deep.kenko:1:15: error: expression nested too deeply (limit is 1000 levels)
    1 | indicator x = 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + …
      |               ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
ERR
