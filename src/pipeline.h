/* pipeline: one record through every stage: normalize -> tokenize -> match -> topics.
 * Consumes the loaded resources (gazetteer, matcher, topic model) and a record's text;
 * produces a struct annotation whose parts all live in the caller's arena. Used by the
 * annotate, eval and train commands alike, so they can never disagree. */
#ifndef ENTOPIC_PIPELINE_H
#define ENTOPIC_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "gazetteer.h"
#include "match.h"
#include "normalize.h"
#include "tokenize.h"
#include "topics.h"
#include "util.h"

struct pipeline {
	gazetteer *gaz;           /* borrowed */
	matcher *match;           /* borrowed */
	struct topics_model *model; /* borrowed; NULL: no topic scores */
	size_t nreasons;          /* features kept per topic for --explain (0: none) */
};

struct annotation {
	struct norm_text nt;
	struct tok_list tl;
	struct mention *mentions;
	size_t nmentions;
	double *scores;                 /* topics_count(model) scores, or NULL */
	double *logits;                 /* their logits (orders saturated scores), or NULL */
	struct topics_reason *reasons;  /* topics_count * nreasons, or NULL */
	struct topics_input tin;        /* what the model saw (for training) */
};

/* Annotate text[0..len). Everything in *out is allocated from a (valid until
 * arena_reset()). Returns 0, or a negative ERR_* with *err filled in (a record too large,
 * a pattern limit hit); *out is then still usable but may lack mentions. */
int pipe_annotate(const struct pipeline *p, struct arena *a, const char *text, size_t len,
		  struct annotation *out, struct err *err);

#endif
