/* Fuzz a plain-text document through the whole pipeline (normalize, tokenize, match with the
 * default lexicons, rules and patterns, topics) and emit_record(), in every offset unit.
 * The output must be one line ending in '\n', and the same with the pipeline's memo of word
 * lookups (a small one, kept across inputs) as without it. */
#include <assert.h>

#include "emit.h"
#include "fuzz.h"
#include "pipeline.h"

static gazetteer *gaz;
static matcher *mt;
static struct topics_model *model;
static struct pipeline pipe_;
static struct arena arena;
static struct buf out, first;
static struct pipe_memo *memo;

static void die(const struct err *e)
{
	fprintf(stderr, "fuzz_document: %s:%ld: %s\n", e->source, e->line, e->msg);
	exit(2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct err e = {0};
	gaz = gaz_new();
	if (gaz_load_dir(gaz, fuzz_data_path("lexicons"), NULL, &e) < 0)
		die(&e);
	mt = match_new(gaz, fuzz_data_path("models/rules.tsv"), fuzz_data_path("models/patterns.tsv"),
		       &e);
	if (!mt)
		die(&e);
	model = topics_load(fuzz_data_path("models/topics.tsv"), &e);
	if (!model)
		die(&e);
	pipe_.gaz = gaz;
	pipe_.match = mt;
	pipe_.model = model;
	pipe_.nreasons = 2;
	arena_init(&arena);
	buf_init(&out);
	buf_init(&first);
	memo = pipe_memo_new(&pipe_, 64);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct annotation an;
	struct err e = {0};
	/* a copy, so that reading past the end is caught */
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	static const char *types[] = {"PERSON", "COUNTRY", NULL};
	for (int m = 0; m < 2; m++) {
		int rc = pipe_annotate_memo(&pipe_, m ? memo : NULL, &arena, text, size, &an, &e);
		for (int u = 0; u < 3; u++) {
			struct emit_opts o = {(enum emit_offsets)u, false, "text", "id",
					      u == 2 ? types : NULL, model, pipe_.nreasons};
			struct input_rec rec = {.text = text, .len = size, .id = "1", .id_len = 1};
			out.len = 0;
			buf_printf(&out, "%d ", rc);
			emit_record(&out, &o, &rec, &an);
			assert(out.len > 0 && out.p[out.len - 1] == '\n');
			assert(memchr(out.p, '\n', out.len) == out.p + out.len - 1);
			if (m == 0 && u == 2) {
				first.len = 0;
				buf_add(&first, out.p, out.len);
			}
		}
		/* the last record of each pass (all offset units seen): the same bytes */
		assert(m == 0 || (out.len == first.len && memcmp(out.p, first.p, out.len) == 0));
		arena_reset(&arena);
	}
	free(text);
	return 0;
}
