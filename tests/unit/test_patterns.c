/* Unit tests of patterns: the near=digit search searches the windows of neighbouring
 * digit runs in one pcre2 call; a differential test checks it against the search with one
 * call per window (the code before that change, kept below as the reference) on random
 * texts, for patterns with empty matches, lookbehind, \G, \K, backtracking verbs and a
 * pattern that hits the match limit. */
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

static const char *const pieces[] = {
	"1", "7", "2024", "3,5", "12.5", "0", " ", " ", "  ", "a", "ab", "x", "zz", "aaaaaaaa",
	"b", "March", "Mar ", "15th", " of ", "$", "US$", "£", "%", " per cent", "-", ",", ".",
	"é", "中", "\xc3", "\x80", "\xe4\xb8", "\n", "million", " dollars", "AB", "k", "Q",
};

static size_t random_text(char *buf, size_t cap)
{
	size_t n = 0, parts = check_rand(60);
	for (size_t i = 0; i < parts; i++) {
		const char *p = pieces[check_rand(sizeof pieces / sizeof *pieces)];
		size_t l = strlen(p);
		if (n + l >= cap)
			break;
		memcpy(buf + n, p, l);
		n += l;
	}
	buf[n] = '\0';
	return n;
}

/* ---------------------------------------------------------------- the comparison */

static const char *tmpdir;

/* Compare patterns_find() with the reference for one near=digit pattern on many texts,
 * with this match limit (0: the default); no_hits: the pattern finds only empty matches. */
static void differential(const char *re, uint32_t match_limit, bool no_hits)
{
	char path[512];
	snprintf(path, sizeof path, "%s/p.tsv", tmpdir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fprintf(f, "TEST\tp\t%s\tnear=digit\n", re);
	fclose(f);
	patterns *p = patterns_new();
	struct err err;
	CHECK(patterns_load(p, path, &err) == 0);
	if (match_limit)
		patterns_set_limits(p, match_limit, 0);

	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
					 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_USE_OFFSET_LIMIT,
					 &ec, &eo, NULL);
	CHECK(code != NULL);
	bool jit = !getenv("ENTOPIC_NO_JIT") && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, match_limit ? match_limit : 1000000u);
	pcre2_set_depth_limit(mc, 10000u);

	static const char *const crafted[] = {
		/* an empty match at 28 after (*SKIP) jumped from 26 to 28; the next run's
		 * window starts at 27, where b1 matches */
		"zzzzzzzzzzzzzzzzzzzzzzzzzzab1zzzzzzzzzzzzzzzzzzzzzz2",
		"a1 b2 c3 d4 e5 f6 g7 h8 i9 j0 k1 l2 m3 n4 o5 p6 q7 r8 s9",
		"%1%2%3 abcdefghijklmnopqrstuvwxyz 4 abcdefghijklmnopqrstuvwxyz 5",
	};
	struct arena a;
	arena_init(&a);
	char text[1024];
	struct ref_hit ref[1024];
	int bad = 0, errors = 0, hits = 0;
	for (int t = 0; t < 3000 && bad < 3; t++) {
		size_t len;
		if ((size_t)t < sizeof crafted / sizeof *crafted) {
			len = strlen(crafted[t]);
			memcpy(text, crafted[t], len + 1);
		} else {
			len = random_text(text, sizeof text);
		}
		size_t nref;
		int rr = ref_search(code, jit, text, len, mc, ref, &nref);
		qsort(ref, nref, sizeof *ref, cmp_ref);
		struct pattern_hit *h;
		size_t nh;
		int r = patterns_find(p, &a, text, len, &h, &nh, &err);
		bool same = (r < 0) == (rr < 0) && nh == nref;
		for (size_t i = 0; same && i < nh; i++)
			same = h[i].start == ref[i].start && h[i].end == ref[i].end;
		if (!same) {
			bad++;
			fprintf(stderr, "pattern %s on \"%s\": %zu hits (rc %d), reference %zu (rc %d)\n",
				re, text, nh, r, nref, rr);
		}
		CHECK(same);
		errors += rr < 0;
		hits += (int)nref;
		arena_reset(&a);
	}
	/* the cases must be exercised: hits for every pattern, errors for the limited one */
	CHECK(hits > 0 || no_hits);
	CHECK(!match_limit || errors > 0);
	arena_clear(&a);
	pcre2_match_context_free(mc);
	pcre2_code_free(code);
	patterns_free(p);
	unlink(path);
}

static void test_merged_windows(void)
{
	static const char *const res[] = {
		/* the defaults */
		"(?:(?:US|A|C|NZ|HK|S)?[$€£¥₹]|Rs\\.?[\\h\\v]?|USD[\\h\\v]?|EUR[\\h\\v]?|GBP[\\h\\v]?|Rs)[\\h\\v]?\\d[\\d,]*(?:\\.\\d+)?(?:[\\h\\v]?(?i:million|billion|trillion|thousand|mn|bn|tn|m|b|k|crore|lakh)\\b)?",
		"\\b\\d[\\d,]*(?:\\.\\d+)?[\\h\\v]?(?:million|billion|trillion|thousand)?[\\h\\v]?(?:dollars|euros|pounds|yuan|rupees|roubles|rubles|yen|dirhams|riyals)\\b",
		"\\b\\d+(?:[.,]\\d+)?[\\h\\v]?(?:%|per[\\h\\v]?cent\\b|percent\\b|percentage points\\b)",
		"\\b(?:Jan(?:uary)?|Mar(?:ch)?|May)\\.?[\\h\\v]\\d{1,2}(?:st|nd|rd|th)?(?:,?[\\h\\v]\\d{4})?\\b",
		"\\b\\d{1,2}(?:st|nd|rd|th)?[\\h\\v](?:of[\\h\\v])?(?:Jan(?:uary)?|Mar(?:ch)?)\\.?(?:,?[\\h\\v]\\d{4})?\\b",
		/* edge cases */
		"\\d*",                 /* empty matches everywhere */
		"x?",                   /* empty or one byte, no digit at all */
		"(?=\\d)",              /* only empty matches */
		"a*\\d?",               /* empty, or not reaching the digit */
		"(?<=[a-z] )\\d+",      /* lookbehind across the start offset */
		"\\G\\d+",              /* anchored at the start offset: never merged */
		"\\G[a-z ]*\\d",
		"%\\d|\\G[a-z]",         /* \G in a branch: not anchored */
		"\\d\\K\\d",            /* reported start after the attempt's start */
		"[a-z]\\K",             /* empty after \K */
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
	};
	for (size_t i = 0; i < sizeof res / sizeof *res; i++)
		differential(res[i], 0, strstr(res[i], "(?=") || strstr(res[i], "[a-z]\\K"));
	/* a call per window gives each window its own match limit: merged calls hit the limit
	 * in other places, and must still give the same hits and errors */
	differential("(?:a|a)+b?\\d", 3000, false);
	differential("(?:a|a|a)+\\d", 20000, false);
}

int main(void)
{
	char dir[] = "/tmp/entopic-test-patterns-XXXXXX";
	tmpdir = mkdtemp(dir);
	CHECK(tmpdir != NULL);
	if (!tmpdir)
		return 1;
	test_merged_windows();
	rmdir(tmpdir);
	return CHECK_DONE();
}
