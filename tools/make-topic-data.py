#!/usr/bin/env python3
"""Build the labelled training data for the entopic topic model.

Reads the BBC News articles (Greene & Cunningham 2006) and the 20 Newsgroups "bydate"
posts, maps their categories to entopic topics (models/README.md) and writes JSON Lines
records {"id", "text", "topics"} to OUT/train.jsonl and OUT/test.jsonl (a deterministic
held-out split: every 5th document of each category by sorted id goes to test), and the
BBC part of the test split alone to OUT/test-bbc.jsonl.

The texts are licensed for research only: the output belongs in the build directory and
must never be committed; only the trained weights are.

usage: make-topic-data.py [--bbc TAR.GZ] [--news20 TAR.GZ] [--out DIR]
"""
import argparse
import hashlib
import json
import os
import re
import sys
import tarfile

DATA = os.environ.get("ENTOPIC_DATA", "/work/shared/data")

BBC_MAP = {
    "business": "economy_business",
    "entertainment": "culture_entertainment",
    "politics": "politics",
    "sport": "sports",
    "tech": "science_technology",
}

# newsgroup -> (topics, at most this many posts of train+test). Groups not listed are left
# out: religion, cars, motorcycles and for-sale ads fit no topic; sci.electronics is
# hobby-circuit talk. talk.politics.mideast is
# kept with no topic at all, as a negative example for every trained topic: it is
# argument about foreign conflicts, which is not domestic politics, crime or health (the
# curated diplomacy and defense_security weights cover that ground; Usenet flame wars would
# teach them the names of four countries, not what diplomacy is).
NEWS20_MAP = {
    "sci.med": (["health"], 700),
    "sci.space": (["science_technology"], 300),
    "sci.crypt": (["science_technology"], 250),
    # a few computing posts; most of comp.* and sci.electronics is help-desk talk about
    # drivers, batteries and equipment, which would make "equipment" a technology word
    "comp.graphics": (["science_technology"], 60),
    "comp.os.ms-windows.misc": (["science_technology"], 60),
    "comp.sys.ibm.pc.hardware": (["science_technology"], 60),
    "comp.sys.mac.hardware": (["science_technology"], 60),
    "comp.windows.x": (["science_technology"], 60),
    "rec.sport.baseball": (["sports"], 250),
    "rec.sport.hockey": (["sports"], 250),
    # gun laws, police raids, crime figures, court rulings on the Second Amendment
    "talk.politics.guns": (["crime_law"], 500),
    # US domestic politics (taxes, Congress, the Clinton administration)
    "talk.politics.misc": (["politics"], 300),
    "talk.politics.mideast": ([], 250),
}

MIN_WORDS = 40  # posts shorter than this after cleaning are dropped

RE_EMAIL = re.compile(r"\S+@\S+")
RE_URL = re.compile(r"(?:https?|ftp)://\S+")
RE_ATTRIB = re.compile(r"(writes|wrote|says|said)\s*:\s*$", re.I)


def clean_post(raw):
    """Usenet post -> subject + body without headers, quotes, attributions, signature."""
    head, _, body = raw.partition("\n\n")
    subject = ""
    for line in head.split("\n"):
        if line.lower().startswith("subject:"):
            subject = re.sub(r"^(re:\s*)+", "", line[8:].strip(), flags=re.I)
    sig = body.find("\n-- \n")
    if sig < 0:
        sig = body.find("\n--\n")
    if sig >= 0:
        body = body[:sig]
    keep = []
    for line in body.split("\n"):
        s = line.strip()
        if s.startswith((">", "|", ":", "}")) or RE_ATTRIB.search(s):
            continue
        if s.lower().startswith(("in article", "from:", "organization:", "lines:")):
            continue
        keep.append(line)
    text = "\n".join(keep)
    text = RE_URL.sub(" ", text)
    text = RE_EMAIL.sub(" ", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return (subject + "\n\n" + text).strip() if subject else text


def read_bbc(path):
    docs = []
    with tarfile.open(path) as t:
        for m in t.getmembers():
            parts = m.name.split("/")
            if not m.isfile() or len(parts) != 3 or not parts[2].endswith(".txt"):
                continue
            topic = BBC_MAP.get(parts[1])
            if topic is None:
                continue
            text = t.extractfile(m).read().decode("utf-8", "replace").strip()
            docs.append(("bbc/%s/%s" % (parts[1], parts[2][:-4]), text, [topic], "bbc/" + parts[1]))
    return docs


def read_news20(path):
    by_group = {}
    with tarfile.open(path) as t:
        for m in t.getmembers():
            parts = m.name.split("/")
            if not m.isfile() or len(parts) != 3 or parts[1] not in NEWS20_MAP:
                continue
            split = "train" if parts[0].endswith("train") else "test"
            text = clean_post(t.extractfile(m).read().decode("latin-1"))
            if len(text.split()) < MIN_WORDS:
                continue
            did = "20ng/%s/%s-%s" % (parts[1], split, parts[2])
            by_group.setdefault(parts[1], []).append((did, text))
    docs = []
    for group in sorted(by_group):
        topics, cap = NEWS20_MAP[group]
        # a fixed pseudo-random sample: the posts whose id hashes lowest
        posts = sorted(by_group[group], key=lambda d: hashlib.md5(d[0].encode()).hexdigest())[:cap]
        for did, text in posts:
            docs.append((did, text, list(topics), "20ng/" + group))
    return docs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bbc", default=os.path.join(DATA, "bbc-news/bbc-fulltext.tar.gz"))
    ap.add_argument("--news20", default=os.path.join(DATA, "20newsgroups/20news-bydate.tar.gz"))
    ap.add_argument("--no-news20", action="store_true", help="BBC articles only")
    ap.add_argument("--out", default="build/topic-data")
    args = ap.parse_args()

    docs = read_bbc(args.bbc)
    if not args.no_news20:
        docs += read_news20(args.news20)

    # every 5th document of each category (by sorted id) is held out
    strata = {}
    for d in sorted(docs):
        strata.setdefault(d[3], []).append(d)
    train, test = [], []
    for key in sorted(strata):
        for i, d in enumerate(strata[key]):
            (test if i % 5 == 4 else train).append(d)

    os.makedirs(args.out, exist_ok=True)
    test_bbc = [d for d in test if d[0].startswith("bbc/")]
    for name, part in (("train.jsonl", train), ("test.jsonl", test), ("test-bbc.jsonl", test_bbc)):
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            for did, text, topics, _ in sorted(part):
                f.write(json.dumps({"id": did, "text": text, "topics": topics},
                                   ensure_ascii=False) + "\n")
    counts = {}
    for d in train:
        for t in d[2] or ["(none)"]:
            counts[t] = counts.get(t, 0) + 1
    sys.stderr.write("make-topic-data: %d train, %d test records in %s\n"
                     % (len(train), len(test), args.out))
    for t in sorted(counts):
        sys.stderr.write("  %-24s %5d train\n" % (t, counts[t]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
