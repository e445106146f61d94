/* Unit tests of normalize: folding, typography, invalid UTF-8 and the offset map. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "normalize.h"
#include "reference.h"

static void norm_is(const char *in, const char *want, int line)
{
	char *got = norm_string(in);
	if (strcmp(got, want) != 0) {
		check_fail++;
		fprintf(stderr, "%s:%d: norm('%s') = '%s', want '%s'\n", __FILE__, line, in, got,
			want);
	} else {
		check_pass++;
	}
	free(got);
}
#define NORM_IS(a, b) norm_is(a, b, __LINE__)

/* The fast paths against the reference (the code before them): same text, same map. */
static int same_norm(struct arena *a, const char *in, size_t n)
{
	struct norm_text want, got;
	if (ref_norm_text(a, in, n, &want) != 0 || norm_text(a, in, n, &got) != 0)
		return 0;
	if (got.len != want.len || memcmp(got.s, want.s, want.len + 1) != 0 ||
	    memcmp(got.map, want.map, (want.len + 1) * sizeof *want.map) != 0)
		return 0;
	if (!memchr(in, '\0', n)) { /* norm_string() agrees too */
		char *ns = norm_string(in);
		int ok = strcmp(ns, want.s) == 0;
		free(ns);
		return ok;
	}
	return 1;
}

static void differential(void)
{
	static char buf[20000];
	struct arena a;
	arena_init(&a);
	uint64_t st = 0x9E3779B97F4A7C15ULL;
	int bad = 0;
	for (int k = 0; k < 30000 && bad < 5; k++) {
		size_t n = ref_random_text(&st, buf, k % 100 == 0 ? sizeof buf : 1000);
		if (!same_norm(&a, buf, n)) {
			bad++;
			fprintf(stderr, "%s:%d: text %d (%zu bytes) normalized apart from the reference\n",
				__FILE__, __LINE__, k, n);
		}
		arena_reset(&a);
	}
	CHECK(bad == 0);
	/* characters that expand, enough to outgrow the first buffer */
	size_t n = 0;
	while (n + 3 < sizeof buf) {
		memcpy(buf + n, n % 2 ? "\xE3\x8C\x80" : "\xEF\xAC\x83", 3);
		n += 3;
	}
	buf[n] = '\0';
	CHECK(same_norm(&a, buf, n));
	arena_reset(&a);
	/* every ASCII byte at every position of a word-sized window */
	for (int k = 0; k < 128 * 9; k++)
		buf[k] = (char)((k * 37 + k / 128) % 128);
	for (int off = 0; off < 16; off++)
		CHECK(same_norm(&a, buf + off, 128 * 9 - 16));
	arena_reset(&a);
	/* every ASCII byte in every lane of the 32-byte loop (AVX2), of the sixteen-byte
	 * loop, of the eight-byte loop after it and of the byte loop at the end of the run,
	 * which ends at a non-ASCII character or at the end of the text */
	for (int b = 0; b < 128; b++)
		for (int at = 0; at < 72; at++) {
			char t[96];
			size_t tn = (at < 40 ? 41 : 73) + (size_t)(at % 7);
			memset(t, 'Q', tn);
			t[at] = (char)b;
			if (at % 2) /* É */
				t[tn++] = '\xC3', t[tn++] = '\x89';
			t[tn] = '\0';
			if (!same_norm(&a, t, tn)) {
				CHECK(!"ascii lane");
				fprintf(stderr, "  byte %02x at %d\n", b, at);
			}
			arena_reset(&a);
		}
	/* every single byte, and every byte pair */
	for (int b = 0; b < 256; b++) {
		char two[3] = {(char)b, '\0', '\0'};
		CHECK(same_norm(&a, two, 1));
		for (int c = 0; c < 256; c++) {
			two[1] = (char)c;
			if (!same_norm(&a, two, 2)) {
				CHECK(!"byte pair");
				fprintf(stderr, "  pair %02x %02x\n", b, c);
			}
			arena_reset(&a);
		}
	}
	arena_clear(&a);
}

int main(void)
{
	(void)ref_tok_split; /* reference.h serves test_tokenize.c too */
	/* the AVX2 runs where the CPU has them, then the sixteen-byte ones on the same texts */
	if (norm_wide(true)) {
		differential();
		norm_wide(false);
	}
	differential();
	norm_wide(true);
	NORM_IS("China", "china");
	NORM_IS("CHINA", "china");
	NORM_IS("China\xE2\x80\x99s", "china's");          /* curly apostrophe */
	NORM_IS("\xE2\x80\x9CUS\xE2\x80\x9D", "\"us\"");      /* curly quotes */
	NORM_IS("Pakistan\xE2\x80\x93US", "pakistan-us");  /* en dash */
	NORM_IS("rare\xE2\x80\x90" "earth", "rare-earth"); /* U+2010 hyphen */
	NORM_IS("a\xC2\xA0" "b", "a b");                   /* no-break space */
	NORM_IS("a\xE2\x80\x8B" "b", "ab");                /* zero-width space dropped */
	NORM_IS("C\xC3\xB4te d\xE2\x80\x99Ivoire", "cote d'ivoire"); /* accents stripped */
	NORM_IS("bastn\xC3\xA4site", "bastnasite");
	NORM_IS("\xEF\xBC\xA3hina", "china");              /* fullwidth C (NFKC) */
	NORM_IS("\xEF\xAC\x81" "ne", "fine");              /* ligature fi */
	NORM_IS("T\xC3\xBCrkiye", "turkiye");
	NORM_IS("Stra\xC3\x9F" "e", "strasse");            /* case folding of sharp s */
	NORM_IS("a\r\nb", "a \nb");

	/* invalid bytes read as U+FFFD, one per byte */
	NORM_IS("a\xFF" "b", "a\xEF\xBF\xBD" "b");
	NORM_IS("\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"); /* overlong slash */
	NORM_IS("\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* surrogate */
	NORM_IS("x\xE2\x82", "x\xEF\xBF\xBD\xEF\xBF\xBD"); /* truncated */

	/* the map: every normalized byte points at the original character it came from */
	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	const char *orig = "\xC3\x89t\xC3\xA9 \xEF\xAC\x81" "n\xFF" "Z"; /* Été ﬁn<FF>Z */
	CHECK(norm_text(&a, orig, strlen(orig), &nt) == 0);
	CHECK_STR(nt.s, "ete fin\xEF\xBF\xBDz");
	CHECK(nt.map[0] == 0);  /* e <- É at 0 */
	CHECK(nt.map[1] == 2);  /* t */
	CHECK(nt.map[2] == 3);  /* e <- é at 3 */
	CHECK(nt.map[3] == 5);  /* space */
	CHECK(nt.map[4] == 6);  /* f <- ﬁ at 6 */
	CHECK(nt.map[5] == 6);  /* i <- ﬁ at 6 */
	CHECK(nt.map[6] == 9);  /* n */
	CHECK(nt.map[7] == 10 && nt.map[8] == 10 && nt.map[9] == 10); /* U+FFFD <- 0xFF */
	CHECK(nt.map[10] == 11);                                     /* z */
	CHECK(nt.map[nt.len] == strlen(orig));
	/* monotone: offsets never go back */
	for (size_t i = 1; i <= nt.len; i++)
		CHECK(nt.map[i] >= nt.map[i - 1]);
	arena_reset(&a);

	/* NUL bytes are text, not terminators */
	const char nul[] = {'a', '\0', 'b'};
	CHECK(norm_text(&a, nul, 3, &nt) == 0);
	CHECK(nt.len == 3 && nt.s[1] == ' ' && nt.map[2] == 2);
	arena_clear(&a);

	int32_t out[8];
	CHECK(norm_codepoint(0x200B, out) == 0);
	CHECK(norm_codepoint(0x2019, out) == 1 && out[0] == '\'');
	int32_t cp;
	CHECK(norm_decode((const unsigned char *)"\xF5\x80\x80\x80", 4, &cp) == 1 && cp == 0xFFFD);
	CHECK(norm_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp) == 4 && cp == 0x1F600);
	return CHECK_DONE();
}
