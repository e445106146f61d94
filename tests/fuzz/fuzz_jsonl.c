/* Fuzz the input reader (input_open("-") over a memory stream) in the mode chosen by the
 * first byte (document, lines, JSON Lines), and emit every record it gives (error records
 * too) through a small pipeline: every output is one line. Every JSON Lines record is read
 * twice, by the scanner and by jansson alone, and both must give the same record. */
#include <assert.h>

#include "emit.h"
#include "fuzz.h"
#include "input.h"
#include "pipeline.h"

static gazetteer *gaz;
static matcher *mt;
static struct pipeline pipe_;
static struct arena arena;
static struct buf out;
static struct input_scratch fast, ref;

/* line read by the scanner (or jansson when it gives up) and by jansson alone: the same */
static void parse_twice(const struct input_opts *opts, const char *line, size_t len,
			struct input_rec *rec)
{
	struct input_opts o = *opts;
	struct input_rec r2 = *rec;
	input_parse_jsonl(&o, line, len, &fast, rec);
	o.doc = true;
	input_parse_jsonl(&o, line, len, &ref, &r2);
	assert(strcmp(rec->error, r2.error) == 0);
	assert(rec->id_len == r2.id_len && memcmp(rec->id, r2.id, rec->id_len) == 0);
	assert(!rec->text == !r2.text && rec->len == r2.len);
	assert(!rec->text || (memcmp(rec->text, r2.text, rec->len) == 0 && !rec->text[rec->len]));
	assert(rec->nfields == r2.nfields);
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct input_field *a = &rec->fields[i], *b = &r2.fields[i];
		assert(a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0);
		assert(a->val_len == b->val_len && memcmp(a->val, b->val, a->val_len) == 0);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char lex[] =
		"China\tcountry:CN\tCOUNTRY\tChina\tname\tfold\t-\tiso3=CHN\n"
		"lithium\tmineral:lithium\tMINERAL\tLithium\tname\tfold\t-\t-\n";
	struct err e = {0};
	gaz = gaz_new();
	if (gaz_load(gaz, fuzz_file((const uint8_t *)lex, sizeof lex - 1), NULL, &e) < 0) {
		fprintf(stderr, "fuzz_jsonl: %s\n", e.msg);
		exit(2);
	}
	mt = match_new(gaz, NULL, NULL, &e);
	pipe_.gaz = gaz;
	pipe_.match = mt;
	arena_init(&arena);
	buf_init(&out);
	input_scratch_init(&fast);
	input_scratch_init(&ref);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct input_opts opts = {.mode = (enum input_mode)(data[0] % 3), .text_field = "text",
				  .id_field = "id"};
	opts.raw = opts.mode == INPUT_JSONL; /* parsed here, twice */
	data++;
	size--;
	char *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	FILE *fp = fmemopen(copy, size, "rb");
	if (!fp) { /* fmemopen of 0 bytes fails on old libcs */
		free(copy);
		return 0;
	}
	FILE *saved = stdin;
	stdin = fp;
	struct err e = {0};
	input *in = input_open("-", &opts, &e);
	assert(in);
	struct emit_opts eo = {OFFSETS_UTF16, false, "text", "id", NULL, NULL, 0};
	struct input_rec rec;
	int rc;
	long last = 0;
	while ((rc = input_next(in, &rec, &e)) > 0) {
		assert(rec.line > last || opts.mode == INPUT_DOC);
		last = rec.line;
		out.len = 0;
		if (opts.raw)
			parse_twice(&opts, rec.text, rec.len, &rec);
		if (rec.error[0]) {
			assert(!rec.text);
			emit_error(&out, &eo, rec.id, rec.id_len, rec.error);
		} else {
			struct annotation an;
			struct err re = {0};
			assert(rec.text);
			pipe_annotate(&pipe_, &arena, rec.text, rec.len, &an, &re);
			emit_record(&out, &eo, &rec, &an);
			arena_reset(&arena);
		}
		assert(out.len > 0 && memchr(out.p, '\n', out.len) == out.p + out.len - 1);
	}
	assert(rc == 0);
	input_free(in);
	stdin = saved;
	fclose(fp);
	free(copy);
	return 0;
}
