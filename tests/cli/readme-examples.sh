#!/bin/sh
# Every command of README.md's "Use" block runs as written, on small files made here, with
# status 0 and output where output is expected. A pipe into jq is cut before jq (jq is not
# a dependency); zcat reads a gzip of the JSONL made here.
. "$TOP/tests/cli/helpers.inc"
cd "$T"
ln -s "$TOP/models" models
printf 'Lin Jian said China and Pakistan discussed antimony and copper.\n' >article.txt
printf 'Chile exports lithium\nGold prices rose in London\n' >headlines.txt
cat >dump.jsonl <<'JSON'
{"id": "a1", "uuid": "u-1", "text": "Shehbaz Sharif met Xi Jinping in Beijing about rare earths.", "body": "Shehbaz Sharif met Xi Jinping in Beijing about rare earths."}
{"id": "a2", "uuid": "u-2", "text": "Glencore mines cobalt in the DRC and Zambia.", "body": "Glencore mines cobalt in the DRC and Zambia."}
JSON
gzip -c dump.jsonl >dump.jsonl.gz
printf 'Thacker Pass\tproject:thacker-pass\tPROJECT\tThacker Pass\tname\texact\t-\tcountry=US\n' >my-projects.tsv
cp my-projects.tsv big-list.tsv
printf 'lithium_supply_chain\tbias\t-3\nlithium_supply_chain\tw:lithium\t2.5\n' >my-model.tsv
cat >gold.jsonl <<'JSON'
{"id": "g1", "text": "China and Chile.", "topics": ["diplomacy"], "mentions": [{"start": 0, "end": 5, "type": "COUNTRY", "id": "country:CN"}, {"start": 10, "end": 15, "type": "COUNTRY", "id": "country:CL"}]}
JSON
cat >labelled.jsonl <<'JSON'
{"text": "Lithium mining in Chile grew as miners opened new lithium mines.", "topics": ["mining_minerals"]}
{"text": "The striker scored twice and the team won the match.", "topics": ["sports"]}
{"text": "Lithium brine and lithium mines in Argentina.", "topics": ["mining_minerals"]}
JSON
ENTOPIC_CMD=$ENTOPIC
export ENTOPIC_CMD
sed -n '/^## Use/,/^```$/p' "$TOP/README.md" | grep -E '^(entopic|zcat) ' >examples
n=0
while IFS= read -r line; do
	cmd=${line%%#*}
	case $cmd in *"| jq"*) cmd=${cmd%%| jq*} ;; esac
	what="README: $cmd"
	st=0
	# the command as written, with entopic the binary under test
	sh -c "entopic() { \"\$ENTOPIC_CMD\" \"\$@\"; }; $cmd" >out 2>err </dev/null || st=$?
	if [ "$st" != 0 ]; then
		fail "status $st"
		head -n 5 err
	fi
	case $cmd in
	*compile*|*"lexicon check"*|*train*) ;;
	*) [ -s out ] || fail "no output" ;;
	esac
	n=$((n + 1))
done <examples
what="README examples"
[ "$n" -ge 10 ] || fail "found $n examples"
finish
