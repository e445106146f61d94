/* Unit tests of emit: numbers formatted without printf give printf's characters; strings
 * escaped as byte by byte. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "emit.h"
#include "normalize.h"

static long differ;

static void same_as_printf(double v, int line)
{
	char want[400], got[32];
	snprintf(want, sizeof want, "%.4f", v);
	size_t n = emit_fixed4(got, v);
	if (n == 0 && (!isfinite(v) || fabs(v) >= 1073741824.0)) {
		check_pass++; /* left to printf */
	} else if (n == strlen(want) && strcmp(got, want) == 0) {
		check_pass++;
	} else if (differ++ < 20) {
		check_fail++;
		fprintf(stderr, "%s:%d: %.17g: '%.*s', printf '%s'\n", __FILE__, line, v, (int)n, got,
			want);
	} else {
		check_fail++;
	}
}
#define SAME(v) same_as_printf(v, __LINE__)

/* emit_string() one byte at a time, as it was before its word-at-a-time paths. */
static void ref_string(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	buf_addc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c >= 0x80) {
			int32_t cp;
			int l = norm_decode(p + i, n - i, &cp);
			if (cp == 0xFFFD && l == 1 && !(n - i >= 3 && memcmp(p + i, "\xEF\xBF\xBD", 3) == 0))
				buf_add(b, "\xEF\xBF\xBD", 3);
			else
				buf_add(b, p + i, (size_t)l);
			i += (size_t)l;
			continue;
		}
		i++;
		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c == '\n') {
			buf_add(b, "\\n", 2);
		} else if (c == '\r') {
			buf_add(b, "\\r", 2);
		} else if (c == '\t') {
			buf_add(b, "\\t", 2);
		} else if (c < 0x20) {
			char t[8];
			snprintf(t, sizeof t, "\\u%04x", c);
			buf_add(b, t, 6);
		} else {
			buf_addc(b, (char)c);
		}
	}
	buf_addc(b, '"');
}

/* Random strings of 0 to 40 bytes, each in a block of its own size (so that ASan sees a
 * read past it), mostly plain ASCII with now and then a byte to escape or a character of
 * several bytes, appended to output buffers of every fill. */
static void strings_as_reference(void)
{
	static const char *const odd[] = {"\"", "\\", "\n", "\r", "\t", "\x01", "\x1F", "\x7F",
					  "\xC3\xA9", "\xE2\x80\x99", "\xF0\x9F\x98\x80", "\xEF\xBF\xBD",
					  "\xFF", "\x80", "\xC3", "\xE2\x82", "\0"};
	struct buf got, want;
	buf_init(&got);
	buf_init(&want);
	long bad = 0;
	for (int k = 0; k < 200000; k++) {
		uint64_t r = check_rand64();
		size_t n = r % 41, m = 0;
		r >>= 6;
		char *s = malloc(n ? n : 1);
		while (m < n) {
			uint64_t q = check_rand64();
			const char *piece = q % 23 == 0 ? odd[(q >> 8) % (sizeof odd / sizeof *odd)] : NULL;
			size_t l = piece ? (*piece ? strlen(piece) : 1) : 1;
			if (m + l > n)
				l = n - m;
			if (piece)
				memcpy(s + m, piece, l);
			else
				s[m] = (char)(' ' + (q >> 8) % 95);
			m += l;
		}
		if (r % 64 == 0) { /* start again: small buffers, every fill */
			buf_clear(&got);
			buf_clear(&want);
		}
		size_t before = got.len;
		emit_string(&got, s, n);
		ref_string(&want, s, n);
		if (got.len != want.len || memcmp(got.p, want.p, got.len) != 0 ||
		    got.p[got.len] != '\0') {
			if (bad++ < 5)
				fprintf(stderr, "%s:%d: emit_string of %zu bytes: '%s'\n", __FILE__,
					__LINE__, n, got.p + before);
			buf_clear(&got);
			buf_clear(&want);
		}
		free(s);
	}
	CHECK(bad == 0);
	buf_clear(&got);
	buf_clear(&want);
}

int main(void)
{
	static const double fixed[] = {0, -0.0, 1, -1, 0.5, 0.00005, 0.00004999, 0.00015, 0.99995,
		0.999949999, 0.03125, 0.09375, 0.15625, -0.03125, 1.03125, 2.5e-5, 1e-300, 5e-324,
		-5e-324, 0.1, 0.2, 0.3, 0.7, 12345.6789, -98765.43215, 1073741823.99995,
		1073741824.0, 1e15, -1e20, 123456789.00005};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		SAME(fixed[i]);
	SAME(INFINITY);
	SAME(-INFINITY);
	SAME(NAN);
	/* exact ties at the fourth decimal: k/20000 with 625 | k, and k/2^m */
	for (int k = -100000; k <= 100000; k += 625)
		SAME(k / 20000.0);
	for (int m = 1; m <= 20; m++)
		for (int k = 0; k < 64; k++)
			SAME((double)k / (double)(1 << m));
	/* every four-decimal value of [0, 1] and its neighbours */
	for (int k = 0; k <= 10000; k++) {
		double v = k / 10000.0;
		SAME(v);
		SAME(nextafter(v, 2));
		SAME(nextafter(v, -2));
		double h = (k + 0.5) / 10000.0;
		SAME(h);
		SAME(nextafter(h, 2));
		SAME(nextafter(h, -2));
	}
	/* random doubles: in [0, 1], in [-1000, 1000], and any bit pattern */
	for (int i = 0; i < 50000; i++) {
		uint64_t r = check_rand64();
		SAME((double)(r >> 11) / 9007199254740992.0);
		SAME(((double)(r >> 11) / 9007199254740992.0 - 0.5) * 2000);
		double v;
		memcpy(&v, &r, sizeof v);
		SAME(v);
	}
	strings_as_reference();
	return CHECK_DONE();
}
