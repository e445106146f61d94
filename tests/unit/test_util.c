/* Unit tests of util: the plain run of a JSON string (32 or 8 bytes at a time) against a byte
 * loop; fmt_uint() against printf. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"

static size_t plain_bytes(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
		i++;
	return i;
}

int main(void)
{
	CHECK(str_plain_len("", 0) == 0);
	CHECK(str_plain_len("China", 5) == 5);
	CHECK(str_plain_len("China and India", 15) == 15);
	CHECK(str_plain_len("China \"and\" India", 17) == 6);
	CHECK(str_plain_len("abcdefgh\\", 9) == 8);
	CHECK(str_plain_len("abcdefghijklmno\n", 16) == 15);
	CHECK(str_plain_len("abc\x7F" "defgh\xC3\xA9", 11) == 9);
	CHECK(str_plain_len("a\0b", 3) == 1);
	CHECK(str_plain_len("\x1F !#[]~", 8) == 0);
	CHECK(str_plain_len(" !#[]~\x1F", 7) == 6);
	/* every length and position of one byte of each kind, at every alignment */
	static const unsigned char odd[] = {0, 1, 0x1F, '"', '\\', 0x80, 0xC3, 0xFF, 0x20, 0x7F};
	unsigned char *b = malloc(112);
	int bad = 0;
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= 104; n++)
			for (size_t at = 0; at <= n; at++)
				for (size_t k = 0; k < sizeof odd; k++) {
					memset(b, 'x', 112);
					if (at < n)
						b[off + at] = odd[k];
					if (str_plain_len((char *)b + off, n) != plain_bytes(b + off, n))
						bad++;
				}
	/* random bytes, mostly plain */
	uint64_t r = 12345;
	for (int i = 0; i < 100000; i++) {
		size_t n = (size_t)(i % 100);
		for (size_t j = 0; j < n; j++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			b[j] = (unsigned char)(r % 50 ? 0x20 + r % 0x60 : r >> 8);
		}
		if (str_plain_len((char *)b, n) != plain_bytes(b, n))
			bad++;
	}
	CHECK(bad == 0);
	free(b);
	/* fmt_uint() writes printf's digits: every value below 10^6, the powers of ten and
	 * their neighbours, random values of every size */
	bad = 0;
	for (int i = 0; i < 1300000; i++) {
		uint64_t v;
		if (i < 1000000) {
			v = (uint64_t)i;
		} else if (i < 1000060) {
			uint64_t p = 1;
			for (int k = 0; k < (i - 1000000) / 3; k++)
				p *= 10;
			v = p + (uint64_t)((i - 1000000) % 3) - 1;
		} else if (i == 1000060) {
			v = UINT64_MAX;
		} else {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			v = r >> (r % 64);
		}
		char want[32], got[24];
		memset(got, '#', sizeof got);
		int n = snprintf(want, sizeof want, "%llu", (unsigned long long)v);
		if (fmt_uint(got, v) != (size_t)n || memcmp(got, want, (size_t)n) != 0 ||
		    got[20] != '#')
			bad++;
	}
	CHECK(bad == 0);
	return CHECK_DONE();
}
