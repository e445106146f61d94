/* check.h: the tiny test harness of the unit tests. CHECK(cond) records a failure with
 * FILE:LINE and goes on; CHECK_DONE() prints "N passed, N failed" and returns the status. */
#ifndef ENTOPIC_CHECK_H
#define ENTOPIC_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int check_pass, check_fail;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (cond) {                                                            \
			check_pass++;                                                  \
		} else {                                                               \
			check_fail++;                                                  \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                \
		}                                                                      \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *check_a_ = (a), *check_b_ = (b);                            \
		if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) {          \
			check_pass++;                                                   \
		} else {                                                                \
			check_fail++;                                                   \
			fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__,    \
				check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
		}                                                                       \
	} while (0)

/* A reproducible xorshift64 sequence for generated test cases (a test may set check_rng
 * first to choose its sequence): check_rand64() the next value, check_rand(n) one below n. */
static uint64_t check_rng = 0x9E3779B97F4A7C15ULL;

static inline uint64_t check_rand64(void)
{
	check_rng ^= check_rng << 13;
	check_rng ^= check_rng >> 7;
	check_rng ^= check_rng << 17;
	return check_rng;
}

static inline unsigned check_rand(unsigned n)
{
	return (unsigned)(check_rand64() % n);
}

#define CHECK_DONE()                                                                    \
	(printf("%s: %d passed, %d failed\n", __FILE__, check_pass, check_fail),        \
	 check_fail ? 1 : 0)

#endif
