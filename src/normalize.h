/* normalize: the matching form of a text. Consumes the original bytes of a document (any
 * bytes: invalid UTF-8 is read as U+FFFD, one per bad byte); produces a normalized UTF-8
 * copy (NFKC, case folded, accents stripped, typographic variants unified, zero-width
 * characters dropped) and a map from every normalized byte back to an original offset.
 * The original text is never modified. */
#ifndef ENTOPIC_NORMALIZE_H
#define ENTOPIC_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct norm_text {
	char *s;       /* normalized UTF-8, NUL-terminated; borrowed from the arena */
	size_t len;    /* bytes in s */
	uint32_t *map; /* len + 1 entries: map[i] is the original byte offset of the character
	                  that produced s[i]; map[len] is the original length */
};

/* Normalize orig[0..olen) into *out, allocating from a (valid until arena_reset()).
 * Returns 0, or -ERR_LIMIT when olen does not fit the 32-bit offsets (4 GiB). */
int norm_text(struct arena *a, const char *orig, size_t olen, struct norm_text *out);

/* Normalize a NUL-terminated string (a lexicon form, a model feature) into a new heap
 * string owned by the caller (free()). Same rules as norm_text(). */
char *norm_string(const char *s);

/* Map one code point to the code points it matches as (at most 8 written to out).
 * Returns how many (0: dropped, such as zero-width characters). Exposed for the tokenizer
 * and the tests. */
int norm_codepoint(int32_t cp, int32_t out[8]);

/* Length in bytes of the (possibly invalid) UTF-8 character at p[0..n), n >= 1: invalid
 * or truncated sequences count 1 byte, as one U+FFFD. *cp gets the code point. */
int norm_decode(const unsigned char *p, size_t n, int32_t *cp);

/* Whether norm_text() may take its AVX2 way where the CPU has it (it may from the start):
 * the tests turn it off to check the other one on the same machine. Call it while no
 * other thread is in norm_text(). Returns whether the AVX2 way is taken from then on. */
bool norm_wide(bool allow);

#endif
