#!/bin/sh
# Run one golden case: a directory with
#   args          arguments for entopic, one per line (relative paths are from the case dir)
#   stdin         optional: fed to entopic's standard input (else /dev/null)
#   expected.out  the exact standard output
#   expected.err  optional: the exact standard error (else it must be empty)
#   status        optional: the exit status (else 0)
set -eu
case_dir=$1
cd "$case_dir"
set --
if [ -f args ]; then
	while IFS= read -r a || [ -n "$a" ]; do set -- "$@" "$a"; done <args
fi
in=/dev/null
[ -f stdin ] && in=stdin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
st=0
"$ENTOPIC" "$@" <"$in" >"$tmp/out" 2>"$tmp/err" || st=$?
want=0
[ -f status ] && want=$(cat status)
ok=0
if ! cmp -s expected.out "$tmp/out"; then
	echo "stdout differs:"; diff expected.out "$tmp/out" | head -n 20; ok=1
fi
if [ -f expected.err ]; then
	if ! cmp -s expected.err "$tmp/err"; then
		echo "stderr differs:"; diff expected.err "$tmp/err" | head -n 20; ok=1
	fi
elif [ -s "$tmp/err" ]; then
	echo "unexpected stderr:"; head -n 20 "$tmp/err"; ok=1
fi
if [ "$st" != "$want" ]; then
	echo "status $st, expected $want"; ok=1
fi
exit $ok
