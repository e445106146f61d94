/* check.h: the tiny test harness of the unit tests. CHECK(cond) records a failure with
 * FILE:LINE and goes on; CHECK_DONE() prints "N passed, N failed" and returns the status. */
#ifndef ENTOPIC_CHECK_H
#define ENTOPIC_CHECK_H

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

#define CHECK_DONE()                                                                    \
	(printf("%s: %d passed, %d failed\n", __FILE__, check_pass, check_fail),        \
	 check_fail ? 1 : 0)

#endif
