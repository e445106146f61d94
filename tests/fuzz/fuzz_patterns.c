/* Fuzz patterns_load() with a patterns file and run what loaded with patterns_find() on a
 * fixed text (with bytes that are not UTF-8), under low pcre2 limits. Hits must be sorted
 * and inside the text. */
#include "fuzz.h"
#include "patterns.h"

static struct arena arena;
static const char text[] = "US$5.2 billion, 12.5% on 3 March 2024; \xE2\x82\xAC" "40m \xFF\xC0 "
			   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab 1/2/2025 \xF0\x9F\x98\x80";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	arena_init(&arena);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	patterns *p = patterns_new();
	patterns_set_limits(p, 20000, 500);
	patterns_load(p, fuzz_file(data, size), &e); /* the patterns before a bad line stay */
	struct pattern_hit *h;
	size_t n;
	patterns_find(p, &arena, text, sizeof text - 1, &h, &n, &e);
	for (size_t i = 0; i < n; i++) {
		if (h[i].start >= h[i].end || h[i].end > sizeof text - 1)
			abort();
		if (i && h[i].start < h[i - 1].start)
			abort();
	}
	arena_reset(&arena);
	patterns_free(p);
	return 0;
}
