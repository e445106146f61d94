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

/* A memo of the lookups made for every token (the matcher's word lists and gazetteer
 * token, the topic model's feature): news repeats its words, and one probe of a small table
 * that stays in cache replaces three probes of large ones. It holds words of up to
 * PIPE_MEMO_WORD bytes, a fixed number of them (the last one seen in each slot), for one
 * pipeline. It is not shared: one per thread. */
#define PIPE_MEMO_WORD 16
struct pipe_memo;
/* A new memo for p (borrowed: it must outlive the memo) of at least slots words of up to 8
 * bytes (0: the default, 32768; 16 at least) and an eighth as many of 9 to 16 bytes, freed
 * with pipe_memo_free(). */
struct pipe_memo *pipe_memo_new(const struct pipeline *p, size_t slots);
void pipe_memo_free(struct pipe_memo *m);

/* Annotate text[0..len). Everything in *out is allocated from a (valid until
 * arena_reset()). Returns 0, or a negative ERR_* with *err filled in (a record too large,
 * a pattern limit hit); *out is then still usable but may lack mentions. */
int pipe_annotate(const struct pipeline *p, struct arena *a, const char *text, size_t len,
		  struct annotation *out, struct err *err);
/* The same with a memo made for p (NULL: none), which changes nothing but the time. */
int pipe_annotate_memo(const struct pipeline *p, struct pipe_memo *memo, struct arena *a,
		       const char *text, size_t len, struct annotation *out, struct err *err);

#endif
