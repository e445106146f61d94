/* Coverage of the shipped lexicons through the whole matcher: every country's names,
 * abbreviations and demonyms, every element, every accented mineral name, every person
 * with a non-ASCII name and every form in another language or script is found, with its
 * id, in a sentence built from it. Run from the repository root. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gazetteer.h"
#include "match.h"
#include "pipeline.h"

static gazetteer *gaz;
static matcher *mat;
static struct pipeline pipe_;
static struct arena arena;
static int failures_shown;

static bool has_attr(const struct entity *e, const char *key)
{
	for (size_t i = 0; i < e->nattrs; i++)
		if (strcmp(e->keys[i], key) == 0)
			return true;
	return false;
}

static bool has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* Annotate before + form + after; the form must come out as one mention linked to e (or,
 * for an ambiguous form, to some entity). Returns true when it does. */
static bool found(const struct gaz_form *f, const struct entity *e, const char *before,
		  const char *after)
{
	char text[1024];
	const char *ft = gaz_form_text(gaz, f);
	size_t bl = strlen(before), fl = strlen(ft);
	if (bl + fl + strlen(after) + 1 > sizeof text)
		return true;
	snprintf(text, sizeof text, "%s%s%s", before, ft, after);
	struct annotation an;
	struct err err = {0};
	arena_reset(&arena);
	pipe_annotate(&pipe_, &arena, text, strlen(text), &an, &err);
	for (size_t i = 0; i < an.nmentions; i++) {
		const struct mention *m = &an.mentions[i];
		if (m->ostart == bl && m->oend == bl + fl &&
		    (strcmp(m->ent->id, e->id) == 0 || (f->flags & GAZF_AMBIGUOUS)))
			return true;
	}
	if (failures_shown++ < 40)
		fprintf(stderr, "not found: %s in \"%s\"\n", e->id, text);
	return false;
}

int main(void)
{
	struct err err = {0};
	gaz = gaz_new();
	arena_init(&arena);
	if (gaz_load_dir(gaz, "lexicons", NULL, &err) < 0) {
		fprintf(stderr, "%s:%ld: %s\n", err.source, err.line, err.msg);
		return 1;
	}
	mat = match_new(gaz, "models/rules.tsv", "models/patterns.tsv", &err);
	CHECK(mat != NULL);
	if (!mat)
		return CHECK_DONE();
	pipe_.gaz = gaz;
	pipe_.match = mat;
	const char *t_country = gaz_type(gaz, "COUNTRY"), *t_mineral = gaz_type(gaz, "MINERAL");
	const char *t_person = gaz_type(gaz, "PERSON");
	long tried[5] = {0}, ok[5] = {0};
	for (size_t i = 0; i < gaz_form_count(gaz); i++) {
		const struct gaz_form *f = gaz_form(gaz, (uint32_t)i);
		const struct entity *e = gaz_entity(gaz, f->entity);
		if (f->flags & GAZF_BLOCK)
			continue;
		int k = -1;
		bool hit = true;
		if (f->flags & GAZF_LANG) { /* names in other languages and scripts */
			k = 4;
			hit = found(f, e, "\xC2\xAB ", " \xC2\xBB");
		} else if (e->type == t_country && f->kind == KIND_DEMONYM) {
			k = 0;
			hit = found(f, e, "The ", " delegation left on Monday.");
		} else if (e->type == t_country) {
			k = 0;
			hit = found(f, e, "The talks with ", " ended on Monday, officials said.");
		} else if (e->type == t_mineral && f->kind == KIND_NAME &&
			   (has_attr(e, "symbol") || has_non_ascii(gaz_form_text(gaz, f)))) {
			k = has_non_ascii(gaz_form_text(gaz, f)) ? 2 : 1;
			hit = found(f, e, "Exports of ", " rose in May.");
		} else if (e->type == t_person && f->kind == KIND_NAME && has_non_ascii(gaz_form_text(gaz, f))) {
			k = 3;
			hit = found(f, e, "On Monday ", " said the talks went well.");
		}
		if (k < 0)
			continue;
		tried[k]++;
		if (hit)
			ok[k]++;
	}
	static const char *const what[5] = {"country names, abbreviations, demonyms", "elements",
					    "accented minerals", "people with non-ASCII names",
					    "forms in other languages and scripts"};
	for (int k = 0; k < 5; k++) {
		printf("%s: %ld of %ld found\n", what[k], ok[k], tried[k]);
		CHECK(tried[k] > 0);
		CHECK(ok[k] == tried[k]);
	}
	match_free(mat);
	gaz_free(gaz);
	arena_clear(&arena);
	return CHECK_DONE();
}
