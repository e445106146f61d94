#!/usr/bin/env python3
"""Benchmark corpus builder (standard library only).

  corpus.py -o PREFIX [-m MB] SOURCE...

SOURCE: a BBC news tar.gz (bbc/<category>/NNN.txt members), plain .txt files (one
document each), or JSONL files with a "text" field (and optionally "id").
Writes PREFIX.jsonl ({"id","text"} one document a line) and PREFIX.txt (one document
per block of lines, a blank line between documents: the same layout as the peer
harness's make-corpus.sh), cycling the documents until their text reaches MB
megabytes (10^6 bytes of UTF-8; default: one pass).  Also writes PREFIX.meta
("docs N" and "text_bytes N").

  corpus.py --one -o PREFIX -m MB SOURCE...   the same documents (up to MB) joined into
                                             ONE document (a blank line between them)

  corpus.py --measure FILE.jsonl     print "DOCS TEXT_BYTES" of any JSONL corpus
"""
import argparse
import json
import re
import sys
import tarfile

BLANKS_RE = re.compile(r'\n[ \t]*(?:\n[ \t]*)+')


def read_source(path):
    if path.endswith('.tar.gz') or path.endswith('.tgz') or path.endswith('.tar'):
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isfile() and m.name.endswith('.txt') and m.name.count('/') == 2:
                    raw = t.extractfile(m).read().decode('utf-8', 'replace')
                    yield m.name.split('/', 1)[1], raw
    elif path.endswith('.jsonl') or path.endswith('.json'):
        name = path.rsplit('/', 1)[-1]
        with open(path, encoding='utf-8') as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                obj = json.loads(line)
                if isinstance(obj.get('text'), str):
                    yield str(obj.get('id', '%s:%d' % (name, n))), obj['text']
    else:
        with open(path, encoding='utf-8', errors='replace') as f:
            name = path.rsplit('/', 1)[-1]
            yield (name[:-4] if name.endswith('.txt') else name), f.read()


def measure(path):
    docs = nbytes = 0
    with open(path, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            docs += 1
            t = json.loads(line).get('text')
            if isinstance(t, str):
                nbytes += len(t.encode('utf-8', 'surrogatepass'))
    print(docs, nbytes)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('-o', '--out', help='output prefix')
    ap.add_argument('-m', '--target-mb', type=float, default=0)
    ap.add_argument('--measure', metavar='JSONL')
    ap.add_argument('--one', action='store_true', help='join the documents into one')
    ap.add_argument('sources', nargs='*')
    a = ap.parse_args()
    if a.measure:
        measure(a.measure)
        return
    if not a.out or not a.sources:
        ap.error('need -o PREFIX and at least one SOURCE')
    docs = []
    for s in a.sources:
        docs.extend(d for d in read_source(s) if d[1].strip())
    if not docs:
        sys.exit('corpus.py: no documents found')
    target = a.target_mb * 1e6
    ndocs = nbytes = rnd = 0
    picked = []
    while True:
        for doc_id, text in docs:
            if target and nbytes >= target:
                break
            picked.append((doc_id if rnd == 0 else '%s~%d' % (doc_id, rnd), text))
            nbytes += len(text.encode('utf-8'))
        rnd += 1
        if not target or nbytes >= target:
            break
    joined = len(picked)
    if a.one:
        text = '\n\n'.join(t.strip('\n') for _, t in picked)
        picked = [(picked[0][0] + '+%d' % (len(picked) - 1), text)]
        nbytes = len(text.encode('utf-8'))
    ndocs = len(picked)
    with open(a.out + '.jsonl', 'w', encoding='utf-8') as js, \
            open(a.out + '.txt', 'w', encoding='utf-8') as tx:
        for did, text in picked:
            js.write(json.dumps({'id': did, 'text': text}, ensure_ascii=False) + '\n')
            tx.write(BLANKS_RE.sub('\n', text.strip('\n')) + '\n\n')
    with open(a.out + '.meta', 'w') as f:
        f.write('docs %d\ntext_bytes %d\n' % (ndocs, nbytes))
    if a.one:
        print('%s: one document of %d, %.1f MB of text' % (a.out, joined, nbytes / 1e6), file=sys.stderr)
    else:
        print('%s: %d documents (%d distinct), %.1f MB of text' % (a.out, ndocs, len(docs), nbytes / 1e6),
              file=sys.stderr)


if __name__ == '__main__':
    main()
