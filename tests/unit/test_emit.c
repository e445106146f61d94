/* Unit tests of emit: numbers formatted without printf give printf's characters. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "emit.h"

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

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
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
		uint64_t r = rnd64();
		SAME((double)(r >> 11) / 9007199254740992.0);
		SAME(((double)(r >> 11) / 9007199254740992.0 - 0.5) * 2000);
		double v;
		memcpy(&v, &r, sizeof v);
		SAME(v);
	}
	return CHECK_DONE();
}
