#!/bin/sh
# Build the default benchmark corpus: PREFIX.jsonl + PREFIX.txt (+ PREFIX.meta).
#
# usage: tools/bench/make-corpus.sh [-m MB] [-o PREFIX] [-s SHARED]
#   With SHARED/data/bbc-news (default SHARED ../shared): the 2,225 BBC articles,
#   converted by SHARED/peers/bbc-jsonl.py and cycled by SHARED/peers/make-corpus.sh
#   to MB megabytes of text (the peer harness's own corpus format).
#   Without it: corpus/*.txt (one document each) cycled the same way by
#   tools/bench/corpus.py.  Default MB 50, PREFIX build/bench/bbc50 (or
#   build/bench/corpus50 for the fallback).  Nothing is rebuilt when PREFIX.jsonl,
#   PREFIX.txt and PREFIX.meta exist.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mb=50 prefix= shared=${SHARED:-../shared}
while getopts 'm:o:s:h' o; do
  case $o in
    m) mb=$OPTARG ;; o) prefix=$OPTARG ;; s) shared=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
cd "$root"
PY=${PYTHON:-python3}
tar=$shared/data/bbc-news/bbc-fulltext.tar.gz
if [ -f "$tar" ]; then
  : "${prefix:=build/bench/bbc$mb}"
else
  : "${prefix:=build/bench/corpus$mb}"
fi
if [ -s "$prefix.jsonl" ] && [ -s "$prefix.txt" ] && [ -s "$prefix.meta" ]; then
  echo "$prefix.jsonl"; exit 0
fi
mkdir -p "$(dirname "$prefix")"
if [ -f "$tar" ] && [ -x "$shared/peers/bbc-jsonl.py" ] && [ -x "$shared/peers/make-corpus.sh" ]; then
  "$PY" "$shared/peers/bbc-jsonl.py" "$tar" "$prefix.base.jsonl" 0 >&2
  "$shared/peers/make-corpus.sh" -m "$mb" -o "$prefix" "$prefix.base.jsonl" >&2
  rm -f "$prefix.base.jsonl"
  set -- $("$PY" "$here/corpus.py" --measure "$prefix.jsonl")
  printf 'docs %s\ntext_bytes %s\n' "$1" "$2" > "$prefix.meta"
elif [ -f "$tar" ]; then
  "$PY" "$here/corpus.py" -m "$mb" -o "$prefix" "$tar" >&2
else
  echo "make-corpus.sh: $tar not found, using corpus/*.txt" >&2
  "$PY" "$here/corpus.py" -m "$mb" -o "$prefix" corpus/*.txt >&2
fi
echo "$prefix.jsonl"
