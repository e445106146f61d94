#!/bin/sh
# Sizes: a single 200 MB line (plain and --lines; the mentions at both ends found at exact
# offsets) and 1,000,000 one-word records (--lines: one output line each, in order).
# Skipped under valgrind (ENTOPIC_MEMCHECK=1), where they would take hours.
. "$TOP/tests/cli/helpers.inc"
if [ "${ENTOPIC_MEMCHECK:-0}" = 1 ]; then
	echo "skipped under valgrind"
	exit 0
fi

# "China " + 200,000,000 x "a" + " India" + newline
{ printf 'China '; head -c 200000000 /dev/zero | tr '\0' a; printf ' India\n'; } >"$T/big.txt"
what="200 MB line"
[ "$(wc -c <"$T/big.txt")" = 200000013 ] || fail "generated $(wc -c <"$T/big.txt") bytes"
for m in --lines ""; do
	what="200 MB line $m"
	ent --no-topics $m "$T/big.txt"
	status_is 0
	err_empty
	out_lines 1
	line_has 1 '"mentions":[{"start":0,"end":5,"text":"China","type":"COUNTRY"'
	line_has 1 '{"start":200000007,"end":200000012,"text":"India","type":"COUNTRY"'
done
rm -f "$T/big.txt"

# 1,000,000 one-word records; output line i has id i
awk 'BEGIN { for (i = 1; i <= 1000000; i++) print (i % 1000 ? "w" i : "China") }' >"$T/million.txt"
what="1,000,000 records"
ent --lines "$T/million.txt"
status_is 0
err_empty
out_lines 1000000
sed 's/^{"id":\([0-9]*\),.*/\1/' "$T/out" | awk '$0 != NR { print "line " NR ": id " $0; bad = 1; exit }
	END { exit bad }' || fail "ids out of order"
[ "$(grep -c '"id":"country:CN"' "$T/out")" = 1000 ] || fail "China mentions"
line_has 1000000 '{"id":1000000,"mentions":[{"start":0,"end":5,"text":"China"'
finish
