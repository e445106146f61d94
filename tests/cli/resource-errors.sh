#!/bin/sh
# Setup errors: a bad lexicon line (-L), a bad rules line (--rules), a bad model line (-m),
# a bad pattern (--patterns, with FILE:LINE:COL), missing files and directories given as
# resource files. Each is fatal before any output: status 2, one exact message
# "entopic: FILE:LINE[:COL]: message" and nothing on standard output. Also the hostile
# lexicons: a 1 MB line, invalid UTF-8, a NUL byte.
. "$TOP/tests/cli/helpers.inc"
printf 'China\n' >"$T/a.txt"
mkdir "$T/dir"
good='Zorbania	country:ZZ	COUNTRY	Zorbania	name	fold	-	-'

setup() { # expected-message ARG...
	msg=$1
	shift
	what="entopic $*"
	ent "$@" "$T/a.txt"
	status_is 2
	err_is "entopic: $msg"
	out_empty
}

# lexicons: the line number counts comments and blank lines
printf '# comment\n\n%s\nZed\tbad\n' "$good" >"$T/l1.tsv"
setup "$T/l1.tsv:4: expected 8 tab-separated columns (form id type name kind case flags attrs), found 2" -L "$T/l1.tsv"
printf 'Zorbania\tcountry:ZZ\tCOUNTRY\tZorbania\tnome\tfold\t-\t-\n' >"$T/l2.tsv"
setup "$T/l2.tsv:1: unknown kind 'nome' (name, abbreviation, demonym, alias, partial)" -L "$T/l2.tsv"
printf 'Zor\000bania\tcountry:ZZ\tCOUNTRY\tZorbania\tname\tfold\t-\t-\n' >"$T/l3.tsv"
setup "$T/l3.tsv:1: NUL byte in line" -L "$T/l3.tsv"
# invalid UTF-8 in a lexicon (an overlong '/', a 0xFF byte) is a bad line, not mojibake
printf '%s\nZor\300\257bania\tcountry:ZY\tCOUNTRY\tZ\377y\tname\tfold\t-\t-\n' "$good" >"$T/l4.tsv"
setup "$T/l4.tsv:2: invalid UTF-8" -L "$T/l4.tsv"
setup "$T/missing.tsv: No such file or directory" -L "$T/missing.tsv"
setup "$T/dir: read error: Is a directory" -L "$T/dir"
setup "$T/a.txt: Not a directory" --lexicon-dir "$T/a.txt"

# a lexicon line of 1 MB: loads, and its 1 MB form matches a 1 MB word
awk 'BEGIN { s = "zz"; while (length(s) < 1000000) s = s s;
	printf "Zed%s\tperson:zed\tPERSON\tZed\tname\tfold\t-\t-\n", s;
	printf "Zed%s China\n", s > ARGV[1] }' "$T/word.txt" >"$T/big.tsv"
w=$(($(wc -c <"$T/word.txt") - 7))
what="1 MB lexicon line"
ent -L "$T/big.tsv" --no-topics --offsets=bytes "$T/word.txt"
status_is 0
err_empty
out_lines 1
line_has 1 '{"id":"'"$T"'/word.txt","mentions":[{"start":0,"end":'"$w"',"text":"Zedzz'
line_has 1 '"type":"PERSON","id":"person:zed","form":"name"},{"start":'"$((w + 1))"',"end":'"$((w + 6))"',"text":"China"'
# a bad 1 MB line: the message is cut, not the program
awk 'BEGIN { s = "k"; while (length(s) < 1000000) s = s s;
	printf "Zed\tperson:zed\tPERSON\tZed\t%s\tfold\t-\t-\n", s }' >"$T/bigbad.tsv"
what="bad 1 MB lexicon line"
ent -L "$T/bigbad.tsv" "$T/a.txt"
status_is 2
out_empty
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "expected one message line"
grep -q "^entopic: $T/bigbad.tsv:1: unknown kind 'kkkk" "$T/err" || fail "message: $(head -c 200 "$T/err")"
[ "$(wc -c <"$T/err")" -lt 2000 ] || fail "message of $(wc -c <"$T/err") bytes"

# rules
printf 'rule\tfoo\n' >"$T/r1.tsv"
setup "$T/r1.tsv:1: a rule line has 4 tab-separated columns: rule TARGET ACTION CONDITIONS" --rules "$T/r1.tsv"
printf 'garbage line\n' >"$T/r2.tsv"
setup "$T/r2.tsv:1: a line starts with 'rule' or 'list', not 'garbage line'" --rules "$T/r2.tsv"
setup "$T/missing.tsv: No such file or directory" --rules "$T/missing.tsv"
# a directory as the rules file (was silently read as an empty file)
setup "$T/dir: read error: Is a directory" --rules "$T/dir"

# models
printf 'sports\tbias\tabc\n' >"$T/m1.tsv"
setup "$T/m1.tsv:1:13: invalid weight 'abc' (a number between -1000 and 1000)" -m "$T/m1.tsv"
printf 'sports\tbias\t1\nsports\tw:x\n' >"$T/m2.tsv"
setup "$T/m2.tsv:2: expected 3 tab-separated fields (topic, feature, weight), got 2" -m "$T/m2.tsv"
printf 'sports\tbias\tnan\n' >"$T/m3.tsv"
setup "$T/m3.tsv:1:13: invalid weight 'nan' (a number between -1000 and 1000)" -m "$T/m3.tsv"
setup "$T/m3.tsv:1:13: invalid weight 'nan' (a number between -1000 and 1000)" --add-model "$T/m3.tsv"
setup "$T/missing.tsv: No such file or directory" -m "$T/missing.tsv"
setup "$T/dir: read error: Is a directory" -m "$T/dir"

# patterns: FILE:LINE:COL, the column counted in the file's line (the regex is column 3)
printf '# money\n\nMONEY\tx\tab[c\n' >"$T/p1.tsv"
setup "$T/p1.tsv:3:13: missing terminating ] for character class" --patterns "$T/p1.tsv"
printf 'MONEY\tparen\t(a\n' >"$T/p2.tsv"
setup "$T/p2.tsv:1:15: missing closing parenthesis" --patterns "$T/p2.tsv"
printf 'MONEY\tx\ta\377b\n' >"$T/p3.tsv"
setup "$T/p3.tsv:1:10: UTF-8 error: illegal byte (0xfe or 0xff)" --patterns "$T/p3.tsv"
printf 'money\tx\tabc\n' >"$T/p4.tsv"
setup "$T/p4.tsv:1: type 'money' is not an upper-case name such as MONEY" --patterns "$T/p4.tsv"
printf 'MONEY\tx\n' >"$T/p5.tsv"
setup "$T/p5.tsv:1: expected 3 tab-separated columns: TYPE NAME REGEX [near=digit]" --patterns "$T/p5.tsv"
setup "$T/missing.tsv: No such file or directory" --patterns "$T/missing.tsv"
setup "$T/dir: read error: Is a directory" --patterns "$T/dir"
finish
