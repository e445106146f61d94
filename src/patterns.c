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
 * count per attempt), and windows without such a byte get no call, nor windows where no
 * attempt can succeed by the pattern's DFA (shape(), for patterns whose attempts are
 * bounded). Which start sets each window holds is found once per record for every pattern
 * (find_windows()). Patterns with a DFA and the same start bytes (the default ones that
 * begin with a digit) are first put to the product of their DFAs, once per cluster of
 * windows for them all (group_masks()): a pattern it finds no hope for there gets no
 * walk of its own. */
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
	struct dfa *dfa;    /* has_starts and its source read: where a match can start */
	bool usable;        /* dfa is in force under the limits (see usable_dfa()) */
	int group;          /* its group (struct pgroup), or -1 */
	uint64_t group_bit; /* its part in the group's DFA */
};

/* Patterns with a DFA and the same start bytes (the default ones that begin with a digit)
 * share the product of their DFAs, walked once per cluster of windows for them all (see
 * group_masks()). */
struct pgroup {
	struct dfa *dfa;
	size_t first; /* its first pattern, whose start bytes are the group's */
	bool usable;  /* the DFA of every pattern of it is in force */
};

struct patterns {
	struct pat *v;
	size_t n;
	pcre2_match_context *mctx;
	uint64_t start_cls[256]; /* byte -> the start sets holding it, one bit per set */
	unsigned nsets;
	bool plain; /* one call per window, from its start (patterns_set_plain) */
	uint32_t match_limit, depth_limit; /* in force, for the patterns' DFAs */
	bool latin, latin_known;           /* latin_classes(), once asked */
	struct pgroup *groups;
	size_t ngroups;
};

static void dfa_free(struct dfa *d);

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
	p->match_limit = DEFAULT_MATCH_LIMIT;
	p->depth_limit = DEFAULT_DEPTH_LIMIT;
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
		dfa_free(p->v[i].dfa);
		free(p->v[i].type);
		free(p->v[i].name);
		free(p->v[i].source);
	}
	for (size_t g = 0; g < p->ngroups; g++)
		dfa_free(p->groups[g].dfa);
	free(p->groups);
	free(p->v);
	pcre2_match_context_free(p->mctx);
	free(p);
}

static void set_usable(patterns *p);

void patterns_set_limits(patterns *p, uint32_t match_limit, uint32_t depth_limit)
{
	if (match_limit) {
		pcre2_set_match_limit(p->mctx, match_limit);
		p->match_limit = match_limit;
	}
	if (depth_limit) {
		pcre2_set_depth_limit(p->mctx, depth_limit);
		p->depth_limit = depth_limit;
	}
	set_usable(p);
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

/* ---------------------------------------------------------------- where a match can start */

/* A near=digit call is made only where an attempt can succeed. pcre2's start bytes
 * (start_bytes()) name where an attempt can begin; for a pattern whose source shape() can
 * read, a DFA over bytes says more: whether a match of a superset of the pattern's matches
 * can start at a position (zero-width items taken as true, possessive and lazy repeats as
 * greedy, caseless letters as both cases). A byte from 0x80 where an item that holds a
 * character beyond ASCII is read ends the walk with "it may": pcre2's JIT does not always
 * read broken UTF-8 as its documentation says (a caseless [^k] took "\x80ABC" for one
 * character, and read past the end of the text), so what it takes there is not guessed.
 * Where the DFA dies before it accepts, pcre2's attempts fail too; not making them changes
 * nothing when they could not have hit a limit (limits count per attempt), so only
 * patterns whose attempts are bounded get a DFA: no repeat without a maximum but a
 * possessive one of one character (which pcre2 runs as a loop, without backtracking), and
 * a bound on the items an attempt can try (rn_steps()) that the limits in force must
 * exceed many times over. Anything else in the source (backreferences, lookaround,
 * options but i, \Q, \x, \p, POSIX classes, a '{' that is no plain repeat, ...) and the
 * pattern gets no DFA.
 *
 * The source is read into a tree of nodes (struct rnode), the tree into a Thompson NFA
 * over bytes, the NFA into a DFA by subset construction on the classes of bytes it tells
 * apart, with a second table for the attempts that start at each byte of a window at once
 * (may_start()). The DFA's state 0 is dead and its state 1 accepts (every accepting set
 * goes there: the walk stops at the first), so the walk makes one test per byte. */

enum { RN_EMPTY, RN_BYTES, RN_SEQ, RN_ALT, RN_REP };
#define RN_MAX 512     /* nodes of a tree */
#define REP_MAX 32     /* the largest count of a repeat read */
#define REP_INF 0xFFFF /* a repeat without a maximum */

struct rnode {
	uint8_t kind;
	bool high;         /* RN_BYTES: or a character beyond ASCII */
	bool possessive;   /* RN_REP */
	uint16_t min, max; /* RN_REP */
	int kid, next;     /* first child (RN_SEQ, RN_ALT, RN_REP), next sibling; -1: none */
	uint64_t set[4];   /* RN_BYTES: one byte of these */
};

struct rparse {
	const unsigned char *s; /* the next byte of the source */
	bool latin;             /* latin_classes() */
	struct rnode v[RN_MAX];
	int n;
	bool fail; /* the source holds something not read here */
};

static int rn_new(struct rparse *rp, int kind)
{
	if (rp->n == RN_MAX) {
		rp->fail = true;
		return 0;
	}
	struct rnode *r = &rp->v[rp->n];
	memset(r, 0, sizeof *r);
	r->kind = (uint8_t)kind;
	r->kid = r->next = -1;
	return rp->n++;
}

/* Bit s of a set of bits (a byte set of four words, a set of NFA states). */
static bool bits_has(const uint64_t *set, size_t s)
{
	return set[s / 64] >> (s % 64) & 1;
}

static void bits_add(uint64_t *set, size_t s)
{
	set[s / 64] |= (uint64_t)1 << (s % 64);
}

static void set_range(uint64_t set[4], unsigned lo, unsigned hi)
{
	for (unsigned b = lo; b <= hi; b++)
		bits_add(set, b);
}

/* Both cases of the ASCII letters of set; with a letter, any character beyond ASCII too
 * (k and s have caseless partners there, the Kelvin sign and the long s). */
static void set_caseless(uint64_t set[4], bool *high)
{
	for (unsigned b = 'A'; b <= 'Z'; b++)
		if (bits_has(set, b) || bits_has(set, b + 32)) {
			bits_add(set, b);
			bits_add(set, b + 32);
			*high = true;
		}
}

/* The ASCII bytes of the class escape c (\d \w \s \h \v and their negations) into set,
 * and whether it holds characters beyond ASCII (latin: \d \w or \s hold some of 128 to
 * 255, by pcre2's character tables; see latin_classes()). False: not a class escape. */
static bool class_escape(unsigned c, uint64_t set[4], bool *high, bool latin)
{
	uint64_t s[4] = {0};
	bool h = latin;
	switch (c | 0x20) {
	case 'd': set_range(s, '0', '9'); break;
	case 'w':
		set_range(s, '0', '9');
		set_range(s, 'A', 'Z');
		set_range(s, 'a', 'z');
		bits_add(s, '_');
		break;
	case 's': set_range(s, '\t', '\r'); bits_add(s, ' '); break;
	case 'h': bits_add(s, '\t'); bits_add(s, ' '); h = true; break; /* Unicode spaces */
	case 'v': set_range(s, '\n', '\r'); h = true; break;
	default: return false;
	}
	if (c < 'a') { /* \D \W \S \H \V: the other ASCII bytes, and every other character */
		s[0] = ~s[0];
		s[1] = ~s[1];
		h = true;
	}
	for (int i = 0; i < 4; i++)
		set[i] |= s[i];
	*high |= h;
	return true;
}

/* Do \d, \w or \s (without (*UCP)) match any character from 128 to 255? Not with the
 * character tables pcre2 comes with (characters beyond 255 never match), but they are
 * chosen when pcre2 is built: asked of pcre2 (the interpreter and the JIT) once, by the
 * patterns that read them. */
static bool latin_classes(void)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR) "^[\\d\\w\\s]", PCRE2_ZERO_TERMINATED,
					 PCRE2_UTF, &ec, &eo, NULL);
	pcre2_match_data *md = code ? pcre2_match_data_create(1, NULL) : NULL;
	bool latin = !md; /* unknown: they may */
	bool jit = md && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	for (unsigned cp = 128; cp < 256 && !latin; cp++) {
		unsigned char s[2] = {(unsigned char)(0xC0 | cp >> 6),
				      (unsigned char)(0x80 | (cp & 0x3F))};
		latin = pcre2_match(code, s, 2, 0, PCRE2_NO_JIT, md, NULL) >= 0 ||
			(jit && pcre2_match(code, s, 2, 0, 0, md, NULL) >= 0);
	}
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return latin;
}

/* The byte of the escape c standing for one character (\t, \., ...), or -1. */
static int literal_escape(unsigned c)
{
	switch (c) {
	case 't': return '\t';
	case 'n': return '\n';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'e': return 27;
	case 'a': return 7;
	}
	bool alnum = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
	return c >= 0x20 && c < 0x7F && !alnum ? (int)c : -1;
}

/* The length of the UTF-8 character at s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
		   : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
		   : s[0] >= 0xC2 && s[0] < 0xE0 ? 2
						 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int rn_bytes(struct rparse *rp, const uint64_t set[4], bool high)
{
	int i = rn_new(rp, RN_BYTES);
	memcpy(rp->v[i].set, set, sizeof rp->v[i].set);
	rp->v[i].high = high;
	return i;
}

/* A class [...], after its '['. */
static int rn_class(struct rparse *rp, bool icase)
{
	uint64_t set[4] = {0};
	bool high = false, neg = *rp->s == '^';
	if (neg)
		rp->s++;
	if (*rp->s == ']') /* a ']' first is a member */
		rp->fail = true;
	while (!rp->fail && *rp->s != ']') {
		unsigned c = *rp->s;
		if (!c || c == '[') { /* unterminated, POSIX classes */
			rp->fail = true;
			break;
		}
		if (c >= 0x80) {
			size_t l = utf8_len(rp->s);
			if (!l || rp->s[l] == '-') /* a range beyond ASCII */
				rp->fail = true;
			high = true;
			rp->s += l ? l : 1;
			continue;
		}
		int lo = (int)c;
		rp->s++;
		if (c == '\\') {
			c = *rp->s;
			if (c)
				rp->s++;
			if (class_escape(c, set, &high, rp->latin)) {
				if (*rp->s == '-' && rp->s[1] != ']') /* [\d-x] */
					rp->fail = true;
				continue;
			}
			lo = c == 'b' ? -1 : literal_escape(c); /* \b: a backspace here */
			if (lo < 0) {
				rp->fail = true;
				break;
			}
		}
		int hi = lo;
		if (rp->s[0] == '-' && rp->s[1] != ']') {
			hi = rp->s[1];
			if (hi == '\\' || hi == '[' || hi >= 0x80 || hi < lo || !hi) {
				rp->fail = true;
				break;
			}
			rp->s += 2;
		}
		set_range(set, (unsigned)lo, (unsigned)hi);
	}
	if (rp->fail)
		return 0;
	rp->s++; /* ']' */
	if (icase)
		set_caseless(set, &high);
	if (neg) {
		set[0] = ~set[0];
		set[1] = ~set[1];
		set[2] = set[3] = 0;
		high = true;
	}
	return rn_bytes(rp, set, high);
}

static int rn_alt(struct rparse *rp, bool icase);

/* One item (and its repeat), or -1 for an option setting that is no item. */
static int rn_item(struct rparse *rp, bool *icase)
{
	uint64_t set[4] = {0};
	bool high = false;
	int i = -1;
	unsigned c = *rp->s;
	if (c == '(') {
		bool gi = *icase;
		rp->s++;
		if (*rp->s == '?') {
			const char *o = (const char *)rp->s + 1;
			if (strncmp(o, "i)", 2) == 0 || strncmp(o, "-i)", 3) == 0) {
				*icase = o[0] == 'i';
				rp->s += o[0] == 'i' ? 3 : 4;
				return -1;
			}
			if (o[0] == ':' || o[0] == '>') { /* atomic: no matter here */
				rp->s += 2;
			} else if (strncmp(o, "i:", 2) == 0 || strncmp(o, "-i:", 3) == 0) {
				gi = o[0] == 'i';
				rp->s += o[0] == 'i' ? 3 : 4;
			} else {
				rp->fail = true;
			}
		}
		if (rp->fail)
			return 0;
		i = rn_alt(rp, gi);
		if (*rp->s != ')')
			rp->fail = true;
		else
			rp->s++;
	} else if (c == '[') {
		rp->s++;
		i = rn_class(rp, *icase);
	} else if (c == '.') {
		rp->s++;
		set[0] = set[1] = ~(uint64_t)0;
		i = rn_bytes(rp, set, true);
	} else if (c == '^' || c == '$') {
		rp->s++;
		i = rn_new(rp, RN_EMPTY);
	} else if (c == '\\') {
		c = rp->s[1];
		rp->s += c ? 2 : 1;
		if (c == 'b' || c == 'B' || c == 'A' || c == 'z' || c == 'Z') {
			i = rn_new(rp, RN_EMPTY);
		} else if (class_escape(c, set, &high, rp->latin)) {
			i = rn_bytes(rp, set, high);
		} else {
			int b = literal_escape(c);
			if (b < 0) {
				rp->fail = true;
				return 0;
			}
			bits_add(set, (unsigned)b);
			if (*icase)
				set_caseless(set, &high);
			i = rn_bytes(rp, set, high);
		}
	} else if (c >= 0x80) { /* a character beyond ASCII: its bytes are not read */
		size_t l = utf8_len(rp->s);
		if (!l) {
			rp->fail = true;
			return 0;
		}
		rp->s += l;
		i = rn_bytes(rp, set, true);
	} else if (c && !strchr("*+?{)|", (int)c)) {
		rp->s++;
		bits_add(set, c);
		if (*icase)
			set_caseless(set, &high);
		i = rn_bytes(rp, set, high);
	} else {
		rp->fail = true; /* a repeat of nothing, '{' */
	}
	if (rp->fail)
		return 0;
	/* its repeat */
	unsigned min, max;
	c = *rp->s;
	if (c == '?' || c == '*' || c == '+') {
		min = c == '+';
		max = c == '?' ? 1 : REP_INF;
		rp->s++;
	} else if (c == '{') {
		char *end;
		const char *p = (const char *)rp->s + 1;
		if (*p < '0' || *p > '9') { /* not a repeat: a '{' of its own */
			rp->fail = true;
			return 0;
		}
		min = (unsigned)strtoul(p, &end, 10);
		max = min;
		if (*end == ',') {
			p = end + 1;
			max = REP_INF;
			if (*p >= '0' && *p <= '9')
				max = (unsigned)strtoul(p, &end, 10);
			else
				end = (char *)p;
		}
		if (*end != '}' || min > REP_MAX ||
		    (max != REP_INF && (max > REP_MAX || max < min))) {
			rp->fail = true;
			return 0;
		}
		rp->s = (const unsigned char *)end + 1;
	} else {
		return i;
	}
	if (rp->v[i].kind == RN_EMPTY) {
		rp->fail = true;
		return 0;
	}
	int r = rn_new(rp, RN_REP);
	rp->v[r].min = (uint16_t)min;
	rp->v[r].max = (uint16_t)max;
	rp->v[r].kid = i;
	if (*rp->s == '+') {
		rp->v[r].possessive = true;
		rp->s++;
	} else if (*rp->s == '?') { /* lazy: no matter here */
		rp->s++;
	}
	if (*rp->s == '?' || *rp->s == '*' || *rp->s == '+' || *rp->s == '{')
		rp->fail = true;
	return r;
}

/* Branches up to ')' or the end. (?i) holds to the end of its group, across branches. */
static int rn_alt(struct rparse *rp, bool icase)
{
	int alt = -1, *btail = NULL;
	for (;;) {
		int seq = rn_new(rp, RN_SEQ), *tail = &rp->v[seq].kid;
		while (!rp->fail && *rp->s && *rp->s != '|' && *rp->s != ')') {
			int i = rn_item(rp, &icase);
			if (i >= 0 && !rp->fail) {
				*tail = i;
				tail = &rp->v[i].next;
			}
		}
		if (rp->fail)
			return 0;
		if (*rp->s != '|') {
			if (alt < 0)
				return seq;
			*btail = seq;
			return alt;
		}
		rp->s++;
		if (alt < 0) {
			alt = rn_new(rp, RN_ALT);
			rp->v[alt].kid = seq;
		} else {
			*btail = seq;
		}
		btail = &rp->v[seq].next;
	}
}

#define STEPS_NONE 1e300 /* no bound */

/* Upper bounds on the paths an attempt of node i can take and on the items it tries on
 * all of them (*paths, returned; STEPS_NONE: no bound): each path of a part of a sequence
 * tries the rest anew. */
static double rn_steps(const struct rparse *rp, int i, double *paths)
{
	const struct rnode *r = &rp->v[i];
	double steps = 1, x, s;
	*paths = 1;
	switch (r->kind) {
	case RN_SEQ:
		for (int k = r->kid; k >= 0; k = rp->v[k].next) {
			s = rn_steps(rp, k, &x);
			steps += *paths * s;
			*paths *= x;
		}
		break;
	case RN_ALT:
		*paths = 0;
		for (int k = r->kid; k >= 0; k = rp->v[k].next) {
			steps += rn_steps(rp, k, &x);
			*paths += x;
		}
		break;
	case RN_REP: {
		if (r->max == REP_INF && !(r->possessive && rp->v[r->kid].kind == RN_BYTES))
			return STEPS_NONE;
		s = rn_steps(rp, r->kid, &x);
		/* as min copies and then max - min optional ones (a loop of one character
		 * without a maximum, possessive: once) */
		unsigned max = r->max == REP_INF ? r->min + 1 : r->max;
		for (unsigned k = 0; k < max; k++) {
			double px = k < r->min ? x : x + 1;
			steps += *paths * (s + 1);
			*paths *= px;
		}
		break;
	}
	}
	return steps < STEPS_NONE ? steps : STEPS_NONE;
}

/* ---- the NFA: states 0..n-1, edges on a set of bytes or on nothing (set -1) */

#define NFA_MAX 1024
#define NFA_FINAL 1 /* the final state; 0 is the start */

struct nedge {
	int from, to, set;
};

struct nfa {
	int n;
	struct nedge *e;
	int ne, cape;
	uint64_t (*sets)[4];
	int nsets, capsets;
	bool fail;
};

static int nfa_state(struct nfa *a)
{
	if (a->n == NFA_MAX)
		a->fail = true;
	return a->fail ? 0 : a->n++;
}

static void nfa_edge(struct nfa *a, int from, int to, const uint64_t *set)
{
	if (a->ne == a->cape) {
		a->cape = a->cape ? 2 * a->cape : 64;
		a->e = xrealloc(a->e, (size_t)a->cape * sizeof *a->e);
	}
	int s = -1;
	if (set) {
		for (s = 0; s < a->nsets && memcmp(a->sets[s], set, sizeof a->sets[s]) != 0; s++)
			;
		if (s == a->nsets) {
			if (a->nsets == a->capsets) {
				a->capsets = a->capsets ? 2 * a->capsets : 16;
				a->sets = xrealloc(a->sets, (size_t)a->capsets * sizeof *a->sets);
			}
			memcpy(a->sets[a->nsets++], set, sizeof a->sets[0]);
		}
	}
	a->e[a->ne++] = (struct nedge){from, to, s};
}

/* Node i from state in; returns the state it ends at. */
static int nfa_build(struct nfa *a, const struct rparse *rp, int i, int in)
{
	static const uint64_t high_set[4] = {0, 0, ~(uint64_t)0, ~(uint64_t)0};
	const struct rnode *r = &rp->v[i];
	if (a->fail)
		return in;
	switch (r->kind) {
	case RN_BYTES: {
		int out = nfa_state(a);
		if (r->set[0] | r->set[1] | r->set[2] | r->set[3])
			nfa_edge(a, in, out, r->set);
		if (r->high) /* a byte beyond ASCII: it may match (see above) */
			nfa_edge(a, in, NFA_FINAL, high_set);
		return out;
	}
	case RN_SEQ:
		for (int k = r->kid; k >= 0; k = rp->v[k].next)
			in = nfa_build(a, rp, k, in);
		return in;
	case RN_ALT: {
		int out = nfa_state(a);
		for (int k = r->kid; k >= 0; k = rp->v[k].next)
			nfa_edge(a, nfa_build(a, rp, k, in), out, NULL);
		return out;
	}
	case RN_REP: {
		for (unsigned k = 0; k < r->min; k++)
			in = nfa_build(a, rp, r->kid, in);
		if (r->max == REP_INF) { /* a state between the rounds */
			int loop = nfa_state(a);
			nfa_edge(a, in, loop, NULL);
			nfa_edge(a, nfa_build(a, rp, r->kid, loop), loop, NULL);
			return loop;
		}
		for (unsigned k = r->min; k < r->max; k++) {
			int out = nfa_state(a);
			nfa_edge(a, in, out, NULL);
			nfa_edge(a, nfa_build(a, rp, r->kid, in), out, NULL);
			in = out;
		}
		return in;
	}
	default:
		return in;
	}
}

/* ---- the DFA */

#define DFA_MAX 2048

struct dfa {
	uint8_t cls[256]; /* byte -> its class */
	unsigned ncls;
	/* by state * ncls + class: the next state * ncls; in inj[] with the start state's
	 * set added (a match may start at the next byte too) */
	uint16_t *next, *inj;
	unsigned start; /* the start state * ncls */
	double steps;   /* rn_steps() of the pattern */
	unsigned depth; /* the NFA's states: more than an attempt nests */
	unsigned nstates; /* (for dfa_product()) */
	/* a product of DFAs (dfa_product()): no inj[]; the states below stop end a walk,
	 * and acc[] holds by state the bits of the parts that accepted on the way there */
	unsigned stop;
	uint64_t *acc;
};

/* The DFA of the NFA whose start is 0 and whose final state is fin, or NULL when it has
 * too many states. */
static struct dfa *dfa_build(const struct nfa *a, int fin)
{
	size_t ns = (size_t)a->n, w = (ns + 63) / 64;
	if (a->nsets > 256) /* the classes' signatures hold 256 sets */
		return NULL;
	/* the edges by state */
	int *first = xcalloc(ns + 2, sizeof *first), *at = xmalloc((size_t)a->ne * sizeof *at);
	for (int k = 0; k < a->ne; k++)
		first[a->e[k].from + 2]++;
	for (size_t s = 0; s < ns; s++)
		first[s + 2] += first[s + 1];
	for (int k = 0; k < a->ne; k++) /* first[s + 1]: where the next edge of s goes */
		at[first[a->e[k].from + 1]++] = k;
	/* the classes: bytes in the same sets (sig: the sets holding each byte) */
	struct dfa *d = xcalloc(1, sizeof *d);
	uint64_t sig[256][4] = {{0}};
	for (int s = 0; s < a->nsets; s++)
		for (unsigned i = 0; i < 4; i++)
			for (uint64_t m = a->sets[s][i]; m; m &= m - 1)
				bits_add(sig[64 * i + (unsigned)__builtin_ctzll(m)], (size_t)s);
	unsigned ncls = 0, rep[256]; /* a byte of each class */
	int16_t byhash[512]; /* class by the hash of its signature, -1 none */
	memset(byhash, -1, sizeof byhash);
	for (unsigned b = 0; b < 256; b++) {
		size_t h = (size_t)(hash_bytes(sig[b], sizeof sig[b]) >> 55);
		for (; byhash[h] >= 0; h = (h + 1) % 512)
			if (memcmp(sig[rep[byhash[h]]], sig[b], sizeof sig[b]) == 0)
				break;
		if (byhash[h] < 0) {
			byhash[h] = (int16_t)ncls;
			rep[ncls++] = b;
		}
		d->cls[b] = (uint8_t)byhash[h];
	}
	d->ncls = ncls;
	/* each state with what it reaches on nothing (clo), each edge's classes (ecls), the
	 * classes each state moves on (moves) */
	int *stack = xmalloc((ns + 1) * sizeof *stack);
	uint64_t *clo = xcalloc(ns * w, sizeof *clo);
	uint64_t(*ecls)[4] = xcalloc((size_t)a->ne + 1, sizeof *ecls);
	uint64_t(*moves)[4] = xcalloc(ns, sizeof *moves);
	for (size_t s = 0; s < ns; s++) {
		uint64_t *c = clo + s * w;
		int top = 0;
		bits_add(c, s);
		stack[top++] = (int)s;
		while (top) {
			int x = stack[--top];
			for (int k = first[x]; k < first[x + 1]; k++) {
				const struct nedge *e = &a->e[at[k]];
				if (e->set < 0 && !bits_has(c, (size_t)e->to)) {
					bits_add(c, (size_t)e->to);
					stack[top++] = e->to;
				}
			}
		}
	}
	for (int k = 0; k < a->ne; k++)
		if (a->e[k].set >= 0) {
			for (unsigned c = 0; c < ncls; c++)
				if (bits_has(a->sets[a->e[k].set], rep[c]))
					bits_add(ecls[k], c);
			for (int i = 0; i < 4; i++)
				moves[a->e[k].from][i] |= ecls[k][i];
		}
	/* subset construction: state 0 the empty set, 1 a stand-in for every accepting set,
	 * 2 the start; each state's move on each class (mv), and as a new attempt may start
	 * at the next byte too, that set and the start's */
	size_t cap = 64, n = 3, hcap = 2 * DFA_MAX;
	size_t max = 65536 / ncls < DFA_MAX ? 65536 / ncls : DFA_MAX; /* offsets in 16 bits */
	uint64_t *sets = xcalloc(cap * w, sizeof *sets), *mvs = xmalloc(ncls * w * sizeof *mvs);
	const unsigned cw = (ncls + 63) / 64;
	uint16_t *next = xcalloc(cap * ncls, sizeof *next), *inj = xcalloc(cap * ncls, sizeof *inj);
	uint32_t *hash = xcalloc(hcap, sizeof *hash); /* state + 1 */
	const uint64_t *start = clo; /* of state 0 */
	bool ok = max > 3;
	if (bits_has(start, (size_t)fin)) {
		n = 2; /* an empty match: every position */
		d->start = ncls;
	} else {
		memcpy(sets + 2 * w, start, w * sizeof *start);
		hash[hash_bytes(start, w * sizeof *start) & (hcap - 1)] = 3;
		d->start = 2 * ncls;
	}
	for (size_t q = 2; ok && q < n; q++) {
		uint64_t any[4] = {0}; /* the classes some state of q moves on */
		for (size_t i = 0; i < w; i++)
			for (uint64_t m = sets[q * w + i]; m; m &= m - 1)
				for (int j = 0; j < 4; j++)
					any[j] |= moves[64 * i + (size_t)__builtin_ctzll(m)][j];
		/* the moves of q on every class at once (mvs, by class): each edge of its states
		 * once, to the classes it moves on (words of classes: cw) */
		memset(mvs, 0, ncls * w * sizeof *mvs);
		for (size_t i = 0; i < w; i++)
			for (uint64_t m = sets[q * w + i]; m; m &= m - 1) {
				size_t s = 64 * i + (size_t)__builtin_ctzll(m);
				for (int k = first[s]; k < first[s + 1]; k++) {
					const uint64_t *to = clo + (size_t)a->e[at[k]].to * w;
					for (unsigned x = 0; x < cw; x++)
						for (uint64_t cm = ecls[at[k]][x]; cm; cm &= cm - 1) {
							uint64_t *mc = mvs + (64 * (size_t)x +
									      (size_t)__builtin_ctzll(cm)) * w;
							for (size_t j = 0; j < w; j++)
								mc[j] |= to[j];
						}
				}
			}
		for (unsigned c = 0; c < ncls && ok; c++) {
			if (!bits_has(any, c)) { /* dead; with a new attempt, the start */
				next[q * ncls + c] = 0;
				inj[q * ncls + c] = (uint16_t)d->start;
				continue;
			}
			const uint64_t *mv = mvs + (size_t)c * w;
			for (int with_start = 0; with_start < 2 && ok; with_start++) {
				if (n == cap) {
					sets = xrealloc(sets, 2 * cap * w * sizeof *sets);
					next = xrealloc(next, 2 * cap * ncls * sizeof *next);
					inj = xrealloc(inj, 2 * cap * ncls * sizeof *inj);
					cap *= 2;
				}
				uint64_t *to = sets + n * w; /* a new state, unless found */
				for (size_t j = 0; j < w; j++)
					to[j] = mv[j] | (with_start ? start[j] : 0);
				size_t t;
				if (bits_has(to, (size_t)fin)) {
					t = 1;
				} else {
					size_t j = hash_bytes(to, w * sizeof *to) & (hcap - 1);
					for (; hash[j]; j = (j + 1) & (hcap - 1)) {
						const uint64_t *o = sets + (hash[j] - 1) * w;
						if (memcmp(o, to, w * 8) == 0)
							break;
					}
					if (hash[j]) {
						t = hash[j] - 1;
					} else if (n == max) {
						ok = false;
						break;
					} else {
						t = n++;
						hash[j] = (uint32_t)n;
					}
				}
				(with_start ? inj : next)[q * ncls + c] = (uint16_t)(t * ncls);
			}
		}
	}
	free(first);
	free(at);
	free(stack);
	free(clo);
	free(ecls);
	free(moves);
	free(sets);
	free(mvs);
	free(hash);
	if (!ok) {
		free(next);
		free(inj);
		free(d);
		return NULL;
	}
	d->nstates = (unsigned)n;
	d->next = next; /* rows 0 and 1 are never read: a walk stops there */
	d->inj = inj;
	return d;
}

/* The DFA of the pattern source re (latin: latin_classes()), or NULL when it holds
 * something not read here or its attempts have no bound. */
static struct dfa *shape(const char *re, bool latin)
{
	struct rparse *rp = xmalloc(sizeof *rp);
	rp->s = (const unsigned char *)re;
	rp->latin = latin;
	rp->n = 0;
	rp->fail = false;
	int root = rn_alt(rp, false);
	struct dfa *d = NULL;
	double paths, steps = rp->fail || *rp->s ? STEPS_NONE : rn_steps(rp, root, &paths);
	if (steps < 1e12) {
		struct nfa a = {0};
		int start = nfa_state(&a), fin = nfa_state(&a);
		nfa_edge(&a, nfa_build(&a, rp, root, start), fin, NULL);
		if (!a.fail)
			d = dfa_build(&a, fin);
		if (d) {
			d->steps = steps;
			d->depth = (unsigned)a.n;
		}
		free(a.e);
		free(a.sets);
	}
	free(rp);
	return d;
}

static void dfa_free(struct dfa *d)
{
	if (d) {
		free(d->next);
		free(d->inj);
		free(d->acc);
	}
	free(d);
}

/* May a match of the DFA's superset start at a position in text[i..last] (i <= last)? One
 * pass: the states of the attempts from every position up to last at once, then on
 * without new ones. */
static bool may_start(const struct dfa *d, const char *text, size_t len, size_t i, size_t last)
{
	size_t q = d->start, stop = 2 * (size_t)d->ncls; /* below: 0 dead, ncls accepting */
	for (; i < last && q >= stop; i++)
		q = d->inj[q + d->cls[(unsigned char)text[i]]];
	while (q >= stop) {
		if (i == len)
			return false;
		q = d->next[q + d->cls[(unsigned char)text[i++]]];
	}
	return q != 0;
}

/* dfa_product()'s states so far, found by hash */
struct pstates {
	size_t ncls, n, cap, max, hcap;
	uint64_t *key;  /* by state: its parts' states (see dfa_product()) */
	bool *ends;     /* by state: every part died or accepted */
	uint32_t *nx;   /* by state * ncls + class: the next state */
	uint32_t *hash; /* a state + 1, 0 for none */
};

/* The state of key, made when new (ends: it ends a walk); SIZE_MAX when there is no room
 * for it. */
static size_t pstate(struct pstates *ps, uint64_t key, bool ends)
{
	size_t j = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 40) & (ps->hcap - 1);
	for (; ps->hash[j]; j = (j + 1) & (ps->hcap - 1))
		if (ps->key[ps->hash[j] - 1] == key)
			return ps->hash[j] - 1;
	if (ps->n == ps->max)
		return SIZE_MAX;
	if (ps->n == ps->cap) {
		ps->cap *= 2;
		ps->key = xrealloc(ps->key, ps->cap * sizeof *ps->key);
		ps->ends = xrealloc(ps->ends, ps->cap * sizeof *ps->ends);
		ps->nx = xrealloc(ps->nx, ps->cap * ps->ncls * sizeof *ps->nx);
	}
	ps->key[ps->n] = key;
	ps->ends[ps->n] = ends;
	ps->hash[j] = (uint32_t)++ps->n;
	return ps->n - 1;
}

/* The product of the DFAs v[0..k): a walk of it is a walk of each of them from the same
 * byte, one attempt (no inj[]), which ends when each has died or accepted (part p
 * accepted: bit p of acc[]). NULL when it has too many states, or their states do not
 * fit in the 64 bits of a key (a field of each part's state number, the parts in order). */
static struct dfa *dfa_product(const struct dfa *const *v, size_t k)
{
	if (k > 64)
		return NULL;
	unsigned shift[64], width = 0;
	uint64_t field[64]; /* the mask of a field, shifted down */
	for (size_t p = 0; p < k && width <= 64; p++) {
		unsigned w = 1;
		while ((1u << w) < v[p]->nstates)
			w++;
		shift[p] = width;
		field[p] = ((uint64_t)1 << w) - 1;
		width += w;
	}
	if (width > 64)
		return NULL;
	struct dfa *d = xcalloc(1, sizeof *d);
	/* the classes: the bytes in the same class of every part */
	uint8_t *sig = xmalloc(256 * k); /* by class: the class of its bytes in each part */
	unsigned ncls = 0;
	for (unsigned b = 0; b < 256; b++) {
		uint8_t *x = sig + ncls * k;
		for (size_t p = 0; p < k; p++)
			x[p] = v[p]->cls[b];
		unsigned c = 0; /* (few classes, few parts) */
		for (; c < ncls; c++) {
			size_t p = 0;
			while (p < k && sig[c * k + p] == x[p])
				p++;
			if (p == k)
				break;
		}
		d->cls[b] = (uint8_t)c;
		ncls += c == ncls;
	}
	d->ncls = ncls;
	struct pstates ps = {.ncls = ncls, .cap = 64, .hcap = 2 * DFA_MAX};
	ps.max = 65536 / ncls < DFA_MAX ? 65536 / ncls : DFA_MAX; /* offsets in 16 bits */
	ps.key = xmalloc(ps.cap * sizeof *ps.key);
	ps.ends = xmalloc(ps.cap * sizeof *ps.ends);
	ps.nx = xmalloc(ps.cap * ncls * sizeof *ps.nx);
	ps.hash = xcalloc(ps.hcap, sizeof *ps.hash);
	/* each part's moves by state number (not times its ncls) */
	uint16_t **step = xmalloc(k * sizeof *step);
	for (size_t p = 0; p < k; p++) {
		const struct dfa *e = v[p];
		step[p] = xcalloc((size_t)e->nstates * e->ncls, sizeof **step);
		for (size_t x = 2 * e->ncls; x < (size_t)e->nstates * e->ncls; x++)
			step[p][x] = (uint16_t)(e->next[x] / e->ncls);
	}
	/* state 0: every part dead; then the start */
	bool ok = pstate(&ps, 0, true) == 0, ends = true;
	uint64_t key = 0;
	for (size_t p = 0; p < k; p++) {
		key |= (uint64_t)(v[p]->start / v[p]->ncls) << shift[p];
		ends &= v[p]->start < 2 * v[p]->ncls;
	}
	size_t start = ok ? pstate(&ps, key, ends) : SIZE_MAX;
	ok = start != SIZE_MAX;
	for (size_t q = 1; ok && q < ps.n; q++) {
		if (ps.ends[q])
			continue;
		const uint64_t from = ps.key[q];
		for (unsigned c = 0; c < ncls && ok; c++) {
			ends = true;
			key = 0;
			for (size_t p = 0; p < k; p++) {
				const struct dfa *e = v[p];
				unsigned qp = (unsigned)(from >> shift[p] & field[p]);
				if (qp >= 2) /* (a part that died or accepted stays so) */
					qp = step[p][qp * e->ncls + sig[c * k + p]];
				key |= (uint64_t)qp << shift[p];
				ends &= qp < 2;
			}
			size_t t = pstate(&ps, key, ends);
			ok = t != SIZE_MAX;
			ps.nx[q * ncls + c] = (uint32_t)t;
		}
	}
	if (ok) { /* the states that end a walk first (the dead one 0) */
		uint32_t *num = xmalloc(ps.n * sizeof *num);
		unsigned nend = 0;
		for (size_t q = 0; q < ps.n; q++)
			if (ps.ends[q])
				num[q] = nend++;
		for (size_t q = 0, live = nend; q < ps.n; q++)
			if (!ps.ends[q])
				num[q] = (uint32_t)live++;
		d->next = xcalloc(ps.n * ncls, sizeof *d->next);
		d->acc = xcalloc(ps.n, sizeof *d->acc);
		for (size_t q = 0; q < ps.n; q++) {
			for (size_t p = 0; p < k; p++) /* (its state 1: it accepted) */
				if ((ps.key[q] >> shift[p] & field[p]) == 1)
					d->acc[num[q]] |= (uint64_t)1 << p;
			if (!ps.ends[q])
				for (unsigned c = 0; c < ncls; c++)
					d->next[num[q] * ncls + c] =
						(uint16_t)(num[ps.nx[q * ncls + c]] * ncls);
		}
		d->start = num[start] * ncls;
		d->stop = nend * ncls;
		free(num);
	}
	for (size_t p = 0; p < k; p++)
		free(step[p]);
	free(step);
	free(sig);
	free(ps.key);
	free(ps.ends);
	free(ps.nx);
	free(ps.hash);
	if (!ok) {
		free(d);
		return NULL;
	}
	return d;
}

/* For each part of the product d (dfa_product()), may a match of its superset start at
 * i? Bit p for part p. */
static uint64_t may_start_each(const struct dfa *d, const char *text, size_t len, size_t i)
{
	size_t q = d->start, stop = d->stop;
	while (q >= stop && i < len)
		q = d->next[q + d->cls[(unsigned char)text[i++]]];
	return d->acc[q / d->ncls];
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
	if (pt->has_starts && !p->latin_known) {
		p->latin = latin_classes();
		p->latin_known = true;
	}
	pt->dfa = pt->has_starts ? shape(re, p->latin) : NULL;
	pt->group = -1;
	pt->group_bit = 0;
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

/* The groups of the patterns (struct pgroup), made anew. Patterns whose DFAs together
 * have too many states get none. */
static void make_groups(patterns *p)
{
	for (size_t g = 0; g < p->ngroups; g++)
		dfa_free(p->groups[g].dfa);
	free(p->groups);
	p->groups = NULL;
	p->ngroups = 0;
	for (size_t i = 0; i < p->n; i++)
		p->v[i].group = p->v[i].dfa && p->v[i].start_bit ? -2 : -1; /* -2: not yet in one */
	const struct dfa **parts = xmalloc(64 * sizeof *parts);
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].group != -2)
			continue;
		size_t k = 0;
		for (size_t j = i; j < p->n && k < 64; j++) {
			struct pat *pt = &p->v[j];
			if (pt->group == -2 && pt->start_bit == p->v[i].start_bit) {
				pt->group = (int)p->ngroups;
				pt->group_bit = (uint64_t)1 << k;
				parts[k++] = pt->dfa;
			}
		}
		struct dfa *d = k >= 2 ? dfa_product(parts, k) : NULL;
		if (!d) {
			for (size_t j = i; j < p->n; j++)
				if (p->v[j].group == (int)p->ngroups)
					p->v[j].group = -1;
			continue;
		}
		p->groups = xrealloc(p->groups, (p->ngroups + 1) * sizeof *p->groups);
		p->groups[p->ngroups++] = (struct pgroup){d, i, false};
	}
	free(parts);
}

/* pt's DFA when an attempt it finds hopeless ends before the limits in force, many times
 * over; else NULL. */
static const struct dfa *usable_dfa(const patterns *p, const struct pat *pt)
{
	const struct dfa *d = pt->dfa;
	return d && 4 * d->steps <= p->match_limit && 2 * d->depth <= p->depth_limit ? d : NULL;
}

/* The usable flags of the patterns and their groups, under the limits in force. */
static void set_usable(patterns *p)
{
	for (size_t g = 0; g < p->ngroups; g++)
		p->groups[g].usable = true;
	for (size_t i = 0; i < p->n; i++) {
		struct pat *pt = &p->v[i];
		pt->usable = usable_dfa(p, pt) != NULL;
		if (pt->group >= 0)
			p->groups[pt->group].usable &= pt->usable;
	}
}

int patterns_load(patterns *p, const char *path, struct err *err)
{
	int rc = read_lines(path, load_line, p, err);
	make_groups(p);
	set_usable(p);
	return rc;
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
static inline size_t first_start(const struct pat *pt, const char *text, const struct runs *runs,
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

#define GROUP_WALKS 8 /* the walks of a cluster: more, and every pattern of it may hit */

/* The group masks of g: for each run, the patterns of g (their group_bit) that may have
 * a hit in its cluster, as the product of their DFAs finds from each byte of the cluster's
 * windows an attempt can start at (first: the group's first pattern, whose start bytes
 * they share). Any call of theirs in the cluster searches no more than that span, whatever
 * its k and done: a pattern not in the mask has no hit there, and no call of it hits a
 * limit (its DFA is in force). */
struct gmasks {
	uint64_t *may;  /* by run: the group_bit of the patterns that may hit in its cluster */
	uint32_t *next; /* by run: the first run after its cluster whose cluster has a mask
			 * not 0, or the number of runs */
};

static struct gmasks group_masks(const struct pgroup *g, const struct pat *first,
				 struct arena *a, const char *text, size_t len,
				 const struct runs *runs)
{
	uint64_t *m = arena_alloc(a, runs->n * sizeof *m);
	uint32_t *next = arena_alloc(a, runs->n * sizeof *next);
	for (size_t k = 0; k < runs->n;) {
		const size_t last = runs->last[k], end = runs->v[last];
		uint64_t may = 0;
		size_t i = first_start(first, text, runs, k, last, runs->from[k]), walks = 0;
		for (; i <= end; i++) /* (i SIZE_MAX: none) */
			if (first->starts[(unsigned char)text[i]]) {
				if (++walks > GROUP_WALKS) {
					may = ~(uint64_t)0;
					break;
				}
				may |= may_start_each(g->dfa, text, len, i);
			}
		for (; k <= last; k++)
			m[k] = may;
	}
	uint32_t after = (uint32_t)runs->n; /* the first cluster from the next one on with a mask */
	for (size_t k = runs->n; k-- > 0;) {
		next[k] = after;
		if (m[k] && (k == 0 || runs->last[k - 1] < k)) /* (the first run of its cluster) */
			after = (uint32_t)k;
	}
	return (struct gmasks){m, next};
}

/* gm: the group masks of pt's group (group_masks()), or NULL. */
static int search(const struct pat *pt, const struct dfa *dfa, const struct gmasks *gm, bool plain,
		  const char *text, size_t len, const struct runs *runs, struct hits *h,
		  pcre2_match_data *md, pcre2_match_context *mc)
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
		/* the clusters where the group masks find no hit of pt are passed over at once
		 * (one attempt of it searches no more than its cluster, whatever k and done) */
		if (gm) {
			while (!(gm->may[k] & pt->group_bit) && (k = gm->next[k]) < runs->n)
				;
			if (k == runs->n)
				break;
		}
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
			/* nor where pt's DFA finds that no attempt up to the offset limit can
			 * succeed */
			if (from == SIZE_MAX ||
			    (dfa && !may_start(dfa, text, len, from, runs->v[last]))) {
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

bool patterns_prechecked(const patterns *p, size_t i)
{
	return i < p->n && p->v[i].usable;
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
	/* the masks of a group whose patterns have their DFAs in force */
	struct gmasks *gm = NULL;
	if (p->ngroups && runs.n && !p->plain) {
		gm = arena_alloc(a, p->ngroups * sizeof *gm);
		for (size_t g = 0; g < p->ngroups; g++)
			gm[g] = p->groups[g].usable ? group_masks(&p->groups[g],
								  &p->v[p->groups[g].first], a,
								  text, len, &runs)
						    : (struct gmasks){NULL, NULL};
	}
	for (size_t k = 0; k < p->n; k++) {
		/* a pattern that hits a limit stops there; the others still run */
		const struct pat *pt = &p->v[k];
		int r = search(pt, pt->usable ? pt->dfa : NULL,
			       gm && pt->group >= 0 && gm[pt->group].may ? &gm[pt->group] : NULL,
			       p->plain, text, len,
			       &runs, &h, md, mc);
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
