#!/bin/sh
# A user pattern with catastrophic backtracking ((a+)+$ against "aaaa...b") or one that
# exhausts the JIT stack is bounded by the pcre2 limits: every record still gets its output
# line (with the mentions found by everything else, including later patterns), and a clear
# message names the record (FILE:LINE) and the pattern (its name, file and line).
. "$TOP/tests/cli/helpers.inc"
p=$T/user.tsv
printf '# user patterns\nMONEY\tcatastrophic\t(a+)+$\nPERCENT\tlater\tzz[0-9]+\n' >"$p"
awk 'BEGIN { s = "a"; while (length(s) < 30000) s = s s;
	print "China zz1";
	print s "b China zz2";
	print "India zz3" }' >"$T/in.txt"

what="catastrophic backtracking, --lines"
ent --no-topics --lines --patterns "$p" "$T/in.txt"
status_is 0
out_lines 3
ids_are 1 2 3
err_is "entopic: $T/in.txt:2: pattern catastrophic ($p:2): match limit exceeded"
line_has 1 '"text":"zz1","type":"PERCENT"'
line_has 2 '{"start":32770,"end":32775,"text":"China","type":"COUNTRY"'
line_has 2 '{"start":32776,"end":32779,"text":"zz2","type":"PERCENT"'
line_has 3 '"text":"zz3","type":"PERCENT"'
valid_json "$T/out"

what="catastrophic backtracking, --jsonl"
awk 'BEGIN { s = "a"; while (length(s) < 30000) s = s s;
	print "{\"id\":\"x\",\"text\":\"" s "b China\"}"; print "{\"id\":\"y\",\"text\":\"China\"}" }' >"$T/in.jsonl"
ent --no-topics --jsonl --patterns "$p" "$T/in.jsonl"
status_is 0
out_lines 2
ids_are '"x"' '"y"'
err_is "entopic: $T/in.jsonl:1: pattern catastrophic ($p:2): match limit exceeded"
line_has 1 '"text":"China","type":"COUNTRY"'

what="JIT stack"
printf 'MONEY\tstack\t(?:(a)|b)*c\n' >"$T/stack.tsv"
awk 'BEGIN { s = "a"; while (length(s) < 1000000) s = s s; print s " China" }' >"$T/long.txt"
ent --no-topics --patterns "$T/stack.tsv" --offsets=bytes "$T/long.txt"
status_is 0
out_lines 1
line_has 1 '{"start":1048577,"end":1048582,"text":"China"'
if [ -z "${ENTOPIC_NO_JIT:-}" ]; then # the interpreter (make memcheck) needs no JIT stack
	[ "$(wc -l <"$T/err")" = 1 ] || fail "$(wc -l <"$T/err") messages"
	grep -q "^entopic: $T/long.txt:1: pattern stack ($T/stack.tsv:1): " "$T/err" || fail "message: $(cat "$T/err")"
fi
finish
