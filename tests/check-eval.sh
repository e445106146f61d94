#!/bin/sh
# Annotate a gold file (tests/traps/traps.jsonl, corpus/gold.jsonl) and fail on any
# difference from its mentions: every false positive, false negative and wrong id is listed.
set -eu
gold=$1
types=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$ENTOPIC" eval --no-topics --types "$types" --errors "$tmp/errors" "$gold" >"$tmp/report"
if [ -s "$tmp/errors" ]; then
	cat "$tmp/report"
	echo "differences (doc, kind, type, offset, text, id):"
	cat "$tmp/errors"
	exit 1
fi
