# 100,000 prefix operators (`not not … true`): a right-leaning tree the
# parser would have to hold open on its stack; it stops at 20,000 levels.
(cd "$work" && awk 'BEGIN { printf "indicator x = "; for (i = 0; i < 100000; i++) printf "not "; print "true" }' >nots.kenko)
expect_run 1 check nots.kenko <<'ERR'
nots.kenko:1:79987: error: rules nested too deeply (the parser's limit is 20000 levels)
    1 | …not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not …
      |                                                                                  ^~~
ERR
