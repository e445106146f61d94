#!/bin/sh
# `make memcheck`: the whole suite of tests/run-all.sh (the huge CLI cases skip themselves)
# with every entopic run and every unit test under valgrind --leak-check=full. Each run writes its
# own log in build/memcheck/logs/; the check fails when a test fails or any log holds an
# error or a leak. Usage: tests/memcheck.sh [ENTOPIC] [UNITDIR]
set -eu
LC_ALL=C
export LC_ALL
TOP=$(pwd)
export TOP
PLAIN=${1:-./entopic}
UNITDIR=${2:-build/unit}
case $PLAIN in /*) ;; *) PLAIN=$TOP/$PLAIN ;; esac
command -v valgrind >/dev/null || { echo "memcheck: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
M=$TOP/build/memcheck
rm -rf "$M"
mkdir -p "$M/logs"
VG="valgrind -q --error-exitcode=1 --suppressions=$TOP/tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible --log-file=$M/logs/%p.log"
cat >"$M/entopic" <<X
#!/bin/sh
exec $VG "$PLAIN" "\$@"
X
chmod +x "$M/entopic"
ENTOPIC=$M/entopic
ENTOPIC_PLAIN=$PLAIN
ENTOPIC_MEMCHECK=1
ENTOPIC_NO_JIT=1 # valgrind reports false positives inside pcre2's JIT code
export ENTOPIC ENTOPIC_PLAIN ENTOPIC_MEMCHECK ENTOPIC_NO_JIT
status=0
UNIT_WRAP=$VG sh tests/run-all.sh "$ENTOPIC" "$UNITDIR" || status=1
bad=0
for l in "$M"/logs/*.log; do
	[ -s "$l" ] || continue
	bad=$((bad + 1))
	echo "memcheck: $l:"
	head -n 40 "$l"
done
echo "memcheck: $bad runs with valgrind errors, $(ls "$M"/logs | wc -l) runs"
[ "$status" -eq 0 ] && [ "$bad" -eq 0 ]
