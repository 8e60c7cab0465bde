# `report --html data.csv` truncated the data before reading it. An output
# that is an input (the same file: by name, through a symbolic or hard
# link, the rules file) is now refused before anything is opened for
# writing, and the input is left as it was.
kenko=$1
printf 'id,seats\na1,20\na2,5\n' >in.csv
cp output.kenko in.kenko
ln -s in.csv sym.csv
ln in.csv hard.csv
before=$(cksum in.csv in.kenko)
"$kenko" report in.kenko in.csv --as-of 2026-01-01 --html in.csv
echo "exit $?"
"$kenko" report in.kenko in.csv --as-of 2026-01-01 --output in.kenko
echo "exit $?"
"$kenko" report in.kenko in.csv --as-of 2026-01-01 --html sym.csv
echo "exit $?"
"$kenko" run in.kenko in.csv --as-of 2026-01-01 --output hard.csv
echo "exit $?"
"$kenko" validate in.kenko in.csv --as-of 2026-01-01 --output ./in.csv
echo "exit $?"
"$kenko" diff in.kenko in.kenko in.csv --as-of 2026-01-01 --output in.kenko
echo "exit $?"
"$kenko" diff in.kenko in.csv --data sym.csv --as-of 2026-01-01 --output in.csv
echo "exit $?"
"$kenko" report in.kenko in.csv --as-of 2026-01-01 --html r.html --output r.html
echo "exit $?"
# standard output appended to an input would be read back while written
"$kenko" run in.kenko in.csv --as-of 2026-01-01 --format csv >>in.csv
echo "exit $?"
# an include of the rules: known once the rules are read, so refused at
# the end, before the output (written to its temporary file) replaces it
printf 'include "inc.kenko"\ndimension d { rule r : seats > 10 }\ngrades { good >= 50 bad otherwise }\n' >main.kenko
printf 'input id: text key\ninput seats: number\n' >inc.kenko
before_inc=$(cksum inc.kenko)
"$kenko" report main.kenko in.csv --as-of 2026-01-01 --format json --html inc.kenko >/dev/null
echo "exit $?"
"$kenko" run main.kenko in.csv --as-of 2026-01-01 --output ./inc.kenko
echo "exit $?"
[ "$before_inc" = "$(cksum inc.kenko)" ] && echo "include unchanged"
[ "$before" = "$(cksum in.csv in.kenko)" ] && echo "inputs unchanged"
[ -e r.html ] || echo "no r.html written"
