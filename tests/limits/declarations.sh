# 100,001 declarations in one file: the 100,001st is refused (and the
# rest are dropped without more errors).
(cd "$work" && awk 'BEGIN { for (i = 0; i <= 100000; i++) printf "threshold t%d = 1\n", i }' >decls.kenko)
expect_run 1 check decls.kenko <<'ERR'
decls.kenko:100001:1: error: too many declarations in one file (limit is 100000)
100001 | threshold t100000 = 1
       | ^~~~~~~~~~~~~~~~~~~~~
ERR
