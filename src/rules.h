/* rules: context rules for ambiguous mentions, read from a readable TSV file
 * (models/rules.tsv, documented in models/README.md). Consumes a candidate mention with its
 * tokens; produces a decision: keep it, drop it, or link it to another entity. Also holds
 * the word lists the matcher's general rules use (titles, name heads, ...). */
#ifndef ENTOPIC_RULES_H
#define ENTOPIC_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gazetteer.h"
#include "normalize.h"
#include "tokenize.h"
#include "util.h"

typedef struct rules rules;

enum rule_action { RULE_NONE, RULE_KEEP, RULE_DROP, RULE_LINK };

/* What a rule sees of a candidate: the record and the candidate's token span. */
struct rule_ctx {
	const char *orig;
	const struct norm_text *nt;
	const struct tok_list *tl;
	uint32_t t0, t1;       /* the candidate's tokens [t0, t1) */
	const struct entity *ent;
	bool ambiguous;        /* the form carries the ambiguous flag */
	int kind;              /* the form's enum gaz_kind */
	const bool *headline;  /* per token: on a headline-style line (NULL: none) */
	struct rule_memo *memo; /* the record's (NULL: none, every test reads what it needs) */
};

/* What rules_decide() keeps of a record from one candidate to the next, so that the tests
 * that read the whole record (doc=) or the candidate's whole line (lineupper) read it once
 * rather than at every candidate: a record of megabytes holds thousands of candidates, and
 * a text without line breaks is one line. The caller zeroes one for each record, with doc
 * pointing at rules_memo_size() zeroed bytes. */
struct rule_memo {
	uint8_t *doc;    /* per doc= test: 0 not read yet, 1 no word of it, 2 a word of it */
	uint32_t lo, hi; /* the line lineupper read last, tokens [lo, hi) (none while hi is 0) */
	bool upper;      /* no word of that line has a lower-case letter */
};
size_t rules_memo_size(const rules *r);

rules *rules_new(void);
void rules_free(rules *r);

/* Load rules from path into r (appending). Returns 0, or a negative ERR_* with *err filled
 * in (file, line, message). Entity ids in link actions are checked against gaz. */
int rules_load(rules *r, const char *path, const gazetteer *gaz, struct err *err);

/* Decide on a candidate: the first rule whose target and conditions match decides. Returns
 * RULE_NONE when no rule matches; for RULE_LINK *link gets the entity id to link to. */
enum rule_action rules_decide(const rules *r, const struct rule_ctx *c, const char **link);

/* The number of the named word list ("title", "not-name", ... defined by "list" lines), or
 * -1 when no list has that name. rules_in_h() tells whether the normalized word w[0..n),
 * whose hash_bytes() is h, is in list number list (-1: an empty list). */
long rules_list(const rules *r, const char *list);
bool rules_in_h(const rules *r, long list, const char *w, size_t n, uint64_t h);

/* Bit i set: the word (with h = hash_bytes(w, n)) is in the list numbered i, for the
 * lists numbered below 16; one probe for all of them. */
uint16_t rules_word_lists(const rules *r, const char *w, size_t n, uint64_t h);

/* Add a word (normalized here) to the named list, creating the list if needed. */
void rules_add_word(rules *r, const char *list, const char *word);

#endif
