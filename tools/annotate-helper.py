#!/usr/bin/env python3
"""Build gold / trap JSONL files from hand-written mention specs; never compute offsets by hand.

A spec lists, per document, which strings are mentions (surface, which occurrences, type, id,
form) and which strings are blocked (nothing inside them is a mention). This script finds the
offsets, resolves overlaps longest-first, checks everything and writes JSON Lines.

Usage (paths relative to the repository root, found from this script's location):
  tools/annotate-helper.py corpus [--review]   corpus/gold-spec/*.spec + corpus/*.txt -> corpus/gold.jsonl
  tools/annotate-helper.py traps  [--review]   tests/traps/traps.spec -> tests/traps/traps.jsonl
  tools/annotate-helper.py check FILE.jsonl    validate an existing gold/trap file
  tools/annotate-helper.py stats FILE.jsonl    counts per type / form / rule / topic
  tools/annotate-helper.py slug "NAME"         the id slug of a canonical name (Erdoğan -> erdogan)
Add --check to `corpus`/`traps` to verify that the JSONL on disk is exactly what the specs give
(exit 1 otherwise) instead of writing it.

Spec syntax (UTF-8, one directive per line, '#' starts a comment line, blank lines ignored;
"\\uXXXX" escapes are decoded in text:, block: and surface fields, so invisible characters such
as U+00A0 can be written visibly):

  doc: NAME                    corpus document; text is corpus/NAME.txt, id is NAME
  trap: ID | RULE              trap document (traps.spec); its text is given by:
  text: SENTENCE               (one line; several text: lines are joined with one space)
  topics: t1, t2               corpus documents only; main topic first, names from TOPICS.md
  block: STRING [| SEL]        occurrences of STRING where nothing is a mention
  SURFACE | SEL | TYPE | ID [| FORM]
                               a mention (fields separated by " | "); ID '-' or 'null' means JSON null (MONEY/PERCENT/DATE)

Matching is exact and case-sensitive. An occurrence must not continue a word: where the
surface begins/ends with a letter or digit, the neighbouring text character must not be one.
SEL chooses occurrences: 'all', a list of 0-based indices '0,2', or 'except 1,3'. For blocks the
indices count every occurrence of the string; for mentions they count only the *free*
occurrences, i.e. those not inside a blocked span and not overlapping a mention of a longer
surface (surfaces are resolved longest first). Lines whose surfaces have equal length see the
same free list, so "Jordan | 0 | PERSON ..." and "Jordan | 1 | COUNTRY ..." pick different
occurrences of one list; two lines selecting the same occurrence are an error. With 'all',
non-free occurrences are silently skipped; an explicit index must exist. Every mention line and every
block must match at least once, so typos are caught.
"""
import glob
import json
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOPICS_MD = '/work/shared/docs/TOPICS.md'
DEFAULT_TOPICS = ['mining_minerals', 'trade_export_controls', 'diplomacy', 'defense_security',
                  'energy_climate', 'economy_business', 'politics', 'science_technology',
                  'crime_law', 'health', 'sports', 'culture_entertainment']
CORE = ('PERSON', 'COUNTRY', 'MINERAL')
EXTENDED = ('CITY', 'ORG', 'MONEY', 'PERCENT', 'DATE')
NULL_ID_TYPES = ('MONEY', 'PERCENT', 'DATE')
FORMS = {'name', 'abbreviation', 'demonym', 'alias', 'partial'}
ID_RE = {
    'COUNTRY': re.compile(r'^country:[A-Z]{2}$'),
    'PERSON': re.compile(r'^person:[a-z0-9]+(-[a-z0-9]+)*$'),
    'MINERAL': re.compile(r'^mineral:[a-z0-9]+(-[a-z0-9]+)*$'),
    'CITY': re.compile(r'^city:[a-z0-9]+(-[a-z0-9]+)*$'),
    'ORG': re.compile(r'^org:[a-z0-9]+(-[a-z0-9]+)*$'),
}


TRANSLIT = str.maketrans({'ı': 'i', 'ł': 'l', 'Ł': 'L', 'ø': 'o', 'Ø': 'O', 'đ': 'd', 'Đ': 'D',
                          'ß': 'ss', 'æ': 'ae', 'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE', 'þ': 'th'})


class SpecError(Exception):
    pass


def slug(name):
    """Slug of a canonical name: ASCII lower case, accents stripped, apostrophes dropped,
    any other run of non-alphanumerics -> '-' (D'Antoni -> dantoni, H.W. -> h-w)."""
    s = name.translate(TRANSLIT)
    s = unicodedata.normalize('NFKD', s)
    s = ''.join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"['\u2019]", '', s)
    s = re.sub(r'[^a-z0-9]+', '-', s)
    return s.strip('-')


def load_topics():
    try:
        with open(TOPICS_MD, encoding='utf-8') as f:
            names = re.findall(r'^\|\s*`([a-z_]+)`\s*\|', f.read(), re.M)
        return names or DEFAULT_TOPICS
    except OSError:
        return DEFAULT_TOPICS


def unescape(s):
    return re.sub(r'\\u([0-9a-fA-F]{4})', lambda m: chr(int(m.group(1), 16)), s)


def occurrences(text, s):
    """Start offsets of s in text that do not continue a word on either side."""
    out, i = [], text.find(s)
    while i >= 0:
        j = i + len(s)
        ok = True
        if s[0].isalnum() and i > 0 and text[i - 1].isalnum():
            ok = False
        if s[-1].isalnum() and j < len(text) and text[j].isalnum():
            ok = False
        if ok:
            out.append(i)
        i = text.find(s, i + 1)
    return out


def parse_sel(sel, where):
    sel = sel.strip()
    if sel == 'all':
        return ('all', None)
    mode = 'only'
    if sel.startswith('except '):
        mode, sel = 'except', sel[len('except '):]
    try:
        idx = [int(x) for x in sel.split(',') if x.strip() != '']
    except ValueError:
        raise SpecError('%s: bad occurrence selector %r' % (where, sel))
    if not idx:
        raise SpecError('%s: empty occurrence selector' % where)
    return (mode, idx)


def select(cands, sel, where, what):
    mode, idx = sel
    if mode == 'all':
        return list(cands)
    for k in idx:
        if k < 0 or k >= len(cands):
            raise SpecError('%s: %r has %d free occurrence(s), index %d does not exist'
                            % (where, what, len(cands), k))
    if mode == 'only':
        return [cands[k] for k in idx]
    return [c for k, c in enumerate(cands) if k not in idx]


def parse_spec(path):
    """Returns a list of doc dicts: {name, kind, rule, text_lines, topics, blocks, mentions, line}."""
    docs, cur = [], None
    with open(path, encoding='utf-8') as f:
        for ln, raw in enumerate(f, 1):
            line = raw.rstrip('\n')
            where = '%s:%d' % (path, ln)
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            m = re.match(r'^(doc|trap|text|topics|block):\s?(.*)$', line)
            if m:
                key, val = m.group(1), m.group(2)
                if key in ('doc', 'trap'):
                    cur = {'kind': key, 'line': where, 'topics': [], 'blocks': [], 'mentions': [],
                           'text_lines': [], 'rule': None}
                    if key == 'doc':
                        cur['name'] = val.strip()
                    else:
                        parts = [p.strip() for p in val.split('|')]
                        if len(parts) != 2 or not parts[0] or not parts[1]:
                            raise SpecError('%s: trap needs "ID | RULE"' % where)
                        cur['name'], cur['rule'] = parts
                    docs.append(cur)
                    continue
                if cur is None:
                    raise SpecError('%s: %s: before any doc:/trap:' % (where, key))
                if key == 'text':
                    cur['text_lines'].append(unescape(val))
                elif key == 'topics':
                    cur['topics'] = [t.strip() for t in val.split(',') if t.strip()]
                else:
                    parts = val.split(' | ')
                    s = unescape(parts[0].strip())
                    sel = parse_sel(parts[1], where) if len(parts) > 1 else ('all', None)
                    cur['blocks'].append((s, sel, where))
                continue
            if cur is None:
                raise SpecError('%s: mention before any doc:/trap:' % where)
            parts = [p.strip() for p in line.split(' | ')]
            if len(parts) not in (4, 5):
                raise SpecError('%s: expected "SURFACE | SEL | TYPE | ID [| FORM]", got %r'
                                % (where, line))
            surface = unescape(parts[0])
            typ, eid = parts[2], parts[3]
            form = parts[4] if len(parts) == 5 else None
            cur['mentions'].append({'surface': surface, 'sel': parse_sel(parts[1], where),
                                    'type': typ, 'id': None if eid in ('-', 'null') else eid,
                                    'form': form, 'where': where})
    return docs


def check_entry(e, allowed_types):
    w = e['where']
    if e['type'] not in allowed_types:
        raise SpecError('%s: type %s not allowed here' % (w, e['type']))
    if e['id'] is None:
        if e['type'] not in NULL_ID_TYPES:
            raise SpecError('%s: %s needs an id' % (w, e['type']))
    else:
        rx = ID_RE.get(e['type'])
        if rx is None or not rx.match(e['id']):
            raise SpecError('%s: bad id %r for %s' % (w, e['id'], e['type']))
    if e['form'] is not None and e['form'] not in FORMS:
        raise SpecError('%s: bad form %r' % (w, e['form']))
    if e['type'] == 'COUNTRY' and e['form'] not in ('name', 'abbreviation', 'demonym'):
        raise SpecError('%s: COUNTRY needs form name|abbreviation|demonym' % w)
    if e['type'] == 'PERSON' and e['form'] not in ('name', 'partial', None):
        raise SpecError('%s: PERSON form is name or partial' % w)
    if e['type'] == 'MINERAL' and e['id'] and 'rare' in e['id'] and e['id'] != 'mineral:rare-earth-elements':
        raise SpecError('%s: rare earth group names use mineral:rare-earth-elements' % w)


def build_doc(doc, text, allowed_types):
    """Resolve a parsed doc against its text. Returns (mentions, blocked_spans)."""
    blocked = []
    for s, sel, where in doc['blocks']:
        if not s:
            raise SpecError('%s: empty block' % where)
        occ = occurrences(text, s)
        if not occ:
            raise SpecError('%s: block %r not found in %s' % (where, s, doc['name']))
        for i in select(occ, sel, where, s):
            blocked.append((i, i + len(s)))
    taken = []  # (start, end, entry)
    order = sorted(range(len(doc['mentions'])),
                   key=lambda k: (-len(doc['mentions'][k]['surface']), k))
    pending, group_len = [], None
    for k in order + [None]:
        e = doc['mentions'][k] if k is not None else None
        if e is None or len(e['surface']) != group_len:
            # close the group of equal-length surfaces: they must not overlap each other
            for a in range(len(pending)):
                for b in range(a + 1, len(pending)):
                    i0, j0, e0 = pending[a]
                    i1, j1, e1 = pending[b]
                    if i0 < j1 and i1 < j0:
                        raise SpecError('%s and %s: both select %r at offset %d'
                                        % (e0['where'], e1['where'], e0['surface'], i0))
            taken.extend(pending)
            pending = []
            if e is None:
                break
            group_len = len(e['surface'])
        check_entry(e, allowed_types)
        s = e['surface']
        if not s or s != s.strip():
            raise SpecError('%s: surface %r is empty or has outer spaces' % (e['where'], s))
        occ = occurrences(text, s)
        if not occ:
            raise SpecError('%s: %r not found in %s' % (e['where'], s, doc['name']))
        free = []
        for i in occ:
            j = i + len(s)
            if any(i < b1 and b0 < j for b0, b1 in blocked):
                continue
            if any(i < t1 and t0 < j for t0, t1, _ in taken):
                continue
            free.append(i)
        chosen = select(free, e['sel'], e['where'], s)
        if not chosen:
            raise SpecError('%s: %r has no free occurrence in %s (all blocked or overlapped)'
                            % (e['where'], s, doc['name']))
        for i in chosen:
            pending.append((i, i + len(s), e))
    taken.sort(key=lambda t: t[0])
    mentions = []
    for i, j, e in taken:
        m = {'start': i, 'end': j, 'type': e['type'], 'id': e['id'], 'text': text[i:j]}
        if e['form'] is not None:
            m['form'] = e['form']
        mentions.append(m)
    return mentions, blocked


def validate_record(rec, topics_ok, core_only, where):
    """Checks one output record; raises SpecError."""
    text = rec['text']
    if not isinstance(text, str) or not text:
        raise SpecError('%s: empty text' % where)
    last = -1
    allowed = CORE if core_only else CORE + EXTENDED
    for m in rec['mentions']:
        for k in ('start', 'end', 'type', 'id', 'text'):
            if k not in m:
                raise SpecError('%s: mention without %s: %r' % (where, k, m))
        if not (0 <= m['start'] < m['end'] <= len(text)):
            raise SpecError('%s: offsets out of range: %r' % (where, m))
        if text[m['start']:m['end']] != m['text']:
            raise SpecError('%s: text mismatch at %d: %r != %r'
                            % (where, m['start'], text[m['start']:m['end']], m['text']))
        if m['text'] != m['text'].strip():
            raise SpecError('%s: mention with outer whitespace: %r' % (where, m))
        if m['start'] < last:
            raise SpecError('%s: mentions unsorted or overlapping at %d' % (where, m['start']))
        last = m['end']
        if m['type'] not in allowed:
            raise SpecError('%s: type %s not allowed' % (where, m['type']))
        if m['id'] is None:
            if m['type'] not in NULL_ID_TYPES:
                raise SpecError('%s: null id on %s' % (where, m['type']))
        elif m['type'] in ID_RE and not ID_RE[m['type']].match(m['id']):
            raise SpecError('%s: bad id %r' % (where, m['id']))
        if m['type'] == 'COUNTRY' and m.get('form') not in ('name', 'abbreviation', 'demonym'):
            raise SpecError('%s: COUNTRY mention without valid form: %r' % (where, m))
    if 'topics' in rec:
        if not rec['topics']:
            raise SpecError('%s: no topics' % where)
        for t in rec['topics']:
            if t not in topics_ok:
                raise SpecError('%s: unknown topic %r' % (where, t))
        if len(set(rec['topics'])) != len(rec['topics']):
            raise SpecError('%s: duplicate topic' % where)


# ---------------------------------------------------------------- review output

REVIEW_WORDS = re.compile(
    r'\b(?:[Ii]ron|[Gg]old(?:en)?|[Ss]ilver|[Bb]ronze|[Ll]ead|[Tt]in|[Cc]opper|[Nn]ickel|[Zz]inc|'
    r'[Ll]ithium|[Cc]obalt|[Gg]raphite|[Gg]allium|[Gg]ermanium|[Aa]ntimony|[Tt]ungsten|'
    r'[Uu]ranium|[Bb]auxite|[Aa]lumin(?:i)?um|[Rr]are|REEs?|[Cc]hina|[Tt]urkey|US\b|us\b|[Gg]eorgia|'
    r'Jordan|Chad|Guinea|Niger|Dominica|Congo|[Dd]iamond|[Pp]latinum|[Mm]anganese|[Tt]itanium|'
    r'[Ss]teel|[Cc]oal|[Ss]ulph?ur|[Pp]otash|[Pp]hosphate)\w*')
CAPWORD = re.compile(r"\b[A-Z][\w’'‐-]*(?:\.(?=\w))?[\w.]*(?<!\.)")


def covered(i, j, spans):
    return any(i < b and a < j for a, b in spans)


def review(recs, blocked_by_doc):
    """Print each text with mentions marked, then words a reviewer should look at again."""
    surfaces = defaultdict(set)
    for r in recs:
        for m in r['mentions']:
            surfaces[m['text']].add(m['id'])
    for r in recs:
        text, ms = r['text'], r['mentions']
        spans = [(m['start'], m['end']) for m in ms]
        blocks = blocked_by_doc.get(r['id'], [])
        out, pos = [], 0
        for m in ms:
            out.append(text[pos:m['start']])
            out.append('[[%s|%s%s]]' % (m['text'], m['id'], '/' + m['form'] if m.get('form') else ''))
            pos = m['end']
        out.append(text[pos:])
        print('=' * 20, r['id'], r.get('rule') or ','.join(r.get('topics', [])))
        print(''.join(out))
        unc = Counter()
        for mo in CAPWORD.finditer(text):
            if not covered(mo.start(), mo.end(), spans + blocks):
                unc[mo.group()] += 1
        print('-- capitalised, not covered:', ', '.join('%s×%d' % kv if kv[1] > 1 else kv[0]
                                                        for kv in sorted(unc.items())))
        trap = Counter()
        for mo in REVIEW_WORDS.finditer(text):
            if not covered(mo.start(), mo.end(), spans + blocks):
                trap[mo.group()] += 1
        print('-- trap words, not covered:', ', '.join(sorted(trap)))
        miss = []
        for s, ids in surfaces.items():
            for i in occurrences(text, s):
                if not covered(i, i + len(s), spans + blocks):
                    miss.append('%s@%d(%s)' % (s, i, '/'.join(sorted(str(x) for x in ids))))
        if miss:
            print('-- surfaces annotated elsewhere, free here:', ', '.join(miss))
    odd = set()
    for r in recs:
        for m in r['mentions']:
            if m['type'] == 'PERSON' and m.get('form') == 'name' and 'person:' + slug(m['text']) != m['id']:
                odd.add('%s -> %s' % (m['text'], m['id']))
            if m['type'] == 'MINERAL' and 'mineral:' + slug(m['text']) != m['id']:
                odd.add('%s -> %s' % (m['text'], m['id']))
    if odd:
        print('== ids that are not the slug of their surface (check they are meant):')
        for o in sorted(odd):
            print('  ' + o)
    print()


# ---------------------------------------------------------------- commands

def dump(rec):
    return json.dumps(rec, ensure_ascii=False, separators=(', ', ': '))


def build(kind, do_review, check_only):
    topics_ok = load_topics()
    if kind == 'corpus':
        specs = sorted(glob.glob(os.path.join(ROOT, 'corpus', 'gold-spec', '*.spec')))
        out_path = os.path.join(ROOT, 'corpus', 'gold.jsonl')
        allowed = CORE
    else:
        specs = [os.path.join(ROOT, 'tests', 'traps', 'traps.spec')]
        out_path = os.path.join(ROOT, 'tests', 'traps', 'traps.jsonl')
        allowed = CORE + EXTENDED
    if not specs:
        raise SpecError('no spec files for %s' % kind)
    recs, blocked_by_doc, seen = [], {}, set()
    for sp in specs:
        for doc in parse_spec(sp):
            name = doc['name']
            if name in seen:
                raise SpecError('%s: duplicate document id %r' % (doc['line'], name))
            seen.add(name)
            if kind == 'corpus':
                if doc['kind'] != 'doc' or doc['text_lines']:
                    raise SpecError('%s: corpus specs use doc: and no text:' % doc['line'])
                with open(os.path.join(ROOT, 'corpus', name + '.txt'), encoding='utf-8') as f:
                    text = f.read()
                if not doc['topics']:
                    raise SpecError('%s: topics: missing' % doc['line'])
            else:
                if doc['kind'] != 'trap' or not doc['text_lines']:
                    raise SpecError('%s: trap specs use trap: and text:' % doc['line'])
                text = ' '.join(doc['text_lines'])
            mentions, blocked = build_doc(doc, text, allowed)
            if kind == 'corpus':
                rec = {'id': name, 'topics': doc['topics'], 'text': text, 'mentions': mentions}
            else:
                rec = {'id': name, 'rule': doc['rule'], 'text': text, 'mentions': mentions}
            validate_record(rec, topics_ok, kind == 'corpus', doc['line'])
            recs.append(rec)
            blocked_by_doc[name] = blocked
    data = ''.join(dump(r) + '\n' for r in recs)
    if do_review:
        review(recs, blocked_by_doc)
    if check_only:
        try:
            with open(out_path, encoding='utf-8') as f:
                old = f.read()
        except OSError:
            old = None
        if old != data:
            print('annotate-helper: %s is not up to date with its specs' % out_path, file=sys.stderr)
            return 1
        print('annotate-helper: %s up to date (%d records)' % (out_path, len(recs)), file=sys.stderr)
        return 0
    with open(out_path, 'w', encoding='utf-8') as f:
        f.write(data)
    print('annotate-helper: wrote %s (%d records, %d mentions)'
          % (out_path, len(recs), sum(len(r['mentions']) for r in recs)), file=sys.stderr)
    return 0


def load_jsonl(path):
    recs = []
    with open(path, encoding='utf-8') as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                recs.append((ln, json.loads(line)))
            except json.JSONDecodeError as e:
                raise SpecError('%s:%d: invalid JSON: %s' % (path, ln, e))
    return recs


def cmd_check(path):
    topics_ok = load_topics()
    ids = set()
    recs = load_jsonl(path)
    for ln, r in recs:
        where = '%s:%d' % (path, ln)
        for k in ('id', 'text', 'mentions'):
            if k not in r:
                raise SpecError('%s: missing %s' % (where, k))
        if r['id'] in ids:
            raise SpecError('%s: duplicate id %r' % (where, r['id']))
        ids.add(r['id'])
        validate_record(r, topics_ok, 'rule' not in r, where)
    print('annotate-helper: %s ok (%d records)' % (path, len(recs)), file=sys.stderr)
    return 0


def cmd_stats(path):
    recs = [r for _, r in load_jsonl(path)]
    types, forms, rules, topics, main, ents = Counter(), Counter(), Counter(), Counter(), Counter(), defaultdict(set)
    for r in recs:
        for m in r['mentions']:
            types[m['type']] += 1
            if m.get('form'):
                forms[(m['type'], m['form'])] += 1
            if m['id']:
                ents[m['type']].add(m['id'])
        if 'rule' in r:
            rules[r['rule']] += 1
        for k, t in enumerate(r.get('topics', [])):
            topics[t] += 1
            if k == 0:
                main[t] += 1
    print('records:', len(recs), ' mentions:', sum(types.values()))
    print('mentions by type:', dict(sorted(types.items())))
    print('distinct entities:', {k: len(v) for k, v in sorted(ents.items())})
    print('forms:', {'%s/%s' % k: v for k, v in sorted(forms.items())})
    if topics:
        print('topics (labelled/main):', {t: '%d/%d' % (topics[t], main[t]) for t in sorted(topics)})
    if rules:
        print('traps by rule:')
        for k, v in sorted(rules.items()):
            print('  %-28s %d' % (k, v))
    return 0


def main(argv):
    args = [a for a in argv if not a.startswith('--')]
    flags = {a for a in argv if a.startswith('--')}
    unknown = flags - {'--review', '--check'}
    if not args or unknown:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if args[0] in ('corpus', 'traps') and len(args) == 1:
            return build(args[0], '--review' in flags, '--check' in flags)
        if args[0] == 'check' and len(args) == 2:
            return cmd_check(args[1])
        if args[0] == 'stats' and len(args) == 2:
            return cmd_stats(args[1])
        if args[0] == 'slug' and len(args) == 2:
            print(slug(args[1]))
            return 0
    except (SpecError, OSError) as e:
        print('annotate-helper: %s' % e, file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
