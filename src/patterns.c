/* patterns: pcre2 wrapper. One match context holds the limits; one match data block per
 * call (so several threads may search at once). Patterns are compiled with PCRE2_UTF |
 * PCRE2_MATCH_INVALID_UTF so that scraped text with broken bytes is searched as it is, with
 * no copy. Not with PCRE2_UCP: \d \w \b \s stay ASCII, which makes the default patterns
 * about twice as fast (Unicode classes need a property lookup per character); \h and \v
 * are Unicode spaces in any case, and a pattern that wants Unicode classes starts with
 * (*UCP).
 *
 * near=digit patterns are searched in the windows before the digit runs (see search()),
 * with the hits and limit errors of one pcre2 call per window from its start (the way
 * patterns_set_plain() keeps), in fewer and shorter calls where the result of a match
 * attempt at a position does not depend on the call (mergeable()): windows that touch go
 * in one call; a call starts at the first byte a match can start at (start_bytes(): what
 * pcre2 itself skips to; an attempt anywhere else fails on its first byte, and limits
 * count per attempt), and windows without such a byte get no call. Which start sets each
 * window holds is found once per record for every pattern (find_windows()). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "patterns.h"

#include <errno.h>
#include <pcre2.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pat {
	char *type, *name, *source;
	long line;
	pcre2_code *code;
	bool near_digit; /* a hit always holds a digit: search only next to digits */
	bool merge;      /* near_digit windows that touch may be searched in one call */
	bool jit;        /* JIT-compiled: matched by pcre2_jit_match(), without the checks */
	bool has_starts; /* merge, and starts[] holds every byte a match attempt can start at */
	bool starts[256];
	uint64_t start_bit; /* its starts[] in patterns' start_cls[] (0: more than 64 sets) */
};

struct patterns {
	struct pat *v;
	size_t n;
	pcre2_match_context *mctx;
	uint64_t start_cls[256]; /* byte -> the start sets holding it, one bit per set */
	unsigned nsets;
	bool plain; /* one call per window, from its start (patterns_set_plain) */
};

#define DEFAULT_MATCH_LIMIT 1000000u
#define DEFAULT_DEPTH_LIMIT 10000u

patterns *patterns_new(void)
{
	patterns *p = xcalloc(1, sizeof *p);
	p->mctx = pcre2_match_context_create(NULL);
	if (!p->mctx) {
		fputs("entopic: out of memory\n", stderr);
		exit(2);
	}
	pcre2_set_match_limit(p->mctx, DEFAULT_MATCH_LIMIT);
	pcre2_set_depth_limit(p->mctx, DEFAULT_DEPTH_LIMIT);
	/* No JIT stack of our own: JIT matching uses its default 32 KiB on the machine stack of
	 * the calling thread, so one match context serves every -j thread. A pattern that
	 * needs more ends with a limit error for that record. */
	return p;
}

void patterns_free(patterns *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		pcre2_code_free(p->v[i].code);
		free(p->v[i].type);
		free(p->v[i].name);
		free(p->v[i].source);
	}
	free(p->v);
	pcre2_match_context_free(p->mctx);
	free(p);
}

void patterns_set_limits(patterns *p, uint32_t match_limit, uint32_t depth_limit)
{
	if (match_limit)
		pcre2_set_match_limit(p->mctx, match_limit);
	if (depth_limit)
		pcre2_set_depth_limit(p->mctx, depth_limit);
}

void patterns_set_plain(patterns *p, bool plain)
{
	p->plain = plain;
}

/* May the windows of consecutive digit runs be searched in one call? Only when a match
 * attempt at a position gives the same result whatever the start offset of the call: not
 * with \G (the start offset itself) nor with backtracking verbs such as (*COMMIT) or
 * (*SKIP), which end or move the whole search, judged on the source, conservatively (a
 * literal "\G" or "(*" anywhere also stops it; leading (*UCP) and (*UTF) are fine); and
 * not when pcre2 tries the start offset only (an anchored pattern: ^, \A, (?s).* ...) or
 * the start offset and line starts only (.* ...). */
static bool mergeable(const char *re, const pcre2_code *code)
{
	for (;;) {
		if (strncmp(re, "(*UCP)", 6) == 0 || strncmp(re, "(*UTF)", 6) == 0)
			re += 6;
		else
			break;
	}
	if (strstr(re, "\\G") || strstr(re, "(*"))
		return false;
	uint32_t opts = 0, first = 0;
	if (pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &opts) != 0 ||
	    pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &first) != 0)
		return false;
	return !(opts & PCRE2_ANCHORED) && first != 2;
}

/* The bytes a successful match attempt can start at, from what pcre2 itself uses to skip
 * start positions: its first code unit (and, caseless, the other case of an ASCII letter:
 * pcre2 sets no first code unit for a caseless character with other cases beyond ASCII) or
 * its bitmap of first bytes. Not the continuation bytes of UTF-8: an attempt there fails.
 * Returns false when pcre2 knows no such set (a pattern that can match an empty string,
 * (*UCP) classes, ...) or does not use it (PCRE2_NO_START_OPTIMIZE). */
static bool start_bytes(const pcre2_code *code, bool starts[256])
{
	uint32_t opts = 0, type = 0, unit = 0;
	const uint8_t *map = NULL;
	if (pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &opts) != 0 ||
	    (opts & PCRE2_NO_START_OPTIMIZE) ||
	    pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type) != 0 ||
	    pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &unit) != 0 ||
	    pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &map) != 0)
		return false;
	memset(starts, 0, 256 * sizeof *starts);
	if (type == 1 && unit < 256) {
		starts[unit] = true;
		if ((unit | 0x20) >= 'a' && (unit | 0x20) <= 'z')
			starts[unit ^ 0x20] = true;
	} else if (type == 0 && map) {
		for (unsigned b = 0; b < 256; b++)
			starts[b] = map[b / 8] >> (b % 8) & 1;
	} else {
		return false;
	}
	for (unsigned b = 0x80; b < 0xC0; b++)
		starts[b] = false;
	return true;
}

static int add(patterns *p, const char *type, const char *name, const char *re,
	       bool near_digit, const char *path, long line, struct err *err)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
					 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
						 (near_digit ? PCRE2_USE_OFFSET_LIMIT : 0),
					 &ec, &eo, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		int rc = err_set(err, ERR_SYNTAX, path, line, "%s", (char *)msg);
		if (err)
			/* column in the file: the regex is the third column */
			err->col = (long)(strlen(type) + strlen(name) + 2 + eo + 1);
		return rc;
	}
	/* ENTOPIC_NO_JIT: the interpreter only (valgrind cannot see into JIT code; make memcheck) */
	bool jit = !getenv("ENTOPIC_NO_JIT") &&
		   pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0; /* else the interpreter */
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	struct pat *pt = &p->v[p->n++];
	pt->type = xstrdup(type);
	pt->name = xstrdup(name);
	pt->source = xstrdup(path);
	pt->line = line;
	pt->code = code;
	pt->near_digit = near_digit;
	pt->merge = near_digit && mergeable(re, code);
	pt->jit = jit;
	pt->has_starts = pt->merge && start_bytes(code, pt->starts);
	pt->start_bit = 0;
	if (pt->has_starts) {
		/* patterns with the same start set (digits, most often) share a bit */
		for (size_t i = 0; i + 1 < p->n && !pt->start_bit; i++)
			if (p->v[i].start_bit && memcmp(p->v[i].starts, pt->starts, sizeof pt->starts) == 0)
				pt->start_bit = p->v[i].start_bit;
		if (!pt->start_bit && p->nsets < 64) {
			pt->start_bit = (uint64_t)1 << p->nsets++;
			for (unsigned b = 0; b < 256; b++)
				if (pt->starts[b])
					p->start_cls[b] |= pt->start_bit;
		}
	}
	return 0;
}

static bool valid_type(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int load_line(void *ctx, char *line, size_t len, const char *path, long lineno,
		     struct err *err)
{
	patterns *p = ctx;
	(void)len;
	char *t1 = strchr(line, '\t');
	char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	if (!t1 || !t2 || t2[1] == '\0')
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "expected 3 tab-separated columns: TYPE NAME REGEX [near=digit]");
	*t1 = *t2 = '\0';
	bool near_digit = false;
	char *t3 = strchr(t2 + 1, '\t');
	if (t3) {
		*t3 = '\0';
		if (strcmp(t3 + 1, "near=digit") != 0)
			return err_set(err, ERR_SYNTAX, path, lineno,
				       "unknown option '%s' (near=digit)", t3 + 1);
		near_digit = true;
	}
	if (!valid_type(line))
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "type '%s' is not an upper-case name such as MONEY", line);
	return add(p, line, t1 + 1, t2 + 1, near_digit, path, lineno, err);
}

int patterns_load(patterns *p, const char *path, struct err *err)
{
	return read_lines(path, load_line, p, err);
}

static int cmp_hit(const void *a, const void *b)
{
	const struct pattern_hit *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

struct hits {
	struct arena *a;
	struct pattern_hit *v;
	size_t n, cap;
};

static void hit_add(struct hits *h, const struct pat *pt, size_t start, size_t end)
{
	if (h->n == h->cap)
		h->v = arena_grow(h->a, h->v, h->n, &h->cap, sizeof *h->v, 32);
	h->v[h->n].start = (uint32_t)start;
	h->v[h->n].end = (uint32_t)end;
	h->v[h->n].type = pt->type;
	h->v[h->n].name = pt->name;
	h->n++;
}

/* One match; returns 1 (hit in ov), 0 (none) or a pcre2 error. A JIT-compiled pattern
 * goes straight to its machine code: pcre2_match() would check the arguments, which are
 * valid here (off <= len; an offset limit only for near=digit patterns, compiled with
 * PCRE2_USE_OFFSET_LIMIT; PCRE2_MATCH_INVALID_UTF: no UTF check), then do the same. */
static int one_match(const struct pat *pt, const char *text, size_t len, size_t off,
		     pcre2_match_data *md, pcre2_match_context *mc)
{
	int r = pt->jit ? pcre2_jit_match(pt->code, (PCRE2_SPTR)text, len, off, 0, md, mc)
			: pcre2_match(pt->code, (PCRE2_SPTR)text, len, off, 0, md, mc);
	return r == PCRE2_ERROR_NOMATCH ? 0 : r < 0 ? r : 1;
}

/* How far before a digit a hit of a near=digit pattern may start ("September 15"). */
#define NEAR_DIGIT_BEFORE 24

/* The numbers of a text: where each run of digits (with , and . inside) starts, where its
 * window starts when no hit is before it, and the start sets (patterns' start_cls[]) met
 * in that window, the run itself not included (NULL when no pattern has a start set). */
struct runs {
	uint32_t *v, *from;
	uint32_t *last; /* the last run of the cluster from each run (see search()) */
	uint64_t *sets;
	size_t n;
};

/* The first digit of text[i..len), or len. */
static size_t next_digit(const char *text, size_t i, size_t len)
{
#ifdef __SSE2__
	/* 32 bytes a step: a digit less 0xB0 is -128..-119 as a signed char, any other byte
	 * is not */
	const __m128i off = _mm_set1_epi8((char)0xB0), lim = _mm_set1_epi8(-118);
	for (; len - i >= 32; i += 32) {
		__m128i x = _mm_loadu_si128((const __m128i *)(text + i));
		__m128i y = _mm_loadu_si128((const __m128i *)(text + i + 16));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_sub_epi8(x, off), lim)) |
			     (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_sub_epi8(y, off), lim)) << 16;
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; len - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, text + i, 8);
		uint64_t digits = bytes_in8(w, '0', '9');
		if (digits)
			return i + (size_t)__builtin_ctzll(digits) / 8;
	}
#endif
	while (i < len && (text[i] < '0' || text[i] > '9'))
		i++;
	return i;
}

static void find_runs(struct arena *a, const char *text, size_t len, struct runs *r)
{
	size_t cap = 64;
	r->v = arena_alloc(a, cap * sizeof *r->v);
	r->n = 0;
	for (size_t i = next_digit(text, 0, len); i < len; i = next_digit(text, i, len)) {
		if (r->n == cap)
			r->v = arena_grow(a, r->v, r->n, &cap, sizeof *r->v, 0);
		r->v[r->n++] = (uint32_t)i;
		while (i < len && ((text[i] >= '0' && text[i] <= '9') || text[i] == ',' || text[i] == '.'))
			i++;
	}
}

/* Where run's window starts: NEAR_DIGIT_BEFORE bytes before it, not before done (the end
 * of the last hit), on a character boundary. */
static size_t window(const char *text, size_t run, size_t done)
{
	size_t from = run > NEAR_DIGIT_BEFORE ? run - NEAR_DIGIT_BEFORE : 0;
	if (from < done)
		from = done;
	while (from > 0 && ((unsigned char)text[from] & 0xC0) == 0x80)
		from--; /* a character boundary */
	return from;
}

/* runs->from[], runs->last[] and runs->sets[] */
static void find_windows(const patterns *p, struct arena *a, const char *text, struct runs *r)
{
	r->from = NULL;
	r->last = NULL;
	r->sets = NULL;
	if (!r->n)
		return;
	r->from = arena_alloc(a, r->n * sizeof *r->from);
	for (size_t k = 0; k < r->n; k++)
		r->from[k] = (uint32_t)window(text, r->v[k], 0);
	/* a window touches the run before it when it starts at most one byte after it */
	r->last = arena_alloc(a, r->n * sizeof *r->last);
	r->last[r->n - 1] = (uint32_t)r->n - 1;
	for (size_t k = r->n - 1; k-- > 0;)
		r->last[k] = r->from[k + 1] <= r->v[k] + 1 ? r->last[k + 1] : (uint32_t)k;
	if (!p->nsets)
		return;
	r->sets = arena_alloc(a, r->n * sizeof *r->sets);
	for (size_t k = 0; k < r->n; k++) {
		uint64_t m = 0;
		for (size_t i = r->from[k]; i < r->v[k]; i++)
			m |= p->start_cls[(unsigned char)text[i]];
		r->sets[k] = m;
	}
}

/* window(text, run k, done), the same */
static size_t window_at(const char *text, const struct runs *r, size_t k, size_t done)
{
	return r->from[k] >= done ? r->from[k] : window(text, r->v[k], done);
}

/* Where the first match attempt of pt that can succeed may be, from from to run last (the
 * windows of runs k..last cover that span); SIZE_MAX if nowhere. Only the windows whose
 * start sets hold pt's are read byte by byte. */
static size_t first_start(const struct pat *pt, const char *text, const struct runs *runs,
			  size_t k, size_t last, size_t from)
{
	for (size_t j = k; j <= last; j++) {
		size_t run = runs->v[j];
		if (!pt->start_bit || (runs->sets[j] & pt->start_bit)) {
			size_t i = pt->start_bit ? runs->from[j] : j == k ? from : runs->v[j - 1] + 1;
			for (i = i > from ? i : from; i < run; i++)
				if (pt->starts[(unsigned char)text[i]])
					return i;
		}
		if (pt->starts[(unsigned char)text[run]])
			return run;
	}
	return SIZE_MAX;
}

static int search(const struct pat *pt, bool plain, const char *text, size_t len,
		  const struct runs *runs, struct hits *h, pcre2_match_data *md,
		  pcre2_match_context *mc)
{
	bool merge = pt->merge && !plain, starts = pt->has_starts && !plain;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	if (!pt->near_digit) {
		/* no offset limit left from a near=digit pattern: pcre2 would refuse the match */
		pcre2_set_offset_limit(mc, PCRE2_UNSET);
		size_t off = 0;
		while (off <= len) {
			int r = one_match(pt, text, len, off, md, mc);
			if (r <= 0)
				return r;
			if (ov[1] > ov[0]) {
				hit_add(h, pt, ov[0], ov[1]);
				off = ov[1];
			} else {
				off = ov[1] + 1; /* empty match: step on */
				while (off < len && ((unsigned char)text[off] & 0xC0) == 0x80)
					off++;
			}
		}
		return 0;
	}
	/* only where a digit is: a hit must start at most NEAR_DIGIT_BEFORE bytes before the
	 * first digit of a run of digits (pcre2's offset limit bounds the search). Run k's
	 * window is [window(k), run k]; one call searches a cluster of windows that touch or
	 * overlap (see there), with the same result as a call per window. */
	size_t done = 0; /* text before this is covered by an earlier hit */
	size_t solo = 0; /* runs before this are searched one window per call (after an error) */
	size_t k = 0;
	while (k < runs->n) {
		size_t run = runs->v[k];
		if (run < done) {
			k++;
			continue;
		}
		size_t from = window_at(text, runs, k, done);
		/* the cluster k..last: each window starts at most one byte after the previous
		 * run, so the one call tries the very start positions the calls per window try.
		 * Found once per record (runs->last): whether window_at() touches the run before
		 * it does not depend on done while that run lies at or after done, as the runs
		 * from k on do (done moves a window's start up to done at most), so that a text
		 * of many hits close together is not read again after each */
		size_t last = merge && k >= solo ? runs->last[k] : k;
		/* no attempt can succeed before the first byte a match can start at: the call
		 * starts there (the same attempts, when they do not depend on the call), and
		 * without such a byte there is nothing to call for */
		if (starts) {
			from = first_start(pt, text, runs, k, last, from);
			if (from == SIZE_MAX) {
				k = last + 1;
				continue;
			}
		}
		pcre2_set_offset_limit(mc, runs->v[last]);
		int r = one_match(pt, text, len, from, md, mc);
		if (r < 0) {
			if (last == k)
				return r;
			/* a limit counts per call: the calls per window decide, as before */
			solo = last + 1;
			continue;
		}
		if (r == 0) {
			k = last + 1;
			continue;
		}
		/* the first window holding the match's start position found it (the windows
		 * before hold no match) */
		size_t at = pcre2_get_startchar(md);
		while (runs->v[k] < at)
			k++;
		if (ov[1] > ov[0]) {
			hit_add(h, pt, ov[0], ov[1]);
			done = ov[1];
			k++;
		} else {
			/* an empty match: every window that holds its start finds it again (the
			 * attempts before it failed), when attempts do not depend on the call */
			k++;
			while (merge && k < runs->n && window_at(text, runs, k, done) <= at)
				k++;
		}
	}
	return 0;
}

int patterns_find(const patterns *p, struct arena *a, const char *text, size_t len,
		  struct pattern_hit **out, size_t *n, struct err *err)
{
	struct hits h = {a, NULL, 0, 0};
	int rc = 0;
	*out = NULL;
	*n = 0;
	if (!p->n)
		return 0;
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	/* a context of the call's own: the offset limit changes as the search goes */
	pcre2_match_context *mc = pcre2_match_context_copy(p->mctx);
	if (!md || !mc) {
		fputs("entopic: out of memory\n", stderr);
		exit(2);
	}
	struct runs runs = {NULL, NULL, NULL, NULL, 0};
	find_runs(a, text, len, &runs);
	find_windows(p, a, text, &runs);
	for (size_t k = 0; k < p->n; k++) {
		/* a pattern that hits a limit stops there; the others still run */
		const struct pat *pt = &p->v[k];
		int r = search(pt, p->plain, text, len, &runs, &h, md, mc);
		if (r < 0 && !rc) {
			/* the caller reports this at the record's line: name the pattern's */
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(r, msg, sizeof msg);
			rc = err_set(err, ERR_LIMIT, pt->source, pt->line, "pattern %s (%s:%ld): %s",
				     pt->name, pt->source, pt->line, (char *)msg);
		}
	}
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	if (h.n > 1) /* h.v is NULL when nothing was found */
		qsort(h.v, h.n, sizeof *h.v, cmp_hit);
	*out = h.v;
	*n = h.n;
	return rc;
}
