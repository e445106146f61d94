/* util: small shared pieces for every stage: checked allocation, a per-record arena,
 * the error record stages fill in, a growable byte buffer and string hashing.
 * Consumes nothing of the pipeline; every other module may include it. */
#ifndef ENTOPIC_UTIL_H
#define ENTOPIC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Error codes returned (negated) by stage functions. */
enum {
	ERR_OK = 0,
	ERR_NOMEM = 1,
	ERR_IO = 2,
	ERR_SYNTAX = 3,
	ERR_LIMIT = 4,
	ERR_INPUT = 5,
};

/* Filled in by a stage that fails: where (source file, 1-based line and column, 0 when
 * unknown) and what, as a lowercase message without final period. Stages never print. */
struct err {
	char source[256];
	long line;
	long col;
	char msg[512];
};

/* Fill *e (may be NULL: then nothing happens) and return -code. */
int err_set(struct err *e, int code, const char *source, long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Allocation that never fails: on out of memory the program ends with a message and
 * status 2. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Arena: bump allocation for per-record data, released at once by arena_reset(). Blocks
 * are kept for the next record, so a steady stream of records allocates nothing. */
struct arena {
	struct arena_block *head;
	struct arena_block *cur;
};
void arena_init(struct arena *a);
/* Returns n bytes aligned to 16, valid until arena_reset() or arena_clear(). Never NULL. */
void *arena_alloc(struct arena *a, size_t n);
/* Grow an arena array of n elements of size bytes to twice *cap (first when *cap is 0):
 * returns the new array with the n elements copied in and sets *cap. The old array stays
 * allocated until arena_reset(). */
void *arena_grow(struct arena *a, const void *v, size_t n, size_t *cap, size_t size,
		 size_t first);
void arena_reset(struct arena *a);
void arena_clear(struct arena *a);

/* Growable byte buffer, NUL-terminated after every append. */
struct buf {
	char *p;
	size_t len, cap;
};
void buf_init(struct buf *b);
void buf_clear(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read the text file at path line by line, for the loaders of lexicons, rules and patterns:
 * line ends (LF, CRLF) are stripped, a UTF-8 byte order mark on line 1 is skipped, blank
 * lines and lines starting with '#' are skipped, and a line holding a NUL byte is an error.
 * fn gets every other line (writable, NUL-terminated) with its 1-based number; the first
 * negative value it returns stops the reading and is returned. Returns 0, or a negative
 * ERR_* with *err filled in (file, line, message). */
typedef int (*line_fn)(void *ctx, char *line, size_t len, const char *path, long lineno,
		       struct err *err);
int read_lines(const char *path, line_fn fn, void *ctx, struct err *err);

/* The decimal digits of v into s (room for 20), no terminator; returns their number. Inline:
 * offsets and counts are written by the thousand per record. */
static inline size_t fmt_uint(char *s, uint64_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	static const uint64_t pow10[20] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
		100000000, 1000000000, 10000000000, 100000000000, 1000000000000, 10000000000000,
		100000000000000, 1000000000000000, 10000000000000000, 100000000000000000,
		1000000000000000000, 10000000000000000000U};
	/* bits * 1233 / 4096 is the number of digits of 2^bits, or one less */
	size_t t = (size_t)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;
	size_t n = t + ((v | 1) >= pow10[t]); /* (v | 1): 0 has one digit */
	char *o = s + n;
	for (; v >= 100; v /= 100) {
		o -= 2;
		memcpy(o, pairs + 2 * (v % 100), 2);
	}
	if (v >= 10)
		memcpy(o - 2, pairs + 2 * v, 2);
	else
		o[-1] = (char)('0' + v);
	return n;
}

/* What the CPU offers the paths that take 32 bytes a step, each chosen at run time beside
 * one for any x86-64 CPU (false where the compiler is not GCC or clang for x86-64): AVX2
 * (cpu_avx2()), and AVX2 with BMI1, BMI2 and popcnt (cpu_avx2_bmi()). */
bool cpu_avx2(void);
bool cpu_avx2_bmi(void);

/* 64-bit hash of n bytes (good spread, fast on short keys). Its values are part of the
 * compiled lexicon image format: images are tied to the build that wrote them. */
uint64_t hash_bytes(const void *p, size_t n);

/* Are a[0..n) and b[0..n) the same bytes? memcmp() for the short keys of lookups (words,
 * ids), inline: 8 bytes at a time, never reading past n. */
static inline bool same_bytes(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n >= 8; n -= 8, x += 8, y += 8) {
		uint64_t u, v;
		memcpy(&u, x, 8);
		memcpy(&v, y, 8);
		if (u != v)
			return false;
	}
	for (; n; n--)
		if (*x++ != *y++)
			return false;
	return true;
}

/* Length of the longest prefix of s[0..n) that a JSON string holds as it is: printable
 * ASCII but '"' and '\\' (8 bytes at a time). */
size_t str_plain_len(const char *s, size_t n);

/* The high bit of each byte of w (8 bytes, any values) that lies in [lo, hi] (lo <= hi <
 * 0x80): on the low seven bits no sum carries into the next byte; a byte from 0x80 is out. */
static inline uint64_t bytes_in8(uint64_t w, unsigned lo, unsigned hi)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;
	uint64_t low = w & ~highs;
	return (low + ones * (0x80 - lo)) & ~(low + ones * (0x7F - hi)) & ~w & highs;
}

/* The bytes of w (8 bytes, little-endian) that a JSON string cannot hold as they are: its
 * lowest set high bit marks the first such byte exactly. A byte below 0x20 sets it in
 * (w - 0x20..) & ~w, a '"' or '\\' in (x - 0x01..) & ~x for x = w ^ '"'.., w ^ '\\'..,
 * a byte from 0x80 in w; the borrows that set bits above come only after such a byte. */
static inline uint64_t str_not_plain8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
	return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b) | w) & highs;
}

#ifdef __SSE2__
#include <emmintrin.h>
/* The bytes of p[0..32) that are not plain, as str_not_plain8() finds them: bit k set for
 * p[k] (a byte below 0x20 or from 0x80 is below ' ' as a signed char). */
static inline unsigned str_not_plain32(const unsigned char *p)
{
	const __m128i sp = _mm_set1_epi8(' '), qu = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	const __m128i x = _mm_loadu_si128((const __m128i *)p);
	const __m128i y = _mm_loadu_si128((const __m128i *)(p + 16));
	const __m128i bx = _mm_or_si128(_mm_cmplt_epi8(x, sp),
					_mm_or_si128(_mm_cmpeq_epi8(x, qu), _mm_cmpeq_epi8(x, bs)));
	const __m128i by = _mm_or_si128(_mm_cmplt_epi8(y, sp),
					_mm_or_si128(_mm_cmpeq_epi8(y, qu), _mm_cmpeq_epi8(y, bs)));
	return (unsigned)_mm_movemask_epi8(bx) | (unsigned)_mm_movemask_epi8(by) << 16;
}
#endif

/* The steps of hash_bytes(): the start value for n bytes, one 8-byte word (read with
 * memcpy, the tail zero-filled) folded in, and the finalizer. The macros are the same
 * steps as constant expressions, for tables of hashes built at compile time (they may
 * evaluate their arguments more than once); the functions are made of them. */
#define HASH_START(n) (0x9E3779B97F4A7C15ULL ^ ((uint64_t)(n) * 0xC2B2AE3D27D4EB4FULL))
#define HASH_MIX_(x) ((x) ^ ((x) >> 31))
#define HASH_STEP(h, w) (((h) ^ HASH_MIX_((uint64_t)(w) * 0x87C37B91114253D5ULL)) * \
			 0x4CF5AD432745937FULL)
#define HASH_FOLD_(x) ((x) ^ ((x) >> 33))
#define HASH_END(h) HASH_FOLD_(HASH_FOLD_((uint64_t)(h)) * 0xFF51AFD7ED558CCDULL)

static inline uint64_t hash_start(size_t n)
{
	return HASH_START(n);
}

static inline uint64_t hash_step(uint64_t h, uint64_t w)
{
	return HASH_STEP(h, w);
}

static inline uint64_t hash_end(uint64_t h)
{
	return HASH_END(h);
}

#endif
