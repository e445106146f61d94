/* Fuzz rules_load() (against a small fixed lexicon, for the link targets), then run the
 * matcher with those rules on a fixed text. */
#include "fuzz.h"
#include "pipeline.h"
#include "rules.h"

static gazetteer *gaz;
static struct arena arena;
static char lexpath[4096];
static const char text[] = "President Xi Jinping of China met Georgia's leader; Jordan "
			   "and Chad mined lithium. Mr Smith (MS) said MS will rule.";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char lex[] =
		"China\tcountry:CN\tCOUNTRY\tChina\tname\tfold\t-\t-\n"
		"Georgia\tcountry:GE\tCOUNTRY\tGeorgia\tname\tfold\tambiguous\t-\n"
		"Georgia\tstate:GA\tSTATE\tGeorgia\tname\tfold\tambiguous\t-\n"
		"Jordan\tcountry:JO\tCOUNTRY\tJordan\tname\tfold\tambiguous\t-\n"
		"Chad\tcountry:TD\tCOUNTRY\tChad\tname\tfold\tambiguous\t-\n"
		"Xi Jinping\tperson:xi-jinping\tPERSON\tXi Jinping\tname\tfold\t-\tcountry=CN\n"
		"lithium\tmineral:lithium\tMINERAL\tLithium\tname\tfold\t-\t-\n";
	struct err e = {0};
	gaz = gaz_new();
	snprintf(lexpath, sizeof lexpath, "%s", fuzz_file((const uint8_t *)lex, sizeof lex - 1));
	if (gaz_load(gaz, lexpath, NULL, &e) < 0) {
		fprintf(stderr, "fuzz_rules: %s\n", e.msg);
		exit(2);
	}
	arena_init(&arena);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	const char *path = fuzz_file(data, size);
	rules *r = rules_new();
	rules_load(r, path, gaz, &e);
	rules_free(r);
	matcher *m = match_new(gaz, path, NULL, &e);
	if (m) {
		struct pipeline p = {gaz, m, NULL, 0};
		struct annotation an;
		pipe_annotate(&p, &arena, text, sizeof text - 1, &an, &e);
		arena_reset(&arena);
		match_free(m);
	}
	return 0;
}
