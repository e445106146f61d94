#!/bin/sh
# Hostile JSON Lines: deep nesting, records that are not objects, a text that is a number
# or null or missing, duplicate keys, invalid JSON of several kinds, a UTF-8 BOM and CRLF
# line ends, blank lines. Every input line gives exactly one output line, in input order,
# error records {"id":...,"error":"line N: ..."} in place, one message per error record
# ("entopic: FILE:LINE: message"), and status 1 when any record was an error.
. "$TOP/tests/cli/helpers.inc"
f=$T/in.jsonl

# deep nesting: beyond the parser's depth limit the record is an error, not a crash
awk 'BEGIN { s = ""; for (i = 0; i < 100000; i++) s = s "["; t = s; gsub(/\[/, "]", t);
	print s t;
	printf "{\"id\":\"deep\",\"text\":\"China\",\"x\":%s1%s}\n", s, t;
	d = ""; e = ""; for (i = 0; i < 500; i++) { d = d "{\"a\":"; e = e "}" }
	printf "{\"id\":\"ok\",\"text\":\"India\",\"x\":%s1%s}\n", d, e;
	print "{\"id\":\"last\",\"text\":\"China\"}" }' >"$f"
what="deep nesting"
ent --no-topics --jsonl "$f"
status_is 1
out_lines 4
ids_are 1 2 '"ok"' '"last"'
line_is_error 1
line_is_error 2
line_has 1 '"error":"line 1: invalid JSON: maximum parsing depth reached'
line_has 3 '{"id":"ok","x":{"a":{"a":{"a":'
line_has 3 '"text":"India"'
line_has 4 '{"id":"last","mentions":[{"start":0,"end":5,"text":"China"'
grep -q "^entopic: $f:1: invalid JSON: maximum parsing depth reached" "$T/err" || fail "message 1"
grep -q "^entopic: $f:2: invalid JSON: maximum parsing depth reached" "$T/err" || fail "message 2"
[ "$(wc -l <"$T/err")" = 2 ] || fail "$(wc -l <"$T/err") messages"
valid_json "$T/out"

# records that are not objects, texts that are not strings
cat >"$f" <<'X'
[1,2]
"a string"
42
null
true
{"id":"n","text":5}
{"id":"z","text":null}
{"id":"o","text":{"a":"China"}}
{"id":"m"}
{"id":"ok","text":"China"}
X
what="not objects"
ent --no-topics --jsonl "$f"
status_is 1
out_lines 10
ids_are 1 2 3 4 5 '"n"' '"z"' '"o"' '"m"' '"ok"'
err_is "entopic: $f:1: a record is a JSON object, not an array" \
	"entopic: $f:2: a record is a JSON object, not a scalar" \
	"entopic: $f:3: a record is a JSON object, not a scalar" \
	"entopic: $f:4: a record is a JSON object, not a scalar" \
	"entopic: $f:5: a record is a JSON object, not a scalar" \
	"entopic: $f:6: field \"text\" is not a string" \
	"entopic: $f:7: field \"text\" is not a string" \
	"entopic: $f:8: field \"text\" is not a string" \
	"entopic: $f:9: no \"text\" field"
line_has 1 '{"id":1,"error":"line 1: a record is a JSON object, not an array"}'
line_has 6 '{"id":"n","error":"line 6: field \"text\" is not a string"}'
line_has 9 '{"id":"m","error":"line 9: no \"text\" field"}'
line_has 10 '{"id":"ok","mentions":[{"start":0,"end":5,"text":"China"'
valid_json "$T/out"

# --text-field / --id-field: the same checks on other fields; an id that is not a string
# or number falls back to the line number
cat >"$f" <<'X'
{"body":"China","key":"k1"}
{"body":7,"key":"k2"}
{"body":"India","key":[1]}
{"body":"India","key":null}
{"body":"India","key":2.5}
X
what="--text-field/--id-field"
ent --no-topics --jsonl --text-field body --id-field key "$f"
status_is 1
out_lines 5
ids_are '"k1"' '"k2"' 3 4 2.5
err_is "entopic: $f:2: field \"body\" is not a string"
valid_json "$T/out"

# duplicate keys: the last value wins (as jq and most parsers do); one record out
what="duplicate keys"
printf '{"id":1,"id":2,"text":"China","text":"India","x":1,"x":2}\n' >"$f"
ent --no-topics --jsonl "$f"
status_is 0
err_empty
out_lines 1
line_has 1 '{"id":2,"x":2,"mentions":[{"start":0,"end":5,"text":"India"'

# invalid JSON of several kinds, each an error record in its place
printf '%s\n' '{"text":"a"' '{bad}' '{"text":"a",}' "{'text':'a'}" '{"text":"a"} trailing' \
	'{"text":"a\x"}' '{"text":"\ud800"}' '{"text":"tab	raw"}' '{"text":01}' '{"text":NaN}' \
	'{"text":"China"}' >"$f"
printf '\000\n{"text":"nul\000raw"}\n{"text":"India"}\n' >>"$f"
what="invalid JSON"
ent --no-topics --jsonl "$f"
status_is 1
out_lines 14
ids_are 1 2 3 4 5 6 7 8 9 10 11 12 13 14
for n in 1 2 3 4 5 6 7 8 9 10 12 13; do
	line_is_error $n
	line_has $n "\"error\":\"line $n: invalid JSON: "
	grep -q "^entopic: $f:$n: invalid JSON: " "$T/err" || fail "no message for line $n"
done
[ "$(wc -l <"$T/err")" = 12 ] || fail "$(wc -l <"$T/err") messages, expected 12"
line_has 11 '{"id":11,"mentions":[{"start":0,"end":5,"text":"China"'
line_has 14 '{"id":14,"mentions":[{"start":0,"end":5,"text":"India"'
valid_json "$T/out"

# UTF-8 BOM and CRLF; blank lines (also "\r\n" and spaces only) are no records
what="BOM and CRLF"
printf '\357\273\277{"id":"a","text":"China\\r\\nIndia"}\r\n\r\n  \r\n{"text":"India"}\r\n{"text":"x"}' >"$f"
ent --no-topics --jsonl "$f"
status_is 0
err_empty
out_lines 3
ids_are '"a"' 4 5
line_has 1 '{"start":7,"end":12,"text":"India"'
line_has 2 '{"id":4,"mentions":[{"start":0,"end":5,"text":"India"'
what="BOM and CRLF, plain text"
printf '\357\273\277China\r\nIndia\r\n' >"$T/bom.txt"
ent --no-topics --offsets=bytes "$T/bom.txt"
status_is 0
line_has 1 '{"start":0,"end":5,"text":"China"'
line_has 1 '{"start":7,"end":12,"text":"India"'
what="BOM and CRLF, --lines"
ent --no-topics --lines "$T/bom.txt"
status_is 0
out_lines 2
ids_are 1 2
line_has 1 '{"id":1,"mentions":[{"start":0,"end":5,"text":"China"'
line_has 2 '{"id":2,"mentions":[{"start":0,"end":5,"text":"India"'
valid_json "$T/out"

# an empty input gives no output and status 0, in every mode
for m in --jsonl --lines; do
	what="empty input $m"
	: >"$f"
	ent --no-topics $m "$f"
	status_is 0
	err_empty
	out_empty
done
finish
