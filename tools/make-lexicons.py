#!/usr/bin/env python3
"""Regenerate entopic's generated lexicon files from the public sources in shared/data.

Usage:  python3 tools/make-lexicons.py [--data DIR] [--out DIR] [--check]

  --data DIR   the source folder (default: ../shared/data relative to the repository)
  --out DIR    the lexicon folder (default: lexicons/ in the repository)
  --check      only validate the lexicon folder as it is (no sources needed)

Generated files (overwritten): countries.tsv, minerals.tsv, cities.tsv, people.tsv.
Hand-curated files (read, never written): every other *.tsv in the lexicon folder
(countries-extra.tsv, minerals-extra.tsv, cities-extra.tsv, people-extra.tsv, orgs.tsv, ...)
and removals.txt.  A generated line whose (form, id) is already in a hand-curated file is
left out, so hand lines win.  Output is sorted and stable: the same sources give the same
bytes.  Python 3 standard library only.

The line format is documented in lexicons/README.md.
"""

import argparse
import csv
import glob
import gzip
import html
import json
import os
import re
import sys
import unicodedata
from collections import OrderedDict, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

GENERATED = ["countries.tsv", "minerals.tsv", "cities.tsv", "people.tsv"]
TYPES = ["COUNTRY", "PERSON", "MINERAL", "CITY", "ORG"]
KINDS = {"name", "abbreviation", "demonym", "alias", "partial"}
ID_RE = re.compile(r"^(country|person|mineral|city|org):[A-Za-z0-9-]+$")
ATTR_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# --------------------------------------------------------------------------- helpers

APOS = "\u2019\u2018\u02bc\u02bb`\u00b4\u2032\u201b"
DASH = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")


def is_accent(c):
    """The marks src/normalize.c strips: Latin/Greek/Cyrillic combining diacritics, Hebrew
    points, Arabic vowel marks. Marks of other scripts are part of the spelling."""
    o = ord(c)
    return (0x300 <= o <= 0x36F or 0x1AB0 <= o <= 0x1AFF or 0x1DC0 <= o <= 0x1DFF
            or 0x20D0 <= o <= 0x20FF or 0xFE20 <= o <= 0xFE2F or 0x591 <= o <= 0x5C7
            or 0x64B <= o <= 0x65F or o == 0x670)


def fold(s):
    """The matching key of a form: NFKC, case fold, accents stripped, quotes and dashes
    unified, hyphens equal to spaces, whitespace collapsed (mirrors src/normalize)."""
    s = unicodedata.normalize("NFKC", s).casefold()
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not is_accent(c) and c not in ZERO_WIDTH)
    for c in APOS:
        s = s.replace(c, "'")
    for c in DASH:
        s = s.replace(c, "-")
    s = s.replace("-", " ")
    return " ".join(s.split())


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def slug(s):
    s = strip_accents(s)
    s = s.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace(
        "Æ", "AE").replace("đ", "d").replace("Đ", "D").replace("ł", "l").replace("Ł", "L").replace(
        "ı", "i").replace("œ", "oe").replace("þ", "th").replace("ð", "d")
    s = s.replace("'", "").replace("\u2019", "")
    s = re.sub(r"[^A-Za-z0-9]+", "-", s.lower()).strip("-")
    return s


def clean_text(s):
    """Strip HTML tags and entities and collapse whitespace."""
    s = re.sub(r"<[^>]+>", " ", s or "")
    s = html.unescape(s).replace("\u00a0", " ")
    return " ".join(s.split())


def is_latin(s):
    for c in s:
        if c.isalpha() and not unicodedata.name(c, "").startswith("LATIN"):
            return False
    return True


def is_cjk(s):
    for c in s:
        n = unicodedata.name(c, "")
        if c.isalpha() and not (n.startswith("CJK") or n.startswith("HIRAGANA") or
                                n.startswith("KATAKANA") or n.startswith("HANGUL")):
            return False
    return True


def attrs_str(d):
    if not d:
        return "-"
    return ";".join("%s=%s" % (k, v) for k, v in d.items() if v not in (None, ""))


def parse_attrs(s):
    if s == "-" or not s:
        return OrderedDict()
    out = OrderedDict()
    for part in s.split(";"):
        k, _, v = part.partition("=")
        out[k] = v
    return out


class Entry:
    __slots__ = ("form", "id", "type", "name", "kind", "case", "flags", "attrs", "src")

    def __init__(self, form, id_, type_, name, kind, case, flags, attrs, src=""):
        self.form = form
        self.id = id_
        self.type = type_
        self.name = name
        self.kind = kind
        self.case = case
        self.flags = list(flags) if flags else []
        self.attrs = attrs if attrs is not None else OrderedDict()
        self.src = src

    def line(self, with_attrs):
        flags = ",".join(sorted(set(self.flags))) if self.flags else "-"
        return "\t".join([self.form, self.id, self.type, self.name, self.kind, self.case, flags,
                          attrs_str(self.attrs) if with_attrs else "-"])


class Lexicon:
    """A set of entries of one generated file, with per-entity canonical name and attrs."""

    def __init__(self, fname):
        self.fname = fname
        self.entities = OrderedDict()  # id -> (type, name, attrs)
        self.lines = []
        self.keys = set()

    def entity(self, id_, type_, name, attrs=None):
        if id_ not in self.entities:
            self.entities[id_] = [type_, name, OrderedDict(attrs or {})]
        else:
            for k, v in (attrs or {}).items():
                self.entities[id_][2].setdefault(k, v)
        return self.entities[id_]

    def add(self, form, id_, kind, case, flags=(), src=""):
        form = " ".join(form.split())
        if not form:
            return False
        key = (fold(form), id_)
        if key in self.keys:
            return False
        self.keys.add(key)
        t, name, _ = self.entities[id_]
        self.lines.append(Entry(form, id_, t, name, kind, case, list(flags), None, src))
        return True


# --------------------------------------------------------------------------- file I/O


def read_tsv(path):
    entries = []
    errors = []
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return [], ["%s: invalid UTF-8: %s" % (path, e)]
    for n, line in enumerate(text.split("\n"), 1):
        if line.endswith("\r"):
            line = line[:-1]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 8:
            errors.append("%s:%d: %d columns, want 8" % (os.path.basename(path), n, len(cols)))
            continue
        form, id_, type_, name, kind, case, flags, attrs = cols
        e = Entry(form, id_, type_, name, kind, case,
                  [] if flags == "-" else flags.split(","), parse_attrs(attrs),
                  "%s:%d" % (os.path.basename(path), n))
        entries.append(e)
    return entries, errors


def read_removals(path):
    """removals.txt: one rule a line, '#' comments.
         <id>              drop the whole entity from the generated files
         <form>\t<id>      drop one form of that entity
         <form>\t*         drop that form from every generated entity"""
    ids, pairs, forms = set(), set(), set()
    if not os.path.exists(path):
        return ids, pairs, forms
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if "\t" in line:
                form, id_ = line.split("\t", 1)
                if id_.strip() == "*":
                    forms.add(fold(form))
                else:
                    pairs.add((fold(form), id_.strip()))
            else:
                ids.add(line.strip())
    return ids, pairs, forms


def write_lexicon(lex, path, header, hand_keys, hand_ambig_forms, removals):
    rm_ids, rm_pairs, rm_forms = removals
    out = []
    kept = []
    for e in lex.lines:
        k = fold(e.form)
        if e.id in rm_ids or (k, e.id) in rm_pairs or k in rm_forms:
            continue
        if (k, e.id) in hand_keys:
            continue
        kept.append(e)
    # order: by id, then first line carries attrs; forms sorted (names first)
    kind_rank = {"name": 0, "abbreviation": 1, "alias": 2, "demonym": 3, "partial": 4}
    byid = defaultdict(list)
    for e in kept:
        byid[e.id].append(e)
    for id_ in sorted(byid):
        es = byid[id_]
        canonical = lex.entities[id_][1]
        es.sort(key=lambda e: (e.form != canonical, kind_rank.get(e.kind, 9), fold(e.form), e.form))
        for i, e in enumerate(es):
            if i == 0:
                e.attrs = lex.entities[id_][2]
            out.append(e.line(i == 0))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(header)
        for l in out:
            f.write(l + "\n")
    return kept


# --------------------------------------------------------------------------- sources


class Sources:
    def __init__(self, data):
        self.data = data

    def path(self, *p):
        return os.path.join(self.data, *p)

    def json(self, *p):
        fp = self.path(*p)
        if fp.endswith(".gz"):
            with gzip.open(fp, "rt", encoding="utf-8") as f:
                return json.load(f)
        with open(fp, encoding="utf-8") as f:
            return json.load(f)

    def csv(self, *p):
        with open(self.path(*p), encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))


def read_po(path):
    """Minimal gettext .po reader: list of (comment, msgid, msgstr)."""
    out = []
    comment, msgid, msgstr, cur = "", None, None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#."):
                if msgid is not None:
                    out.append((comment, msgid, msgstr))
                    msgid = msgstr = None
                comment = line[2:].strip()
            elif line.startswith("msgid "):
                if msgid is not None:
                    out.append((comment, msgid, msgstr))
                msgid, msgstr, cur = json.loads(line[6:]), "", "id"
            elif line.startswith("msgstr "):
                msgstr, cur = json.loads(line[7:]), "str"
            elif line.startswith('"') and msgid is not None:
                if cur == "id":
                    msgid += json.loads(line)
                else:
                    msgstr += json.loads(line)
            elif not line.strip():
                if msgid is not None:
                    out.append((comment, msgid, msgstr))
                msgid = msgstr = None
                comment = ""
    if msgid is not None:
        out.append((comment, msgid, msgstr))
    return out


# --------------------------------------------------------------------------- word lists

def load_words(path):
    words = set()
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    words.add(fold(line))
    return words


# ---------------------------------------------------------------------------
# COUNTRIES
# ---------------------------------------------------------------------------

# Short names news uses, overriding ISO's "Korea, Republic of" style names.
COUNTRY_NAME = {
    "CD": "Democratic Republic of the Congo", "CG": "Republic of the Congo",
    "TR": "Türkiye", "CZ": "Czechia", "CI": "Côte d'Ivoire", "SZ": "Eswatini",
    "MK": "North Macedonia", "CV": "Cabo Verde", "TL": "Timor-Leste", "VA": "Vatican City",
    "PS": "Palestine", "US": "United States", "GB": "United Kingdom", "KR": "South Korea",
    "KP": "North Korea", "LA": "Laos", "MM": "Myanmar", "FM": "Micronesia",
    "BQ": "Caribbean Netherlands", "MF": "Saint Martin", "SX": "Sint Maarten",
    "UM": "United States Minor Outlying Islands", "VI": "United States Virgin Islands",
    "VG": "British Virgin Islands", "HK": "Hong Kong", "MO": "Macau", "TW": "Taiwan",
    "RU": "Russia", "SY": "Syria", "VN": "Vietnam", "BO": "Bolivia", "TZ": "Tanzania",
    "VE": "Venezuela", "IR": "Iran", "MD": "Moldova", "BN": "Brunei", "NL": "Netherlands",
    "FK": "Falkland Islands", "SH": "Saint Helena, Ascension and Tristan da Cunha",
}

# Forms that are also common words, names or another entity's name: flag ambiguous (all
# country forms are case exact).
COUNTRY_FLAG_AMBIG = {
    "Turkey", "Chad", "Jordan", "Georgia", "China", "Guinea", "Niger", "Jersey", "Guernsey",
    "Congo", "Korea", "America", "Emirates", "Macedonia", "Georgian", "Georgians", "Polish",
    "Turk", "Turks", "Dane", "Danes", "Finn", "Finns", "Pole", "Poles", "Swede", "Swedes",
    "Kiwi", "Kiwis", "Holland", "Wallis", "Futuna", "Dominica", "Dominican", "Dominicans",
    "Korean", "Koreans", "Congolese", "Samoan", "Samoans", "Virgin Islander",
    "Virgin Islanders", "Guinean", "Guineans", "Christmas Island",
}
# two-letter upper-case forms allowed as abbreviations (others are too risky as words)
COUNTRY_2LETTER_OK = {"UK", "US", "NZ"}
# forms that are both a name and a demonym in the sources: demonym for these, name otherwise
DEMONYM_FIRST = {"Saudi"}
# Never a country form on its own (word or code that would fire everywhere).
COUNTRY_SKIP = {
    "man", "in", "it", "as", "is", "at", "be", "by", "do", "go", "he", "hi", "id", "la", "me",
    "mo", "my", "no", "of", "on", "or", "pa", "pe", "so", "to", "us", "am", "an", "ar", "bo",
    "ca", "co", "de", "fi", "ga", "gu", "ma", "mi", "mu", "na", "ne", "nu", "om", "re", "sa",
    "se", "si", "sm", "sn", "st", "tv", "um", "va", "vi", "we", "ye",
    # three-letter codes that are words or common acronyms
    "can", "per", "arm", "aus", "aut", "bel", "ben", "bra", "chn", "col", "cub", "den", "dom",
    "est", "fin", "gab", "gam", "ger", "gin", "gum", "hun", "ind", "irl", "isr", "ita", "jam",
    "ken", "kor", "lat", "mar", "mex", "mon", "nam", "nor", "pan", "pol", "pak", "rus", "sau",
    "sen", "spa", "sur", "swe", "tan", "tog", "tun", "ven", "yem", "zam", "bih", "car", "mac",
    "fro", "ant", "ata", "atf", "bes", "blm", "cod", "cog", "com", "civ", "cok", "cpv", "dma",
    "esh", "flk", "glp", "guf", "gnb", "hmd", "iot", "mne", "mnp", "msr", "mtq", "myt", "ncl",
    "nfk", "niu", "pcn", "pyf", "reu", "sgs", "shn", "sjm", "spm", "tca", "tkl", "umi", "vat",
    "vct", "vgb", "vir", "wlf", "bvt", "cck", "cxr", "ala", "abw", "aia", "asm", "mys",
    "mosotho", "motswana", "basotho", "batswana", "quito", "santo domingo", "western sahara",
    "gold coast", "mesopotamia", "dilmun", "tylos", "awal", "mishmahig", "bahrayn",
    "palestine", "none", "na", "kiribati", "christmas island", "new zealand", "norfolk islander",
    "trust territory of the pacific islands", "ifni", "spanish sahara", "urundi", "ruanda",
    "senegambia", "upper peru", "banda oriental", "cisplatine province", "norman isles",
    "serendib", "union islands", "pleasant island", "savage island", "hervey islands",
    "friendly islands", "establishments in oceania", "new philippines", "caroline islands",
    "ponape", "truk", "yap", "awal", "nieuw zeeland", "east timor", "ivory coast",
    "mariana islands district", "democratic republic of vietnam", "republic of vietnam",
    "north vietnam", "south vietnam", "yemen arab republic", "people's democratic republic of yemen",
    "north yemen", "south yemen", "german east africa", "mali federation", "united arab republic",
    "netherlands antilles", "west indies", "kamerun", "state of venezuela",
    "republic of venezuela", "yemen", "ruanda urundi",
}

# Curated extra demonym forms the sources lack (plurals, collective nouns).
DEMONYM_EXTRA = {
    "US": ["Americans"], "GB": ["Britons", "Briton", "Brits", "Brit"],
    "PK": ["Pakistanis"], "SA": ["Saudis"], "AE": ["Emiratis"], "PH": ["Filipinos", "Filipina",
                                                                        "Filipinas"],
    "AF": ["Afghans"], "CN": [], "KR": ["South Koreans"], "KP": ["North Koreans"],
    "NL": ["Dutch"], "CH": ["Swiss"], "FR": ["French"], "IE": ["Irish"],
}

# Foreign languages taken (ISO 639-1 codes); i18n-iso-countries locale -> code.
FOREIGN_LANGS = ["zh", "ur", "ar", "ru", "fr", "es", "de", "hi", "fa", "ja", "pt", "tr",
                 "ko", "it", "ps", "uk", "bn", "id"]
WC_LANGS = {"ara": "ar", "deu": "de", "fra": "fr", "jpn": "ja", "kor": "ko", "per": "fa",
            "por": "pt", "rus": "ru", "spa": "es", "tur": "tr", "urd": "ur", "zho": "zh",
            "ita": "it"}
PO_LANGS = {"zh_CN": "zh", "zh_TW": "zh", "zh_HK": "zh", "ur": "ur", "ar": "ar", "ru": "ru",
            "fr": "fr", "es": "es", "de": "de", "hi": "hi", "fa": "fa", "ja": "ja", "pt": "pt",
            "pt_BR": "pt", "tr": "tr", "ko": "ko", "it": "it", "ps": "ps", "uk": "uk", "bn": "bn",
            "id": "id"}


def split_list(text):
    """'Pakistani(s)', 'Briton(s), British (collective plural)', 'A or B' -> forms."""
    text = clean_text(text)
    text = re.split(r";\s*note", text)[0]
    text = re.sub(r"\((singular and plural|singular|plural|collective plural|[^()]*citizens[^()]*"
                  r"|[^()]*nationals[^()]*)\)", "", text)
    out = []
    for part in re.split(r",|;| or ", text):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^(.*?)\((e?s)\)$", part)
        if m:
            base = m.group(1).strip()
            out.append(base)
            out.append(base + m.group(2))
            continue
        if "(" in part or ")" in part:
            continue
        out.append(part)
    return out


def country_forms_ok(form):
    f = fold(form)
    if not form[:1].isupper() or re.search(r"[\u0250-\u02af]", form):
        return False  # lower-case start ("former ...", "al-..."), IPA transcriptions
    if f in COUNTRY_SKIP or len(f) < 2:
        return False
    if "," in form or "(" in form or ")" in form or "[" in form:
        return False
    return True


def build_countries(src, words):
    lex = Lexicon("countries.tsv")
    iso = src.json("iso-codes", "iso_3166-1.json")["3166-1"]
    codes = {r["alpha_2"]: r for r in iso}
    a3to2 = {r["alpha_3"]: r["alpha_2"] for r in iso}

    wc = {c["cca2"]: c for c in src.json("world-countries", "countries.json.gz")}
    cc = {}
    fips = {}
    for r in src.csv("country-codes", "country-codes.csv"):
        a2 = r["ISO3166-1-Alpha-2"].strip()
        if a2:
            cc[a2] = r
            if r["FIPS"].strip():
                fips[r["FIPS"].strip().lower()] = a2
    fips.update({"kv": "XK", "ri": "RS"})
    i18n_en = src.json("i18n-iso-countries", "langs", "en.json")["countries"]

    factbook = {}
    for fp in sorted(glob.glob(src.path("factbook", "*", "*.json"))):
        gec = os.path.basename(fp)[:-5]
        a2 = fips.get(gec)
        if a2 and a2 in codes:
            with open(fp, encoding="utf-8") as f:
                factbook[a2] = json.load(f)
    src.factbook = factbook
    src.fips = fips

    def fb(a2, *path):
        d = factbook.get(a2, {})
        for p in path:
            d = d.get(p, {}) if isinstance(d, dict) else {}
        t = d.get("text") if isinstance(d, dict) else None
        t = clean_text(t) if t else ""
        return "" if t.lower() in ("none", "na", "") else t

    english = defaultdict(set)  # fold -> ids (all English forms, for foreign filtering)
    pending = []  # (a2, form, kind, flags)

    for a2 in sorted(codes):
        r = codes[a2]
        name = COUNTRY_NAME.get(a2) or r.get("common_name") or (wc.get(a2, {}).get("name", {}).get(
            "common")) or r["name"]
        qid = ""
        if a2 in cc and cc[a2].get("wikidata_id"):
            qid = cc[a2]["wikidata_id"].rstrip("/").rsplit("/", 1)[-1]
        attrs = OrderedDict([("iso2", a2), ("iso3", r["alpha_3"])])
        if qid:
            attrs["wikidata"] = qid
        lex.entity("country:" + a2, "COUNTRY", name, attrs)
        names = [name, r["name"], r.get("common_name", ""), r.get("official_name", "")]
        w = wc.get(a2)
        if w:
            names += [w["name"]["common"], w["name"]["official"]]
            for alt in w.get("altSpellings", []):
                if is_latin(alt) and alt != a2 and len(alt) > 3 and not re.match(r"^[A-Z.]+$",
                                                                                  alt):
                    names.append(alt)
        v = i18n_en.get(a2)
        if isinstance(v, list):
            names += [x for x in v if not re.match(r"^[A-Z.]+$", x)]
        elif v:
            names.append(v)
        if a2 in cc:
            for col in ("UNTERM English Short", "UNTERM English Formal", "CLDR display name",
                        "official_name_en"):
                names.append(cc[a2].get(col, ""))
        names += [fb(a2, "Government", "Country name", "conventional long form"),
                  fb(a2, "Government", "Country name", "conventional short form")]
        for n in names:
            n = clean_text(n)
            n = re.sub(r"^(the|The)\s+", "", n)
            n = re.sub(r"\s*\((the|The)\)$", "", n)
            if not n or not country_forms_ok(n):
                continue
            if n.isupper() and len(n) > 4 and " " not in n:
                continue  # ISO4217 upper-case country names and the like
            pending.append((a2, n, "name", []))
        # abbreviations from the factbook ("US or USA", "DRC (or DROC)", "PRC")
        ab = fb(a2, "Government", "Country name", "abbreviation")
        for part in re.split(r",| or |\(|\)", ab):
            part = part.strip()
            if part and re.match(r"^[A-Z][A-Za-z.]*[A-Z.]$", part) and fold(part) not in COUNTRY_SKIP:
                pending.append((a2, part, "abbreviation", []))
        # former names (historical)
        for part in split_list(fb(a2, "Government", "Country name", "former")):
            part = re.sub(r"^(the|The)\s+", "", part)
            if country_forms_ok(part) and part[0].isupper() and "Soviet Socialist" not in part:
                pending.append((a2, part, "name", ["historical"]))
        # demonyms
        dem = []
        dem += split_list(fb(a2, "People and Society", "Nationality", "noun"))
        dem += split_list(fb(a2, "People and Society", "Nationality", "adjective"))
        if w:
            d = w.get("demonyms", {}).get("eng", {})
            dem += split_list(d.get("m", "")) + split_list(d.get("f", ""))
        dem += DEMONYM_EXTRA.get(a2, [])
        for dm in dem:
            dm = dm.strip()
            if dm and dm[0].isupper() and country_forms_ok(dm) and not dm.startswith("Note"):
                pending.append((a2, dm, "demonym", []))

    # demonyms shared by a sovereign state and dependent territories: keep the state only
    indep = {a2: (cc.get(a2, {}).get("is_independent", "") == "Yes") for a2 in codes}
    dem_ids = defaultdict(set)
    name_ids = defaultdict(set)
    for a2, form, kind, flags in pending:
        (dem_ids if kind == "demonym" else name_ids)[fold(form)].add(a2)
    for a2, form, kind, flags in pending:
        k = fold(form)
        if re.match(r"^[A-Z][A-Z.]*$", form) and len(form) <= 6:
            kind = "abbreviation"
            if len(form) == 2 and form not in COUNTRY_2LETTER_OK:
                continue
        elif kind == "name" and a2 in dem_ids.get(k, ()) and form in DEMONYM_FIRST:
            kind = "demonym"
        if kind == "demonym":
            if k in name_ids and a2 not in name_ids[k]:
                continue  # a demonym equal to another country's name
            ids = dem_ids[k]
            if len(ids) > 1:
                ind = [x for x in ids if indep.get(x)]
                if len(ind) >= 1 and not indep.get(a2):
                    continue
        else:
            ids = name_ids[k]
            if "historical" in flags and len(ids) > 1:
                continue
            if "historical" in flags and k in dem_ids:
                continue
            if len(ids) > 1 and not indep.get(a2) and any(indep.get(x) for x in ids):
                continue
        english[k].add(a2)
        fl = list(flags)
        if form in COUNTRY_FLAG_AMBIG:
            fl.append("ambiguous")
        lex.add(form, "country:" + a2, "abbreviation" if kind == "abbreviation" else kind,
                "exact", fl, "en")

    # ---- names in other languages
    foreign = []  # (a2, form, lang)
    for lang in FOREIGN_LANGS:
        fp = src.path("i18n-iso-countries", "langs", lang + ".json")
        if not os.path.exists(fp):
            continue
        d = src.json("i18n-iso-countries", "langs", lang + ".json")["countries"]
        for a2 in sorted(d):
            if a2 not in codes:
                continue
            v = d[a2]
            for x in (v if isinstance(v, list) else [v]):
                foreign.append((a2, x, lang))
    for po, lang in sorted(PO_LANGS.items()):
        fp = src.path("iso-codes", "iso_3166-1", po + ".po")
        if not os.path.exists(fp):
            continue
        for comment, msgid, msgstr in read_po(fp):
            m = re.match(r"^(Name|Common name|Official name) for ([A-Z]{3})$", comment)
            if m and msgstr and m.group(2) in a3to2:
                foreign.append((a3to2[m.group(2)], msgstr, lang))
    for a2 in sorted(wc):
        if a2 not in codes:
            continue
        for l3, lang in sorted(WC_LANGS.items()):
            t = wc[a2].get("translations", {}).get(l3)
            if t:
                foreign.append((a2, t.get("common", ""), lang))
                foreign.append((a2, t.get("official", ""), lang))
    fids = defaultdict(set)
    for a2, form, lang in foreign:
        fids[fold(form)].add(a2)
    for a2, form, lang in foreign:
        form = clean_text(form)
        k = fold(form)
        if not form or k in english or len(fids[k]) > 1:
            continue
        if "," in form or "(" in form or "[" in form:
            continue
        if re.match(r"^[A-Z.\s]+$", form):
            continue  # foreign abbreviations (ABD, EUA, ...)
        if is_cjk(form.replace(" ", "")):
            if len(form.replace(" ", "")) < 2:
                continue
        elif len(k) < 3:
            continue
        if is_latin(form) and (k in words or k in COUNTRY_SKIP):
            continue
        lex.add(form, "country:" + a2, "name", "exact", ["lang:" + lang], lang)
    return lex


# ---------------------------------------------------------------------------
# MINERALS
# ---------------------------------------------------------------------------

RARE_EARTHS = {"Sc", "Y", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er",
               "Tm", "Yb", "Lu"}
PGM = {"Ru", "Rh", "Pd", "Os", "Ir", "Pt"}
PRECIOUS = {"Au", "Ag"}
BATTERY = {"Li", "Co", "Ni", "Mn"}
BASE = {"Cu", "Pb", "Zn", "Sn", "Al", "Fe"}
NUCLEAR = {"U", "Th", "Pu"}
# Non-metals that are mined or traded as commodities (kept); other non-metals are not.
MINED_NONMETALS = {"S", "P", "I", "B", "Se", "He", "Br", "F"}
SKIP_ELEMENTS = {"H", "C", "N", "O", "Cl", "Ne", "Ar", "Kr", "Xe", "Rn", "Og", "Ts"}
ELEMENT_AMBIGUOUS = {"Lead", "Tin", "Iron", "Gold", "Silver", "Copper", "Nickel", "Platinum",
                     "Mercury", "Zinc", "Iridium"}
ELEMENT_NAME = {"Al": "Aluminium", "Cs": "Caesium", "S": "Sulfur"}
ELEMENT_ALIASES = {"Al": ["aluminum"], "Cs": ["cesium"], "S": ["sulphur"], "W": ["wolfram"],
                   "Hg": ["quicksilver"], "Nb": ["columbium"]}

# IMA species names that are also common words or names and stay (flag ambiguous); the
# ones that are dropped are listed in tools/make-lexicons-stopwords.txt.
SPECIES_AMBIGUOUS = {"opal", "topaz", "diamond", "turquoise", "muscovite", "beryl", "natron",
                     "spinel", "trona", "cerite", "galena", "borax", "niter", "realgar"}
SPECIES_SUFFIX = re.compile(r"(-\([A-Za-z0-9,+]+\)|-(alpha|beta|gamma|delta|[\u03b1-\u03c9])| [IVX]+|"
                            r"-\d*[A-Z][A-Za-z0-9]*|-\d+[A-Za-z]*)$")


def species_base(name):
    """'Monazite-(Ce)' -> 'Monazite', 'Fergusonite-(Y)-beta' -> 'Fergusonite',
    'Andorite IV' -> 'Andorite', 'Ferro-hornblende' stays."""
    while True:
        m = SPECIES_SUFFIX.search(name)
        if not m or m.start() == 0:
            return name
        name = name[:m.start()]


def species_form(f):
    """Species names are lower case in running text except the chemical suffixes:
    'Monazite-(Ce)' -> 'monazite-(Ce)'."""
    m = re.match(r"^([^-( ]+)(.*)$", f)
    return m.group(1).lower() + m.group(2) if m else f.lower()


def element_group(sym, block):
    if sym in RARE_EARTHS:
        return "rare-earth"
    if sym in PGM:
        return "platinum-group"
    if sym in PRECIOUS:
        return "precious"
    if sym in BATTERY:
        return "battery"
    if sym in BASE:
        return "base"
    if sym in NUCLEAR:
        return "nuclear"
    if block in ("actinoid", "actinide"):
        return "actinide"
    if sym in MINED_NONMETALS:
        return "non-metal"
    return "minor"


def build_minerals(src, words, stop):
    lex = Lexicon("minerals.tsv")
    elements = src.json("periodic-table-npm", "data.json")
    taken = {}
    for el in elements:
        sym = el["symbol"].strip()
        block = el["groupBlock"].strip()
        num = int(el["atomicNumber"])
        if sym in SKIP_ELEMENTS:
            continue
        if block in ("nonmetal", "halogen", "noble gas") and sym not in MINED_NONMETALS:
            continue
        name = ELEMENT_NAME.get(sym, el["name"].strip())
        id_ = "mineral:" + slug(name)
        attrs = OrderedDict([("symbol", sym), ("group", element_group(sym, block)),
                             ("element", str(num))])
        lex.entity(id_, "MINERAL", name, attrs)
        forms = [name.lower(), el["name"].strip().lower()] + ELEMENT_ALIASES.get(sym, [])
        for f in forms:
            fl = ["ambiguous"] if f.capitalize() in ELEMENT_AMBIGUOUS else []
            lex.add(f, id_, "name" if f == name.lower() else "alias", "fold", fl, "element")
            taken[fold(f)] = id_
    # IMA species
    rows = src.csv("mineral-rarity", "RRUFF_Export.csv")
    species = []
    for r in rows:
        full = r["Mineral Name"].strip()
        plain = r["Mineral Name (plain)"].strip()
        species.append((full, plain))
    base_forms = defaultdict(set)  # base name -> set of full names
    for full, plain in species:
        base = species_base(full)
        if base != full:
            base_forms[base].add(full)
    dropped = []

    def add_species(name, forms, attrs):
        k = fold(name)
        if k in taken:
            return
        if k in stop or fold(species_base(name)) in stop:
            dropped.append(name)
            return
        id_ = "mineral:" + slug(name)
        if id_ in lex.entities and lex.entities[id_][1] != name:
            return
        lex.entity(id_, "MINERAL", name, attrs)
        fl = ["ambiguous"] if k in SPECIES_AMBIGUOUS else []
        for f in forms:
            lex.add(species_form(f), id_, "name" if f == name else "alias", "fold", fl, "ima")
        taken[k] = id_

    for full, plain in sorted(species):
        forms = [full]
        if fold(plain) != fold(full):
            forms.append(plain)
        add_species(full, forms, OrderedDict([("ima", "1")]))
    for base in sorted(base_forms):
        if fold(base) in taken:
            continue
        plain = strip_accents(base)
        forms = [base] + ([plain] if fold(plain) != fold(base) else [])
        add_species(base, forms, OrderedDict([("ima", "series")]))
    src.minerals_dropped = sorted(set(dropped))
    return lex


# ---------------------------------------------------------------------------
# CITIES
# ---------------------------------------------------------------------------

CITY_SKIP = {"West Yorkshire", "West Rand", "Provence", "Aix", "Sultan", "Noire", "Mayi",
             "Dioulasso", "Yafo", "Newark", "Long Beach", "Santa Ana", "Fort Worth"}
CITY_SPLIT_SKIP = {"Mbuji-Mayi", "Port-au-Prince", "Dar es Salaam", "Bandar Seri Begawan"}
CITY_NAME_FIX = {
    "Washington, D.C.": "Washington", "Washington, DC": "Washington", "New Delhi": "New Delhi",
    "Kyiv (Kiev)": "Kyiv", "Rangoon (Yangon)": "Yangon", "Rangoon": "Yangon", "Washington D.C.":
    "Washington", "Ulan Bator": "Ulaanbaatar", "Nay Pyi Taw": "Naypyidaw",
    "Sanaa": "Sana'a", "Kiev": "Kyiv", "Kitakyushu-Fukuoka": "Fukuoka/Kitakyushu",
    "Marseille-Aix-en-Provence": "Marseille", "Shizuoka-Hamamatsu": "Shizuoka/Hamamatsu",
    "Blantyre-Limbe": "Blantyre", "Sekondi Takoradi": "Sekondi-Takoradi",
    "Mexico City": "Mexico City", "Kuwait City": "Kuwait City",
}
CITY_ALIASES = {
    "kyiv": ["Kiev"], "yangon": ["Rangoon"], "mumbai": ["Bombay"], "chennai": ["Madras"],
    "kolkata": ["Calcutta"], "beijing": ["Peking"], "ho-chi-minh-city": ["Saigon", "HCMC"],
    "washington": ["Washington DC", "Washington D.C.", "Washington, D.C."],
    "new-york": ["New York City", "NYC"], "guangzhou": ["Canton"],
    "almaty": ["Alma-Ata"], "astana": ["Nur-Sultan"], "bengaluru": ["Bangalore"],
}
# Cities whose name is also a person surname or a common word: flag ambiguous.
CITY_FLAG_AMBIG = {"Nice", "Reading", "Mobile", "Bath", "Split", "Male", "Victoria", "Kingston",
                   "Hamilton", "Georgetown", "Wellington", "Jamestown", "Plymouth", "Santiago",
                   "San Jose", "Lima", "Praia", "Sucre", "Washington", "Lincoln", "Houston",
                   "Dallas", "Phoenix", "Jackson", "Charlotte", "Austin", "Columbus",
                   "Florence", "Alexandria", "Adelaide", "Perth", "Brisbane", "Sydney",
                   "Madison", "Salem", "Cordoba", "Córdoba", "Valencia", "Hyderabad",
                   "Santa Cruz", "Kingstown", "Roseau", "Castries", "Tripoli", "Basseterre",
                   "Douglas", "Hagatna", "Avarua", "Pago Pago", "Apia", "Victoria", "Male",
                   "Mecca", "Medina", "Rome", "Athens", "Cork", "Derby", "Darwin", "Durban",
                   "Kingston upon Hull", "Nelson", "Hull", "Birmingham", "Manchester",
                   "Orlando"}


def city_clean(nm):
    nm = clean_text(nm)
    nm = re.sub(r"\([^)]*\)", "", nm)
    nm = re.sub(r"\s+", " ", nm).strip(" ,.;")
    nm = CITY_NAME_FIX.get(nm, nm)
    nm = re.sub(r",?\s*(D\.C\.?|DC)$", "", nm).strip(" ,")
    if nm.isupper():
        nm = " ".join(w.capitalize() for w in nm.split())
        nm = re.sub(r"(?<=-)([a-z])", lambda x: x.group(1).upper(), nm)
        nm = re.sub(r"\b(De|La|Es|Of|Al|El|Du|Da|Do|Di)\b(?=\s)", lambda x: x.group(1).lower()
                    if x.start() > 0 else x.group(1), nm)
    return CITY_NAME_FIX.get(nm, nm)


def build_cities(src, countries, words):
    lex = Lexicon("cities.tsv")
    factbook = src.factbook
    country_folds = set(fold(e.form) for e in countries.lines)
    wc = {c["cca2"]: c for c in src.json("world-countries", "countries.json.gz")}
    cands = []  # (a2, name, capital?)
    for a2 in sorted(wc):
        if "country:" + a2 not in countries.entities:
            continue
        for c in wc[a2].get("capital", []):
            cands.append((a2, city_clean(c), True))
    for a2 in sorted(factbook):
        d = factbook[a2]
        urban = clean_text(d.get("People and Society", {}).get("Major urban areas - population",
                                                               {}).get("text", ""))
        urban = re.split(r";\s*note", urban)[0]
        urban = re.sub(r"\(\d{4}\)", "", urban)
        for part in re.split(r"(?:^|[,;]\s*)\d[\d.,]*\s*(?:million|thousand)?\s+", urban):
            part = part.strip(" ,;")
            if not part:
                continue
            cap = "(capital)" in part
            cands.append((a2, city_clean(part), cap))
    seen = OrderedDict()
    for a2, nm, is_cap in cands:
        parts = [nm]
        if nm not in CITY_SPLIT_SKIP:
            if "/" in nm:
                parts = [p.strip() for p in nm.split("/")]
            elif "-" in nm and any(" " in p.strip() for p in nm.split("-")):
                parts = [p.strip() for p in nm.split("-")]
        for p in parts:
            if not p or not p[0].isupper() or len(p) < 3 or p in CITY_SKIP:
                continue
            key = (a2, fold(p))
            if key in seen:
                seen[key] = (seen[key][0], seen[key][1] or is_cap)
                continue
            seen[key] = (p, is_cap)
    names = defaultdict(list)
    for (a2, k) in seen:
        names[k].append(a2)
    for (a2, k), (nm, is_cap) in sorted(seen.items()):
        if k in country_folds:
            continue  # a city named like a country: the country wins
        s = slug(nm)
        if len(names[k]) > 1:
            s = s + "-" + a2.lower()
        id_ = "city:" + s
        attrs = OrderedDict([("country", a2)])
        if is_cap:
            attrs["capital"] = "1"
        lex.entity(id_, "CITY", nm, attrs)
        fl = ["ambiguous"] if (nm in CITY_FLAG_AMBIG or len(names[k]) > 1) else []
        lex.add(nm, id_, "name", "exact", fl, "factbook")
        pl = strip_accents(nm)
        if fold(pl) != fold(nm):
            lex.add(pl, id_, "alias", "exact", fl, "factbook")
        for al in CITY_ALIASES.get(slug(nm), []):
            if fold(al) not in country_folds:
                lex.add(al, id_, "alias", "exact", [], "curated")
    return lex


# ---------------------------------------------------------------------------
# PEOPLE
# ---------------------------------------------------------------------------

HONORIFICS = {"sheikh", "shaikh", "sheik", "dr", "dr.", "sir", "dame", "hh", "hrh", "gen.", "gen",
              "lt.", "col.", "maj.", "adm.", "prof.", "prof", "hon.", "amb.", "king", "queen",
              "prince", "princess", "emir", "sultan", "mr.", "mrs.", "ms.", "lord", "lady",
              "mullah", "haji", "hajji", "justice", "pres.", "brig.", "marshal", "field"}
# first given names that news drops ("Muhammad Shehbaz Sharif" -> "Shehbaz Sharif")
DROPPABLE_FIRST = {"muhammad", "mohammad", "mohammed", "muhammed", "mohamed", "mian", "syed",
                   "sayed", "chaudhry", "malik", "makhdoom", "sardar", "rana", "khawaja",
                   "pir", "mir", "raja", "begum", "sahibzada", "nawabzada", "hafiz", "abdul"}


def titlecase_name(s):
    def tc(w):
        if not w.isupper() or len(w) < 2:
            return w
        parts = re.split(r"([-'’])", w)
        return "".join(p.capitalize() if p.isalpha() or p.isalnum() else p for p in parts)
    return " ".join(tc(w) for w in s.split())


def clean_person_name(s):
    s = clean_text(s)
    s = re.sub(r"\s*\([^)]*\)", "", s)
    s = re.sub(r"\s*\[[^\]]*\]", "", s)
    s = re.sub(r",\s*(Sr|Jr|Prince|Princess|King|Queen|Emir|Sultan|Grand Duke|Duke)\b.*$", "", s)
    s = s.replace("\u00a0", " ").strip(" ,;.")
    words = s.split()
    while words and words[0].lower().rstrip(",") in HONORIFICS:
        words = words[1:]
    return " ".join(words)


def person_aliases(name):
    """Name variants: without middle names/initials, dots, dropped honorific first names."""
    out = []
    toks = name.split()
    plain = not any(t.lower() in PARTICLES or not t[:1].isupper() for t in toks)
    if len(toks) == 3 and plain:
        out.append(toks[0] + " " + toks[-1])
        # without initials only ("George H.W. Bush" -> "George Bush")
        noinit = [t for i, t in enumerate(toks) if not (re.match(r"^([A-Z]\.)+$", t) and 0 < i <
                                                        len(toks) - 1)]
        if len(noinit) != len(toks) and len(noinit) >= 2:
            out.append(" ".join(noinit))
    if len(toks) >= 3 and toks[0].lower().rstrip(".") in DROPPABLE_FIRST:
        out.append(" ".join(toks[1:]))
        if len(toks) >= 4:
            out.append(toks[1] + " " + toks[-1])
    # "George H.W. Bush" <-> "George H. W. Bush"
    if re.search(r"[A-Z]\.[A-Z]\.", name):
        out.append(re.sub(r"([A-Z]\.)(?=[A-Z]\.)", r"\1 ", name))
    if re.search(r"[A-Z]\. [A-Z]\.", name):
        out.append(re.sub(r"([A-Z]\.) (?=[A-Z]\.)", r"\1", name))
    return [o for o in out if o != name and len(o.split()) >= 2]


def role_of(label):
    l = label.lower()
    if "foreign" in l or "external" in l or "exterior" in l:
        return "foreign-minister"
    if "prime minister" in l or "premier" in l or "chancellor" in l or "head of government" in l:
        return "head-of-government"
    if "president" in l or "king" in l or "queen" in l or "emir" in l or "sultan" in l or \
            "monarch" in l or "governor" in l or "head of state" in l or "chief of state" in l:
        return "head-of-state"
    if "min" in l or "secretary" in l:
        return "minister"
    return "official"


ROLE_RANK = {"head-of-state": 0, "head-of-government": 1, "foreign-minister": 2, "minister": 3,
             "official": 4}


PARTICLES = {"bin", "bint", "ibn", "al", "el", "de", "da", "do", "dos", "das", "del", "della", "di",
             "du", "van", "von", "der", "den", "la", "le", "abu", "ould", "ag", "y", "e", "ben",
             "binti", "al-", "el-", "ter", "ten", "zu", "af", "st.", "mac"}


def is_caps(tok):
    letters = [c for c in tok if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) or tok in ("O'", "MC")


def tc_word(w):
    if not is_caps(w):
        return w
    if re.match(r"^[IVX]+$", w):
        return w  # regnal numbers
    out = []
    for part in re.split(r"([-'\u2019])", w):
        out.append(part.capitalize() if part.isalpha() else part)
    w = "".join(out)
    return re.sub(r"^Mc([a-z])", lambda m: "Mc" + m.group(1).upper(), w)


def fb_people(text, country_words):
    """People in a factbook/CIA line: 'President Asif Ali ZARDARI (since ...); Vice President
    ...' -> [(given tokens, surname tokens, display)]."""
    out = []
    text = clean_text(text)
    for seg in re.split(r"\(since[^)]*\)|\(born[^)]*\)|;", text):
        seg = re.sub(r"\([^)]*\)", " ", seg)
        toks = seg.replace(",", " , ").split()
        # last run of upper-case tokens
        end = None
        for i in range(len(toks) - 1, -1, -1):
            if is_caps(toks[i]) and toks[i].lower() not in TITLE_WORDS:
                end = i
                break
        if end is None:
            continue
        start = end
        while start > 0 and (is_caps(toks[start - 1]) or (toks[start - 1].lower() in PARTICLES and
                                                           start - 2 >= 0 and is_caps(toks[start - 2]))):
            start -= 1
        tail = []
        j = end + 1
        while j < len(toks) and len(tail) < 2 and re.match(r"^[A-Z][a-z'\u2019-]+$", toks[j]) and \
                toks[j].lower() not in TITLE_WORDS:
            tail.append(toks[j])
            j += 1
        if j < len(toks) and toks[j] not in (",",):
            pass
        given = []
        k = start - 1
        while k >= 0 and len(given) < 4:
            t = toks[k]
            if t == "," or t.lower() in TITLE_WORDS or t.lower().rstrip(".") in TITLE_WORDS or \
                    fold(t) in country_words or re.match(r"^[A-Z][a-z]{0,4}\.$", t):
                break
            if not (t[:1].isupper() or t.lower() in PARTICLES):
                break
            given.insert(0, t)
            k -= 1
        while given and given[0].lower() in PARTICLES:
            given = given[1:]
        sur = toks[start:end + 1]
        if tail:
            given = given + tail if not given else given
        if not sur or (not given and len(sur) < 2):
            continue
        if tail and given == tail:
            disp = " ".join(tc_word(t) for t in sur + tail)   # XI Jinping
        else:
            disp = " ".join(tc_word(t) for t in given + sur + tail)  # José Raúl MULINO Quintero
        out.append((given, [tc_word(t) for t in sur], disp))
    return out


def structured_aliases(given, sur, disp):
    out = []
    sur_s = " ".join(sur)
    g = [t for t in given if not re.match(r"^([A-Z]\.)+$", t)]
    if len(given) >= 2 and g and g[0].lower().rstrip(".") not in DROPPABLE_FIRST:
        out.append(g[0] + " " + sur_s)
    if g and g[0].lower().rstrip(".") in DROPPABLE_FIRST and len(g) >= 2:
        out.append(" ".join(g[1:]) + " " + sur_s)
        out.append(g[1] + " " + sur_s)
    if len(g) != len(given) and g:
        out.append(" ".join(g) + " " + sur_s)
    return [o for o in out if o != disp and len(o.split()) >= 2]


def build_people(src, countries, words):
    lex = Lexicon("people.tsv")
    recs = OrderedDict()
    byname = {}               # fold(name or alias) -> key
    bycountry = defaultdict(list)
    qid2iso = {}
    for id_, (t, nm, attrs) in countries.entities.items():
        if attrs.get("wikidata"):
            qid2iso[attrs["wikidata"]] = id_.split(":")[1]
    country_words = set()
    for e in countries.lines:
        if not any(f.startswith("lang:") for f in e.flags):
            country_words.update(fold(e.form).split())
    country_words -= {"saint", "st", "of", "the", "and", "de", "la", "da"}
    cc_indep = {}
    for r in src.csv("country-codes", "country-codes.csv"):
        cc_indep[r["ISO3166-1-Alpha-2"].strip()] = r.get("is_independent", "") == "Yes"

    def find(nm, a2, role, cross=False):
        k = fold(nm)
        if k in byname:
            return byname[k]
        toks = set(k.split())
        cands = []
        pool = bycountry.get(a2, []) if not cross else list(recs)
        for key in pool:
            t2 = set(fold(recs[key]["name"]).split())
            if len(t2 & toks) >= 2 and (t2 <= toks or toks <= t2):
                cands.append(key)
        if len(cands) == 1:
            return cands[0]
        return None

    def add(key, name, a2, role, qid, src_, year, alts=(), local=None):
        r = recs.get(key)
        if r is None:
            r = recs[key] = {"name": name, "country": a2, "roles": set(), "qid": qid,
                             "alts": [], "src": set(), "local": set(), "year": 0}
            bycountry[a2].append(key)
            byname.setdefault(fold(name), key)
        r["roles"].add(role)
        if qid and not r["qid"]:
            r["qid"] = qid
        if not r["country"] and a2:
            r["country"] = a2
        r["src"].add(src_)
        r["year"] = max(r["year"], year)
        for al in alts:
            if al not in r["alts"] and al != r["name"]:
                r["alts"].append(al)
            byname.setdefault(fold(al), key)
        if local:
            r["local"].add(local)
        return r

    # 1. world-leaders-current (2026, Wikidata QIDs, native-script names)
    # (optional: CC BY-SA 4.0; without the folder people.tsv carries no share-alike data)
    wl_root = src.path("world-leaders-current", "data", "countries")
    for fp in sorted(glob.glob(os.path.join(wl_root, "*", "current.json"))):
        with open(fp, encoding="utf-8") as f:
            d = json.load(f)
        a2 = (d.get("country", {}).get("iso_code") or "").upper()
        if "country:" + a2 not in countries.entities:
            a2 = ""
        for pos, p in sorted((d.get("positions") or {}).items()):
            h = p.get("current_holder") or {}
            if not h.get("name_en"):
                continue
            qid = h.get("wikidata_id") or ""
            role = "head-of-government" if "government" in pos else "head-of-state"
            nm = clean_person_name(h["name_en"])
            local = h.get("name_local")
            ll = LOCAL_LANG.get(a2)
            loc = (local, ll) if local and ll and not is_latin(local) else None
            key = qid or "n:" + slug(nm)
            if key not in recs:
                key = find(nm, a2, role) or key
            add(key, nm, a2, role, qid, "world-leaders-current", 2026, local=loc)
    # 2. everypolitician world leaders (Wikidata, 2021-2022)
    for row in src.csv("everypolitician-world-leaders-2021", "wikidata.csv"):
        qid = row["officeholder"].strip()
        nm = clean_person_name(row["officeholderLabel"])
        if not nm or re.match(r"^Q\d+$", nm):
            continue
        a2 = qid2iso.get(row["countryid"].strip(), "")
        end = row.get("end_year", "").strip()
        year = 2022 if not end else (int(end) if end.isdigit() else 2021)
        key = qid if qid in recs else (find(nm, a2, "") or qid or "n:" + slug(nm))
        add(key, nm, a2, role_of(row["positionLabel"]), qid, "everypolitician", year)
    # 3. everypolitician foreign ministers (2022)
    # (only the Wikidata extract, CC0; scraped.csv comes from Wikipedia, CC BY-SA)
    for fn in ("wikidata.csv",):
        for row in src.csv("everypolitician-foreign-ministers-2022", fn):
            qid = row["person"].strip()
            nm = clean_person_name(row["name"])
            if not nm or re.match(r"^Q\d+$", nm):
                continue
            a2 = qid2iso.get(row["country"].strip(), "")
            key = qid if qid in recs else (find(nm, a2, "") or qid or "n:" + slug(nm))
            add(key, nm, a2, "foreign-minister", qid, "everypolitician", 2022)
    # 4. factbook chiefs of state and heads of government (January 2026)
    for a2 in sorted(src.factbook):
        eb = src.factbook[a2].get("Government", {}).get("Executive branch", {})
        for field, role in (("chief of state", "head-of-state"),
                            ("head of government", "head-of-government")):
            t = clean_text(eb.get(field, {}).get("text", ""))
            t = re.split(r"\bnote\b", t)[0]
            for given, sur, disp in fb_people(t, country_words):
                if len(disp.split()) < 2:
                    continue
                als = structured_aliases(given, sur, disp)
                key = find(disp, a2, role) or next((byname[fold(x)] for x in als
                                                    if fold(x) in byname), None)
                if key is None and not cc_indep.get(a2, True):
                    key = find(disp, a2, role, cross=True)
                if key is None:
                    key = "n:" + slug(disp) + ":" + a2
                    add(key, disp, a2, role, "", "factbook", 2026, alts=als)
                else:
                    add(key, recs[key]["name"], recs[key]["country"], role, "", "factbook", 2026,
                        alts=[disp] + als)
    # 5. CIA world leaders 2019 (cabinet members)
    cia_c = src.json("cia-world-leaders-2019", "countries.json.gz")
    cia_p = src.json("cia-world-leaders-2019", "persons.json.gz")
    label2iso = {}
    for cid, c in cia_c.items():
        lab = c.get(RDFS_LABEL, "")
        iso = ""
        for k, v in c.get("datatypeProperties", {}).items():
            if k.endswith("countryCodeISO"):
                iso = (v or "").upper()
        if lab and iso:
            label2iso[lab] = iso
    FOAF = "http://xmlns.com/foaf/0.1/"
    for pid in sorted(cia_p):
        p = cia_p[pid]
        dp = p.get("datatypeProperties", {})
        full = clean_text(dp.get(FOAF + "name") or p.get(RDFS_LABEL) or "")
        last = clean_text(dp.get(FOAF + "lastName") or "")
        first = clean_text(dp.get(FOAF + "firstName") or "")
        if not full or not last:
            continue
        a2, title = "", ""
        for op in p.get("objectProperties", []):
            for k, v in op.items():
                if k.endswith("appointedGovernmentOffice"):
                    m = re.match(r"^The Office of (.*) \(([^()]*)\)$", v.get(RDFS_LABEL, ""))
                    if m:
                        title = title or m.group(1)
                        a2 = a2 or label2iso.get(m.group(2), "")
        if "country:" + a2 not in countries.entities:
            a2 = ""
        full = re.sub(r"\s*\([^)]*\)", "", full)
        ftoks = [t for t in full.split() if t.lower().strip(".,") not in HONORIFICS]
        if len(ftoks) < 2 or not any(is_caps(t) for t in ftoks) or "," in full:
            continue
        sur = [t for t in last.split() if t.lower().strip(".,") not in HONORIFICS]
        given = [t for t in first.split() if t.lower().strip(".,") not in HONORIFICS]
        disp = " ".join(tc_word(t) for t in ftoks)
        sur_tc = [tc_word(t) for t in sur]
        als = structured_aliases(given, sur_tc, disp) if ftoks[0] not in sur else []
        role = role_of(title)
        key = find(disp, a2, role) or next((byname[fold(x)] for x in als if fold(x) in byname),
                                           None)
        if key is None and role == "head-of-state" and not cc_indep.get(a2, True):
            key = find(disp, a2, role, cross=True)
        if key is None:
            key = "n:" + slug(disp) + ":" + a2
            add(key, disp, a2, role, "", "cia-world-leaders-2019", 2019, alts=als)
        else:
            add(key, recs[key]["name"], recs[key]["country"], role, "", "cia-world-leaders-2019",
                2019, alts=[disp] + als)

    src.people_recs = recs
    # --- emit
    for key, r in recs.items():
        name = r["name"]
        if len(name.split()) < 2 or not re.search(r"[A-Za-z]", name):
            continue
        id_ = "person:" + slug(name)
        if id_ in lex.entities:
            id_ = id_ + "-" + (r["country"] or "xx").lower()
            if id_ in lex.entities:
                continue
        role = sorted(r["roles"], key=lambda x: ROLE_RANK.get(x, 9))[0]
        attrs = OrderedDict()
        if r["country"]:
            attrs["country"] = r["country"]
        attrs["role"] = role
        if r["qid"]:
            attrs["wikidata"] = r["qid"]
        attrs["source_year"] = str(r["year"])
        lex.entity(id_, "PERSON", name, attrs)
        lex.add(name, id_, "name", "exact", [], "")
        forms = [strip_accents(name)] + person_aliases(name) + r["alts"]
        for a in forms:
            if len(a.split()) < 2:
                continue
            if r["country"] in FAMILY_NAME_FIRST and len(a.split()) < len(name.split()):
                continue  # "Vu Duc Dam" is not "Vu Dam"
            lex.add(a, id_, "alias", "exact", [], "")
            lex.add(strip_accents(a), id_, "alias", "exact", [], "")
        for loc, ll in sorted(r["local"]):
            lex.add(loc, id_, "alias", "exact", ["lang:" + ll], "")
    return lex


# countries whose names put the family name first: no shortened aliases
FAMILY_NAME_FIRST = {"CN", "TW", "HK", "MO", "VN", "KR", "KP", "HU", "KH", "SG"}

LOCAL_LANG = {"CN": "zh", "TW": "zh", "JP": "ja", "KR": "ko", "RU": "ru", "SA": "ar", "IN": "hi",
              "TH": "th", "KH": "km", "LA": "lo", "MM": "my", "VN": "vi", "ID": "id", "MY": "ms",
              "BN": "ms", "PH": "tl", "SG": "en", "TR": "tr", "DE": "de", "FR": "fr", "IT": "it",
              "BR": "pt", "AR": "es", "MX": "es", "ZA": "en", "AU": "en", "CA": "en", "GB": "en",
              "US": "en"}

TITLE_WORDS = {
    "president", "prime", "minister", "vice", "first", "deputy", "king", "queen", "emir",
    "sultan", "crown", "prince", "princess", "grand", "duke", "duchess", "chancellor",
    "federal", "governor", "general", "governor-general", "chief", "executive", "premier",
    "head", "of", "state", "government", "the", "chairman", "chairwoman", "chair",
    "supreme", "leader", "co-prince", "pope", "his", "her", "majesty", "highness",
    "royal", "sheikh", "shaykh", "amir", "taoiseach", "captain", "captains", "regent",
    "acting", "interim", "transitional", "military", "council", "sovereign", "lieutenant",
    "administrator", "high", "commissioner", "mayor", "secretary", "secretary-general",
    "field", "marshal", "gen.", "lt.", "col.", "brig.", "colonel", "dr.", "cardinal",
    "archbishop", "bishop", "lord", "dame", "sir", "st.", "president-elect", "premier",
    "commissioner", "ayatollah", "national", "assembly", "speaker", "presidential",
    "representative", "commander", "in", "and", "defense", "interior", "sayyid", "abbot",
    "monarch", "co-president", "ruler", "minister-president", "coordinator", "special",
    "senior", "union", "provisional", "transition", "de", "facto", "self-declared",
    "paramount", "tribal", "rais", "titular", "grand-duc", "grand-ducal", "premier-ministre",
    "cabinet", "ministers", "republic", "presidium", "people's", "state's", "council's",
    "governor-general", "co-princes", "princes", "ministry", "affairs", "foreign", "vice-president",
    "chairperson", "president's", "ruling", "emperor", "empress", "khan", "jr.", "his", "holiness",
    "represented", "by", "for", "a", "an", "to", "bailiff", "capt", "dr", "gen", "islands",
    "presidency", "member", "members", "sen", "rep", "hon", "amb", "h.e", "mayor", "deemster",
    "dean", "commissioner", "ambassador", "envoy", "director", "president-designate",
    "prefect", "lieutenant-governor", "high-commissioner", "administrator-general",
}


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


# ---------------------------------------------------------------------------
# VALIDATION
# ---------------------------------------------------------------------------


def validate(entries):
    """entries: all Entry objects of the folder.  Returns a list of error strings."""
    errs = []
    seen = {}
    byform = defaultdict(list)
    names = {}
    types = {}
    attrs = defaultdict(dict)
    for e in entries:
        where = e.src
        if not ID_RE.match(e.id):
            errs.append("%s: bad id %r" % (where, e.id))
        else:
            pfx, key = e.id.split(":", 1)
            if pfx == "country" and key != key.upper():
                errs.append("%s: country key not upper case: %s" % (where, e.id))
            if pfx != "country" and key != key.lower():
                errs.append("%s: key not lower case: %s" % (where, e.id))
            if e.type not in TYPES or pfx != e.type.lower():
                errs.append("%s: type %r does not match id %s" % (where, e.type, e.id))
        if e.kind not in KINDS:
            errs.append("%s: bad kind %r" % (where, e.kind))
        if e.case not in ("fold", "exact"):
            errs.append("%s: bad case %r" % (where, e.case))
        for fl in e.flags:
            if fl not in ("ambiguous", "historical") and not re.match(r"^lang:[a-z]{2}$", fl):
                errs.append("%s: bad flag %r" % (where, fl))
        if not e.form or e.form != e.form.strip() or "\t" in e.form:
            errs.append("%s: bad form %r" % (where, e.form))
        if not e.name:
            errs.append("%s: empty name" % where)
        for k, v in e.attrs.items():
            if not ATTR_KEY_RE.match(k) or v == "" or ";" in v:
                errs.append("%s: bad attribute %r=%r" % (where, k, v))
            elif k in attrs[e.id] and attrs[e.id][k][0] != v:
                errs.append("%s: attribute %s=%s disagrees with %s (%s)" % (
                    where, k, v, attrs[e.id][k][1], attrs[e.id][k][0]))
            else:
                attrs[e.id].setdefault(k, (v, where))
        if e.id in names and names[e.id][0] != e.name:
            errs.append("%s: name %r differs from %r (%s)" % (where, e.name, names[e.id][0],
                                                              names[e.id][1]))
        names.setdefault(e.id, (e.name, where))
        if e.id in types and types[e.id] != e.type:
            errs.append("%s: type differs for %s" % (where, e.id))
        types.setdefault(e.id, e.type)
        k = (fold(e.form), e.id)
        if k in seen:
            errs.append("%s: duplicate of %s (%r, %s)" % (where, seen[k], e.form, e.id))
        else:
            seen[k] = where
        byform[fold(e.form)].append(e)
    for f, es in byform.items():
        ids = {e.id for e in es}
        if len(ids) > 1:
            for e in es:
                if "ambiguous" not in e.flags:
                    errs.append("%s: form %r also names %s but lacks flag ambiguous" % (
                        e.src, e.form, ", ".join(sorted(ids - {e.id}))))
    return errs


def load_folder(out, skip=()):
    entries, errs = [], []
    for fp in sorted(glob.glob(os.path.join(out, "*.tsv"))):
        if os.path.basename(fp) in skip:
            continue
        es, er = read_tsv(fp)
        entries += es
        errs += er
        if os.path.getsize(fp) > 10 * 1024 * 1024:
            errs.append("%s: larger than 10 MB" % os.path.basename(fp))
    return entries, errs


def counts(entries):
    ent = defaultdict(set)
    forms = defaultdict(int)
    for e in entries:
        ent[e.type].add(e.id)
        forms[e.type] += 1
    return ent, forms


def print_counts(entries, stream=sys.stdout):
    ent, forms = counts(entries)
    print("%-8s %9s %9s" % ("type", "entities", "forms"), file=stream)
    for t in TYPES:
        print("%-8s %9d %9d" % (t, len(ent[t]), forms[t]), file=stream)
    print("%-8s %9d %9d" % ("all", sum(len(v) for v in ent.values()), sum(forms.values())),
          file=stream)


# ---------------------------------------------------------------------------
# MAIN
# ---------------------------------------------------------------------------

HEADER = """# entopic lexicon: %s -- GENERATED by tools/make-lexicons.py; do not edit by hand.
# Add or correct entries in the hand-curated files (*-extra.tsv, orgs.tsv) and drop
# generated lines with removals.txt, then run `make lexicons`.  Format: lexicons/README.md.
# Sources and licences: lexicons/SOURCES.md.
# form\tid\ttype\tname\tkind\tcase\tflags\tattrs
"""


def fix_ambiguity(gen_lexes, hand):
    """Flag ambiguous every generated line whose folded form names more than one id."""
    ids = defaultdict(set)
    for e in hand:
        ids[fold(e.form)].add(e.id)
    for lex in gen_lexes:
        for e in lex.lines:
            ids[fold(e.form)].add(e.id)
    for lex in gen_lexes:
        for e in lex.lines:
            if len(ids[fold(e.form)]) > 1 and "ambiguous" not in e.flags:
                e.flags.append("ambiguous")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(REPO, "lexicons"))
    ap.add_argument("--check", action="store_true", help="only validate the lexicon folder")
    ap.add_argument("--stopwords", default=os.path.join(HERE, "make-lexicons-stopwords.txt"))
    ap.add_argument("--report", help="write a report of dropped/ambiguous items to this file")
    a = ap.parse_args(argv)

    if a.check:
        entries, errs = load_folder(a.out)
        errs += validate(entries)
        for e in errs:
            print("error: " + e, file=sys.stderr)
        print_counts(entries)
        return 1 if errs else 0

    if not os.path.isdir(a.data):
        print("make-lexicons: no source folder %s (use --data DIR)" % a.data, file=sys.stderr)
        return 2
    src = Sources(a.data)
    stop = load_words(a.stopwords)
    hand, errs = load_folder(a.out, skip=set(GENERATED))
    if errs:
        for e in errs:
            print("error: " + e, file=sys.stderr)
        return 1
    hand_keys = {(fold(e.form), e.id) for e in hand}
    removals = read_removals(os.path.join(a.out, "removals.txt"))
    # hand-curated entity names and attrs override generated ones
    hand_names = {}
    hand_attrs = defaultdict(OrderedDict)
    for e in hand:
        hand_names.setdefault(e.id, e.name)
        for k, v in e.attrs.items():
            hand_attrs[e.id].setdefault(k, v)

    countries = build_countries(src, stop)
    minerals = build_minerals(src, stop, stop)
    cities = build_cities(src, countries, stop)
    people = build_people(src, countries, stop)
    gens = [countries, minerals, cities, people]
    for lex in gens:
        for id_, ent in lex.entities.items():
            if id_ in hand_names:
                ent[1] = hand_names[id_]       # hand-curated name and attrs win
                for k, v in hand_attrs.get(id_, {}).items():
                    ent[2][k] = v
        for e in lex.lines:
            e.name = lex.entities[e.id][1]
    # drop generated lines removed or already hand-curated before deciding ambiguity
    rm_ids, rm_pairs, rm_forms = removals
    for lex in gens:
        lex.lines = [e for e in lex.lines if not (
            e.id in rm_ids or (fold(e.form), e.id) in rm_pairs or fold(e.form) in rm_forms or
            (fold(e.form), e.id) in hand_keys)]
    fix_ambiguity(gens, hand)
    for lex in gens:
        write_lexicon(lex, os.path.join(a.out, lex.fname), HEADER % lex.fname, hand_keys, set(),
                      removals)
    entries, errs = load_folder(a.out)
    errs += validate(entries)
    for e in errs[:200]:
        print("error: " + e, file=sys.stderr)
    if len(errs) > 200:
        print("... %d errors in all" % len(errs), file=sys.stderr)
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            f.write("# IMA species dropped as common words\n")
            for n in getattr(src, "minerals_dropped", []):
                f.write(n + "\n")
    print_counts(entries)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
