# A rule file one byte over 64 MiB (a long comment) is refused unread.
{
  echo 'threshold t = 1'
  head -c 67108848 /dev/zero | tr '\0' '#'
  echo
} >"$work/big.kenko"
expect_run 2 check big.kenko <<'ERR'
kenko: error: cannot read big.kenko: file is larger than 64 MiB
ERR
