#!/bin/sh
# Usage errors: a bad option, a missing option argument, a bad option value. Each ends
# with status 2, the exact message and the "Try" line, and no output at all.
. "$TOP/tests/cli/helpers.inc"
try="Try 'entopic --help' for more information."
printf 'China\n' >"$T/a.txt"

usage() { # expected-message ARG...
	msg=$1
	shift
	what="entopic $*"
	ent "$@"
	status_is 2
	err_is "entopic: $msg" "$try"
	out_empty
}

usage "unknown option '--bogus'" --bogus "$T/a.txt"
usage "unknown option '-x'" -x "$T/a.txt"
usage "option '--jsonl' takes no argument" --jsonl=3 "$T/a.txt"
# an unknown option after a valid one names the unknown one
usage "unknown option '--bogus'" --no-topics --bogus "$T/a.txt"
# ... also inside a bundle of short options (once reported the previous argument, or argv[0])
usage "unknown option '-z'" --no-topics -zq "$T/a.txt"
usage "unknown option '-z'" -zL "$T/a.txt"
for o in -L --lexicon -m --model --rules --patterns --add-model --lexicon-dir --text-field \
	--id-field --types --offsets; do
	usage "option '$o' needs an argument" "$o"
done
usage "--offsets takes codepoints, bytes or utf16, not 'furlongs'" --offsets=furlongs "$T/a.txt"
usage "--explain takes a whole number from 1 to 100, not '0'" --explain=0 "$T/a.txt"
usage "--explain takes a whole number from 1 to 100, not '7x'" --explain=7x "$T/a.txt"
usage "--types needs at least one type" --types=, "$T/a.txt"
usage "eval takes one gold file (JSON Lines)" eval
usage "lexicon takes a subcommand: check [FILE]..." lexicon

# the usage error wins over input: nothing is read or written
what="bad option with stdin"
IN=$T/a.txt ent --lines --bogus
status_is 2
out_empty

# --help and --version: status 0, nothing on stderr
what="--help"
ent --help
status_is 0
err_empty
grep -q '^Exit status: 0' "$T/out" || fail "--help does not document the exit status"
what="--version"
ent --version
status_is 0
err_empty
grep -q '^entopic [0-9]' "$T/out" || fail "--version prints $(cat "$T/out")"
finish
