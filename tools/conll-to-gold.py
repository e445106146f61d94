#!/usr/bin/env python3
"""Turn a CoNLL-2003 file (WORD POS CHUNK NER, IOB2) into entopic's gold format, for
measuring person recognition on text the project never tuned on:

    python3 tools/conll-to-gold.py ../shared/data/conll2003/valid.txt > build/conll-valid.jsonl
    ./entopic eval --no-topics --types PERSON build/conll-valid.jsonl

Each document's sentences become lines of space-separated tokens; PER entities become
PERSON mentions (ids are left empty, since CoNLL has none, so only the span scores count).
"""
import json
import sys


def documents(path):
    doc, sent = None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                if doc is not None and sent:
                    doc.append(sent)
                if doc:
                    yield doc
                doc, sent = [], []
            elif not line.strip():
                if sent:
                    doc.append(sent)
                sent = []
            else:
                word, _, _, tag = line.split(" ")
                sent.append((word, tag))
    if doc is not None and sent:
        doc.append(sent)
    if doc:
        yield doc


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: conll-to-gold.py FILE")
    for i, doc in enumerate(documents(sys.argv[1])):
        text, spans = "", []
        for sent in doc:
            if text:
                text += "\n"
            ent = None
            for j, (word, tag) in enumerate(sent):
                if j:
                    text += " "
                pos = len(text)
                text += word
                if tag.startswith("B-"):
                    if ent:
                        spans.append(ent)
                    ent = [pos, pos + len(word), tag[2:]]
                elif tag.startswith("I-") and ent:
                    ent[1] = pos + len(word)
                else:
                    if ent:
                        spans.append(ent)
                    ent = None
            if ent:
                spans.append(ent)
        mentions = [{"start": a, "end": b, "type": "PERSON", "id": "", "text": text[a:b]}
                    for a, b, t in spans if t == "PER"]
        print(json.dumps({"id": "conll-%d" % i, "text": text, "mentions": mentions},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()
