#!/usr/bin/env bash
# `make bench`: throughput of the full entopic pipeline (all defaults: normalize, tokenize,
# match, topics, JSON out) on a JSONL corpus, whole process, start-up included.
#
# usage: tools/bench/bench.sh            (run from the repository root; make bench does)
# environment:
#   BENCH_CORPUS=FILE.jsonl  corpus (default: tools/bench/make-corpus.sh: the BBC articles of
#                            ../shared/data/bbc-news cycled to 50 MB, else corpus/*.txt)
#   BENCH_RUNS=N             timed runs per configuration (default 5; the median is shown),
#                            taken in turn: every configuration once, then again ...
#   BENCH_STARTUP_RUNS=N     runs of the one-line start-up measurement (default 10)
#   BENCH_SIZES="N ..."      padded peer lexicon sizes (default "100000 1000000"; "" = none)
#   BENCH_ONE_MB=MB          size of the one-document configuration: the corpus's first MB
#                            of text joined into a single record (default 10; 0 = none)
#   ENTOPIC=PATH             binary (default ./entopic; copied with lexicons/ and models/ to
#                            build/bench/snap first, BENCH_NO_SNAPSHOT=1 not to); SHARED=DIR
# Generated files: build/bench/ (corpus, converted lexicons, outputs, timings).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/bench/lib.sh
ENTOPIC=${ENTOPIC:-./entopic}
SHARED=${SHARED:-../shared}
RUNS=${BENCH_RUNS:-5}
SRUNS=${BENCH_STARTUP_RUNS:-10}
SIZES=${BENCH_SIZES-100000 1000000}
ONE_MB=${BENCH_ONE_MB:-10}
B=build/bench
mkdir -p "$B/out"
bench_need_time
bench_snapshot

if [ -n "${BENCH_CORPUS:-}" ]; then
  CORPUS=$BENCH_CORPUS
  [ -s "$CORPUS" ] || { echo "bench: $CORPUS not found or empty" >&2; exit 2; }
else
  [ -d "$SHARED" ] || echo "bench: $SHARED not found: corpus/*.txt cycled to 50 MB, no padded lexicons" >&2
  CORPUS=$(SHARED=$SHARED tools/bench/make-corpus.sh)
fi
read -r DOCS BYTES <<<"$(bench_corpus_size "$CORPUS")"
ONE=$B/one-line.jsonl
head -n 1 "$CORPUS" > "$ONE"
cat "$CORPUS" > /dev/null   # page cache

# configurations: name|extra arguments[|own corpus]
declare -a CONF=("defaults|")
if [ -n "$SIZES" ]; then
  if [ -f "$SHARED/peers/make-lexicon.py" ] && [ -f /usr/share/iso-codes/json/iso_3166-1.json ]; then
    for n in $SIZES; do
      lex=$B/entopic-lexicon-$n.tsv
      if [ ! -s "$lex" ] || [ "$SHARED/peers/make-lexicon.py" -nt "$lex" ] ||
         [ tools/bench/peer-lexicon.py -nt "$lex" ]; then
        "$BENCH_PY" "$SHARED/peers/make-lexicon.py" --size "$n" -o "$B/peer-lexicon-$n.tsv"
        "$BENCH_PY" tools/bench/peer-lexicon.py "$B/peer-lexicon-$n.tsv" "$lex"
      fi
      CONF+=("defaults + -L peer lexicon $n|-L $lex")
      # the same lexicons compiled into one image (entopic compile), as a user with a large
      # list of their own would run them
      img=$B/entopic-lexicon-$n.eimg
      if [ ! -s "$img" ] || [ "$lex" -nt "$img" ] || [ "$ENTOPIC" -nt "$img" ]; then
        "$ENTOPIC" compile -L "$lex" -o "$img" 2>/dev/null || rm -f "$img"
      fi
      [ -s "$img" ] && CONF+=("defaults + peer lexicon $n, image|--image $img")
    done
  elif [ ! -f "$SHARED/peers/make-lexicon.py" ]; then
    echo "bench: $SHARED/peers/make-lexicon.py not found: padded-lexicon configurations skipped" >&2
  else
    echo "bench: /usr/share/iso-codes missing (apt-get install iso-codes): padded-lexicon configurations skipped" >&2
  fi
fi
HAVE_J=0
if "$ENTOPIC" --help 2>&1 | grep -Eq '(^|[[:space:],])-j([[:space:],]|$)|--jobs'; then
  HAVE_J=1
  CONF+=("defaults -j 1|-j 1" "defaults -j 2|-j 2")
fi
# one large document (a book, a dump given as one file): a record is annotated on one
# thread, so it compares with -j 1; the time should grow with the size, no faster
if [ "$ONE_MB" != 0 ]; then
  BIG=$B/$(basename "${CORPUS%.jsonl}")-one$ONE_MB
  if [ ! -s "$BIG.jsonl" ] || [ "$CORPUS" -nt "$BIG.jsonl" ] || [ tools/bench/corpus.py -nt "$BIG.jsonl" ]; then
    "$BENCH_PY" tools/bench/corpus.py --one -m "$ONE_MB" -o "$BIG" "$CORPUS"
  fi
  CONF+=("one document of $ONE_MB MB|-j 1|$BIG.jsonl")
fi

echo "entopic bench: $("$ENTOPIC" --version 2>/dev/null | head -1)"
echo "corpus: $CORPUS ($DOCS docs, $(bench_calc "$BYTES/1e6" %.1f) MB of text)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "timing: date(1) around /usr/bin/time -v, whole process; median of $RUNS runs, the configurations in turn (start-up: $SRUNS runs on the first line)"
echo "defaults: every processor this process may run on, at most 8 (here $(nproc)); -j 1 and -j 2 below name it"
[ $HAVE_J = 1 ] || echo "-j: not listed by $ENTOPIC --help, -j 2 vs -j 1 skipped"
fmt="%-36s %8s %9s %10s %11s %11s %25s %13s %8s %10s\n"
declare -A MBS NET CPU
n=${#CONF[@]}
for ((i = 1; i <= n; i++)); do bench_reset c$i; bench_reset c$i-start; done
# conf I -> ARGS and IN (the configuration's own corpus, else the corpus), CBYTES, CDOCS
declare -a CBYTES CDOCS
conf() {
  local c=${CONF[$(($1 - 1))]}
  c=${c#*|}; args=${c%%|*}; IN=$CORPUS
  [ "$c" = "$args" ] || IN=${c#*|}
}
for ((i = 1; i <= n; i++)); do
  conf $i
  if [ "$IN" = "$CORPUS" ]; then CDOCS[i]=$DOCS CBYTES[i]=$BYTES
  else read -r "CDOCS[i]" "CBYTES[i]" <<<"$(bench_corpus_size "$IN")"; fi
done
for ((r = 0; r < RUNS; r++)); do
  for ((i = 1; i <= n; i++)); do
    conf $i
    # shellcheck disable=SC2086
    bench_run1 c$i "$B/out/c$i.jsonl" "$ENTOPIC" --jsonl $args "$IN"
  done
done
# the harness's own floor (date(1), /usr/bin/time, a process that does nothing), taken in
# turn with the start-up runs and subtracted from them
bench_reset floor
for ((r = 0; r < SRUNS; r++)); do
  bench_run1 floor "$B/out/floor.out" true
  for ((i = 1; i <= n; i++)); do
    conf $i
    [ "$IN" = "$CORPUS" ] || continue   # (its start-up is that of its arguments' row)
    # shellcheck disable=SC2086
    bench_run1 c$i-start "$B/out/c$i-start.jsonl" "$ENTOPIC" --jsonl $args "$ONE"
  done
done
FLOOR=$(bench_stats floor | cut -d' ' -f1)
case $FLOOR in FAILED*) FLOOR=0 ;; esac
echo "start-up_ms: the one-line run minus the harness's floor ($(bench_calc "$FLOOR*1000" %.1f) ms for date + /usr/bin/time + true)"
printf "$fmt" configuration MB/s docs/s peakRSS_MB start-up_ms startRSS_MB "median_s (min-max)" "MB/s-no-start" cpu_s "MB/cpu-s"
for ((i = 1; i <= n; i++)); do
  c=${CONF[$((i - 1))]}; name=${c%%|*}; tag=c$i
  res=$(bench_stats "$tag")
  case $res in FAILED*) printf "%-36s %s (see %s)\n" "$name" "$res" "$B/out/$tag.jsonl.err"; continue ;; esac
  read -r med mn mx rss _ cpu <<<"$res"
  smed=nan srss=0 sraw=0 sms=FAILED
  if [ -s build/bench/timing/$tag-start.walls ]; then
    sres=$(bench_stats "$tag-start")
    case $sres in FAILED*) ;; *) read -r sraw _ _ srss _ <<<"$sres"; smed=$(bench_calc "$sraw-$FLOOR" %.6f); sms=$(bench_calc "$smed*1000" %.1f) ;; esac
  elif [ ! -e build/bench/timing/$tag-start.failed ]; then
    sms=-   # (a configuration with its own corpus)
  fi
  mbs=$(bench_calc "${CBYTES[i]}/1e6/$med")
  net=-
  # the one-line run's whole time (its floor included, as in med) taken off
  [ "$smed" = nan ] || net=$(bench_calc "($med>$sraw)?${CBYTES[i]}/1e6/($med-$sraw):0")
  MBS[$name]=$mbs; NET[$name]=$net; CPU[$name]=$(bench_calc "${CBYTES[i]}/1e6/$cpu")
  printf "$fmt" "$name" "$mbs" "$(bench_calc "${CDOCS[i]}/$med" %.0f)" "$(bench_calc "$rss/1024" %.1f)" \
    "$sms" "$([ "$sms" = - ] && echo - || bench_calc "$srss/1024" %.1f)" "$med ($mn-$mx)" "$net" "$cpu" "${CPU[$name]}"
done

# paired BASE NAME: the median over the rounds of BASE's wall / NAME's wall in the same
# round (the same corpus, so NAME's throughput / BASE's): runs seconds apart, so that the
# machine's drift over the whole benchmark, which moves the medians above, cancels out
paired() {
  local i j k c
  for ((i = 1; i <= n; i++)); do
    c=${CONF[$((i - 1))]}; [ "${c%%|*}" = "$1" ] && k=$i; [ "${c%%|*}" = "$2" ] && j=$i
  done
  "$BENCH_PY" -c 'import statistics,sys
a=open(sys.argv[1]).read().split(); b=open(sys.argv[2]).read().split()
r=[float(x)/float(y) for x,y in zip(a,b)] if len(a)==len(b) else []
print("%.2f (%d rounds, %.2f-%.2f)" % (statistics.median(r), len(r), min(r), max(r)) if r else "-")' \
    "build/bench/timing/c$k.walls" "build/bench/timing/c$j.walls"
}
echo
echo "targets (issue 7):"
for big in "defaults + -L peer lexicon 1000000" "defaults + peer lexicon 1000000, image"; do
if [ -n "${MBS[$big]:-}" ] && [ -n "${MBS[defaults]:-}" ]; then
  printf "  %s vs defaults: %s x wall, whole process (%s x CPU time; %s x wall without start-up; paired by round %s); target >= 0.75\n" "$big" \
    "$(bench_calc "${MBS[$big]}/${MBS[defaults]}")" "$(bench_calc "${CPU[$big]}/${CPU[defaults]}")" \
    "$(case ${NET[$big]}${NET[defaults]} in *-*) echo - ;; *) bench_calc "${NET[$big]}/${NET[defaults]}" ;; esac)" \
    "$(paired defaults "$big")"
else
  echo "  $big vs defaults: not measured"
fi
done
if [ $HAVE_J = 1 ] && [ -n "${MBS[defaults -j 2]:-}" ] && [ -n "${MBS[defaults -j 1]:-}" ]; then
  printf "  -j 2 vs -j 1: %s x wall (paired by round %s); target >= 1.8\n" "$(bench_calc "${MBS[defaults -j 2]}/${MBS[defaults -j 1]}")" \
    "$(paired "defaults -j 1" "defaults -j 2")"
else
  echo "  -j 2 vs -j 1: not measured (no -j)"
fi
big="one document of $ONE_MB MB"
if [ "$ONE_MB" != 0 ] && [ -n "${MBS[$big]:-}" ] && [ -n "${MBS[defaults -j 1]:-}" ]; then
  printf "  %s vs -j 1: %s x wall (one record, one thread; no target: near 1 says the time grows with the size alone)\n" \
    "$big" "$(bench_calc "${MBS[$big]}/${MBS[defaults -j 1]}")"
fi
echo "  peers (>= 10x python, >= 100x wink/compromise, within 3x of grep-c): make bench-peers"
