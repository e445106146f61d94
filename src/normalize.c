/* normalize: one pass over the original bytes. Runs of ASCII take a fast path: sixteen
 * bytes at a time in a vector (32 on a CPU with AVX2, found at run time; eight in a word,
 * then one by one at the end of the run:
 * fold A-Z, unify control characters to spaces), an identity offset map, and the room for
 * the whole run checked once. Every other code point goes through
 * norm_codepoint(), which unifies typographic variants and then asks utf8proc for the
 * compatibility decomposition, case folded and with accents (combining diacritics)
 * stripped. No recomposition is done: the same function normalizes lexicon forms and
 * texts, so both sides agree. */
#include "normalize.h"

#include <stdbool.h>
#include <string.h>
#include <utf8proc.h>

/* Typographic variants: returns the replacement, -1 to drop the character, or cp itself. */
static int32_t typo(int32_t cp)
{
	switch (cp) {
	case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x2035:
	case 0x0060: case 0x00B4: case 0x02BC: case 0x02B9: case 0xFF07:
		return '\'';
	case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x2036:
	case 0x00AB: case 0x00BB: case 0xFF02:
		return '"';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
	case 0x2212: case 0xFE58: case 0xFE63: case 0xFF0D: case 0x2E3A: case 0x2E3B:
		return '-';
	case 0x200B: case 0x200C: case 0x200D: case 0x2060: case 0xFEFF: case 0x00AD:
	case 0x180E:
		return -1;
	case '\r': case '\t': case '\v': case '\f': case 0x85:
		return ' ';
	case 0x2028: case 0x2029:
		return '\n';
	}
	if (cp < 0x20 && cp != '\n')
		return ' ';
	if (cp >= 0x7F && cp < 0xA0)
		return ' ';
	if (cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS)
		return ' ';
	return cp;
}

/* Accents that matching ignores: the combining diacritics of Latin, Greek and Cyrillic
 * letters (after decomposition), Hebrew points and Arabic vowel marks. Marks that are part
 * of the spelling in other scripts (Devanagari and Bengali vowel signs, viramas) stay, or
 * different names would fold together. */
static bool is_accent(int32_t cp)
{
	return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
	       (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
	       (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0x0591 && cp <= 0x05C7) ||
	       (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670;
}

int norm_codepoint(int32_t cp, int32_t out[8])
{
	int32_t t = typo(cp);
	if (t < 0)
		return 0;
	if (t < 0x80) {
		out[0] = (t >= 'A' && t <= 'Z') ? t + 32 : t;
		return 1;
	}
	utf8proc_int32_t tmp[8];
	int last = 0;
	utf8proc_ssize_t n = utf8proc_decompose_char(
		t, tmp, 8,
		UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE, &last);
	if (n < 0 || n > 8) {
		out[0] = (int32_t)utf8proc_tolower(t);
		return 1;
	}
	int k = 0;
	for (utf8proc_ssize_t i = 0; i < n; i++) {
		if (is_accent(tmp[i]))
			continue;
		int32_t u = typo(tmp[i]);
		if (u < 0)
			continue;
		out[k++] = (u >= 'A' && u <= 'Z') ? u + 32 : u;
	}
	return k;
}

int norm_decode(const unsigned char *p, size_t n, int32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	utf8proc_int32_t c;
	utf8proc_ssize_t len = utf8proc_iterate(p, n > 4 ? 4 : (utf8proc_ssize_t)n, &c);
	if (len <= 0 || c < 0) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return (int)len;
}

static int encode(int32_t cp, char *dst)
{
	return (int)utf8proc_encode_char(cp, (utf8proc_uint8_t *)dst);
}

/* The ASCII byte c as normalized: A-Z folded, control characters (except '\n') and DEL
 * read as a space; what typo() and norm_codepoint() give for them, without the calls. */
static const unsigned char ascii_norm[128] = {
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', '\n', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'@', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '[', '\\', ']', '^', '_',
	'`', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '{', '|', '}', '~', ' ',
};

/* ascii_norm[] of each byte of w, eight bytes at once; every byte of w is < 0x80, so no
 * sum below carries into the next byte (whatever the byte order). */
static uint64_t ascii_norm8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t upper = (w + ones * (0x80 - 'A')) & ~(w + ones * (0x80 - 'Z' - 1)) & high;
	uint64_t ctl = (~(w + ones * (0x80 - 0x20)) & ((w ^ ones * '\n') + ones * 0x7F)) & high;
	ctl |= (w + ones) & high; /* DEL */
	w |= upper >> 2;          /* +0x20 */
	if (ctl) {
		uint64_t m = (ctl >> 7) * 0xFF;
		w = (w & ~m) | (ones * ' ' & m);
	}
	return w;
}

/* Sixteen bytes at a time: GCC's and Clang's vector types, SSE2 on x86-64, plain
 * words where there is no vector unit. */
typedef int8_t v16i8 __attribute__((vector_size(16)));
typedef uint8_t v16u8 __attribute__((vector_size(16)));
typedef uint32_t v4u32 __attribute__((vector_size(16)));

/* ascii_norm[] of each byte of v, every byte of which is < 0x80, by signed compares of
 * the bytes moved so that one bound is the least value: A-Z plus 0x3F are the bytes from
 * -128 to -103; the control characters plus 1 are 1 to 0x20, and DEL plus 1 wraps round to
 * -128 ('\n' taken out again). Upper-case letters get 0x20 added, control characters become
 * 0x20. */
static inline v16i8 ascii_norm16(v16i8 v)
{
	v16i8 upper = (v16i8)((v16u8)v + 0x3F) < -102;
	v16i8 ctl = ((v16i8)((v16u8)v + 1) < 0x21) ^ (v == '\n');
	return (v & ~ctl) | ((upper | ctl) & 0x20);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* ascii_avx2() for the runs of ASCII where wide_cpu() */
#define NORM_AVX2 1
#include <immintrin.h>

typedef int8_t v32i8 __attribute__((vector_size(32)));
typedef uint8_t v32u8 __attribute__((vector_size(32)));
typedef uint32_t v8u32 __attribute__((vector_size(32)));

/* The start of the run of ASCII at p[0..n) (the bytes at original offset i on) as
 * norm_text() makes it, into s and its map: 32 bytes at a time, as ascii_norm16() does
 * sixteen, while there are 32 bytes and all of them are ASCII. Returns how many bytes it
 * took, a multiple of 32. For a CPU with AVX2 (wide_cpu()); not inlined into norm_text(),
 * which is not compiled for it. */
__attribute__((noinline, target("avx2"))) static size_t
ascii_avx2(const unsigned char *p, size_t n, char *s, uint32_t *map, uint32_t i)
{
	v8u32 m0 = {i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7};
	v8u32 m1 = m0 + 8, m2 = m0 + 16, m3 = m0 + 24;
	/* 32 in each lane, made once: hidden from GCC, which would make it again in every
	 * step from a general register */
	v8u32 step = {32, 32, 32, 32, 32, 32, 32, 32};
	__asm__("" : "+x"(step));
	size_t k = 0;
	if (n < 32)
		return 0;
	for (const size_t last = n - 32; k <= last; k += 32) {
		v32i8 v;
		memcpy(&v, p + k, 32);
		if (_mm256_movemask_epi8((__m256i)v))
			break;
		v32i8 upper = (v32i8)((v32u8)v + 0x3F) < -102;
		v32i8 ctl = ((v32i8)((v32u8)v + 1) < 0x21) ^ (v == '\n');
		v = (v & ~ctl) | ((upper | ctl) & 0x20);
		memcpy(s + k, &v, 32);
		memcpy(map + k, &m0, 32);
		memcpy(map + k + 8, &m1, 32);
		memcpy(map + k + 16, &m2, 32);
		memcpy(map + k + 24, &m3, 32);
		m0 += step;
		m1 += step;
		m2 += step;
		m3 += step;
	}
	return k;
}
#endif

/* norm_wide(false): the tests' way to the sixteen-byte runs on a CPU that has AVX2 */
static bool wide_off;

/* Does the CPU have AVX2, for ascii_avx2()? */
static inline bool wide_cpu(void)
{
#ifdef NORM_AVX2
	return cpu_avx2();
#else
	return false;
#endif
}

bool norm_wide(bool allow)
{
	wide_off = !allow;
	return allow && wide_cpu();
}

/* Room in a character's worth of output: norm_codepoint() gives at most 8 code points of
 * at most 4 bytes each. */
#define NORM_CHAR_MAX 32

int norm_text(struct arena *a, const char *orig, size_t olen, struct norm_text *out)
{
	if (olen >= UINT32_MAX / 2)
		return -ERR_LIMIT;
	/* ASCII never grows; other characters rarely do: a quarter more, then doubling */
	size_t cap = olen + olen / 4 + 64;
	char *s = arena_alloc(a, cap + 1);
	uint32_t *map = arena_alloc(a, (cap + 1) * sizeof *map);
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)orig;
	size_t i = 0;
#ifdef NORM_AVX2
	const bool wide = !wide_off && wide_cpu();
#endif
	while (i < olen) {
		if (cap - n < NORM_CHAR_MAX + 8) {
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
		/* a run of ASCII, one byte each way, as far as the room allows */
		size_t end = i + (cap - n - NORM_CHAR_MAX);
		if (end > olen)
			end = olen;
#ifdef NORM_AVX2
		if (wide && end - i >= 32) {
			size_t k = ascii_avx2(p + i, end - i, s + n, map + n, (uint32_t)i);
			i += k;
			n += k;
		}
#endif
		if (end - i >= 16) {
			/* the map of the next sixteen bytes, four entries a vector */
			v4u32 m0 = {(uint32_t)i, (uint32_t)i + 1, (uint32_t)i + 2, (uint32_t)i + 3};
			v4u32 m1 = m0 + 4, m2 = m0 + 8, m3 = m0 + 12;
			do {
				uint64_t w0, w1;
				memcpy(&w0, p + i, 8);
				memcpy(&w1, p + i + 8, 8);
				if ((w0 | w1) & 0x8080808080808080ULL)
					break;
				v16i8 v;
				memcpy(&v, p + i, 16);
				v = ascii_norm16(v);
				memcpy(s + n, &v, 16);
				memcpy(map + n, &m0, 16);
				memcpy(map + n + 4, &m1, 16);
				memcpy(map + n + 8, &m2, 16);
				memcpy(map + n + 12, &m3, 16);
				m0 += 16;
				m1 += 16;
				m2 += 16;
				m3 += 16;
				n += 16;
				i += 16;
			} while (end - i >= 16);
		}
		while (end - i >= 8) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			w = ascii_norm8(w);
			memcpy(s + n, &w, 8);
			for (int k = 0; k < 8; k++)
				map[n + k] = (uint32_t)(i + k);
			n += 8;
			i += 8;
		}
		while (i < end && p[i] < 0x80) {
			s[n] = (char)ascii_norm[p[i]];
			map[n++] = (uint32_t)i++;
		}
		if (i == end)
			continue;
		int32_t cp, outc[8];
		int len = norm_decode(p + i, olen - i, &cp);
		int k = norm_codepoint(cp, outc);
		for (int j = 0; j < k; j++) {
			int m = encode(outc[j], s + n);
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

char *norm_string(const char *str)
{
	size_t n = strlen(str);
	bool ascii = true;
	for (size_t i = 0; i < n && ascii; i++)
		ascii = (unsigned char)str[i] < 0x80;
	if (ascii) { /* the fast path of norm_text(), without the arena */
		char *r = xmalloc(n + 1);
		for (size_t i = 0; i < n; i++) {
			r[i] = (char)ascii_norm[(unsigned char)str[i]];
		}
		r[n] = '\0';
		return r;
	}
	struct arena a;
	struct norm_text nt;
	arena_init(&a);
	norm_text(&a, str, strlen(str), &nt);
	char *r = xstrndup(nt.s, nt.len);
	arena_clear(&a);
	return r;
}
