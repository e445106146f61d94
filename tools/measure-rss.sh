#!/bin/sh
# Peak memory of a long JSON Lines run: generates SIZE_MB (default 1024) of JSONL news-like
# records in a temporary directory and reports the peak RSS of `entopic --jsonl` over it
# (GNU time -v), so that "memory does not grow with the number of records" can be checked
# by hand. Not part of `make test` (machine-dependent, and slow).
# Usage: tools/measure-rss.sh [ENTOPIC] [SIZE_MB]
set -eu
LC_ALL=C
export LC_ALL
ENTOPIC=${1:-./entopic}
SIZE_MB=${2:-1024}
[ -x /usr/bin/time ] || { echo "measure-rss: needs GNU time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# records of varied length and content, cycling through 8 templates
awk -v limit=$((SIZE_MB * 1024 * 1024)) 'BEGIN {
	t[0] = "BEIJING; China\\u2019s foreign ministry spokesperson Lin Jian said Pakistan\\u2013US cooperation on antimony would not harm China."
	t[1] = "Lithium prices fell as Chile and Australia raised output; the Democratic Republic of Congo cobalt export ban was extended."
	t[2] = "President Emmanuel Macron met Chancellor Olaf Scholz in Berlin on 3 March 2024 to discuss a $5.2 billion rare earths fund."
	t[3] = "The striker scored twice as Real Madrid beat Bayern Munich 2-1 in the Champions League semi-final on Tuesday night."
	t[4] = "Gallium and germanium export curbs by Beijing hit chipmakers in Japan, South Korea and the Netherlands, analysts said."
	t[5] = "Ukraine and the United States signed a minerals deal in Washington; Kyiv will put 50% of revenues into a joint fund."
	t[6] = "Glencore, BHP and Rio Tinto reported higher copper output in Q3, while nickel prices in Indonesia slumped by 12.5%."
	t[7] = "Scientists in Geneva said a new vaccine trial in Nigeria and Kenya showed promising results against malaria."
	n = 0; i = 0
	while (n < limit) {
		s = t[i % 8]; r = 1 + (i * 7) % 5; text = s
		for (k = 1; k < r; k++) text = text " " t[(i + k) % 8]
		line = sprintf("{\"id\":\"r%d\",\"source\":\"gen\",\"text\":\"%s\"}", i, text)
		print line; n += length(line) + 1; i++
	}
}' >"$tmp/in.jsonl"
recs=$(wc -l <"$tmp/in.jsonl" | tr -d ' ')
bytes=$(wc -c <"$tmp/in.jsonl" | tr -d ' ')
/usr/bin/time -v "$ENTOPIC" --jsonl "$tmp/in.jsonl" 2>"$tmp/time" | wc -l >"$tmp/n"
rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$tmp/time")
wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")
echo "measure-rss: $bytes bytes, $recs records in, $(cat "$tmp/n") lines out; peak RSS $rss KiB; wall $wall"
