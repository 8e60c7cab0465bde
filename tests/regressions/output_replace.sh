# Output files were opened with fopen(…, "w"): a run that failed after
# that left a truncated or half-written file. They are now written to a
# temporary file in the same directory and renamed over the old one only
# when the run succeeded (exit 0 or 3), so a failed run leaves the old
# file intact and no temporary file behind. `-` is standard output.
kenko=$1
printf 'id,seats\na1,20\na2,5\n' >o.csv
printf 'id,seats\na1,20\na1,5\n' >dup.csv
echo "old html" >o.html
echo "old text" >o.txt
chmod 640 o.txt
# a bad option value: nothing replaced
"$kenko" report output.kenko o.csv --as-of 2026-13-01 --html o.html --output o.txt
echo "exit $?"
# a rule error: nothing replaced
printf 'input id: text key\ndimension d { rule r : nope }\n' >bad.kenko
"$kenko" report bad.kenko o.csv --as-of 2026-01-01 --html o.html --output o.txt 2>/dev/null
echo "exit $?"
cat o.html o.txt
# a run with a rejected account (exit 3): replaced, the old mode kept
"$kenko" report output.kenko dup.csv --as-of 2026-01-01 --html o.html --output o.txt 2>/dev/null
echo "exit $?"
head -n 1 o.html
head -n 1 o.txt
ls -l o.txt | cut -c1-10
# `-` is standard output, for --output and --html (then the text report
# is not written to standard output too)
"$kenko" run output.kenko o.csv --as-of 2026-01-01 --format csv --output - 2>/dev/null | head -n 1
"$kenko" report output.kenko o.csv --as-of 2026-01-01 --html - 2>/dev/null | head -n 1
"$kenko" report output.kenko o.csv --as-of 2026-01-01 --html - --output - 2>&1
echo "exit $?"
# an output in a directory that does not exist, or that is a directory
"$kenko" run output.kenko o.csv --as-of 2026-01-01 --output no/such/o.txt
echo "exit $?"
"$kenko" run output.kenko o.csv --as-of 2026-01-01 --output .
echo "exit $?"
# a full device is written in place (not replaced), and its error told
"$kenko" validate output.kenko o.csv --as-of 2026-01-01 --output /dev/full 2>&1 | tail -n 1
echo "temporary files left: $(ls -a | grep -c kenko-)"
