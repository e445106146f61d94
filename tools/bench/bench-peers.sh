#!/usr/bin/env bash
# `make bench-peers`: entopic beside the peer annotators of ../shared/peers (run.sh), on the
# same corpus and gazetteer, timed the same way in the same run, with ratios. Each peer runs
# between two timings of entopic and its ratio is read against those (see run_tier).
#
# usage: tools/bench/bench-peers.sh      (run from the repository root; make bench-peers does)
# environment:
#   BENCH_CORPUS=FILE.jsonl  corpus (default: the 50 MB BBC corpus of tools/bench/make-corpus.sh);
#                            its .txt twin is used by the line-oriented peers (made if missing)
#   BENCH_RUNS=N             timed runs per peer (default 3; median shown)
#   BENCH_PEERS=LIST         peers on the full corpus (default
#                            cat,wc,hyperscan,rg,grep-c,grep-utf8,python,opennlp,wink)
#   BENCH_SLOW_PEERS=LIST    peers run on a smaller prefix of the same corpus (default
#                            compromise,compromise-topics: ~0.05 MB/s, 50 MB would take 15+
#                            minutes a run); entopic is measured again on that prefix
#   BENCH_SLOW_MB=MB         size of that prefix (default 2; 0 = run them on the full corpus)
#   BENCH_PEER_SIZE=N        use make-lexicon.py --size N (padded) instead of lexicon.tsv
#   BENCH_TIMEOUT=S          per-run limit (default 600)
#   BENCH_HYPERFINE=1        afterwards re-time every peer with hyperfine (run.sh -H)
#   SHARED=DIR               default ../shared
# The harness is copied to build/bench/peers (node_modules, build/ and work/ are made there,
# ../shared is never written); setup.sh runs there when the peers are not set up yet.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SHARED=${SHARED:-../shared}
if [ ! -d "$SHARED/peers" ] || [ ! -x "$SHARED/peers/run.sh" ]; then
  echo "bench-peers: $SHARED/peers not found: peer benchmark skipped"
  exit 0
fi
. tools/bench/lib.sh
ENTOPIC=${ENTOPIC:-./entopic}
RUNS=${BENCH_RUNS:-3}
TMO=${BENCH_TIMEOUT:-600}
PEERS=${BENCH_PEERS:-cat,wc,hyperscan,rg,grep-c,grep-utf8,python,opennlp,wink}
SLOW=${BENCH_SLOW_PEERS-compromise,compromise-topics}
SLOW_MB=${BENCH_SLOW_MB:-2}
B=build/bench
P=$B/peers
mkdir -p "$P" "$B/out"
bench_need_time
bench_snapshot
ENTOPIC=$(cd "$(dirname "$ENTOPIC")" && pwd)/$(basename "$ENTOPIC")

# fresh copy of the harness scripts (generated dirs kept)
(cd "$SHARED/peers" && tar cf - --exclude=./work --exclude=./build --exclude=./node_modules .) |
  tar xf - -C "$P"
chmod -R u+w "$P"
if [ ! -d "$P/node_modules/wink-nlp" ] || [ ! -d "$P/node_modules/compromise" ]; then
  echo "bench-peers: peers not set up yet: running $P/setup.sh" >&2
  if [ "$(id -u)" = 0 ]; then "$P/setup.sh" >&2 || true; else SKIP_APT=1 "$P/setup.sh" >&2 || true; fi
fi

# corpus (+ .txt twin) and lexicon
if [ -n "${BENCH_CORPUS:-}" ]; then
  CORPUS=$BENCH_CORPUS
  [ -s "$CORPUS" ] || { echo "bench-peers: $CORPUS not found or empty" >&2; exit 2; }
else
  CORPUS=$(SHARED=$SHARED tools/bench/make-corpus.sh)
fi
CORPUS=$(cd "$(dirname "$CORPUS")" && pwd)/$(basename "$CORPUS")
if [ ! -s "${CORPUS%.jsonl}.txt" ]; then   # make the twin here, as run.sh would in its work/
  mkdir -p "$B/twin"
  "$BENCH_PY" "$SHARED/peers/lib/corpus.py" -o "$B/twin/$(basename "${CORPUS%.jsonl}")" "$CORPUS"
  CORPUS=$ROOT/$B/twin/$(basename "$CORPUS")
fi
if [ -n "${BENCH_PEER_SIZE:-}" ]; then
  PLEX=$ROOT/$B/peer-lexicon-$BENCH_PEER_SIZE.tsv
  [ -s "$PLEX" ] || "$BENCH_PY" "$P/make-lexicon.py" --size "$BENCH_PEER_SIZE" -o "$PLEX"
else
  PLEX=$ROOT/$P/lexicon.tsv
fi
ELEX=$B/entopic-$(basename "$PLEX")
"$BENCH_PY" tools/bench/peer-lexicon.py "$PLEX" "$ELEX" 2>/dev/null
LEXDIR=$B/lexdir-$(basename "${PLEX%.tsv}")
rm -rf "$LEXDIR"; mkdir -p "$LEXDIR"; cp "$ELEX" "$LEXDIR/peer.tsv"

# entopic, timed exactly as run.sh times a peer: date(1) around
# /usr/bin/time timeout sh -c "exec > OUT; CMD", median of RUNS; peak RSS from /usr/bin/time.
time_runs() { # N CMD OUT [WALLS] -> "median min max maxrss n" | TIMEOUT | FAILED(rc=N)
  # (WALLS: a file that gets the runs' wall seconds, one a line)
  local n=$1 cmd=$2 out=$3 walls=${4:-} tf i rc t0 t1
  tf=$(mktemp); : > "$tf.all"
  for ((i = 0; i < n; i++)); do
    rc=0
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$tf" timeout -k 5 "$TMO" sh -c "exec > '$out'; $cmd" 2>"$out.err" || rc=$?
    t1=$(date +%s%N)
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then rm -f "$tf" "$tf.all"; echo TIMEOUT; return; fi
    if [ $rc -ne 0 ]; then rm -f "$tf" "$tf.all"; echo "FAILED(rc=$rc)"; return; fi
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", (b-a)/1e9}') $(tail -1 "$tf")" >> "$tf.all"
  done
  "$BENCH_PY" "$P/lib/median.py" < "$tf.all"
  [ -z "$walls" ] || cut -d' ' -f1 "$tf.all" > "$walls"
  rm -f "$tf" "$tf.all"
}
count_entopic() { # OUT -> "gazetteer-matches all-mentions"
  "$BENCH_PY" -c 'import json,sys
g=t=0
for l in open(sys.argv[1],encoding="utf-8"):
    if l.strip():
        for m in json.loads(l).get("mentions",()):
            t+=1; g+=m.get("id") is not None
print(g,t)' "$1"
}
fmt="%-34s %9s %9s %9s %10s %10s %11s %15s %9s\n"
# entopic_rows TAG CORPUS.jsonl -> table rows, records results in $B/peers-entopic-TAG.txt
entopic_rows() {
  local tag=$1 in=$2 txt=${2%.jsonl}.txt one mb docs name args res med mn mx rss n cnt gaz tot sres
  one=$ROOT/$B/one-doc-$tag.jsonl
  head -n 1 "$in" > "$one"
  mb=$(stat -c %s "$txt"); docs=$(grep -c . "$in")
  : > "$B/peers-entopic-$tag.txt"
  for c in "entopic (defaults + -L peer)|-L '$ROOT/$ELEX'" "entopic (--lexicon-dir peer only)|--lexicon-dir '$ROOT/$LEXDIR'" \
           "entopic -j 1 (defaults + -L peer)|-j 1 -L '$ROOT/$ELEX'"; do
    name=${c%%|*}; args=${c#*|}
    local out=$ROOT/$B/out/peers-$tag-$(echo "$name" | tr -c 'a-z\n' '_').jsonl
    res=$(time_runs "$RUNS" "'$ENTOPIC' --jsonl $args '$in'" "$out")
    case $res in TIMEOUT*|FAILED*) printf "%-34s %s (see %s.err)\n" "$name" "$res" "$out"; continue ;; esac
    read -r med mn mx rss n <<<"$res"
    read -r gaz tot <<<"$(count_entopic "$out")"
    sres=$(time_runs "$RUNS" "'$ENTOPIC' --jsonl $args '$one'" "$out.one")
    printf "$fmt" "$name" "$med" "$(bench_calc "$mb/1e6/$med")" "$(bench_calc "$docs/$med" %.0f)" \
      "$(bench_calc "$rss/1024" %.1f)" "$gaz" "$tot" "$mn-$mx" "${sres%% *}"
    echo "$name|$med" >> "$B/peers-entopic-$tag.txt"
  done
}
# run_tier TAG CORPUS PEERS -> entopic's rows and run.sh's table (same corpus, same way).
# run.sh runs one peer at a time, each between two timings of entopic (defaults + -L peer):
# a peer's ratio is taken against the median of the entopic runs just before and just
# after it (recorded in $B/peers-pairs-TAG.txt), so that the machine's speed, which drifts
# over the minutes a slow peer takes, moves both sides of the ratio alike.
run_tier() {
  local tag=$1 in=$2 peers=$3 p first=1 cmd ew=$B/timing/peers-pair.walls
  echo "== corpus: $in ($(grep -c . "$in") docs, $(bench_calc "$(stat -c %s "${in%.jsonl}.txt")/1e6" %.1f) MB of text in the .txt twin, which both MB/s use)"
  printf "$fmt" peer median_s MB/s docs/s peakRSS_MB matches all_ents min-max_s setup_s
  entopic_rows "$tag" "$in"
  local hflag=; [ "${BENCH_HYPERFINE:-0}" = 1 ] && hflag=-H
  mkdir -p "$B/timing"
  cmd="'$ENTOPIC' --jsonl -L '$ROOT/$ELEX' '$in'"
  : > "$B/peers-run-$tag.txt"; : > "$B/peers-run-$tag.err"; : > "$B/peers-pairs-$tag.txt"
  rm -f "$ew.before" "$ew.after"
  time_runs "$RUNS" "$cmd" "$ROOT/$B/out/peers-$tag-pair.jsonl" "$ew.before" > /dev/null
  for p in ${peers//,/ }; do
    # run.sh's own lines (corpus, lexicon, machine, header) once, then the peers' rows
    "$P/run.sh" -n "$RUNS" -t "$TMO" -S $hflag -p "$p" "$in" "$PLEX" 2>>"$B/peers-run-$tag.err" |
      if [ $first = 1 ]; then cat; else sed '1,/^peer  *median_s/d'; fi |
      tee -a "$B/peers-run-$tag.txt"
    first=0
    time_runs "$RUNS" "$cmd" "$ROOT/$B/out/peers-$tag-pair.jsonl" "$ew.after" > /dev/null
    echo "$p|$(cat "$ew.before" "$ew.after" | "$BENCH_PY" -c 'import statistics,sys
w=[float(x) for x in sys.stdin.read().split()]
print("%.4f" % statistics.median(w) if w else "-")')" >> "$B/peers-pairs-$tag.txt"
    if [ -s "$ew.after" ]; then mv "$ew.after" "$ew.before"; else rm -f "$ew.before"; fi
  done
  echo
}

rm -f "$B"/peers-entopic-{full,slow}.txt "$B"/peers-run-{full,slow}.txt "$B"/peers-pairs-{full,slow}.txt
cat "$CORPUS" "${CORPUS%.jsonl}.txt" > /dev/null   # page cache
echo "entopic: $("$ENTOPIC" --version 2>/dev/null | head -1); lexicon: $PLEX ($(($(wc -l < "$PLEX") - 1)) rows) -> $ELEX"
echo "columns as in run.sh; entopic rows: whole process like every peer (date(1) around /usr/bin/time, median of $RUNS runs); setup_s: one-document run"
run_tier full "$CORPUS" "$PEERS"
SLOWC=$CORPUS
if [ -n "$SLOW" ]; then
  if [ "$SLOW_MB" != 0 ]; then
    SLOWP=$ROOT/$B/$(basename "${CORPUS%.jsonl}")-prefix$SLOW_MB
    if [ ! -s "$SLOWP.jsonl" ] || [ "$CORPUS" -nt "$SLOWP.jsonl" ]; then
      "$BENCH_PY" "$SHARED/peers/lib/corpus.py" -m "$SLOW_MB" -o "$SLOWP" "$CORPUS" 2>/dev/null
    fi
    SLOWC=$SLOWP.jsonl
  fi
  run_tier slow "$SLOWC" "$SLOW"
fi

# ratios: entopic MB/s / peer MB/s, each on the corpus that peer ran on; "paired": against
# entopic timed just before and after that peer (see run_tier), which the targets are read on
echo "ratios: entopic MB/s / peer MB/s (same corpus, same run); targets, on the paired column: python >= 10, wink >= 100, compromise >= 100, grep-c >= 0.333 (within 3x)"
"$BENCH_PY" - "$B" <<'EOF'
import sys, os
b = sys.argv[1]
targets = {'python': 10, 'wink': 100, 'compromise': 100, 'grep-c': 1 / 3}
for tier in ('full', 'slow'):
    ef, pf = os.path.join(b, 'peers-entopic-%s.txt' % tier), os.path.join(b, 'peers-run-%s.txt' % tier)
    qf = os.path.join(b, 'peers-pairs-%s.txt' % tier)
    if not (os.path.exists(ef) and os.path.exists(pf)):
        continue
    ent = [l.rstrip('\n').split('|') for l in open(ef) if '|' in l]
    pairs = dict(l.rstrip('\n').split('|') for l in open(qf) if '|' in l) if os.path.exists(qf) else {}
    peers, hdr = [], False
    for l in open(pf):
        f = l.split()
        if f[:2] == ['peer', 'median_s']:
            hdr = True
            continue
        if hdr and f:
            peers.append((f[0], f[1], f[2] if len(f) > 3 else ' '.join(f[1:])))
    if not ent or not peers:
        continue
    print('%-18s %12s %21s' % ('peer (%s)' % tier, 'peer MB/s', 'paired (entopic s)') +
          ''.join(' %34s' % e[0] for e in ent) + '  target (paired)')
    def ratio(med, e):
        try:
            return float(med) / float(e)
        except (ValueError, ZeroDivisionError):
            return None
    # same bytes on both sides: the MB/s ratio is the inverse ratio of the median times
    for name, med, mbs in peers:
        q = ratio(med, pairs.get(name, '-'))
        cells = ' %10s %10s' % ('%.3gx' % q if q is not None else '-',
                                '(%s)' % pairs[name] if name in pairs else '')
        for e in ent:
            r = ratio(med, e[1])
            cells += ' %34s' % ('%.3gx' % r if r is not None else '-')
        t = targets.get(name)
        tt = ''
        if t is not None:
            tt = '  >= %.3g: %s' % (t, 'n/a' if q is None else 'met' if q >= t else 'NOT met')
        print('%-18s %12s%s%s' % (name, mbs, cells, tt))
EOF
