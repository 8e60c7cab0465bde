# A chain of 41 files, each including the next: the 33rd include is refused
# (at most 32 files in a chain).
(cd "$work" && for i in $(seq 0 39); do printf 'include "f%d.kenko"\nthreshold t%d = %d\n' $((i + 1)) $i $i >f$i.kenko; done; echo 'threshold t40 = 40' >f40.kenko)
expect_run 1 check f0.kenko <<'ERR'
f31.kenko:1:1: error: includes nested too deeply (limit is 32 files in a chain)
    1 | include "f32.kenko"
      | ^~~~~~~~~~~~~~~~~~~
ERR
