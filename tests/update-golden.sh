#!/bin/sh
# Regenerate expected.out / expected.err / status of golden cases from the current build,
# after a deliberate change of output. Review the diff (git diff tests/golden) before
# committing: a golden case is a promise to users.
# Usage: tests/update-golden.sh [CASE_DIR...]   (default: every case)
set -eu
ENTOPIC=${ENTOPIC:-$(pwd)/entopic}
[ $# -gt 0 ] || set -- tests/golden/*/
for c in "$@"; do
	(
		cd "$c"
		set --
		if [ -f args ]; then
			while IFS= read -r a || [ -n "$a" ]; do set -- "$@" "$a"; done <args
		fi
		in=/dev/null
		[ -f stdin ] && in=stdin
		st=0
		"$ENTOPIC" "$@" <"$in" >expected.out 2>expected.err || st=$?
		[ -s expected.err ] || rm -f expected.err
		if [ "$st" = 0 ]; then rm -f status; else echo "$st" >status; fi
	)
done
