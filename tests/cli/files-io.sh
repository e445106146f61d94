#!/bin/sh
# Files and streams: a missing file among several (the others are still processed, in
# order, status 1), a directory, a dangling symlink, a path through a regular file, an
# unreadable file, stdin ("-") among files, a closed stdin, output to /dev/full (status 2
# and one message), a closed pipe (`| head -1` ends quietly, with or without SIGPIPE).
. "$TOP/tests/cli/helpers.inc"
cd "$T"
printf 'China\n' >a.txt
printf 'India\n' >b.txt
mkdir dir
ln -s nowhere dangling

what="missing files among several"
IN=b.txt ent --no-topics a.txt missing.txt dir dangling a.txt/x - b.txt
status_is 1
out_lines 7
ids_are '"a.txt"' '"missing.txt"' '"dir"' '"dangling"' '"a.txt/x"' '"-"' '"b.txt"'
err_is "entopic: missing.txt: No such file or directory" \
	"entopic: dir: is a directory" \
	"entopic: dangling: No such file or directory" \
	"entopic: a.txt/x: Not a directory"
line_has 1 '{"id":"a.txt","mentions":[{"start":0,"end":5,"text":"China"'
line_has 2 '{"id":"missing.txt","error":"missing.txt: No such file or directory"}'
line_has 3 '{"id":"dir","error":"dir: is a directory"}'
line_has 6 '{"id":"-","mentions":[{"start":0,"end":5,"text":"India"'
line_has 7 '{"id":"b.txt","mentions":[{"start":0,"end":5,"text":"India"'
valid_json "$T/out"

# the same in line and JSON Lines modes: the error record stands for the whole file
what="missing file, --jsonl"
printf '{"id":"x","text":"China"}\n{"id":"y","text":"India"}\n' >a.jsonl
ent --no-topics --jsonl a.jsonl missing.jsonl a.jsonl
status_is 1
ids_are '"x"' '"y"' '"missing.jsonl"' '"x"' '"y"'
err_is "entopic: missing.jsonl: No such file or directory"

# an unreadable file: chmod 000 does not stop root, so only when it does stop us
printf 'China\n' >secret.txt
chmod 000 secret.txt
if [ ! -r secret.txt ]; then
	what="unreadable file"
	ent --no-topics secret.txt b.txt
	status_is 1
	ids_are '"secret.txt"' '"b.txt"'
	err_is "entopic: secret.txt: Permission denied"
fi
chmod 644 secret.txt

# a closed stdin is a read error of "-" (no line number: nothing was read), an input file
# that could not be read: an error record with its id, status 1; in the line modes the
# message names the line that could not be read
what="closed stdin"
st=0
"$ENTOPIC" --no-topics <&- >"$T/out" 2>"$T/err" || st=$?
status_is 1
err_is "entopic: -: Bad file descriptor"
out_lines 1
line_has 1 '{"id":"-","error":"-: Bad file descriptor"}'
what="closed stdin, --lines"
st=0
"$ENTOPIC" --no-topics --lines <&- >"$T/out" 2>"$T/err" || st=$?
status_is 1
err_is "entopic: -:1: Bad file descriptor"
out_lines 1
line_has 1 '{"id":"-","error":"-:1: Bad file descriptor"}'

# output errors: status 2, one message, no crash; small and large outputs
what="/dev/full"
st=0
"$ENTOPIC" --no-topics a.txt >/dev/full 2>"$T/err" || st=$?
status_is 2
err_is "entopic: write error: No space left on device"
awk 'BEGIN { for (i = 0; i < 20000; i++) print "China exports lithium to India." }' >many.txt
st=0
"$ENTOPIC" --lines many.txt >/dev/full 2>"$T/err" || st=$?
status_is 2
err_is "entopic: write error: No space left on device"

# a closed pipe: quiet, whether SIGPIPE kills us (status 141) or is ignored (EPIPE: 0)
what="SIGPIPE"
{ st=0; "$ENTOPIC" --lines many.txt 2>"$T/err" || st=$?; echo "$st" >"$T/st"; } | head -n 1 >"$T/out"
st=$(cat "$T/st")
[ "$st" = 0 ] || [ "$st" = 141 ] || fail "status $st"
err_empty
out_lines 1
valid_json "$T/out"
what="EPIPE (SIGPIPE ignored)"
{ trap '' PIPE; st=0; "$ENTOPIC" --lines many.txt 2>"$T/err" || st=$?; echo "$st" >"$T/st"; } | head -n 1 >"$T/out"
[ "$(cat "$T/st")" = 0 ] || fail "status $(cat "$T/st") with SIGPIPE ignored"
err_empty
out_lines 1
finish
