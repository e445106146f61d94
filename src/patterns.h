/* patterns: pattern entities (MONEY, PERCENT, DATE, ...) found with pcre2 regular
 * expressions read from a TSV file (models/patterns.tsv: TYPE <TAB> NAME <TAB> REGEX).
 * Consumes the original text of a record; produces byte spans with their type. Patterns are
 * compiled once, JIT-compiled where possible (not when ENTOPIC_NO_JIT is set), and run
 * with match and depth limits so that a pathological pattern ends with an error instead of
 * hanging. */
#ifndef ENTOPIC_PATTERNS_H
#define ENTOPIC_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct patterns patterns;

struct pattern_hit {
	uint32_t start, end; /* bytes in the original text */
	const char *type;    /* borrowed from the patterns */
	const char *name;
};

patterns *patterns_new(void);
void patterns_free(patterns *p);

/* Load and compile the patterns of path (appending). Returns 0, or a negative ERR_* with
 * *err filled in: FILE:LINE:COL and pcre2's message for a bad regular expression. */
int patterns_load(patterns *p, const char *path, struct err *err);

/* Set the pcre2 match and depth limits (0 keeps the default). */
void patterns_set_limits(patterns *p, uint32_t match_limit, uint32_t depth_limit);

/* For differential tests: search near=digit patterns the simplest way, one pcre2 call per
 * digit window from the window's start, as before windows were merged and calls started at
 * the first byte a match can start at. The hits and errors are the same, the calls more. */
void patterns_set_plain(patterns *p, bool plain);

/* For the tests: is pattern i (in load order) searched with a DFA of where its matches can
 * start, under the limits in force (see patterns.c)? */
bool patterns_prechecked(const patterns *p, size_t i);

/* Find every non-overlapping hit of every pattern in text[0..len) (any bytes: invalid
 * UTF-8 never matches inside a pattern). Hits go to *out, allocated from a, in text order,
 * earlier and then longer first; overlapping hits of different patterns are all reported.
 * Returns 0, or -ERR_LIMIT with *err filled in (the pattern's file and line, also named in
 * the message) when a limit was hit by the first such pattern: that pattern stops there,
 * the others still run, and every hit found is returned. */
int patterns_find(const patterns *p, struct arena *a, const char *text, size_t len,
		  struct pattern_hit **out, size_t *n, struct err *err);


#endif
