/* reference.h: the normalizer and tokenizer as they were before the fast paths (speed
 * issue #7), kept verbatim as the reference of the differential tests: the fast code must
 * give the same normalized text, offset map and tokens, byte for byte. Test-only. */
#ifndef ENTOPIC_REFERENCE_H
#define ENTOPIC_REFERENCE_H

#include <stdbool.h>
#include <string.h>
#include <utf8proc.h>

#include "normalize.h"
#include "tokenize.h"

static int ref_encode(int32_t cp, char *dst)
{
	return (int)utf8proc_encode_char(cp, (utf8proc_uint8_t *)dst);
}

static int ref_norm_text(struct arena *a, const char *orig, size_t olen, struct norm_text *out)
{
	if (olen >= UINT32_MAX / 2)
		return -ERR_LIMIT;
	size_t cap = olen + olen / 4 + 64;
	char *s = arena_alloc(a, cap + 1);
	uint32_t *map = arena_alloc(a, (cap + 1) * sizeof *map);
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)orig;
	size_t i = 0;
	while (i < olen) {
		if (cap - n < 40) {
			/* grow: copy into a larger region of the arena */
			size_t ncap = cap * 2;
			char *ns = arena_alloc(a, ncap + 1);
			uint32_t *nmap = arena_alloc(a, (ncap + 1) * sizeof *nmap);
			memcpy(ns, s, n);
			memcpy(nmap, map, n * sizeof *map);
			s = ns;
			map = nmap;
			cap = ncap;
		}
		unsigned char c = p[i];
		if (c < 0x80) {
			if (c >= 'A' && c <= 'Z')
				c += 32;
			else if (c < 0x20 && c != '\n')
				c = ' ';
			else if (c == 0x7F)
				c = ' ';
			s[n] = (char)c;
			map[n++] = (uint32_t)i;
			i++;
			continue;
		}
		int32_t cp, outc[8];
		int len = norm_decode(p + i, olen - i, &cp);
		int k = norm_codepoint(cp, outc);
		for (int j = 0; j < k; j++) {
			int m = ref_encode(outc[j], s + n);
			for (int b = 0; b < m; b++)
				map[n + b] = (uint32_t)i;
			n += m;
		}
		i += len;
	}
	s[n] = '\0';
	map[n] = (uint32_t)olen;
	out->s = s;
	out->len = n;
	out->map = map;
	return 0;
}

static inline bool ref_is_cjk(int32_t cp)
{
	if (cp < 0x3040)
		return false;
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F) ||
	       (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF);
}

static inline bool ref_is_wordch(int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
		       (cp >= 'A' && cp <= 'Z');
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return true;
	default:
		return false;
	}
}

static bool ref_is_letter(int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	utf8proc_category_t c = utf8proc_category(cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

/* Decode the normalized text (valid UTF-8 by construction) at i; 0 at the end. */
static inline int32_t ref_at(const struct norm_text *nt, size_t i, int *len)
{
	int32_t cp;
	if (i >= nt->len) {
		*len = 0;
		return 0;
	}
	if ((unsigned char)nt->s[i] < 0x80) {
		*len = 1;
		return (unsigned char)nt->s[i];
	}
	*len = norm_decode((const unsigned char *)nt->s + i, nt->len - i, &cp);
	return cp;
}

struct ref_tokbuf {
	struct arena *a;
	struct token *v;
	size_t n, cap;
};

static struct token *ref_push(struct ref_tokbuf *tb)
{
	if (tb->n == tb->cap) {
		size_t ncap = tb->cap ? tb->cap * 2 : 256;
		struct token *nv = arena_alloc(tb->a, ncap * sizeof *nv);
		if (tb->n)
			memcpy(nv, tb->v, tb->n * sizeof *nv);
		tb->v = nv;
		tb->cap = ncap;
	}
	return &tb->v[tb->n++];
}

/* Case flags from the original characters of [os, oe). */
static uint8_t ref_case_flags(const char *orig, uint32_t os, uint32_t oe)
{
	bool first = true, any = false, lower = false, init = false;
	const unsigned char *p = (const unsigned char *)orig;
	uint32_t i = os;
	/* ASCII first, byte by byte */
	for (; i < oe && p[i] < 0x80; i++) {
		unsigned char c = p[i];
		bool up = c >= 'A' && c <= 'Z', lo = c >= 'a' && c <= 'z';
		if (up || lo) {
			if (first)
				init = up;
			first = false;
			any = true;
			lower |= lo;
		}
	}
	while (i < oe) {
		int32_t cp;
		int l = norm_decode(p + i, oe - i, &cp);
		i += l;
		bool up, lo;
		if (cp < 0x80) {
			up = cp >= 'A' && cp <= 'Z';
			lo = cp >= 'a' && cp <= 'z';
		} else {
			utf8proc_category_t c = utf8proc_category(cp);
			up = c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
			lo = c == UTF8PROC_CATEGORY_LL;
		}
		if (up || lo) {
			if (first)
				init = up;
			first = false;
			any = true;
			if (lo)
				lower = true;
		} else if (cp >= 0x80 && ref_is_letter(cp) && first) {
			/* caseless script: neither upper nor lower */
			first = false;
		}
	}
	uint8_t f = 0;
	if (init)
		f |= TOKF_INIT_UPPER;
	if (any && !lower)
		f |= TOKF_ALL_UPPER;
	if (lower)
		f |= TOKF_HAS_LOWER;
	return f;
}

/* Is the text at i (after an apostrophe) an English contraction ending: t, re, ve, ll, d, m? */
static bool ref_contraction(const struct norm_text *nt, size_t i)
{
	static const char *const ends[] = {"t", "re", "ve", "ll", "d", "m"};
	for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
		size_t l = strlen(ends[k]);
		if (i + l <= nt->len && memcmp(nt->s + i, ends[k], l) == 0) {
			int l2;
			int32_t after = ref_at(nt, i + l, &l2);
			if (!l2 || !ref_is_wordch(after))
				return true;
		}
	}
	return false;
}

/* Length of a dotted abbreviation ("u.s.", "u.k.", "h.w.") starting at i, or 0. */
static size_t ref_dotted(const struct norm_text *nt, size_t i)
{
	size_t j = i;
	int letters = 0, l;
	for (;;) {
		int32_t cp = ref_at(nt, j, &l);
		if (!l || !ref_is_letter(cp) || ref_is_cjk(cp))
			break;
		int l2;
		int32_t nx = ref_at(nt, j + l, &l2);
		if (nx != '.')
			break;
		letters++;
		j += l + 1;
		int l3;
		int32_t after = ref_at(nt, j, &l3);
		if (!l3 || !ref_is_letter(after))
			break;
		int l4;
		int32_t after2 = ref_at(nt, j + l3, &l4);
		if (l4 && ref_is_wordch(after2))
			break; /* "u.sa" is not an abbreviation */
	}
	return letters >= 2 ? j - i : 0;
}

static int ref_tok_split(struct arena *a, const struct norm_text *nt, const char *orig,
	      struct tok_list *out)
{
	struct ref_tokbuf tb = {a, NULL, 0, 0};
	size_t i = 0;
	int newlines = 0;
	bool space = false;
	uint32_t olen = nt->map[nt->len];
	while (i < nt->len) {
		int l;
		int32_t cp = ref_at(nt, i, &l);
		if (cp == ' ') {
			space = true;
			i += l;
			continue;
		}
		if (cp == '\n') {
			space = true;
			newlines++;
			i += l;
			continue;
		}
		size_t start = i;
		uint8_t kind;
		uint8_t extra = 0;
		if (ref_is_cjk(cp)) {
			kind = TOK_CJK;
			i += l;
		} else if (ref_is_wordch(cp)) {
			/* "u.s.": only when a dot follows the first character */
			size_t d = (i + (size_t)l < nt->len && nt->s[i + l] == '.') ? ref_dotted(nt, i) : 0;
			if (d) {
				i += d;
				kind = TOK_WORD;
				extra = TOKF_DOTTED;
			} else {
				bool alldigit = true;
				while (i < nt->len) {
					int32_t c = ref_at(nt, i, &l);
					if (ref_is_wordch(c) && !ref_is_cjk(c)) {
						if (!(c >= '0' && c <= '9'))
							alldigit = false;
						i += l;
						continue;
					}
					if (c == '\'') {
						int l2, l3;
						int32_t n1 = ref_at(nt, i + 1, &l2);
						int32_t n2 = ref_at(nt, i + 1 + l2, &l3);
						if (n1 == 's' && !(l3 && ref_is_wordch(n2)))
							break; /* possessive follows */
						/* inside a word: "d'Ivoire", "O'Brien", "don't";
						 * not glued words ("brotherhood'China") */
						if (l2 && ref_is_letter(n1) && !ref_is_cjk(n1) &&
						    (i - start <= 3 || ref_contraction(nt, i + 1))) {
							i += 1;
							continue;
						}
					}
					break;
				}
				kind = alldigit ? TOK_NUM : TOK_WORD;
			}
		} else if (cp == '-') {
			kind = TOK_HYPHEN;
			i += l;
		} else if (cp == '\'' && tb.n && !space &&
			   (tb.v[tb.n - 1].kind == TOK_WORD)) {
			int l2, l3;
			int32_t n1 = ref_at(nt, i + 1, &l2);
			int32_t n2 = ref_at(nt, i + 1 + l2, &l3);
			const struct token *pt = &tb.v[tb.n - 1];
			if (n1 == 's' && !(l3 && ref_is_wordch(n2))) {
				kind = TOK_POSS;
				i += 2;
			} else if (nt->s[pt->nend - 1] == 's' && !(l2 && ref_is_wordch(n1))) {
				kind = TOK_POSS;
				i += 1;
			} else {
				kind = TOK_PUNCT;
				i += l;
			}
		} else {
			kind = TOK_PUNCT;
			i += l;
		}
		struct token *t = ref_push(&tb);
		t->nstart = (uint32_t)start;
		t->nend = (uint32_t)i;
		t->ostart = nt->map[start];
		{
			uint32_t lastsrc = nt->map[i - 1];
			int32_t dummy;
			int ol = lastsrc < olen ? norm_decode((const unsigned char *)orig + lastsrc,
							      olen - lastsrc, &dummy)
						: 0;
			t->oend = lastsrc + (uint32_t)ol;
		}
		t->kind = kind;
		t->flags = extra;
		t->hash = hash_bytes(nt->s + start, i - start);
		t->lists = 0;
		if (space)
			t->flags |= TOKF_SPACE_BEFORE;
		if (newlines)
			t->flags |= TOKF_LINE_BEFORE;
		if (newlines >= 2)
			t->flags |= TOKF_PARA_BEFORE;
		if (kind == TOK_WORD || kind == TOK_CJK)
			t->flags |= ref_case_flags(orig, t->ostart, t->oend);
		space = false;
		newlines = 0;
	}
	out->v = tb.v;
	out->n = tb.n;
	return 0;
}

/* Generated test texts: pieces drawn at random from the cases the fast paths treat apart
 * (ASCII of every kind, mixed scripts, combining marks, invalid and truncated UTF-8, NUL
 * bytes, CRLF, apostrophes, dotted abbreviations, long words, characters that expand). */
static uint64_t ref_rand(uint64_t *st)
{
	uint64_t x = *st;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *st = x;
}

static const char *const ref_pieces[] = {
	"China", "CHINA", "china", "U.S.", "u.k.", "H.W.", "a.b.c", "u.sa", "x.", ".",
	"'s", "'", "s'", "d'Ivoire", "O'Brien", "don't", "we're", "brotherhood'China", "'t",
	"27th", "2,000", "1999", "0", "12'ab", "-", "--", "$500", "&", "\"", "(", ")", "?!",
	" ", "  ", "\n", "\n\n", "\r\n", "\t", "\v\f", "\x01", "\x1F", "\x7F", "", "\0",
	"Abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij",
	"\xE2\x80\x99", "\xE2\x80\x98", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x93",
	"\xE2\x80\x94", "\xE2\x80\x90", "\xE2\x88\x92", "\xC2\xA0", "\xE2\x80\x8B",
	"\xE2\x80\x8D", "\xEF\xBB\xBF", "\xC2\xAD", "\xC2\x85", "\xE2\x80\xA8", "\xE3\x80\x80",
	"\xC3\x89", "\xC3\xA9", "\xC3\xBC", "\xC3\x9F", "\xC3\xB4", "e\xCC\x81", "E\xCC\x88\xCC\x81",
	"\xCC\x81", "\xCD\xAF", "\xE1\xB7\x80", "\xE2\x83\x90", "\xEF\xB8\xA0",
	"\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1", "\xCE\x86", "\xCF\x82",
	"\xD0\xA0\xD0\xBE\xD1\x81\xD1\x81\xD0\xB8\xD1\x8F", "\xD0\x81",
	"\xD9\xBE\xD8\xA7\xDA\xA9\xD8\xB3\xD8\xAA\xD8\xA7\xD9\x86", "\xD9\x8E", "\xD9\xB0",
	"\xD7\xA9\xD6\xB8\xD7\x9C", "\xE0\xA4\xAD\xE0\xA4\xBE\xE0\xA4\xB0\xE0\xA4\xA4",
	"\xE0\xA6\xAC\xE0\xA6\xBE", "\xE0\xB8\x81\xE0\xB8\xB2\xE0\xB8\xA3",
	"\xE6\x9E\x97\xE5\x89\x91\xE8\xAF\xB4", "\xE3\x81\x82", "\xE3\x82\xAB", "\xEA\xB0\x80",
	"\xF0\xA0\x80\x80", "\xEF\xBC\xA3", "\xEF\xBC\x91", "\xEF\xBC\x87", "\xEF\xAC\x81",
	"\xEF\xAC\x83", "\xC7\x86", "\xE3\x8C\x80", "\xE3\x8D\xBB", "\xEF\xB7\xBA", "\xE2\x91\xA0",
	"\xC2\xB2", "\xE2\x85\xA0", "\xC4\xB0", "\xE1\xBA\x9E", "\xC7\x85",
	"\xF0\x9F\x98\x80", "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9", "\xE2\x9D\xA4\xEF\xB8\x8F",
	"\xF0\x9F\x87\xAC\xF0\x9F\x87\xA7", "\xEF\xBF\xBD", "\xF4\x8F\xBF\xBF",
	"\xFF", "\xFE", "\x80", "\xBF", "\xC0\xAF", "\xC3", "\xE2\x82", "\xF0\x9F\x98",
	"\xED\xA0\x80", "\xF5\x80\x80\x80", "\xF8\x88\x80\x80\x80", "\xE0\x80\xAF",
};

/* A random text of at most cap - 1 bytes into buf (NUL-terminated, may hold NULs);
 * returns its length. */
static size_t ref_random_text(uint64_t *st, char *buf, size_t cap)
{
	size_t n = 0, want = ref_rand(st) % (cap > 400 ? 400 : cap);
	if (ref_rand(st) % 50 == 0)
		want = cap - 1;
	size_t np = sizeof ref_pieces / sizeof ref_pieces[0];
	while (n < want) {
		uint64_t r = ref_rand(st);
		size_t kind = r % 8;
		r >>= 3;
		if (kind == 0) { /* random ASCII byte */
			buf[n++] = (char)(r % 128);
		} else if (kind == 1) { /* random byte, mostly invalid UTF-8 */
			buf[n++] = (char)(r % 256);
		} else if (kind == 2) { /* a long ASCII word, sometimes dotted or with digits */
			size_t l = 1 + r % 40;
			r >>= 6;
			for (size_t j = 0; j < l && n < want; j++, r = ref_rand(st))
				buf[n++] = (char)(r % 7 == 0 ? '0' + r % 10 : r % 5 == 0 ? 'A' + r % 26 : 'a' + r % 26);
		} else { /* a piece; "\0" is one NUL byte */
			const char *p = ref_pieces[r % np];
			size_t l = *p ? strlen(p) : 1;
			if (n + l > want)
				break;
			memcpy(buf + n, p, l);
			n += l;
		}
	}
	buf[n] = '\0';
	return n;
}

#endif
