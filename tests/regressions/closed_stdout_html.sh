# With standard output closed, `report --html FILE` opened FILE as
# descriptor 1 and the text report was written into the HTML file. Now
# descriptors 0-2 are opened at start-up, so the text report fails (it has
# nowhere to go: exit 2) and the HTML file is left as it was.
kenko=$1
printf 'id,seats\na1,20\na2,5\n' >h.csv
echo "old report" >h.html
"$kenko" report output.kenko h.csv --as-of 2026-01-01 --html h.html >&-
echo "exit $?"
cat h.html
# the HTML alone to a closed standard output (`--html -`): the same
"$kenko" report output.kenko h.csv --as-of 2026-01-01 --html - >&-
echo "exit $?"
# with the text report in a file (--output), the HTML file is written
"$kenko" report output.kenko h.csv --as-of 2026-01-01 --html h.html --output h.txt >&-
echo "exit $?"
head -n 1 h.html
head -n 1 h.txt
echo "temporary files left: $(ls -a | grep -c kenko-)"
