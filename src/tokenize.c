/* tokenize: a single pass over the normalized text. Most of it goes 64 bytes at a time
 * (windows()): the window's bytes, and the original bytes from the original offset of its
 * first, are classified into one bit mask a class (letters, digits, spaces, line breaks,
 * stop bytes, bytes unchanged by normalization; SSE2 compares and pmovmskb, or a portable
 * gathering of the high bits with TOK_PORTABLE; on a CPU with AVX2 and BMI2, found at run
 * time, windows_avx2(), the same with 32 bytes a compare and the flags of the tokens read
 * from bytes), and the tokens before the window's first
 * stop byte (a byte >= 0x80 in either text, or an apostrophe) are found from the masks
 * with ctz: word starts and ends, the flags of the spaces before them, the case flags
 * (the letters normalization changed are the upper-case ones), the offsets (the window is
 * ASCII in both texts, so the original offsets are the normalized ones moved by one
 * distance) and the hash from whole eight-byte loads. Words and punctuation take one way
 * there, without a branch on their kind or case, which no predictor can guess: the flags
 * of every word come at once from carries through the masks, and a table by the first
 * byte gives the kind; the line breaks before tokens, found by carries too, are added
 * afterwards in the windows that have any. The next window starts at the first token left; the last ones read
 * copies of the ends of the texts, zero bytes after them. A token the windows cannot tell
 * (next to a stop byte, a one-letter word before a dot: "u.s."), and the texts of fewer
 * than 79 bytes, take the fast paths of the loop of tok_split(): an ASCII word of up to
 * 15 bytes whose original is as many ASCII bytes is found, hashed and given its case
 * flags from one or two eight-byte loads of the normalized text and as many of the
 * original; one ASCII punctuation character, or a possessive "'s", from as many ASCII
 * ones needs no decoding either. Every other token, and every token of the last 15 bytes,
 * takes the general way (any_token()): ASCII bytes classified by one table lookup, words
 * of ASCII letters and digits scanned without decoding, other characters classed by the
 * utf8proc categories of the normalized code points, case flags read from the original
 * characters (ASCII bytes by the table, others by decoding). The token hash is taken as
 * soon as the token ends, while its bytes are in cache. Nothing is allocated per token:
 * the token array is sized from the text length once and doubled in the rare texts that
 * need more. */
#include "tokenize.h"

#include <stddef.h>
#include <string.h>
#include <utf8proc.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Byte classes, for the normalized text and for the ASCII of the original text. */
enum {
	C_SPACE = 1 << 0, /* ' ' */
	C_NL = 1 << 1,    /* '\n' */
	C_LOWER = 1 << 2, /* a-z */
	C_UPPER = 1 << 3, /* A-Z (only in original text) */
	C_DIGIT = 1 << 4, /* 0-9 */
	C_HIGH = 1 << 5,  /* >= 0x80: a byte of a multi-byte character, decoded */
	C_JOIN = 1 << 6,  /* '\'' and '.': may join what follows to a word before them */
};
#define C_LETTER (C_LOWER | C_UPPER)
#define C_WORD (C_LETTER | C_DIGIT)

#define P 0 /* any other ASCII character */
#define S C_SPACE
#define N C_NL
#define L C_LOWER
#define U C_UPPER
#define D C_DIGIT
#define H C_HIGH
#define J C_JOIN
static const uint8_t cls[256] = {
	P, P, P, P, P, P, P, P, P, P, N, P, P, P, P, P, /* 0x00 */
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, /* 0x10 */
	S, P, P, P, P, P, P, J, P, P, P, P, P, P, J, P, /* 0x20  !"#$%&'()*+,-./ */
	D, D, D, D, D, D, D, D, D, D, P, P, P, P, P, P, /* 0x30 0-9:;<=>? */
	P, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0x40 @A-O */
	U, U, U, U, U, U, U, U, U, U, U, P, P, P, P, P, /* 0x50 P-Z[\]^_ */
	P, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* 0x60 `a-o */
	L, L, L, L, L, L, L, L, L, L, L, P, P, P, P, P, /* 0x70 p-z{|}~ DEL */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 0x80 */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
};
#undef P
#undef S
#undef N
#undef L
#undef U
#undef D
#undef H
#undef J

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

/* Double the token array (a copy in the arena). */
static void grow(struct tokbuf *tb)
{
	tb->v = arena_grow(tb->a, tb->v, tb->n, &tb->cap, sizeof *tb->v, 0);
}

/* Case flags from the original characters of [os, oe). */
static uint8_t case_flags(const char *orig, uint32_t os, uint32_t oe)
{
	const unsigned char *p = (const unsigned char *)orig;
	uint32_t i = os;
	bool first = true, init = false;
	/* ASCII first, by the table: up to the first letter, then every byte's class */
	while (i < oe && !(cls[p[i]] & (C_LETTER | C_HIGH)))
		i++;
	if (i < oe && (cls[p[i]] & C_LETTER)) {
		init = cls[p[i]] & C_UPPER;
		first = false;
	}
	uint8_t seen = 0;
	while (i < oe && !(cls[p[i]] & C_HIGH))
		seen |= cls[p[i++]];
	bool any = seen & C_LETTER, lower = seen & C_LOWER;
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

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TOK_SWAR 1
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
#if defined(__x86_64__) && defined(__GNUC__) && !defined(TOK_PORTABLE)
/* windows_avx2() beside windows(), the one taken where wide_cpu() */
#define TOK_AVX2 1
#include <immintrin.h>
#endif
#endif

/* tok_wide(false): the tests' way to the SSE2 windows on a CPU that has AVX2 */
static bool wide_off;

/* Does the CPU have what windows_avx2() takes: AVX2, BMI1, BMI2 and popcnt? */
static inline bool wide_cpu(void)
{
#ifdef TOK_AVX2
	return cpu_avx2_bmi();
#else
	return false;
#endif
}

bool tok_wide(bool allow)
{
	wide_off = !allow;
	return allow && wide_cpu();
}

/* hash_start(n) for the short words of the fast paths (up to 16 bytes), and the hash of
 * each ASCII character alone, as tables. */
static const uint64_t hash_starts[17] = {
	HASH_START(0), HASH_START(1), HASH_START(2), HASH_START(3), HASH_START(4),
	HASH_START(5), HASH_START(6), HASH_START(7), HASH_START(8), HASH_START(9),
	HASH_START(10), HASH_START(11), HASH_START(12), HASH_START(13), HASH_START(14),
	HASH_START(15), HASH_START(16),
};
#define H1(c) HASH_END(HASH_STEP(HASH_START(1), c))
#define H8(c) H1(c), H1(c + 1), H1(c + 2), H1(c + 3), H1(c + 4), H1(c + 5), H1(c + 6), H1(c + 7)
static const uint64_t hash_ascii[128] = {
	H8(0), H8(8), H8(16), H8(24), H8(32), H8(40), H8(48), H8(56),
	H8(64), H8(72), H8(80), H8(88), H8(96), H8(104), H8(112), H8(120),
};
#undef H8
#undef H1

/* hash_bytes(s + start, end - start), reading whole words when the text (with its NUL)
 * holds them, so the tail needs no byte-wise copy. */
static inline uint64_t tok_hash(const char *s, size_t start, size_t end, size_t len)
{
	size_t n = end - start;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (start + ((n + 7) & ~(size_t)7) <= len + 1) {
		const char *p = s + start;
		uint64_t h = hash_start(n);
		for (; n >= 8; n -= 8, p += 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			h = hash_step(h, w);
		}
		if (n) {
			uint64_t w;
			memcpy(&w, p, 8);
			h = hash_step(h, w & (~(uint64_t)0 >> (64 - 8 * n)));
		}
		return hash_end(h);
	}
#else
	(void)len;
#endif
	return hash_bytes(s + start, n);
}

/* The end of the run of ASCII letters and digits at s + i (s is NUL-terminated), with
 * their classes added to *seen: a loop of its own, whose state stays in registers. */
static inline size_t ascii_run(const unsigned char *s, size_t i, uint8_t *seen)
{
	uint8_t acc = 0, k;
	while ((k = cls[s[i]]) & C_WORD) {
		acc |= k;
		i++;
	}
	*seen |= acc;
	return i;
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

/* The token that starts at s[i] (not a space), of any kind, into *t but for the flags of
 * the spaces before it (t->flags holds the others), prev being the token before it (NULL
 * for the first) and space whether spaces separate them. Returns its length in bytes. The
 * general way, for every token the fast paths of tok_split() leave; not inlined, so that
 * the loop of tok_split() keeps its state in registers. */
__attribute__((noinline)) static size_t any_token(const struct norm_text *nt, const char *orig,
						  const struct token *prev, bool space, size_t i,
						  struct token *t)
{
	const unsigned char *s = (const unsigned char *)nt->s; /* s[len] == '\0' stops scans */
	const size_t len = nt->len;
	const uint32_t *map = nt->map;
	const uint32_t olen = map[len];
	unsigned char c = s[i];
	uint8_t k = cls[c];
	size_t start = i;
	uint8_t kind = TOK_PUNCT;
	uint8_t f = 0;
	int l = 1;
	bool word = k & C_WORD;
	if (k & C_HIGH) {
		int32_t cp;
		l = norm_decode(s + i, len - i, &cp);
		if (is_cjk(cp))
			kind = TOK_CJK;
		else
			word = is_wordch(cp);
		if (!word)
			i += l;
	} else if (c == '-') {
		kind = TOK_HYPHEN;
		i++;
	} else if (c == '\'' && prev && !space && prev->kind == TOK_WORD) {
		int l2, l3;
		int32_t n1 = at(nt, i + 1, &l2);
		int32_t n2 = at(nt, i + 1 + l2, &l3);
		if (n1 == 's' && !(l3 && is_wordch(n2))) {
			kind = TOK_POSS;
			i += 2;
		} else if (s[prev->nend - 1] == 's' && !(l2 && is_wordch(n1))) {
			kind = TOK_POSS;
			i += 1;
		} else {
			i += 1;
		}
	} else if (!word) {
		i++;
	}
	if (word) {
		/* "u.s.": only when a dot follows the first character */
		size_t d = s[i + l] == '.' ? dotted(nt, i) : 0;
		kind = TOK_WORD;
		if (d) {
			i += d;
			f = TOKF_DOTTED;
		} else {
			uint8_t seen = 0; /* classes met; non-ASCII word characters as letters */
			for (;;) {
				i = ascii_run(s, i, &seen);
				k = cls[s[i]];
				if (k & C_HIGH) {
					int32_t cp;
					int cl = norm_decode(s + i, len - i, &cp);
					if (is_wordch(cp) && !is_cjk(cp)) {
						seen |= C_LETTER;
						i += cl;
						continue;
					}
					break;
				}
				if (s[i] == '\'' && i < len) {
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
			if (!(seen & C_LETTER))
				kind = TOK_NUM;
		}
	}
	t->nstart = (uint32_t)start;
	t->nend = (uint32_t)i;
	t->ostart = map[start];
	uint32_t last = map[i - 1]; /* the original character of the last byte */
	if (last >= olen)
		t->oend = last;
	else if ((unsigned char)orig[last] < 0x80)
		t->oend = last + 1;
	else {
		int32_t cp;
		t->oend = last + (uint32_t)norm_decode((const unsigned char *)orig + last,
						       olen - last, &cp);
	}
	t->kind = kind;
	t->lists = 0;
	t->tfeat = 0;
	t->hash = tok_hash(nt->s, start, i, len);
	if (kind == TOK_WORD || kind == TOK_CJK) {
		f |= case_flags(orig, t->ostart, t->oend);
	}
	t->flags = f;
	return i - start;
}

#ifdef TOK_SWAR
/* High bit of each byte of w, a stretch of normalized text, that cannot be in an ASCII
 * word: anything but a-z and 0-9 (A-Z are folded), bytes >= 0x80 included. The bytes
 * below 0x80 pass 0, 1, 2, 3 or 4 of the bounds 0x30, 0x3A, 0x61 and 0x7B: a word byte
 * passes an odd number. */
static inline uint64_t word_ends8(uint64_t w)
{
	uint64_t x = w & ~HIGHS; /* no sum below carries into the next byte */
	uint64_t odd = (x + ONES * (0x80 - 0x30)) ^ (x + ONES * (0x80 - 0x3A)) ^
		       (x + ONES * (0x80 - 0x61)) ^ (x + ONES * (0x80 - 0x7B));
	return (~odd | w) & HIGHS;
}

/* Fill *t with the ASCII word of n bytes at s + i whose original is as many ASCII bytes at
 * os, pre the flags of the spaces before it: w0 and w1 its normalized bytes, o0 and o1 its
 * original ones (zero past the word). */
static inline void put_ascii_word(struct token *t, size_t i, size_t n, uint32_t os,
				  uint8_t pre, uint64_t w0, uint64_t o0, uint64_t w1, uint64_t o1)
{
	/* bit 6 of each letter (digits lack it); bit 6 of each upper-case letter, the only
	 * bytes that normalization changed (by 0x20) */
	uint64_t l0 = w0 & ONES * 0x40, l1 = w1 & ONES * 0x40;
	uint64_t u0 = (w0 ^ o0) << 1, u1 = (w1 ^ o1) << 1;
	uint64_t lower = (l0 & ~u0) | (l1 & ~u1);
	uint64_t init = (l0 & (0 - l0) & u0) | (l0 ? 0 : l1 & (0 - l1) & u1);
	uint64_t h = hash_step(hash_starts[n], w0);
	if (n > 8)
		h = hash_step(h, w1);
	t->nstart = (uint32_t)i;
	t->nend = (uint32_t)(i + n);
	t->ostart = os;
	t->oend = os + (uint32_t)n;
	t->kind = (l0 | l1) ? TOK_WORD : TOK_NUM;
	t->flags = (uint8_t)(pre | (init ? TOKF_INIT_UPPER : 0) |
			     (lower ? TOKF_HAS_LOWER : (l0 | l1) ? TOKF_ALL_UPPER : 0));
	t->lists = 0;
	t->tfeat = 0;
	t->hash = hash_end(h);
}

/* Does the apostrophe at p, right after a word, surely end it, as any_token() decides
 * from ASCII alone: a possessive 's follows, or no letter? False also when a byte >= 0x80
 * follows, which takes decoding. */
static inline bool apostrophe_ends(const unsigned char *p)
{
	if (p[1] == 's')
		return !(cls[p[2]] & (C_WORD | C_HIGH));
	return !(cls[p[1]] & (C_LETTER | C_HIGH));
}

/* The token at s + i, an ASCII character that is no letter, digit or space, when it is
 * one or two bytes ("'s") from as many ASCII ones: fills *t (pre the flags of the spaces
 * before it, prev the token before it or NULL), sets *len to its length and returns true.
 * Returns false for any other token, *t untouched. An apostrophe right after a word is a
 * possessive ("'s", or "'" after an s) when any_token() would make it one; the bytes after
 * it must then be ASCII. */
static inline bool ascii_punct(const unsigned char *s, size_t i, const uint32_t *map,
			       const unsigned char *orig, const struct token *prev,
			       uint8_t pre, struct token *t, size_t *len)
{
	unsigned char c = s[i];
	size_t n = 1;
	uint8_t kind = c == '-' ? TOK_HYPHEN : TOK_PUNCT;
	uint64_t w = c;
	if (c == '\'' && prev && !(pre & TOKF_SPACE_BEFORE) && prev->kind == TOK_WORD) {
		unsigned char n1 = s[i + 1];
		if (n1 >= 0x80)
			return false;
		if (n1 == 's') {
			if (s[i + 2] >= 0x80)
				return false;
			if (!(cls[s[i + 2]] & C_WORD)) {
				kind = TOK_POSS;
				n = 2;
				w = '\'' | 's' << 8;
			}
		} else if (s[prev->nend - 1] == 's' && !(cls[n1] & C_WORD)) {
			kind = TOK_POSS;
		}
	}
	uint32_t last = map[i + n - 1]; /* the original character of the last byte */
	if (orig[map[i]] >= 0x80 || orig[last] >= 0x80)
		return false;
	t->nstart = (uint32_t)i;
	t->nend = (uint32_t)(i + n);
	t->ostart = map[i];
	t->oend = last + 1;
	t->kind = kind;
	t->flags = pre;
	t->lists = 0;
	t->tfeat = 0;
	t->hash = n == 1 ? hash_ascii[c] : hash_end(hash_step(hash_starts[2], w));
	*len = n;
	return true;
}

/* The token at s + i (an ASCII letter or digit; s + i + 16 <= s + len + 1, inside the
 * text and its NUL) when it is a word of at most 15 ASCII letters and digits that nothing
 * can continue (no apostrophe, byte >= 0x80 or "u.s." dot after it) and whose original is
 * the same number of ASCII bytes, so the offset map is not needed past its first entry:
 * fills *t (pre the flags of the spaces before it), sets *len to its length and returns
 * true. Returns false for any other token, *t untouched. The normalized bytes come in
 * whole eight-byte loads that give the end, the hash and, with the original bytes (olim:
 * olen - 16, negative when shorter), the case. */
static inline bool ascii_word(const unsigned char *s, size_t i, const uint32_t *map,
			      const unsigned char *orig, int64_t olim, uint8_t pre,
			      struct token *t, size_t *len)
{
	uint64_t w0, w1, o0, o1;
	memcpy(&w0, s + i, 8);
	uint64_t e = word_ends8(w0);
	if (e) {
		size_t n = (size_t)__builtin_ctzll(e) / 8; /* 1 to 7: s[i] is a word byte */
		unsigned char next = s[i + n];
		if ((cls[next] & (C_HIGH | C_JOIN)) &&
		    (next >= 0x80 || (next == '\'' && !apostrophe_ends(s + i + n)) ||
		     (next == '.' && n == 1 && (w0 & 0x40)))) /* "u.s.", not "2.5" */
			return false;
		uint64_t m = (e ^ (e - 1)) >> 8; /* the n bytes */
		uint32_t os = map[i];
		if ((int64_t)os > olim + 8)
			return false;
		memcpy(&o0, orig + os, 8);
		o0 &= m;
		if (o0 & HIGHS)
			return false;
		put_ascii_word(t, i, n, os, pre, w0 & m, o0, 0, 0);
		*len = n;
		return true;
	}
	memcpy(&w1, s + i + 8, 8);
	e = word_ends8(w1);
	if (!e)
		return false;
	size_t n = 8 + (size_t)__builtin_ctzll(e) / 8;
	unsigned char next = s[i + n];
	if (next >= 0x80 || (next == '\'' && !apostrophe_ends(s + i + n)))
		return false;
	uint32_t os = map[i];
	if ((int64_t)os > olim)
		return false;
	uint64_t m = ((uint64_t)1 << (8 * (n - 8))) - 1;
	memcpy(&o0, orig + os, 8);
	memcpy(&o1, orig + os + 8, 8);
	o1 &= m;
	if ((o0 | o1) & HIGHS)
		return false;
	put_ascii_word(t, i, n, os, pre, w0, o0, w1 & m, o1);
	*len = n;
	return true;
}

/* Sixteen bytes at a time for the windows below: GCC's and Clang's vector types, SSE2 on
 * x86-64. */
typedef int8_t v16i8 __attribute__((vector_size(16)));
typedef uint8_t v16u8 __attribute__((vector_size(16)));

/* The high bit of each of the sixteen bytes of c, as bits 0 to 15: SSE2's pmovmskb where
 * there is one (x86-64 always), else the high bits of each half gathered by one
 * multiplication (no two of its partial products meet). TOK_PORTABLE forces the second
 * way; a unit test builds it. */
static inline uint64_t movemask16(v16i8 c)
{
#if defined(__SSE2__) && !defined(TOK_PORTABLE)
	return (uint64_t)(uint32_t)_mm_movemask_epi8((__m128i)c);
#else
	uint64_t lo, hi;
	memcpy(&lo, &c, 8);
	memcpy(&hi, (const char *)&c + 8, 8);
	lo = ((lo & HIGHS) * 0x0002040810204081ULL) >> 56;
	hi = ((hi & HIGHS) * 0x0002040810204081ULL) >> 56;
	return lo | hi << 8;
#endif
}

/* The pieces of the windows below, always inlined into windows() and windows_avx2(),
 * whose state must stay in registers: a call costs more than most of them. */
#define WIN_INLINE static inline __attribute__((always_inline))

/* A window: 64 bytes of normalized text and the 64 original bytes from the original
 * offset of its first, one bit a byte (bit k for byte k) in each class. */
struct window {
	uint64_t lower; /* a-z */
	uint64_t word;  /* a-z, 0-9 */
	uint64_t space; /* ' ' or '\n' (the only bytes below 0x21 of a normalized text) and,
			 * by the signed compare, the bytes >= 0x80, which stop anyway */
	uint64_t nl;    /* '\n' */
	uint64_t dot;   /* '.' */
	uint64_t stop;  /* >= 0x80 in either text, or an apostrophe */
	uint64_t same;  /* the same byte in both texts */
};

WIN_INLINE void classify64(const unsigned char *s, const unsigned char *o, struct window *m)
{
	uint64_t lower = 0, word = 0, space = 0, nl = 0, dot = 0, stop = 0, same = 0;
#pragma GCC unroll 4
	for (int k = 0; k < 4; k++) {
		v16i8 v, w;
		memcpy(&v, s + 16 * k, 16);
		memcpy(&w, o + 16 * k, 16);
		int sh = 16 * k;
		/* a range by one signed compare: its first byte moved to the least value */
		v16i8 lo = (v16i8)((v16u8)v + (0x80 - 'a')) < -0x80 + 26;
		v16i8 dg = (v16i8)((v16u8)v + (0x80 - '0')) < -0x80 + 10;
		lower |= movemask16(lo) << sh;
		word |= movemask16(lo | dg) << sh;
		space |= movemask16(v < '!') << sh;
		nl |= movemask16(v == '\n') << sh;
		dot |= movemask16(v == '.') << sh;
		stop |= movemask16(v | w | (v == '\'')) << sh;
		same |= movemask16(v == w) << sh;
	}
	m->lower = lower;
	m->word = word;
	m->space = space;
	m->nl = nl;
	m->dot = dot;
	m->stop = stop;
	m->same = same;
}

#ifdef TOK_AVX2
/* classify64() 32 bytes at a time, for the AVX2 windows. */
typedef int8_t v32i8 __attribute__((vector_size(32)));
typedef uint8_t v32u8 __attribute__((vector_size(32)));

static inline __attribute__((always_inline, target("avx2"))) uint64_t movemask32(v32i8 c)
{
	return (uint64_t)(uint32_t)_mm256_movemask_epi8((__m256i)c);
}

/* The constants of the AVX2 windows, made once a call of windows_avx2() and hidden from the
 * compiler (wide_opaque()), which would otherwise make each again in every window, from a
 * general register (three instructions each) rather than keep them in vector registers or
 * read them from the stack. */
struct wide_consts {
	v32u8 lo_add, dg_add; /* a-z, 0-9 moved to the least values ... */
	v32i8 lo_lim, dg_lim; /* ... and the bounds they are then below */
	v32i8 bang, nl, dot, apos; /* '!', '\n', '.', '\'' */
};

static inline __attribute__((always_inline, target("avx2"))) v32i8 wide_opaque(v32i8 v)
{
	__asm__("" : "+x"(v));
	return v;
}

static inline __attribute__((always_inline, target("avx2"))) void
wide_consts_init(struct wide_consts *k)
{
	k->lo_add = (v32u8)wide_opaque((v32i8)_mm256_set1_epi8((char)(0x80 - 'a')));
	k->dg_add = (v32u8)wide_opaque((v32i8)_mm256_set1_epi8((char)(0x80 - '0')));
	k->lo_lim = wide_opaque((v32i8)_mm256_set1_epi8(-0x80 + 26));
	k->dg_lim = wide_opaque((v32i8)_mm256_set1_epi8(-0x80 + 10));
	k->bang = wide_opaque((v32i8)_mm256_set1_epi8('!'));
	k->nl = wide_opaque((v32i8)_mm256_set1_epi8('\n'));
	k->dot = wide_opaque((v32i8)_mm256_set1_epi8('.'));
	k->apos = wide_opaque((v32i8)_mm256_set1_epi8('\''));
}

static inline __attribute__((always_inline, target("avx2"))) void
classify64_avx2(const unsigned char *s, const unsigned char *o, const struct wide_consts *k,
		struct window *m)
{
	v32i8 v0, v1, w0, w1;
	memcpy(&v0, s, 32);
	memcpy(&v1, s + 32, 32);
	memcpy(&w0, o, 32);
	memcpy(&w1, o + 32, 32);
	v32i8 lo0 = (v32i8)((v32u8)v0 + k->lo_add) < k->lo_lim;
	v32i8 lo1 = (v32i8)((v32u8)v1 + k->lo_add) < k->lo_lim;
	v32i8 dg0 = (v32i8)((v32u8)v0 + k->dg_add) < k->dg_lim;
	v32i8 dg1 = (v32i8)((v32u8)v1 + k->dg_add) < k->dg_lim;
	m->lower = movemask32(lo0) | movemask32(lo1) << 32;
	m->word = movemask32(lo0 | dg0) | movemask32(lo1 | dg1) << 32;
	m->space = movemask32(v0 < k->bang) | movemask32(v1 < k->bang) << 32;
	m->nl = movemask32(v0 == k->nl) | movemask32(v1 == k->nl) << 32;
	m->dot = movemask32(v0 == k->dot) | movemask32(v1 == k->dot) << 32;
	m->stop = movemask32(v0 | w0 | (v0 == k->apos)) |
		  movemask32(v1 | w1 | (v1 == k->apos)) << 32;
	m->same = movemask32(v0 == w0) | movemask32(v1 == w1) << 32;
}
#endif

/* pre with the flags of the white space gap (a mask of spaces and line breaks) added, as
 * space_at() would add them byte by byte: nl marks the line breaks, and a second one makes
 * a blank line. Without branches: whether a gap holds a line break is anyone's guess. */
WIN_INLINE uint8_t gap_flags(uint8_t pre, uint64_t gap, uint64_t nl)
{
	nl &= gap;
	unsigned line = nl != 0, two = (nl & (nl - 1)) != 0;
	unsigned para = line & (two | ((pre & TOKF_LINE_BEFORE) != 0));
	return (uint8_t)(pre | (gap != 0) * TOKF_SPACE_BEFORE | line * TOKF_LINE_BEFORE |
			 para * TOKF_PARA_BEFORE);
}

/* The offsets of a token, both at once: its normalized start | end << 32 and its original
 * ones, in the struct's first sixteen bytes (little-endian: TOK_SWAR). */
typedef uint64_t v2u64 __attribute__((vector_size(16)));

/* Fill *t: the offsets no (those of the window, plus the token's start | end << 32 in it),
 * kind and flags (kf: kind | flags << 8) and hash h; the matcher's and the model's fields
 * zero. One vector store for the offsets. */
WIN_INLINE void put_token(struct token *t, v2u64 no, uint32_t kf, uint64_t h)
{
	_Static_assert(offsetof(struct token, nend) == 4 && offsetof(struct token, ostart) == 8 &&
			       offsetof(struct token, oend) == 12 &&
			       offsetof(struct token, flags) == offsetof(struct token, kind) + 1 &&
			       offsetof(struct token, lists) == offsetof(struct token, kind) + 2,
		       "struct token starts with its four offsets; kind, flags, lists follow");
	memcpy((char *)t + offsetof(struct token, nstart), &no, 16);
	memcpy((char *)t + offsetof(struct token, kind), &kf, 4); /* lists 0 */
	t->tfeat = 0;
	t->hash = h;
}

/* Is the byte at b[p], the first stop byte of the window m, a possessive "'s" that the
 * window can take, as any_token() would make it: an apostrophe right after a word whose
 * last byte is a letter (so the word is a TOK_WORD), then an "s" that is no stop byte (so
 * the apostrophe's original is one byte: the original of a character of more bytes has a
 * byte >= 0x80 after its first), then an ASCII byte that is no letter or digit; all of it
 * after the window's first byte and before its last. */
WIN_INLINE bool possessive_at(const struct window *m, const unsigned char *b, unsigned p)
{
	return p >= 1 && p <= 61 && b[p] == '\'' && (m->lower >> (p - 1) & 1) && b[p + 1] == 's' &&
	       !(m->stop >> (p + 1) & 1) && b[p + 2] < 0x80 && !(m->word >> (p + 2) & 1);
}

/* The tables of the token loop of the windows, in one object, so that one register finds
 * them all:
 * - start[n], mask[n]: hash_start(n) and the mask of the bytes of the last eight-byte
 *   load of a word of n bytes, up to 16 (two arrays: an index n scaled by 8 is one of
 *   an address's own modes, where a pair would take a shift and an add);
 * - kind[c]: the kind of a token by its first byte c, an ASCII one, with every bit above
 *   it set, to be masked with flags[]: a word of a letter is a TOK_WORD, one of a digit a
 *   TOK_NUM unless it has a letter; an apostrophe starts a possessive (windows() lets no
 *   other apostrophe in). One lookup for every kind, so that the words and the
 *   punctuation of a window take the same way;
 * - flags[k]: the kind mask and flags of a token, kind_mask | flags << 8, by three bits:
 *   bit 0 a space before it, bit 1 a lower-case letter in it, bit 2 an upper-case first
 *   letter. A word with a letter has one of the two (all upper case when it lacks the
 *   first): not a TOK_NUM, so the kind mask takes bit 0 off the kind of its first byte. */
/* (% 64: no shift past the width even in the branch not taken, which compilers warn of) */
#define LOW(n) ((n) >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << 8 * (n) % 64) - 1)
#define HS(n) HASH_START(n)
#define HM(n) LOW((n) > 8 ? (n) - 8 : (n))
#define KF(f, word) ((uint32_t)(f) << 8 | ((word) ? 0xFEu : 0xFFu))
#define P (0xFFFFFF00u | TOK_PUNCT)
#define P16 P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P
#define W (0xFFFFFF00u | TOK_WORD)
#define D (0xFFFFFF00u | TOK_NUM)
#define A (0xFFFFFF00u | TOK_POSS)
#define Y (0xFFFFFF00u | TOK_HYPHEN)
static const struct {
	uint64_t start[17], mask[17];
	uint32_t flags[8];
	uint32_t kind[256];
} win = {
	.start = {HS(0), HS(1), HS(2), HS(3), HS(4), HS(5), HS(6), HS(7), HS(8), HS(9), HS(10),
		  HS(11), HS(12), HS(13), HS(14), HS(15), HS(16)},
	.mask = {HM(0), HM(1), HM(2), HM(3), HM(4), HM(5), HM(6), HM(7), HM(8), HM(9), HM(10),
		 HM(11), HM(12), HM(13), HM(14), HM(15), HM(16)},
	.flags = {
		KF(0, 0),
		KF(TOKF_SPACE_BEFORE, 0),
		KF(TOKF_HAS_LOWER, 1),
		KF(TOKF_HAS_LOWER | TOKF_SPACE_BEFORE, 1),
		KF(TOKF_INIT_UPPER | TOKF_ALL_UPPER, 1),
		KF(TOKF_INIT_UPPER | TOKF_ALL_UPPER | TOKF_SPACE_BEFORE, 1),
		KF(TOKF_INIT_UPPER | TOKF_HAS_LOWER, 1),
		KF(TOKF_INIT_UPPER | TOKF_HAS_LOWER | TOKF_SPACE_BEFORE, 1),
	},
	.kind = {
		P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, /* 0x00 */
		P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, /* 0x10 */
		P, P, P, P, P, P, P, A, P, P, P, P, P, Y, P, P, /* 0x20 ' - */
		D, D, D, D, D, D, D, D, D, D, P, P, P, P, P, P, /* 0x30 0-9 */
		P, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0x40 */
		W, W, W, W, W, W, W, W, W, W, W, P, P, P, P, P, /* 0x50 */
		P, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0x60 a-o */
		W, W, W, W, W, W, W, W, W, W, W, P, P, P, P, P, /* 0x70 p-z */
		P16, P16, P16, P16, P16, P16, P16, P16, /* 0x80-0xFF: never a first byte */
	},
};
#undef LOW
#undef HS
#undef HM
#undef KF
#undef P
#undef P16
#undef W
#undef D
#undef A
#undef Y

/* The flags of each token of a window as bits at its last byte: has_lower
 * (TOKF_HAS_LOWER), init_upper (TOKF_INIT_UPPER; with has_lower clear, TOKF_ALL_UPPER too)
 * and space_before (white space right before it; not for the first token of the window,
 * nor across line breaks, which gap_flags() gives). The carry of a word's first byte, added
 * to the word's bytes but those of a class, runs to the byte after the word unless a byte
 * of the class stops it: the words with a lower-case letter (those as in the original),
 * those whose first letter (where the carry through the digits before it stops) is in
 * upper case (changed by normalization), and, added to all of the word's bytes, the words
 * after a space. Punctuation has no letter; it has a space before it by its own byte. */
struct window_flags {
	uint64_t has_lower, init_upper, space_before;
};

WIN_INLINE void window_flags(const struct window *m, struct window_flags *f)
{
	const uint64_t w = m->word, ws = w & ~(w << 1), after = (w << 1) & ~w;
	const uint64_t upper = m->lower & ~m->same;
	const uint64_t first_upper = ((w & ~m->lower) + ws) & upper;
	const uint64_t after_space = m->space << 1; /* bit 0: see t0 in scan_window() */
	f->has_lower = (after & ~((w & ~(m->lower & m->same)) + ws)) >> 1;
	f->init_upper = (after & ~((w & ~first_upper) + ws)) >> 1;
	f->space_before =
		((after & (w + (ws & after_space))) >> 1) | (after_space & ~(w | m->space));
}

#ifdef TOK_AVX2
/* 0xFF in each byte k of the 32 at half h (0: bytes 0 to 31, 1: 32 to 63) whose bit k of
 * m (the 64-bit mask in each lane of x, by _mm256_set1_epi64x()) is set, else 0: each
 * byte of the half's four bytes of m in eight lanes, then each lane's own bit of it. */
static inline __attribute__((always_inline, target("avx2"))) __m256i bit_bytes(__m256i x,
									     int h)
{
	const __m256i spread = h ? _mm256_setr_epi8(4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5,
						    6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7)
				 : _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
						    2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
	const __m256i bits = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
	x = _mm256_shuffle_epi8(x, spread);
	return _mm256_cmpeq_epi8(_mm256_and_si256(x, bits), bits);
}

/* The flags f of the window as one byte a byte, the index into win.flags[] of the token
 * that ends there: bit 0 space_before, bit 1 has_lower, bit 2 init_upper. The AVX2
 * windows then read a token's flags in one load rather than three shifts. The bits, 0 or
 * -1 a byte, are weighed by sums: -(4 init_upper + 2 has_lower + space_before), then the
 * absolute value. */
static inline __attribute__((always_inline, target("avx2"))) void
flag_bytes(const struct window_flags *f, uint8_t out[64])
{
	const __m256i sb = _mm256_set1_epi64x((long long)f->space_before);
	const __m256i hl = _mm256_set1_epi64x((long long)f->has_lower);
	const __m256i iu = _mm256_set1_epi64x((long long)f->init_upper);
#pragma GCC unroll 2
	for (int h = 0; h < 2; h++) {
		__m256i u = bit_bytes(iu, h);
		__m256i k = _mm256_add_epi8(_mm256_add_epi8(u, u), bit_bytes(hl, h));
		k = _mm256_add_epi8(_mm256_add_epi8(k, k), bit_bytes(sb, h));
		k = _mm256_abs_epi8(k);
		memcpy(out + 32 * h, &k, 32);
	}
}
#endif

/* The index of the lowest set bit of x, 64 for 0, for the windows: on the AVX2 ones (wide),
 * tzcnt alone, which gives 64 for 0 by itself, without the zeroing of its destination that
 * GCC puts before it (an instruction a token, against a false dependency of older CPUs).
 * nonzero: x is known not to be 0, which the other way can then take. */
WIN_INLINE uint64_t win_ctz(uint64_t x, bool wide, bool nonzero)
{
#ifdef TOK_AVX2
	if (wide) {
		uint64_t r;
		__asm__("tzcnt %1, %0" : "=r"(r) : "r"(x));
		return r;
	}
#else
	(void)wide;
#endif
	if (nonzero)
		return (uint64_t)__builtin_ctzll(x);
	return (uint64_t)__builtin_ctzll(x | (uint64_t)1 << 63) + (x == 0);
}

/* The n lowest bits (n <= 64): on the AVX2 windows (wide), one bzhi of BMI2. */
WIN_INLINE uint64_t win_low(uint64_t n, bool wide)
{
#ifdef TOK_AVX2
	if (wide) {
		uint64_t r;
		__asm__("bzhi %2, %1, %0" : "=r"(r) : "r"(~(uint64_t)0), "r"(n));
		return r;
	}
#else
	(void)wide;
#endif
	return ((uint64_t)1 << n % 64) - 1 - (n == 64); /* (all 64 bits for 64) */
}

/* Take the tokens of the window m at b (normalized offset i, original offset os) that start
 * at the bits of starts, whose last bytes are the first bits of ends, into t[0..]; f holds
 * their flags (window_flags()), and fb the same as bytes (flag_bytes()) or is NULL. The
 * flags of the spaces before the first token, and those of line breaks, are window_take()'s.
 * Returns the end of the tokens filled, and sets *end to the end of the last in the window
 * (untouched when there is none). Each token takes the same way, without a branch on
 * its kind or its case (whether the next word is capitalized is anyone's guess), but for
 * the hash of a word of more than eight bytes: the case of every word of the window is
 * found at once, as a bit at its last byte. */
WIN_INLINE struct token *scan_window(const struct window_flags *f, const uint8_t *fb,
				     const unsigned char *b, uint32_t i, uint32_t os,
				     struct token *t, uint64_t starts, uint64_t ends,
				     uint64_t *end)
{
	/* the offsets of a token, start | end << 32, are its start | last byte << 32 in the
	 * window plus these (the end one byte past the last) */
	const v2u64 no = {i | (uint64_t)(i + 1) << 32, os | (uint64_t)(os + 1) << 32};
	while (starts) {
		/* (the positions as wide as the addresses they go into) */
		const uint64_t st = win_ctz(starts, fb != NULL, true);
		const uint64_t last = win_ctz(ends, fb != NULL, true);
		const uint64_t n1 = last - st; /* the length less one: n1 + 1 indexes the tables */
		uint64_t w0, w1, h;
		memcpy(&w0, b + st, 8);
		if (n1 < 8) {
			h = hash_end(hash_step(win.start[n1 + 1], w0 & win.mask[n1 + 1]));
		} else if (n1 < 16) {
			memcpy(&w1, b + st + 8, 8);
			h = hash_end(hash_step(hash_step(win.start[n1 + 1], w0),
					       w1 & win.mask[n1 + 1]));
		} else {
			/* hash_bytes(), but in the function: a call would have the vector
			 * registers of the windows saved around it in every window */
			const unsigned char *p = b + st + 8;
			uint64_t r = n1 + 1 - 8;
			h = hash_step(hash_start(n1 + 1), w0);
			for (; r > 8; r -= 8, p += 8) {
				memcpy(&w1, p, 8);
				h = hash_step(h, w1);
			}
			memcpy(&w1, p, 8);
			h = hash_end(hash_step(h, w1 & win.mask[r]));
		}
		unsigned k;
		if (fb)
			k = fb[last];
		else
			k = (unsigned)(f->has_lower >> last & 1) << 1 |
			    (unsigned)(f->init_upper >> last & 1) << 2 |
			    (unsigned)(f->space_before >> last & 1);
		uint32_t kf = win.flags[k] & win.kind[(uint8_t)w0];
		/* (last << 32 as a rotation, last being below 64: one instruction of BMI2) */
		uint64_t se = st | (last << 32 | last >> 32);
		put_token(t, no + se, kf, h);
		t++;
		starts &= starts - 1;
		ends &= ends - 1;
		*end = last + 1;
	}
	return t;
}

/* The line flags of the tokens t[0..] of the window m that start at the bits of starts:
 * TOKF_LINE_BEFORE where the white space before one holds a line break, and
 * TOKF_PARA_BEFORE where it holds two, as gap_flags() gives them (but for the spaces before
 * the window). The carry of each line break, added to the white space after it, runs to
 * the first byte after the white space: the start of the token after it; the line breaks
 * after a first one in the same white space (the white space from the first on, filled by
 * the carries) carry the second flag. */
WIN_INLINE void line_flags(const struct window *m, uint64_t starts, struct token *t)
{
	const uint64_t sp = m->space, nl = m->nl;
	const uint64_t from_nl = (sp & ~(sp + nl)) | nl;
	const uint64_t line = (sp + nl) & ~sp & starts;
	const uint64_t para = (sp + (nl & from_nl << 1)) & ~sp & starts;
	for (uint64_t l = line; l; l &= l - 1) {
		const uint64_t bit = l & (0 - l);
		t[__builtin_popcountll(starts & (bit - 1))].flags |=
			(uint8_t)(TOKF_LINE_BEFORE | ((para & bit) ? TOKF_PARA_BEFORE : 0));
	}
}

/* The n bytes that end at end, n < w, then zero bytes up to w bytes: in buf, of 2w bytes,
 * by a copy of the w bytes that end at end (there must be as many), so that the copies
 * are of a fixed length. Returns where they start in buf. */
WIN_INLINE const unsigned char *tail_copy(unsigned char *buf, const unsigned char *end,
					  size_t n, size_t w)
{
	memset(buf + w, 0, w);
	memcpy(buf + n, end - w, w);
	return buf + w;
}

/* The bytes of the window at s + i, whose original is at orig + os: *b gets 80 bytes of
 * normalized text (for the eight-byte loads of the hashes) and *o 64 of original, copies
 * with zero bytes after them in ncopy (160 bytes) and ocopy (128) where the texts end
 * sooner. */
WIN_INLINE void window_at(const unsigned char *s, size_t i, size_t len, const unsigned char *orig,
			  uint32_t os, uint32_t olen, unsigned char *ncopy, unsigned char *ocopy,
			  const unsigned char **b, const unsigned char **o)
{
	*b = s + i;
	*o = orig + os;
	if ((i + 80 > len + 1) | (os + 64 > olen)) { /* (one test, mostly false) */
		if (i + 80 > len + 1)
			*b = tail_copy(ncopy, s + len + 1, len + 1 - i, 80);
		if (os + 64 > olen)
			*o = tail_copy(ocopy, orig + olen, olen - os, 64);
	}
}

/* Where the tokens of the classified window m at b start and end, with the possessives
 * at its first stop bytes taken out of m->stop (their "s" out of m->word and m->lower) and
 * the one-letter words before a dot ("u.s.", perhaps) put in: the tokens before its first
 * stop byte, up to cut, where the next window starts (0: the window's end). */
struct window_cut {
	uint64_t starts, ends, cut, clean;
};

WIN_INLINE void window_cut(struct window *m, const unsigned char *b, struct window_cut *c)
{
	/* the possessives at the first stop bytes are none: their "s" is no word */
	uint64_t poss_s = 0;
	while (m->stop && possessive_at(m, b, (unsigned)__builtin_ctzll(m->stop))) {
		uint64_t s1 = (m->stop & (0 - m->stop)) << 1;
		m->stop &= m->stop - 1;
		m->word &= ~s1;
		m->lower &= ~s1;
		poss_s |= s1;
	}
	m->stop |= m->lower & ~(m->word << 1) & ~(m->word >> 1) & (m->dot >> 1);
	const uint64_t stop1 = m->stop & (0 - m->stop), clean = stop1 - 1;
	/* every byte before the first stop byte is a space, a word's or a token of its
	 * own, but the apostrophe and the "s" of a possessive, one token */
	const uint64_t wstarts = m->word & ~(m->word << 1), other = ~(m->word | m->space);
	const uint64_t starts = (wstarts | other) & clean & ~poss_s;
	c->ends = (m->word & ~(m->word >> 1)) | (other & ~(poss_s >> 1));
	/* A word at the last byte before the first stop byte (or at the window's last)
	 * may go on: the tokens end before it (cut, its first byte), else at the stop
	 * byte (cut = stop1), else at the window's end (cut = 0). */
	const uint64_t q = clean & ~(clean >> 1);
	const uint64_t ws = wstarts & clean;
	const uint64_t open = (uint64_t)1 << (63 - __builtin_clzll(ws | 1));
	const uint64_t sel = 0 - (uint64_t)((m->word & q) != 0);
	c->cut = (open & sel) | (stop1 & ~sel);
	c->starts = starts & (c->cut - 1);
	c->clean = clean;
}

/* Take the tokens of the window (scan_window()) and the spaces after them: fills them in
 * from t, advances *i and *pre (the flags of the spaces before the window's first token,
 * then of those after its last one), and returns the end of the tokens filled. */
WIN_INLINE struct token *window_take(const struct window *m, const struct window_flags *f,
				     const uint8_t *fb, const struct window_cut *c,
				     const unsigned char *b, size_t *i, uint32_t os,
				     struct token *t, uint8_t *pre)
{
	struct token *const t0 = t;
	uint64_t end = 0, done = 0; /* done: the bytes up to the end of the last token */
	t = scan_window(f, fb, b, (uint32_t)*i, os, t, c->starts, c->ends, &end);
	if (m->nl & c->clean) /* (one window in several) */
		line_flags(m, c->starts, t0);
	if (t > t0) {
		/* the spaces before the window: before its first token too, and a blank line
		 * with a line break of the window's */
		_Static_assert(TOKF_PARA_BEFORE == TOKF_LINE_BEFORE << 1, "a blank line by a shift");
		const uint8_t p = *pre, f0 = t0->flags;
		t0->flags = (uint8_t)(f0 | p | (p & f0 & TOKF_LINE_BEFORE) << 1);
		*pre = 0;
		done = win_low(end, fb != NULL);
	}
	*pre = gap_flags(*pre, (c->cut - 1) & ~done, m->nl);
	*i += (size_t)win_ctz(c->cut, fb != NULL, false); /* 64 for 0 */
	return t;
}

/* The tokens of the windows of 64 bytes at s + i, i + 64 ... while i < len (the length of
 * the normalized text, 79 bytes or more; the original one, olen, is 64 or more) and the
 * token array, which ends at tend, has room for 64 more; i at the start of a token or of
 * white space, *pre the flags of the spaces before it. In each window, the tokens from its
 * start that lie before its first stop byte, are ASCII in both texts (so the original
 * offsets are the normalized ones plus that of the window) and can be told from the window
 * alone: a word of letters and digits followed by a byte that is no stop byte, or one
 * ASCII character of another kind. A one-letter word before a dot ("u.s.", perhaps) counts
 * as a stop byte. The last windows read copies of the last bytes of the texts, with zero
 * bytes after them, which the window takes for spaces (the normalized text has no other
 * zero byte). Fills the tokens in from *tp on, advances *tp and *pre and returns the new
 * i: len, or at a token that needs the other ways. Not inlined, so that its state stays in
 * registers. */
__attribute__((noinline)) static size_t windows(const unsigned char *s, size_t i, size_t len,
						const uint32_t *map, const unsigned char *orig,
						uint32_t olen, uint8_t *pre, struct token **tp,
						const struct token *tend)
{
	unsigned char ncopy[160], ocopy[128];
	struct token *t = *tp;
	uint8_t p = *pre;
	while (i < len && tend - t >= 64) {
		const uint32_t os = map[i];
		const unsigned char *b, *o;
		window_at(s, i, len, orig, os, olen, ncopy, ocopy, &b, &o);
		struct window m;
		struct window_cut c;
		struct window_flags f;
		classify64(b, o, &m);
		window_cut(&m, b, &c);
		window_flags(&m, &f);
		t = window_take(&m, &f, NULL, &c, b, &i, os, t, &p);
		if (m.stop || c.cut == 1) /* a stop byte, or a word of 64 bytes or more */
			break;
	}
	*tp = t;
	*pre = p;
	return i < len ? i : len;
}

#ifdef TOK_AVX2
/* windows() on a CPU with AVX2, BMI1, BMI2 and popcnt (wide_cpu()): the bytes classified 32
 * at a time, the flags of the tokens read from bytes (flag_bytes()), and the compiler's
 * code for the bit masks of BMI (blsr for starts &= starts - 1, shifts without the cl
 * register). The same tokens. */
__attribute__((noinline, target("avx2,bmi,bmi2,popcnt"))) static size_t
windows_avx2(const unsigned char *s, size_t i, size_t len, const uint32_t *map,
	     const unsigned char *orig, uint32_t olen, uint8_t *pre, struct token **tp,
	     const struct token *tend)
{
	unsigned char ncopy[160], ocopy[128];
	uint8_t fb[64];
	struct wide_consts k;
	wide_consts_init(&k);
	struct token *t = *tp;
	uint8_t p = *pre;
	while (i < len && tend - t >= 64) {
		const uint32_t os = map[i];
		const unsigned char *b, *o;
		window_at(s, i, len, orig, os, olen, ncopy, ocopy, &b, &o);
		struct window m;
		struct window_cut c;
		struct window_flags f;
		classify64_avx2(b, o, &k, &m);
		window_cut(&m, b, &c);
		window_flags(&m, &f);
		flag_bytes(&f, fb);
		t = window_take(&m, &f, fb, &c, b, &i, os, t, &p);
		if (m.stop || c.cut == 1)
			break;
	}
	*tp = t;
	*pre = p;
	return i < len ? i : len;
}
#endif
#endif

/* Add the flags of the white space s[i] (a space or a line break) to *pre: true, or false
 * when s[i] is no space. */
static inline bool space_at(const unsigned char *s, size_t i, uint8_t *pre)
{
	uint8_t k = cls[s[i]];
	if (k & C_SPACE) {
		*pre |= TOKF_SPACE_BEFORE;
		return true;
	}
	if (k & C_NL) { /* the second line break makes a blank line */
		*pre |= (uint8_t)(TOKF_SPACE_BEFORE | TOKF_LINE_BEFORE |
				  (*pre & TOKF_LINE_BEFORE) << 1);
		return true;
	}
	return false;
}

int tok_split(struct arena *a, const struct norm_text *nt, const char *orig,
	      struct tok_list *out)
{
	const unsigned char *s = (const unsigned char *)nt->s; /* s[len] == '\0' stops scans */
	const size_t len = nt->len;
	/* news averages a token per 5-6 bytes: one array for most texts, capped so that a
	 * huge record of spaces does not reserve much */
	struct tokbuf tb = {a, NULL, 0, 0};
	size_t guess = len / 4 + 16;
	tb.cap = guess < 65536 ? guess : 65536;
	tb.v = arena_alloc(a, tb.cap * sizeof *tb.v);
	struct token *t = tb.v, *tend = tb.v + tb.cap;
	size_t i = 0, l;
	uint8_t pre = 0; /* the flags of the spaces since the last token */
#ifdef TOK_SWAR
	/* The fast paths, while s[i .. i + 16) is inside the text and its NUL. The array
	 * has room for a token a byte up to stop, so the inner loop need not check it. */
	const uint32_t *map = nt->map;
	const int64_t olim = (int64_t)map[len] - 16;
	const unsigned char *o = (const unsigned char *)orig;
	const size_t fast_end = len > 15 ? len - 15 : 0;
	const uint32_t olen = map[len];
	const size_t win_end = len >= 79 && olen >= 64 ? len : 0; /* see windows() */
#ifdef TOK_AVX2
	const bool wide = !wide_off && wide_cpu();
#endif
	while (i < fast_end) {
		if (t == tend) {
			tb.n = tb.cap;
			grow(&tb);
			t = tb.v + tb.n;
			tend = tb.v + tb.cap;
		}
		size_t stop = i + (size_t)(tend - t);
		if (stop > fast_end)
			stop = fast_end;
		while (i < stop) {
			/* (a window at an apostrophe or a byte >= 0x80, stop bytes, would take
			 * nothing) */
			if (i < win_end && s[i] < 0x80 && s[i] != '\'') {
#ifdef TOK_AVX2
				if (wide)
					i = windows_avx2(s, i, len, map, o, olen, &pre, &t, tend);
				else
#endif
					i = windows(s, i, len, map, o, olen, &pre, &t, tend);
				if (i >= stop)
					break;
			}
			unsigned char c = s[i];
			uint8_t k = cls[c];
			if ((k & (C_SPACE | C_NL)) && space_at(s, i, &pre)) {
				i++;
				continue;
			}
			if ((k & C_WORD) && ascii_word(s, i, map, o, olim, pre, t, &l)) {
				/* filled */
			} else if (!(k & (C_WORD | C_HIGH)) &&
				   ascii_punct(s, i, map, o, t > tb.v ? t - 1 : NULL, pre, t, &l)) {
				/* filled */
			} else {
				l = any_token(nt, orig, t > tb.v ? t - 1 : NULL,
					      pre & TOKF_SPACE_BEFORE, i, t);
				t->flags |= pre;
			}
			t++;
			i += l;
			/* most tokens have one space after them */
			bool sp = s[i] == ' ';
			i += sp;
			pre = sp ? TOKF_SPACE_BEFORE : 0;
		}
	}
#endif
	/* the last bytes (all of them without the fast paths), the general way */
	for (; i < len; i++) {
		if (space_at(s, i, &pre))
			continue;
		if (t == tend) {
			tb.n = tb.cap;
			grow(&tb);
			t = tb.v + tb.n;
			tend = tb.v + tb.cap;
		}
		l = any_token(nt, orig, t > tb.v ? t - 1 : NULL, pre & TOKF_SPACE_BEFORE, i, t);
		t->flags |= pre;
		pre = 0;
		t++;
		i += l - 1;
	}
	out->v = tb.v;
	out->n = (size_t)(t - tb.v);
	out->words_matcher = NULL;
	out->words_model = NULL;
	return 0;
}
