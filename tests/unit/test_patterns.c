/* Unit tests of patterns: the near=digit search searches the windows of neighbouring
 * digit runs in one pcre2 call, starts each call at the first byte a match can start at
 * (pcre2's first code unit or first-byte bitmap) and makes no call for windows without
 * one. A differential test checks it against the search with one call per window from the
 * window's start (the code before those changes, kept below as the reference), and against
 * patterns_set_plain(), on random texts (digits, currency signs, %, month names, broken
 * UTF-8, NUL bytes, windows that touch or overlap), for the default patterns and patterns
 * with empty matches, lookbehind, \b, \G, \K, backtracking verbs, caseless first
 * characters, no digit at all, more than 64 start sets, and patterns that hit the match
 * limit. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "patterns.h"

/* ---------------------------------------------------------------- the reference */

#define REF_BEFORE 24

struct ref_hit {
	size_t start, end;
};

static size_t ref_runs(const char *text, size_t len, size_t *v)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			continue;
		v[n++] = i;
		while (i < len && ((text[i] >= '0' && text[i] <= '9') || text[i] == ',' || text[i] == '.'))
			i++;
	}
	return n;
}

/* One call per digit run, as patterns.c searched before windows were merged. Returns 0 or
 * the pcre2 error that stopped the search; hits in *h. */
static int ref_search(pcre2_code *code, bool jit, const char *text, size_t len,
		      pcre2_match_context *mc, struct ref_hit *h, size_t *nh)
{
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	size_t *runs = malloc((len + 1) * sizeof *runs);
	size_t nruns = ref_runs(text, len, runs);
	size_t done = 0;
	int rc = 0;
	*nh = 0;
	for (size_t k = 0; k < nruns; k++) {
		size_t run = runs[k];
		if (run < done)
			continue;
		size_t from = run > REF_BEFORE ? run - REF_BEFORE : 0;
		if (from < done)
			from = done;
		while (from > 0 && ((unsigned char)text[from] & 0xC0) == 0x80)
			from--;
		pcre2_set_offset_limit(mc, run);
		int r = jit ? pcre2_jit_match(code, (PCRE2_SPTR)text, len, from, 0, md, mc)
			    : pcre2_match(code, (PCRE2_SPTR)text, len, from, 0, md, mc);
		if (r == PCRE2_ERROR_NOMATCH)
			continue;
		if (r < 0) {
			rc = r;
			break;
		}
		if (ov[1] > ov[0]) {
			h[*nh].start = ov[0];
			h[*nh].end = ov[1];
			++*nh;
			done = ov[1];
		}
	}
	free(runs);
	pcre2_match_data_free(md);
	return rc;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct ref_hit *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

/* ---------------------------------------------------------------- random texts */

#define PIECE(s) {s, sizeof s - 1}
static const struct {
	const char *s;
	size_t n;
} pieces[] = {
	PIECE("1"), PIECE("7"), PIECE("2024"), PIECE("3,5"), PIECE("12.5"), PIECE("0"), PIECE("05"),
	PIECE(" "), PIECE(" "), PIECE("  "), PIECE("\t"), PIECE("\xc2\xa0"), PIECE("\n"),
	PIECE("a"), PIECE("ab"), PIECE("x"), PIECE("zz"), PIECE("aaaaaaaa"), PIECE("b"),
	PIECE("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"), PIECE("March"), PIECE("Mar "), PIECE("Mar. "),
	PIECE("Jan"), PIECE("15th"), PIECE("1st"), PIECE(" of "), PIECE("$"), PIECE("US$"),
	PIECE("£"), PIECE("€"), PIECE("\xe2\x82"), PIECE("%"), PIECE(" per cent"), PIECE("-"),
	PIECE(","), PIECE("."), PIECE("é"), PIECE("É"), PIECE("中"), PIECE("\xc3"), PIECE("\x80"),
	PIECE("\xe4\xb8"), PIECE("\xf0\x9f"), PIECE("\xff"), PIECE("\0"), PIECE("million"),
	PIECE(" dollars"), PIECE("AB"), PIECE("abc"), PIECE("ABC"), PIECE("k"), PIECE("K"),
	PIECE("\xe2\x84\xaa"), PIECE("s"), PIECE("S"), PIECE("\xc5\xbf"), PIECE("Q"), PIECE("q"),
	PIECE("Q1"),
};

static size_t random_text(char *buf, size_t cap)
{
	size_t n = 0, parts = check_rand(80);
	for (size_t i = 0; i < parts; i++) {
		size_t k = check_rand(sizeof pieces / sizeof *pieces);
		if (n + pieces[k].n >= cap)
			break;
		memcpy(buf + n, pieces[k].s, pieces[k].n);
		n += pieces[k].n;
	}
	buf[n] = '\0';
	return n;
}

/* the text, with its NUL and non-ASCII bytes escaped */
static void print_text(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
}

/* ---------------------------------------------------------------- the comparison */

static const char *tmpdir;

static patterns *load(const char *path, uint32_t match_limit, bool plain)
{
	patterns *p = patterns_new();
	struct err err;
	CHECK(patterns_load(p, path, &err) == 0);
	if (match_limit)
		patterns_set_limits(p, match_limit, 0);
	patterns_set_plain(p, plain);
	return p;
}

static bool same_hits(int r, const struct pattern_hit *h, size_t nh, int rr,
		      const struct ref_hit *ref, size_t nref)
{
	bool same = (r < 0) == (rr < 0) && nh == nref;
	for (size_t i = 0; same && i < nh; i++)
		same = h[i].start == ref[i].start && h[i].end == ref[i].end;
	return same;
}

/* Compare patterns_find() (and with patterns_set_plain()) with the reference for these
 * near=digit patterns searched together, on many texts, with this match limit (0: the
 * default); hits: the patterns must find something (some hits are not empty). */
static void differential(const char *const *res, size_t nres, uint32_t match_limit, bool hits)
{
	char path[512];
	snprintf(path, sizeof path, "%s/p.tsv", tmpdir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	for (size_t i = 0; i < nres; i++)
		fprintf(f, "TEST\tp%zu\t%s\tnear=digit\n", i, res[i]);
	fclose(f);
	patterns *p = load(path, match_limit, false), *plain = load(path, match_limit, true);

	pcre2_code **code = calloc(nres, sizeof *code);
	bool *jit = calloc(nres, sizeof *jit);
	for (size_t i = 0; i < nres; i++) {
		int ec;
		PCRE2_SIZE eo;
		code[i] = pcre2_compile((PCRE2_SPTR)res[i], PCRE2_ZERO_TERMINATED,
					PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_USE_OFFSET_LIMIT,
					&ec, &eo, NULL);
		CHECK(code[i] != NULL);
		jit[i] = !getenv("ENTOPIC_NO_JIT") &&
			 pcre2_jit_compile(code[i], PCRE2_JIT_COMPLETE) == 0;
	}
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, match_limit ? match_limit : 1000000u);
	pcre2_set_depth_limit(mc, 10000u);

	static const char *const crafted[] = {
		/* an empty match at 28 after (*SKIP) jumped from 26 to 28; the next run's
		 * window starts at 27, where b1 matches */
		"zzzzzzzzzzzzzzzzzzzzzzzzzzab1zzzzzzzzzzzzzzzzzzzzzz2",
		"a1 b2 c3 d4 e5 f6 g7 h8 i9 j0 k1 l2 m3 n4 o5 p6 q7 r8 s9",
		"%1%2%3 abcdefghijklmnopqrstuvwxyz 4 abcdefghijklmnopqrstuvwxyz 5",
		/* a match starting before the window, the start byte only before it */
		"Q zzzzzzzzzzzzzzzzzzzzzzzzzzzzz 1 Q2 q3 ABC4 abc 5",
		"\xe2\x82\xac" "5 \xe2\x82" "5 US$ 7 March 3, 2024 on 3 March, 12.5% of \xe2\x84\xaa" "1",
		"on 2024-05-06, 2024-5-6, 12024-05-06 and 2024-05-067 2024-05-06\xc3",
	};
	struct arena a;
	arena_init(&a);
	enum { CAP = 1024 };
	char text[CAP];
	struct ref_hit *ref = malloc(nres * CAP * sizeof *ref), *one = malloc(CAP * sizeof *one);
	int bad = 0, errors = 0, found = 0;
	check_rng = 0x9E3779B97F4A7C15ULL ^ nres ^ (uint64_t)strlen(res[0]) << 32;
	for (int t = 0; t < 3000 && bad < 3; t++) {
		size_t len;
		if ((size_t)t < sizeof crafted / sizeof *crafted) {
			len = strlen(crafted[t]);
			memcpy(text, crafted[t], len + 1);
		} else {
			len = random_text(text, sizeof text);
		}
		size_t nref = 0;
		int rr = 0;
		for (size_t i = 0; i < nres; i++) {
			size_t n1;
			int r1 = ref_search(code[i], jit[i], text, len, mc, one, &n1);
			memcpy(ref + nref, one, n1 * sizeof *one);
			nref += n1;
			if (r1 < 0)
				rr = r1;
		}
		qsort(ref, nref, sizeof *ref, cmp_ref);
		struct pattern_hit *h, *hp;
		size_t nh, nhp;
		struct err err;
		int r = patterns_find(p, &a, text, len, &h, &nh, &err);
		int rp = patterns_find(plain, &a, text, len, &hp, &nhp, &err);
		bool same = same_hits(r, h, nh, rr, ref, nref);
		bool same_plain = same_hits(rp, hp, nhp, rr, ref, nref);
		if (!same || !same_plain) {
			bad++;
			fprintf(stderr, "patterns %s%s on \"", res[0], nres > 1 ? " ..." : "");
			print_text(text, len);
			fprintf(stderr, "\": %zu hits (rc %d), plain %zu (rc %d), reference %zu (rc %d)\n",
				nh, r, nhp, rp, nref, rr);
		}
		CHECK(same);
		CHECK(same_plain);
		errors += rr < 0;
		found += (int)nref;
		arena_reset(&a);
	}
	/* the cases must be exercised: hits for every pattern, errors for the limited one */
	if (!(found > 0 || !hits))
		fprintf(stderr, "patterns %s: no hits\n", res[0]);
	CHECK(found > 0 || !hits);
	CHECK(!match_limit || errors > 0);
	arena_clear(&a);
	free(ref);
	free(one);
	pcre2_match_context_free(mc);
	for (size_t i = 0; i < nres; i++)
		pcre2_code_free(code[i]);
	free(code);
	free(jit);
	patterns_free(p);
	patterns_free(plain);
	unlink(path);
}

static const char *const defaults[] = {
	"(?:(?:US|A|C|NZ|HK|S)?[$€£¥₹]|Rs\\.?[\\h\\v]?|USD[\\h\\v]?|EUR[\\h\\v]?|GBP[\\h\\v]?|Rs)[\\h\\v]?\\d[\\d,]*(?:\\.\\d+)?(?:[\\h\\v]?(?i:million|billion|trillion|thousand|mn|bn|tn|m|b|k|crore|lakh)\\b)?",
	"\\b\\d[\\d,]*(?:\\.\\d+)?[\\h\\v]?(?:million|billion|trillion|thousand)?[\\h\\v]?(?:dollars|euros|pounds|yuan|rupees|roubles|rubles|yen|dirhams|riyals)\\b",
	"\\b\\d+(?:[.,]\\d+)?[\\h\\v]?(?:%|per[\\h\\v]?cent\\b|percent\\b|percentage points\\b)",
	"\\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?[\\h\\v]\\d{1,2}(?:st|nd|rd|th)?(?:,?[\\h\\v]\\d{4})?\\b",
	"\\b\\d{1,2}(?:st|nd|rd|th)?[\\h\\v](?:of[\\h\\v])?(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?(?:,?[\\h\\v]\\d{4})?\\b",
	"\\b\\d{4}-\\d{2}-\\d{2}\\b",
};

static void test_merged_windows(void)
{
	static const char *const res[] = {
		/* edge cases */
		"\\d*",                 /* empty matches everywhere */
		"x?",                   /* empty or one byte, no digit at all */
		"(?=\\d)",              /* only empty matches */
		"a*\\d?",               /* empty, or not reaching the digit */
		"(?<=[a-z] )\\d+",      /* lookbehind across the start offset */
		"\\G\\d+",              /* anchored at the start offset: never merged */
		"\\G[a-z ]*\\d",
		"%\\d|\\G[a-z]",         /* \\G in a branch: not anchored */
		"\\d\\K\\d",            /* reported start after the attempt's start */
		"[a-z]\\K",             /* empty after \\K */
		"(*COMMIT)\\d+x",       /* backtracking verbs: never merged */
		"\\d(*SKIP)(*FAIL)|[a-z]+",
		"ab(*SKIP)(*F)|b\\d|(?=\\d)", /* skips a start position a later window tries */
		"[a-z ]{0,30}\\d",      /* starts far before the digit */
		"(*UCP)\\w+\\d",
		"[^\\d]{3}\\d",         /* invalid bytes and multi-byte characters */
		"(?s).*\\d",            /* implicitly anchored: never merged */
		".*\\d",                /* tried at line starts only: never merged */
		"(?m)^[^\\n]*\\d",
		"^\\D*\\d",
		/* start sets: pcre2's first code unit or first-byte bitmap */
		"(?i)abc\\d",           /* a caseless first code unit */
		"(?i)q\\h?\\d",
		"(?i)k\\d",             /* k, K and the Kelvin sign */
		"(?i)s\\d",             /* s, S and the long s */
		"(?i)é\\d",
		"€\\d",                 /* a first code unit that is not ASCII */
		"[€£$]\\h?\\d",
		"(?<=\\$)\\d+",         /* lookbehind before the first byte */
		"(?<![\\d.])\\d+(?![\\d.])",
		"\\b[A-Z][a-z]+\\.? \\d",
		"x?\\d",
		"(?:ab|b)?\\d",
		"\\D\\d",
		"(?=\\d)\\d\\d",        /* lookahead first */
		"\\x00\\d",             /* NUL bytes */
		"\\x00",
		"Q",                    /* no digit at all */
		"[a-z]+",
		"(?i)mar(?:ch)?\\.?\\h\\d{1,2}",
		"\\d{1,2}(?:st|th)? of March",
		"\\d+(?:[.,]\\d+)?\\h?%",
	};
	for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
		differential(&defaults[i], 1, 0, true);
	differential(defaults, sizeof defaults / sizeof *defaults, 0, true);
	for (size_t i = 0; i < sizeof res / sizeof *res; i++)
		differential(&res[i], 1, 0,
			     !strstr(res[i], "(?=") && !strstr(res[i], "[a-z]\\K"));
	/* a call per window gives each window its own match limit: merged calls hit the limit
	 * in other places, and must still give the same hits and errors */
	static const char *const limited[] = {"(?:a|a)+b?\\d", "(?:a|a|a)+\\d", "x(?:a|a)+\\d"};
	differential(&limited[0], 1, 3000, true);
	differential(&limited[1], 1, 20000, true);
	differential(limited, 3, 3000, true);
}

/* More start sets than the 64 bits of a mask: the patterns past those (here the ones whose
 * first bytes the texts hold) are searched without the mask, and the same. */
static void test_many_start_sets(void)
{
	static const char rare[] = "DEFGHILNOPRTVWXYZgjuvwy!\"#&'()*+/:;<=>?@_`{|}~";
	static const char *const common[] = {
		"[%]\\h?\\d", "[$]\\h?\\d", "[,]\\d", "[.]\\d", "[-]\\d", "[ ]\\d", "[a]\\h?\\d",
		"[Qq]\\d", "€\\d", "\\d+%", "[b-z]{2}\\d", "(?<=\\$)\\d",
	};
	enum { NRARE = sizeof rare - 1, NCOMMON = sizeof common / sizeof *common };
	static char buf[64][8];
	const char *res[64 + NCOMMON];
	size_t n = 0;
	for (; n < 64; n++) { /* 64 sets the texts never start a match at */
		if (n < NRARE)
			snprintf(buf[n], sizeof buf[n], "[%c]\\d", rare[n]);
		else
			snprintf(buf[n], sizeof buf[n], "[%c%c]\\d", rare[n - NRARE], rare[n - NRARE + 1]);
		res[n] = buf[n];
	}
	for (size_t i = 0; i < NCOMMON; i++)
		res[n++] = common[i];
	differential(res, n, 0, true);
}

/* Does the pattern re (near=digit) get a DFA of where its matches can start, under this
 * match limit (0: the default)? */
static bool prechecked(const char *re, uint32_t match_limit)
{
	char path[512];
	snprintf(path, sizeof path, "%s/one.tsv", tmpdir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return false;
	fprintf(f, "TEST\tone\t%s\tnear=digit\n", re);
	fclose(f);
	patterns *p = load(path, match_limit, false);
	bool pre = patterns_prechecked(p, 0);
	patterns_free(p);
	unlink(path);
	return pre;
}

/* The regular expressions of the default patterns (models/patterns.tsv, the third column),
 * at most 16, into defs (kept in a static buffer): their number. */
static size_t default_patterns(const char *defs[16])
{
	static char lines[16][1024];
	size_t n = 0;
	FILE *f = fopen("models/patterns.tsv", "r");
	CHECK(f != NULL);
	while (f && n < 16 && fgets(lines[n], sizeof lines[n], f)) {
		char *t1 = strchr(lines[n], '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (lines[n][0] == '#' || !t2)
			continue;
		char *end = strpbrk(t2 + 1, "\t\n");
		if (end)
			*end = '\0';
		defs[n++] = t2 + 1;
	}
	if (f)
		fclose(f);
	return n;
}

/* The DFA of where a match can start, for the patterns whose source patterns.c reads and
 * whose attempts are bounded: the same hits and errors as the reference for the default
 * patterns (models/patterns.tsv, each with a DFA) and for user patterns of the shapes it
 * reads (caseless letters and their partners beyond ASCII, (?i) carried to the next
 * branch, characters of several bytes, negated classes, repeats of every kind); no DFA
 * for what it does not read or cannot bound, nor under a match limit too low for it. */
static void test_dfa(void)
{
	const char *defs[16];
	size_t n = default_patterns(defs);
	for (size_t i = 0; i < n; i++) {
		CHECK(prechecked(defs[i], 0));
		differential(&defs[i], 1, 0, true);
	}
	CHECK(n >= 6);
	differential(defs, n, 0, true);
	static const char *const shaped[] = {
		"(?i)k\\d++",             /* k, K and the Kelvin sign */
		"(?i)s\\h?+\\d",          /* s, S and the long s */
		"(?i:\xc3\xa9)\\d",       /* caseless beyond ASCII: é and É */
		"\xc3\x89\\d",            /* É, its bytes */
		"x(?i)Q|q\\d",            /* (?i) holds in the next branch */
		"(a(?i)b|c)\\d",
		"(?i)(?-i:Q)\\d|q\\d",
		"[^a-z ]\\d{2}+",
		"[\xe2\x82\xac\xc2\xa3$]\\h?+\\d++",
		"[-\\d.]{2,3}\\s\\d",
		"\\d{2,3}+[.,]\\d",
		"\\d{1,3}?%",             /* lazy, bounded */
		"\\d(?>ab|a)b",           /* atomic */
		"\\b\\d\\b",
		"a.\\d",
		"\\$\\d|[$]x\\d",
		"(?:a|b){0,3}\\d",
		"\\d\\t\\d|\\d\\n",
		"[a\\]\\-]\\d",
		"(?i)x[^k]\\d",
		"(?:)\\d|()\\d",
		"\\d[\\d,]*+(?:\\.\\d++)?+\\h?+(?:m|bn|million)\\b",
	};
	for (size_t i = 0; i < sizeof shaped / sizeof *shaped; i++) {
		if (!prechecked(shaped[i], 0))
			fprintf(stderr, "no DFA for %s\n", shaped[i]);
		CHECK(prechecked(shaped[i], 0));
		differential(&shaped[i], 1, 0, !strstr(shaped[i], "(?>") && !strstr(shaped[i], "\\t"));
	}
	differential(shaped, sizeof shaped / sizeof *shaped, 0, true);
	static const char *const unread[] = {
		"(\\d)\\1",               /* a backreference */
		"(?<=\\$)\\d",            /* lookaround */
		"\\d(?=%)",
		"\\d+%",                  /* a repeat that gives back without a bound */
		"\\d*?%",
		"(?:\\d\\d)*+%",          /* a repeat of a group without a maximum */
		"\\Q$\\E\\d",
		"\\x24\\d",
		"[[:digit:]]%",
		"[]a]\\d",
		"(?s)a.\\d",
		"a{,3}\\d",
		"a{2\\d",
		"(*UCP)\\d\\w",
		"(?:a|a)+b?\\d",
		"\\d\\K%",
		"[\\b]\\d",
		"\\d{40}",
	};
	for (size_t i = 0; i < sizeof unread / sizeof *unread; i++) {
		if (prechecked(unread[i], 0))
			fprintf(stderr, "a DFA for %s\n", unread[i]);
		CHECK(!prechecked(unread[i], 0));
	}
	/* a limit the bound on an attempt does not stay far below: no DFA, the same hits and
	 * errors */
	CHECK(prechecked(defs[0], 0) && !prechecked(defs[0], 5));
	differential(defs, n, 5, false);
}

/* Does every one of these near=digit patterns, loaded together, get a DFA under this
 * match limit (-1), none (0), or some (1)? */
static int prechecked_all(const char *const *res, size_t nres, uint32_t match_limit)
{
	char path[512];
	snprintf(path, sizeof path, "%s/all.tsv", tmpdir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return 0;
	for (size_t i = 0; i < nres; i++)
		fprintf(f, "TEST\tp%zu\t%s\tnear=digit\n", i, res[i]);
	fclose(f);
	patterns *p = load(path, match_limit, false);
	size_t pre = 0;
	for (size_t i = 0; i < nres; i++)
		pre += patterns_prechecked(p, i);
	patterns_free(p);
	unlink(path);
	return pre == nres ? -1 : pre ? 1 : 0;
}

/* Patterns with a DFA and the same start bytes walk the product of their DFAs once per
 * cluster of windows (patterns.c's groups): the same hits and errors as the reference for
 * the default patterns under a match limit that leaves the DFAs of some of them in force
 * and not of others (no group's walk then), for more patterns of one start set than a
 * group holds (64), and for groups whose product is too large to make (their patterns
 * searched each with its own DFA). */
static void test_groups(void)
{
	const char *defs[16];
	size_t n = default_patterns(defs);
	CHECK(prechecked_all(defs, n, 0) == -1);
	uint32_t mixed = 0;
	for (uint32_t limit = 8; limit < 100000 && !mixed; limit = limit * 5 / 4)
		if (prechecked_all(defs, n, limit) == 1)
			mixed = limit;
	CHECK(mixed != 0);
	defs[n++] = "(?:\\d\\d?)+x"; /* (no DFA; hits the limit on long numbers) */
	differential(defs, n, mixed, false);
	static char buf[70][32];
	const char *res[70];
	for (size_t i = 0; i < 70; i++) { /* 70 patterns of one start set: two groups */
		snprintf(buf[i], sizeof buf[i], "\\d{1,2}+%c%c", 'a' + (int)(i % 26),
			 'a' + (int)(i / 26));
		res[i] = buf[i];
	}
	CHECK(prechecked_all(res, 70, 0) == -1);
	differential(res, 70, 0, false);
	/* products too large: many states each, whose numbers fill more than a key */
	static char big[12][64];
	const char *bres[12];
	for (size_t i = 0; i < 12; i++) {
		snprintf(big[i], sizeof big[i], "\\d(?:[a-%c]{0,6}+[0-%c]){1,3}+%%", 'b' + (int)i,
			 '1' + (int)(i % 8));
		bres[i] = big[i];
	}
	differential(bres, 12, 0, false);
}

int main(void)
{
	char dir[] = "/tmp/entopic-test-patterns-XXXXXX";
	tmpdir = mkdtemp(dir);
	CHECK(tmpdir != NULL);
	if (!tmpdir)
		return 1;
	test_merged_windows();
	test_many_start_sets();
	test_dfa();
	test_groups();
	rmdir(tmpdir);
	return CHECK_DONE();
}
