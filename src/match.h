/* match: find the mentions of a record. Consumes the original text, its normalized form
 * and tokens, a gazetteer, the disambiguation rules (models/rules.tsv) and the pattern
 * entities (models/patterns.tsv); produces non-overlapping mentions in text order, each
 * linked to an entity: lexicon entities, or entities made for the record (people found
 * after a title, acronyms defined in the text, MONEY/PERCENT/DATE patterns). */
#ifndef ENTOPIC_MATCH_H
#define ENTOPIC_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gazetteer.h"
#include "normalize.h"
#include "tokenize.h"
#include "util.h"

enum mention_src {
	SRC_LEXICON,  /* a lexicon form */
	SRC_PARTIAL,  /* part of a name given in full elsewhere in the record */
	SRC_PATTERN,  /* a person found by a title or role, not in any lexicon */
	SRC_ACRONYM,  /* an acronym defined in the record */
	SRC_REGEX,    /* a MONEY/PERCENT/DATE pattern */
};

struct mention {
	uint32_t ostart, oend;     /* byte range in the original text */
	uint32_t t0, t1;           /* token range [t0, t1) */
	const struct entity *ent;  /* borrowed: from the gazetteer, or the record's arena */
	uint8_t kind;              /* enum gaz_kind (KIND_PARTIAL for partial names) */
	uint8_t src;               /* enum mention_src */
	uint16_t flags;            /* the lexicon form's enum gaz_flag (GAZF_AMBIGUOUS ...) */
};

typedef struct matcher matcher;

/* A matcher over gaz (borrowed: it must outlive the matcher). rules and patterns are paths
 * of the rules and patterns files, or NULL for none. Returns a new matcher owned by the
 * caller (match_free()), or NULL with *err filled in (file, line[, col], message). */
matcher *match_new(gazetteer *gaz, const char *rules, const char *patterns, struct err *err);
void match_free(matcher *m);

/* Add the rules of another rules file (a user's). Returns 0 or a negative ERR_*. */
int match_add_rules(matcher *m, const char *path, struct err *err);

/* Add the patterns of another patterns file (a user's). Returns 0 or a negative ERR_*. */
int match_add_patterns(matcher *m, const char *path, struct err *err);

/* For tests, an oracle: with full, the second people pass over a record visits every run
 * in full instead of taking the outcome of the first pass's visits that found no one
 * (struct people_memo in match.c); the mentions must be the same either way. */
void match_set_people_full(matcher *m, bool full);

/* How the passes over a record find what they look for among its mentions and words: the
 * plain loops while the record is small and an index once it is large, so that a record of
 * megabytes costs no more per byte than a news article (MATCH_INDEX_AUTO, the default);
 * for tests, the loops alone (MATCH_INDEX_NONE, an oracle: the mentions also kept in order
 * at every insertion, and the rules read the record or line again for every candidate,
 * with no struct rule_memo) or the indexes from the start (MATCH_INDEX_ALL). The mentions
 * are the same every way. */
enum match_index { MATCH_INDEX_AUTO, MATCH_INDEX_NONE, MATCH_INDEX_ALL };
void match_set_index(matcher *m, enum match_index how);

/* What match_doc() looks up for every token but a hyphen, from the normalized token
 * s[0..n) and its hash_bytes() h alone: *lists, the value of the token's lists field (the
 * word lists it is in and other facts of its bytes, in the matcher's own encoding), and
 * *gtok, its gazetteer token (GAZ_NONE: in no lexicon name). For a caller that caches them
 * for the words it sees again (see struct tok_list). */
void match_word(const matcher *m, const char *s, size_t n, uint64_t h, uint16_t *lists,
		uint32_t *gtok);
/* Does match_word() read tables larger than the caches (a large lexicon)? Then a caller
 * with many words to look up asks for each ahead with match_word_prefetch(h, stage), in
 * stages 0 to MATCH_PREFETCH_STAGES - 1, every word's stage before any word's next one;
 * which changes nothing but the time. */
bool match_words_large(const matcher *m);
void match_word_prefetch(const matcher *m, uint64_t h, int stage);
#define MATCH_PREFETCH_STAGES GAZ_PREFETCH_STAGES

/* Find the mentions of one record. *out (sorted, non-overlapping) and the entities made for
 * the record are allocated from a, valid until arena_reset(). Returns 0, or -ERR_LIMIT with
 * *err filled in when a pattern hit the pcre2 match or depth limit (the record's other
 * mentions are still in *out). */
int match_doc(const matcher *m, struct arena *a, const char *orig, const struct norm_text *nt,
	      const struct tok_list *tl, struct mention **out, size_t *n, struct err *err);

#endif
