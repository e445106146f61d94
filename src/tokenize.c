/* tokenize: a single pass over the normalized text. Character classes come from
 * utf8proc categories of the normalized code points; case flags are read from the original
 * characters, since the normalized text is case folded. */
#include "tokenize.h"

#include <string.h>
#include <utf8proc.h>

static inline bool is_cjk(int32_t cp)
{
	if (cp < 0x3040)
		return false;
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F) ||
	       (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF);
}

static inline bool is_wordch(int32_t cp)
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

static bool is_letter(int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	utf8proc_category_t c = utf8proc_category(cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

/* Decode the normalized text (valid UTF-8 by construction) at i; 0 at the end. */
static inline int32_t at(const struct norm_text *nt, size_t i, int *len)
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

struct tokbuf {
	struct arena *a;
	struct token *v;
	size_t n, cap;
};

static struct token *push(struct tokbuf *tb)
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
static uint8_t case_flags(const char *orig, uint32_t os, uint32_t oe)
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
		} else if (cp >= 0x80 && is_letter(cp) && first) {
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
static bool contraction(const struct norm_text *nt, size_t i)
{
	static const char *const ends[] = {"t", "re", "ve", "ll", "d", "m"};
	for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
		size_t l = strlen(ends[k]);
		if (i + l <= nt->len && memcmp(nt->s + i, ends[k], l) == 0) {
			int l2;
			int32_t after = at(nt, i + l, &l2);
			if (!l2 || !is_wordch(after))
				return true;
		}
	}
	return false;
}

/* Length of a dotted abbreviation ("u.s.", "u.k.", "h.w.") starting at i, or 0. */
static size_t dotted(const struct norm_text *nt, size_t i)
{
	size_t j = i;
	int letters = 0, l;
	for (;;) {
		int32_t cp = at(nt, j, &l);
		if (!l || !is_letter(cp) || is_cjk(cp))
			break;
		int l2;
		int32_t nx = at(nt, j + l, &l2);
		if (nx != '.')
			break;
		letters++;
		j += l + 1;
		int l3;
		int32_t after = at(nt, j, &l3);
		if (!l3 || !is_letter(after))
			break;
		int l4;
		int32_t after2 = at(nt, j + l3, &l4);
		if (l4 && is_wordch(after2))
			break; /* "u.sa" is not an abbreviation */
	}
	return letters >= 2 ? j - i : 0;
}

int tok_split(struct arena *a, const struct norm_text *nt, const char *orig,
	      struct tok_list *out)
{
	struct tokbuf tb = {a, NULL, 0, 0};
	size_t i = 0;
	int newlines = 0;
	bool space = false;
	uint32_t olen = nt->map[nt->len];
	while (i < nt->len) {
		int l;
		int32_t cp = at(nt, i, &l);
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
		if (is_cjk(cp)) {
			kind = TOK_CJK;
			i += l;
		} else if (is_wordch(cp)) {
			/* "u.s.": only when a dot follows the first character */
			size_t d = (i + (size_t)l < nt->len && nt->s[i + l] == '.') ? dotted(nt, i) : 0;
			if (d) {
				i += d;
				kind = TOK_WORD;
				extra = TOKF_DOTTED;
			} else {
				bool alldigit = true;
				while (i < nt->len) {
					int32_t c = at(nt, i, &l);
					if (is_wordch(c) && !is_cjk(c)) {
						if (!(c >= '0' && c <= '9'))
							alldigit = false;
						i += l;
						continue;
					}
					if (c == '\'') {
						int l2, l3;
						int32_t n1 = at(nt, i + 1, &l2);
						int32_t n2 = at(nt, i + 1 + l2, &l3);
						if (n1 == 's' && !(l3 && is_wordch(n2)))
							break; /* possessive follows */
						/* inside a word: "d'Ivoire", "O'Brien", "don't";
						 * not glued words ("brotherhood'China") */
						if (l2 && is_letter(n1) && !is_cjk(n1) &&
						    (i - start <= 3 || contraction(nt, i + 1))) {
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
			int32_t n1 = at(nt, i + 1, &l2);
			int32_t n2 = at(nt, i + 1 + l2, &l3);
			const struct token *pt = &tb.v[tb.n - 1];
			if (n1 == 's' && !(l3 && is_wordch(n2))) {
				kind = TOK_POSS;
				i += 2;
			} else if (nt->s[pt->nend - 1] == 's' && !(l2 && is_wordch(n1))) {
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
		struct token *t = push(&tb);
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
			t->flags |= case_flags(orig, t->ostart, t->oend);
		space = false;
		newlines = 0;
	}
	out->v = tb.v;
	out->n = tb.n;
	return 0;
}
