#!/bin/sh
# -j N: the same bytes, messages and status as one thread, whatever the number of threads
# (the default too); records of every size and error records keep their places across the
# threads' batches of records, over several files and a missing one.
. "$TOP/tests/cli/helpers.inc"
cd "$T"
# 3,000 records (many batches for every thread: a batch holds at most 256 records or 64 KB
# of text): ordinary ones, a long one (20 KB) every 250, one of 400 KB (more than a batch
# holds, and more than a batch keeps for the next one), an invalid one every 97, a record
# without text every 331
i=1
while [ $i -le 3000 ]; do
	if [ $((i % 97)) = 0 ]; then
		echo '{"id": "bad'$i'", "text": '
	elif [ $((i % 331)) = 0 ]; then
		echo '{"id": "nt'$i'"}'
	elif [ $i = 1234 ]; then
		awk 'BEGIN { printf "{\"id\": \"huge\", \"text\": \""
			for (k = 0; k < 8000; k++) printf "Chile and Peru mine copper and lithium for China. "
			print "\"}" }'
	elif [ $((i % 250)) = 0 ]; then
		printf '{"id": "long%d", "text": "' "$i"
		j=0
		while [ $j -lt 400 ]; do printf 'Chile and Peru mine copper and lithium for China. '; j=$((j + 1)); done
		echo '"}'
	else
		echo '{"id": "r'$i'", "src": {"n": '$i'}, "text": "Record '$i': Pakistan, the US and rare earths; $'$i' million."}'
	fi
	i=$((i + 1))
done >in.jsonl
head -n 700 in.jsonl >head.jsonl
"$ENTOPIC" -j 1 --jsonl in.jsonl >one.out 2>one.err || echo $? >one.st
# three files, one of them missing, then stdin closed: a read error after every record,
# an error record of its own like the missing file's
"$ENTOPIC" -j 1 --jsonl head.jsonl missing.jsonl in.jsonl - <&- >many1.out 2>many1.err || echo $? >many1.st
for j in 2 3 0 8 default; do
	what="-j $j"
	st=0
	opt="-j $j"
	[ $j = default ] && opt=
	# shellcheck disable=SC2086 # opt is an option and its value, or nothing
	"$ENTOPIC" $opt --jsonl in.jsonl >$j.out 2>$j.err || st=$?
	[ "$st" = "$(cat one.st 2>/dev/null || echo 0)" ] || fail "status $st differs from -j 1"
	cmp -s one.out $j.out || fail "output differs from -j 1"
	cmp -s one.err $j.err || fail "stderr differs from -j 1"
	what="-j $j, three files, one missing, stdin closed"
	st=0
	# shellcheck disable=SC2086
	"$ENTOPIC" $opt --jsonl head.jsonl missing.jsonl in.jsonl - <&- >many.out 2>many.err || st=$?
	[ "$st" = "$(cat many1.st)" ] || fail "status $st differs from -j 1"
	cmp -s many1.out many.out || fail "output differs from -j 1"
	cmp -s many1.err many.err || fail "stderr differs from -j 1"
done
what="record count"
[ "$(wc -l <one.out)" = 3000 ] || fail "$(wc -l <one.out) output lines for 3000 records"
what="status"
[ "$(cat one.st)" = 1 ] || fail "status $(cat one.st), expected 1 (error records)"
what="three files, one missing, stdin closed"
[ "$(cat many1.st)" = 1 ] || fail "status $(cat many1.st), expected 1 (a file not read)"
# 700 + the missing file's error record + 3,000 + the read error's record
[ "$(wc -l <many1.out)" = 3702 ] || fail "$(wc -l <many1.out) output lines for 3,702 records"
[ "$(tail -n 1 many1.out)" = '{"id":"-","error":"-:1: Bad file descriptor"}' ] ||
	fail "last record: $(tail -n 1 many1.out)"
[ "$(tail -n 1 many1.err)" = "entopic: -:1: Bad file descriptor" ] || fail "last message: $(tail -n 1 many1.err)"
finish
