/* Fuzz topics_load() with a model file and score a fixed text with what loaded, with
 * reasons (--explain). */
#include "fuzz.h"
#include "normalize.h"
#include "tokenize.h"
#include "topics.h"

static struct arena arena;
static const char text[] = "China's lithium exports and rare earth mining: the minister said "
			   "the election and the football match were delayed. 2024 \xE2\x80\x94 OK";

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
	struct topics_model *m = topics_load(fuzz_file(data, size), &e);
	if (!m)
		return 0;
	struct norm_text nt;
	struct tok_list tl;
	norm_text(&arena, text, sizeof text - 1, &nt);
	tok_split(&arena, &nt, text, &tl);
	struct topics_mention tm[2] = {{"COUNTRY", "country:CN", NULL},
				       {"MINERAL", "mineral:lithium", "battery"}};
	struct topics_input in = {&nt, &tl, tm, 2};
	size_t n = topics_count(m);
	double *scores = malloc((n + 1) * sizeof *scores);
	struct topics_reason *r = malloc((n * 3 + 1) * sizeof *r);
	topics_score(m, &in, &arena, scores, r, 3);
	for (size_t i = 0; i < n; i++) {
		if (!(scores[i] >= 0 && scores[i] <= 1) || !topics_name(m, i))
			abort();
	}
	free(scores);
	free(r);
	arena_reset(&arena);
	topics_free(m);
	return 0;
}
