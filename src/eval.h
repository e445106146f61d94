/* eval: compare the pipeline's output with gold annotations (ANNOTATION.md's gold format).
 * Consumes gold records (text, mentions, topics) one at a time with their annotations;
 * produces precision, recall and F1 per type (span-exact, and span + id), main-topic
 * accuracy and label F1 at 0.5, as a text table or a JSON report. */
#ifndef ENTOPIC_EVAL_H
#define ENTOPIC_EVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "pipeline.h"
#include "util.h"

typedef struct eval eval;

/* A new evaluation over the given types (NULL: PERSON, COUNTRY, MINERAL). model names the
 * topics (NULL: no topic figures). errors: when not NULL, every false positive and false
 * negative is written to it, one per line. Owned by the caller (eval_free()). */
eval *eval_new(const char *const *types, const struct topics_model *model, FILE *errors);
void eval_free(eval *e);

/* Add one gold record (the parsed JSON object) with the annotation of its text. Returns 0,
 * or -ERR_INPUT with *err filled in when the gold record is malformed (bad mentions). */
int eval_add(eval *e, json_t *gold, const char *text, size_t len, const struct annotation *an,
	     bool topics_only, struct err *err);

/* Write the report: a table, or one JSON object when json is true. */
void eval_report(const eval *e, FILE *out, bool json, bool topics_only);

#endif
