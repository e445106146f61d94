#!/bin/sh
# Hostile bytes in the text: invalid UTF-8 of every class (overlong forms, surrogates,
# truncated sequences, stray continuation bytes, 0xC0/0xC1/0xF5-0xFF, beyond U+10FFFF) and
# NUL bytes, in plain, --lines and --jsonl modes. Plain text is annotated: every bad byte
# counts as one U+FFFD, and the mentions after the bad bytes are found at exact offsets in
# every unit. Raw invalid UTF-8 inside a JSON record makes that record an error record.
. "$TOP/tests/cli/helpers.inc"

# U+1F600 (4 bytes, 1 code point, 2 UTF-16 units), U+00E9, then a bad sequence before each
# "China" (glued to it or after a space), and a truncated sequence at the very end.
printf '\360\237\230\200 \303\251 ' >"$T/bad.txt"
i=0
for b in '\300\257' '\301\277' '\340\200\257' '\360\200\200\257' '\355\240\200' \
	'\355\277\277' '\342\202' '\360\237\230' '\200' '\277' '\365\200\200\200' '\377\376' \
	'\364\220\200\200' '\370\210\200\200\200'; do
	printf "$b" >>"$T/bad.txt"
	[ $((i % 2)) = 0 ] || printf ' ' >>"$T/bad.txt"
	printf 'China ' >>"$T/bad.txt"
	i=$((i + 1))
done
printf '\342\202' >>"$T/bad.txt"

starts() { grep -o '"start":[0-9]*,"end":[0-9]*,"text":"China"' "$T/out" | sed 's/"start":\([0-9]*\),.*/\1/' | tr '\n' ' '; }
check_starts() { # unit expected...
	u=$1
	shift
	got=$(starts)
	[ "$got" = "$* " ] || fail "--offsets=$u: China at $got, expected $*"
}
B="10 19 28 39 48 58 66 76 83 91 101 110 120 132"
# the test's own arithmetic: the glued/spaced layout above gives these byte offsets
what="layout"
[ "$(wc -c <"$T/bad.txt")" = 140 ] || fail "bad.txt has $(wc -c <"$T/bad.txt") bytes"

for mode in plain lines; do
	opt=
	[ $mode = lines ] && opt=--lines
	what="invalid UTF-8, $mode, bytes"
	ent --no-topics $opt --offsets=bytes "$T/bad.txt"
	status_is 0
	err_empty
	out_lines 1
	check_starts bytes $B
	[ "$(grep -o '"text":"China"' "$T/out" | wc -l)" = 14 ] || fail "mention texts"
	what="invalid UTF-8, $mode, codepoints"
	ent --no-topics $opt "$T/bad.txt"
	status_is 0
	check_starts codepoints $(for b in $B; do echo $((b - 4)); done)
	what="invalid UTF-8, $mode, utf16"
	ent --no-topics $opt --offsets=utf16 "$T/bad.txt"
	status_is 0
	check_starts utf16 $(for b in $B; do echo $((b - 3)); done)
	valid_json "$T/out"
done

# --lines: a bad line does not disturb its neighbours
what="invalid UTF-8 among lines"
printf 'India\n\355\240\200China\n\377\nIndia \300\n' >"$T/lines.txt"
ent --no-topics --lines "$T/lines.txt"
status_is 0
err_empty
out_lines 4
ids_are 1 2 3 4
line_has 1 '"start":0,"end":5,"text":"India"'
line_has 2 '"start":3,"end":8,"text":"China"'
line_has 3 '"mentions":[]'
line_has 4 '"start":0,"end":5,"text":"India"'
valid_json "$T/out"

# --jsonl: raw invalid bytes make an error record in place; the others are annotated
what="invalid UTF-8 in JSON"
printf '{"id":"a","text":"China"}\n{"id":"b","text":"\300\257 China"}\n{"id":"c","text":"Ch\355\240\200"}\n{"id":"d","text":"\377"}\n{"id":"e","text":"India"}\n' >"$T/bad.jsonl"
ent --no-topics --jsonl "$T/bad.jsonl"
status_is 1
out_lines 5
ids_are '"a"' 2 3 4 '"e"'
line_has 1 '{"id":"a","mentions":[{"start":0,"end":5,"text":"China"'
for n in 2 3 4; do line_is_error $n; line_has $n "\"error\":\"line $n: invalid JSON: "; done
line_has 5 '{"id":"e","mentions":[{"start":0,"end":5,"text":"India"'
[ "$(wc -l <"$T/err")" = 3 ] || fail "expected 3 messages"
for n in 2 3 4; do
	grep -q "^entopic: $T/bad.jsonl:$n: invalid JSON: " "$T/err" || fail "no message for line $n"
done
valid_json "$T/out"

# NUL bytes: plain text and --lines keep them as spaces; offsets count them
what="NUL in plain text"
printf 'China\000China exports\000 lithium' >"$T/nul.txt"
ent --no-topics --offsets=bytes "$T/nul.txt"
status_is 0
err_empty
out_lines 1
line_has 1 '"start":0,"end":5,"text":"China"'
line_has 1 '"start":6,"end":11,"text":"China"'
line_has 1 '"start":21,"end":28,"text":"lithium"'
what="NUL in --lines"
printf 'India\000China\n\000\nlithium\n' >"$T/nul2.txt"
ent --no-topics --lines "$T/nul2.txt"
status_is 0
out_lines 3
ids_are 1 2 3
line_has 1 '"start":6,"end":11,"text":"China"'
line_has 2 '"mentions":[]'
line_has 3 '"text":"lithium"'
what="NUL as \\u0000 in JSON"
printf '{"id":"n","text":"China\\u0000China\\u0000\\u0000lithium","note":"a\\u0000b"}\n' >"$T/nul.jsonl"
ent --no-topics --jsonl "$T/nul.jsonl"
status_is 0
err_empty
out_lines 1
line_has 1 '{"id":"n","note":"a\u0000b","mentions":[{"start":0,"end":5,"text":"China"'
line_has 1 '{"start":6,"end":11,"text":"China"'
line_has 1 '{"start":13,"end":20,"text":"lithium"'
valid_json "$T/out"
finish
