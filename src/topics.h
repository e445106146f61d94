/* topics: score a document against the topics of a model. Consumes the tokens of a record
 * (struct tok_list over a struct norm_text) and a summary of its linked mentions; produces
 * one score in [0, 1] per topic, in the model's order, and optionally the features that
 * contributed most. Models are loaded from readable text files (models/README.md). */
#ifndef ENTOPIC_TOPICS_H
#define ENTOPIC_TOPICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tokenize.h"
#include "util.h"

struct topics_model;

/* One linked mention as the topic model sees it. */
struct topics_mention {
	const char *type;  /* "COUNTRY", "MINERAL", "PERSON", "CITY", "ORG", ... */
	const char *id;    /* canonical id, e.g. "mineral:antimony" */
	const char *group; /* the entity's "group" attribute (e.g. "rare-earth") or NULL */
};

/* Everything a record offers to the model. All pointers borrowed for the call. */
struct topics_input {
	const struct norm_text *nt;
	const struct tok_list *toks;
	const struct topics_mention *mentions;
	size_t nmentions;
};

/* One contribution to a topic's score, for --explain. */
struct topics_reason {
	const char *feature; /* borrowed from the model */
	double contribution; /* weight times feature value */
};

/* Load the model at path (text format of models/README.md). Returns a new model, owned by
 * the caller and freed with topics_free(), or NULL with *err filled in (file, line,
 * message). Never prints. */
struct topics_model *topics_load(const char *path, struct err *err);

/* strtod(s, end) in the C locale, with the same results (value, *end and errno) for every
 * string, quicker for the plain decimals of model files. Exposed for the tests. */
double topics_strtod(const char *s, char **end);

/* Add the topics of the model file at path to m (--add-model). Returns 0 or a negative
 * ERR_* with *err filled in; m is unchanged on failure. */
int topics_add(struct topics_model *m, const char *path, struct err *err);

void topics_free(struct topics_model *m);

size_t topics_count(const struct topics_model *m);
/* Name of topic i, borrowed from the model, and its length (strlen()). */
const char *topics_name(const struct topics_model *m, size_t i);
size_t topics_name_len(const struct topics_model *m, size_t i);

/* Score in into scores[0..topics_count(m)), each in [0, 1]; deterministic. When reasons is
 * not NULL it has room for topics_count(m) * nreasons entries: topic i's top features (by
 * absolute contribution, ties by feature name) go to reasons[i * nreasons ...], unused
 * slots get feature NULL. Returns 0. Uses a for scratch memory. */
int topics_score(const struct topics_model *m, const struct topics_input *in,
		 struct arena *a, double *scores, struct topics_reason *reasons,
		 size_t nreasons);

/* The same, and when logits is not NULL (room for topics_count(m)) each topic's logit, the
 * score before the sigmoid: it still orders topics whose scores both round to 1. */
int topics_score_z(const struct topics_model *m, const struct topics_input *in,
		   struct arena *a, double *scores, double *logits,
		   struct topics_reason *reasons, size_t nreasons);

/* What scoring looks up for every word token (TOK_WORD, TOK_NUM, TOK_CJK), from the
 * normalized word s[0..n) and its hash_bytes() h alone: the word's feature in m, as a
 * number (0: none) for the token's tfeat field. For a caller that caches it for the words
 * it sees again (see struct tok_list). */
uint32_t topics_word(const struct topics_model *m, const char *s, size_t n, uint64_t h);

/* Whether scoring may take its AVX2 way through a text's tokens where the CPU has it (it
 * may from the start): the tests turn it off to check the other way on the same machine.
 * Call it while no other thread scores. Returns whether the AVX2 way is taken from then
 * on. */
bool topics_wide(bool allow);

/* Training (entopic train): collect labelled records, then fit and write a model. */
struct topics_trainer;
struct topics_trainer *topics_trainer_new(void);
/* Add one record with its labels (topic names; the first is the main topic). */
void topics_trainer_add(struct topics_trainer *t, const struct topics_input *in,
			const char *const *labels, size_t nlabels);
/* Trainer options (topics_train_opts_default() gives the documented defaults). */
struct topics_train_opts {
	size_t top_k;     /* features kept per topic, by |weight| (250) */
	double l2;        /* L2 penalty on the feature weights, not the bias (3.0) */
	int iterations;   /* L-BFGS iterations per fit (150) */
	unsigned min_df;  /* a feature must occur in at least this many records (3) */
};
void topics_train_opts_default(struct topics_train_opts *o);
void topics_trainer_set_opts(struct topics_trainer *t, const struct topics_train_opts *o);
/* Train on top of base (borrowed; must stay alive until topics_trainer_write()): its
 * weights are a fixed part of every score while fitting, its topics come first, and the
 * written model holds base plus learnt weights. Topics without positive records keep the
 * base weights. Call before the first topics_trainer_add(). */
void topics_trainer_set_base(struct topics_trainer *t, const struct topics_model *base);
/* Fit and write the model in the text format to out. Returns 0 or a negative ERR_* with
 * *err filled in. */
int topics_trainer_write(struct topics_trainer *t, FILE *out, struct err *err);
void topics_trainer_free(struct topics_trainer *t);

#endif
