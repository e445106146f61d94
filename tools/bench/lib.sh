# Shared helpers for tools/bench/bench.sh and tools/bench/bench-peers.sh (sourced; bash).
# Timing is whole-process: the wall clock read with date(1) around each run, the median of
# the runs; peak RSS is /usr/bin/time -v's "Maximum resident set size" over the runs.

BENCH_PY=${PYTHON:-python3}

# Make sure /usr/bin/time exists (Debian package "time"); install it when root.
bench_need_time() {
  [ -x /usr/bin/time ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing the time package (/usr/bin/time)" >&2
    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
  fi
  [ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing: run apt-get install time" >&2; return 1; }
}


# Docs and text bytes of a JSONL corpus: "DOCS BYTES" (cached in PREFIX.meta or build/bench/).
bench_corpus_size() {
  local c=$1 meta=${1%.jsonl}.meta cache
  if [ -s "$meta" ] && [ ! "$c" -nt "$meta" ]; then
    awk '/^docs /{d=$2} /^text_bytes /{b=$2} END{print d, b}' "$meta"; return
  fi
  cache=build/bench/meta/$(printf '%s' "$(cd "$(dirname "$c")" && pwd)/$(basename "$c")" | cksum | cut -d' ' -f1).meta
  if [ -s "$cache" ] && [ ! "$c" -nt "$cache" ]; then cat "$cache"; return; fi
  mkdir -p build/bench/meta
  "$BENCH_PY" tools/bench/corpus.py --measure "$c" | tee "$cache"
}

# Timings of one measurement NAME live in build/bench/timing/NAME.{walls,rss,failed}; runs
# of several measurements are taken in turn (A B C A B C ...), so that a machine whose speed
# drifts during the benchmark slows every configuration alike and the ratios hold.
bench_reset() { # NAME
  local dir=build/bench/timing
  mkdir -p "$dir"
  : > "$dir/$1.walls"; : > "$dir/$1.rss"; rm -f "$dir/$1.failed"
}

# bench_run1 NAME OUTFILE CMD...: one run, wall clock from date(1) around /usr/bin/time -v
# (which adds about a millisecond); CMD's stdout goes to OUTFILE. A failed run marks NAME
# failed and later runs of it are skipped.
bench_run1() {
  local name=$1 out=$2 dir=build/bench/timing rc=0 t0 t1; shift 2
  [ -e "$dir/$name.failed" ] && return 0
  t0=$(date +%s%N)
  /usr/bin/time -v -a -o "$dir/$name.rss" "$@" > "$out" 2>"$out.err" || rc=$?
  t1=$(date +%s%N)
  if [ $rc -ne 0 ]; then echo "FAILED(rc=$rc)" > "$dir/$name.failed"; return 0; fi
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f ", (b-a)/1e9}' >> "$dir/$name.walls"
}

# bench_stats NAME -> "median_s min_s max_s peak_rss_kb n median_cpu_s" or FAILED(rc=N);
# cpu = user + system seconds of /usr/bin/time -v.
bench_stats() {
  local dir=build/bench/timing
  if [ -e "$dir/$1.failed" ]; then cat "$dir/$1.failed"; return; fi
  "$BENCH_PY" -c 'import statistics,sys,re
w=[float(x) for x in open(sys.argv[1]).read().split()]
v=open(sys.argv[2]).read()
m=[int(x) for x in re.findall(r"Maximum resident set size \(kbytes\): (\d+)", v)]
u=[float(x) for x in re.findall(r"User time \(seconds\): ([0-9.]+)", v)]
k=[float(x) for x in re.findall(r"System time \(seconds\): ([0-9.]+)", v)]
if not w:
    print("FAILED(no runs)"); sys.exit()
cpu=statistics.median([a+b for a,b in zip(u,k)]) if u else float("nan")
print("%.4f %.4f %.4f %d %d %.2f" % (statistics.median(w), min(w), max(w), max(m) if m else 0, len(w), cpu))' "$dir/$1.walls" "$dir/$1.rss"
}

# awk arithmetic helper: bench_calc 'expr' -> printed with %.2f (or give a format)
bench_calc() { awk "BEGIN{printf \"${2:-%.2f}\", $1}"; }

# Copy the binary with its lexicons/ and models/ to build/bench/snap/ (it finds them beside
# itself) so that a rebuild or a lexicon edit during the run does not change what is measured.
# Sets ENTOPIC.  BENCH_NO_SNAPSHOT=1 measures ENTOPIC in place.
bench_snapshot() {
  [ "${BENCH_NO_SNAPSHOT:-0}" = 1 ] && return 0
  [ -x "$ENTOPIC" ] || { echo "bench: $ENTOPIC not found (make)" >&2; return 1; }
  local src s=build/bench/snap
  src=$(cd "$(dirname "$ENTOPIC")" && pwd)
  [ -d "$src/lexicons" ] || return 0
  rm -rf "$s"; mkdir -p "$s/lexicons"
  cp -p "$ENTOPIC" "$s/entopic"
  cp -p "$src"/lexicons/* "$s/lexicons/"   # *.tsv and a compiled image if any (mtimes kept)
  [ -d "$src/models" ] && cp -rp "$src/models" "$s/models"
  echo "bench: measuring a snapshot of $ENTOPIC ($(date -r "$ENTOPIC" '+%F %T'), sha1 $(sha1sum "$ENTOPIC" | cut -c1-12)) in $s" >&2
  ENTOPIC=$s/entopic
}
