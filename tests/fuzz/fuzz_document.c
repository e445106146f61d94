/* Fuzz a plain-text document through the whole pipeline (normalize, tokenize, match with the
 * default lexicons, rules and patterns, topics) and emit_record(), in every offset unit.
 * The output must be one line ending in '\n', and the same with the pipeline's memo of word
 * lookups (a small one, kept across inputs) as without it, and with the memo and scoring's
 * AVX2 way turned off (topics_wide()). The normalizer (with and
 * without its AVX2 way) and the tokenizer (its AVX2 and SSE2 windows, and its portable
 * build) must also agree with the reference of the unit tests, token for token. */
#include <assert.h>

#include "emit.h"
#include "fuzz.h"
#include "pipeline.h"
#include "../unit/reference.h"

/* tokenize.c again, built portable (TOK_PORTABLE: no SSE2 in its windows) under another
 * name, beside the library's build */
int tok_split_portable(struct arena *a, const struct norm_text *nt, const char *orig,
		       struct tok_list *out);
bool tok_wide_portable(bool allow);
#define TOK_PORTABLE 1
#define tok_split tok_split_portable
#define tok_wide tok_wide_portable
#include "../../src/tokenize.c"
#undef tok_split
#undef tok_wide

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

static bool same_token_lists(const struct tok_list *x, const struct tok_list *y)
{
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++) {
		const struct token *g = &x->v[i], *w = &y->v[i];
		if (g->nstart != w->nstart || g->nend != w->nend || g->ostart != w->ostart ||
		    g->oend != w->oend || g->kind != w->kind || g->flags != w->flags ||
		    g->lists != w->lists || g->hash != w->hash)
			return false;
	}
	return true;
}

/* norm_text() and tok_split(), the library's (its AVX2 ways where the CPU has them, and
 * the others) and the portable build, against the reference (the code before the fast
 * paths): the same normalized text, offset map and tokens, every field. */
static void against_reference(const char *text, size_t size)
{
	struct norm_text nt, nt2, want;
	struct tok_list got, narrow, portable, ref;
	(void)ref_random_text;
	if (ref_norm_text(&arena, text, size, &want) != 0)
		return;
	assert(norm_text(&arena, text, size, &nt) == 0);
	assert(nt.len == want.len && memcmp(nt.s, want.s, nt.len + 1) == 0 &&
	       memcmp(nt.map, want.map, (nt.len + 1) * sizeof *nt.map) == 0);
	norm_wide(false);
	assert(norm_text(&arena, text, size, &nt2) == 0);
	norm_wide(true);
	assert(nt2.len == want.len && memcmp(nt2.s, want.s, nt2.len + 1) == 0 &&
	       memcmp(nt2.map, want.map, (nt2.len + 1) * sizeof *nt2.map) == 0);
	ref_tok_split(&arena, &want, text, &ref);
	tok_split(&arena, &nt, text, &got);
	tok_wide(false);
	tok_split(&arena, &nt, text, &narrow);
	tok_wide(true);
	tok_split_portable(&arena, &nt, text, &portable);
	assert(same_token_lists(&got, &ref));
	assert(same_token_lists(&narrow, &ref));
	assert(same_token_lists(&portable, &ref));
	for (size_t i = 0; i < got.n; i++)
		assert(got.v[i].hash ==
		       hash_bytes(nt.s + got.v[i].nstart, got.v[i].nend - got.v[i].nstart));
	arena_reset(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct annotation an;
	struct err e = {0};
	/* a copy, so that reading past the end is caught */
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	against_reference(text, size);
	static const char *types[] = {"PERSON", "COUNTRY", NULL};
	for (int m = 0; m < 3; m++) {
		topics_wide(m < 2); /* the third pass: the memo, scoring's AVX2 way off */
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
	topics_wide(true);
	free(text);
	return 0;
}
