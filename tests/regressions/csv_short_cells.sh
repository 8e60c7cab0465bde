# See csv_short_cells.gen: the one-pass path (fast.csv) and the
# general path (general.csv, the same records) must give the same
# explanations byte for byte and the same rejections; both are pinned
# here by their counts, the rejections in full and the explanations' sum.
kenko=$1
for f in fast general; do
  "$kenko" run csv_short_cells.kenko $f.csv --format jsonl --explain --as-of 2026-11-22 -j 1 >$f.out 2>$f.err
  echo "$f: exit $?, $(wc -l <$f.out) lines"
done
if cmp -s fast.out general.out; then echo "explanations: the same"; else echo "explanations differ"; fi
sed 's/^general\.csv/fast.csv/' general.err | cmp -s fast.err - && echo "messages: the same" || echo "messages differ"
echo "explanations' cksum: $(cksum <fast.out)"
cat fast.err
