#!/bin/sh
# The whole suite: unit tests, golden cases, CLI error paths, traps, lexicon check and the
# project's own corpus. Usage: tests/run-all.sh ENTOPIC UNITDIR
# ENTOPIC is the binary under test (plain or sanitized build, or a script that wraps one);
# UNITDIR holds the unit tests built the same way; UNIT_WRAP, when set, is a command put
# before each unit test (tests/memcheck.sh: valgrind). Prints one summary line "N passed,
# N failed" and exits non-zero when anything failed.
set -eu
LC_ALL=C
export LC_ALL
ENTOPIC=${1:-./entopic}
UNITDIR=${2:-build/unit}
case $ENTOPIC in /*) ;; *) ENTOPIC=$(pwd)/$ENTOPIC ;; esac
export ENTOPIC
TOP=$(pwd)
export TOP
pass=0
fail=0
failed=""

run() { # name command...
	name=$1
	shift
	if "$@" >"$TMPD/log" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "FAIL: $name"
		sed 's/^/    /' "$TMPD/log" | tail -n 40
	fi
}

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT INT TERM

for t in "$UNITDIR"/test_*; do
	[ -x "$t" ] || continue
	# shellcheck disable=SC2086 # UNIT_WRAP is a command with its arguments
	run "unit/$(basename "$t")" ${UNIT_WRAP:-} "$t"
done
for c in tests/golden/*/; do
	[ -d "$c" ] || continue
	run "golden/$(basename "$c")" sh tests/run-golden.sh "$c"
done
for t in tests/cli/*.sh; do
	[ -f "$t" ] || continue
	run "cli/$(basename "$t" .sh)" sh "$t"
done
run "lexicon-check" "$ENTOPIC" lexicon check
run "traps" sh tests/check-eval.sh tests/traps/traps.jsonl PERSON,COUNTRY,MINERAL,CITY,ORG,MONEY,PERCENT,DATE
run "corpus-gold" sh tests/check-eval.sh corpus/gold.jsonl PERSON,COUNTRY,MINERAL

echo "suite: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
