/* Fuzz gaz_load() with a lexicon file, with the check stream on (duplicates, conflicts), and
 * match a fixed text against what was loaded. */
#include "fuzz.h"
#include "pipeline.h"

static FILE *devnull;
static struct arena arena;
static const char text[] = "China's Xi Jinping and U.S. lithium: the UN, Zorbania and "
			   "\xC3\x89lys\xC3\xA9\x65 \xE5\x8C\x97\xE4\xBA\xAC in Cote d'Ivoire-based firms.";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	arena_init(&arena);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	gazetteer *g = gaz_new();
	int rc = gaz_load(g, fuzz_file(data, size), devnull, &e);
	(void)rc; /* the lines before a bad one stay loaded: match with them too */
	matcher *m = match_new(g, NULL, NULL, &e);
	if (m) {
		struct pipeline p = {g, m, NULL, 0};
		struct annotation an;
		pipe_annotate(&p, &arena, text, sizeof text - 1, &an, &e);
		arena_reset(&arena);
		match_free(m);
	}
	gaz_free(g);
	return 0;
}
