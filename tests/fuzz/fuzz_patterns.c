/* Fuzz patterns_load() with a patterns file and run what loaded with patterns_find() on a
 * fixed text (with bytes that are not UTF-8) and on the file itself, under low pcre2
 * limits. Hits must be sorted and inside the text, and the same, with the same status, as
 * those of patterns_set_plain() (one pcre2 call per digit window, from its start). */
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

static void find(const patterns *p, const patterns *plain, const char *s, size_t len)
{
	struct err e = {0};
	struct pattern_hit *h, *hp;
	size_t n, np;
	int r = patterns_find(p, &arena, s, len, &h, &n, &e);
	int rp = patterns_find(plain, &arena, s, len, &hp, &np, &e);
	for (size_t i = 0; i < n; i++) {
		if (h[i].start >= h[i].end || h[i].end > len)
			abort();
		if (i && h[i].start < h[i - 1].start)
			abort();
	}
	if ((r < 0) != (rp < 0) || n != np)
		abort();
	for (size_t i = 0; i < n; i++)
		if (h[i].start != hp[i].start || h[i].end != hp[i].end)
			abort();
	arena_reset(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	const char *path = fuzz_file(data, size);
	patterns *p = patterns_new(), *plain = patterns_new();
	patterns_set_limits(p, 20000, 500);
	patterns_set_limits(plain, 20000, 500);
	patterns_set_plain(plain, true);
	patterns_load(p, path, &e); /* the patterns before a bad line stay */
	patterns_load(plain, path, &e);
	find(p, plain, text, sizeof text - 1);
	find(p, plain, (const char *)data, size);
	patterns_free(p);
	patterns_free(plain);
	return 0;
}
