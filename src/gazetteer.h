/* gazetteer: the lexicons in memory. Consumes lexicon TSV files (lexicons/README.md);
 * produces entities (id, type, name, attributes) and a token trie of their surface forms,
 * keyed by the normalized tokens of each form (hyphens are transparent). Loaded once,
 * read-only afterwards, owned by the caller. */
#ifndef ENTOPIC_GAZETTEER_H
#define ENTOPIC_GAZETTEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

enum gaz_kind { KIND_NAME, KIND_ABBREV, KIND_DEMONYM, KIND_ALIAS, KIND_PARTIAL, KIND_NKINDS };
enum gaz_case { CASE_FOLD, CASE_EXACT };
enum gaz_flag {
	GAZF_AMBIGUOUS = 1 << 0,
	GAZF_HISTORICAL = 1 << 1,
	GAZF_LANG = 1 << 2, /* a form in another language */
	GAZF_BLOCK = 1 << 3, /* names something else: blocks the words inside, never output */
	GAZF_STATE = 1 << 4, /* a state body named after its country: the country inside it is
				a COUNTRY mention, the body itself is not output */
};

struct entity {
	const char *id;
	const char *type;    /* interned: compare pointers with gaz_type() results */
	const char *name;
	const char *country; /* "country" attribute or NULL */
	const char *group;   /* "group" attribute or NULL */
	const char **keys;   /* attributes in file order, nattrs of them */
	const char **vals;
	size_t nattrs;
	uint64_t id_hash;    /* hash_bytes() of id and of type, for lookups keyed by them; */
	uint64_t type_hash;  /* 0: not known (an entity the matcher made), hash the string */
};

/* Fixed-width, no pointers: compiled images hold this very record. */
struct gaz_form {
	uint32_t entity; /* index into the entities */
	uint8_t kind;    /* enum gaz_kind */
	uint8_t casep;   /* enum gaz_case */
	uint16_t flags;  /* enum gaz_flag */
	uint32_t text;   /* the form as written in the lexicon: gaz_form_text() */
	uint32_t next;    /* next form on the same trie node, or UINT32_MAX */
	uint32_t first_tok; /* its first word's token id (GAZ_NONE: none) */
	uint8_t ntok;     /* its number of tokens, hyphens aside (255: 255 or more) */
	uint8_t pad[3];
};

typedef struct gazetteer gazetteer;

#define GAZ_NONE UINT32_MAX

/* A new empty gazetteer, owned by the caller (gaz_free()). */
gazetteer *gaz_new(void);
void gaz_free(gazetteer *g);

/* Load one lexicon file into g. Returns 0, or a negative ERR_* with *err filled in
 * (file, line, message) at the first bad line; g keeps the lines before it. When
 * check is not NULL, problems that do not stop loading (duplicates, a form linked to two
 * ids without the ambiguous flag, names that differ for one id) are written to it as
 * "FILE:LINE: message" lines and counted in the return value of gaz_warnings(). The file
 * is read and parsed ahead on a second thread, which ends before this returns. */
int gaz_load(gazetteer *g, const char *path, FILE *check, struct err *err);

/* Load every *.tsv file directly in dir, in name order. Same errors as gaz_load(). */
int gaz_load_dir(gazetteer *g, const char *dir, FILE *check, struct err *err);

/* Number of problems written to the check stream so far. */
size_t gaz_warnings(const gazetteer *g);

/* Interned type string for name ("COUNTRY"), or NULL when no entity has that type. */
const char *gaz_type(const gazetteer *g, const char *name);
/* Intern a type name (used for pattern and generated entities). Borrowed from g. */
const char *gaz_intern_type(gazetteer *g, const char *name);

size_t gaz_entity_count(const gazetteer *g);
size_t gaz_form_count(const gazetteer *g);
const struct entity *gaz_entity(const gazetteer *g, uint32_t ix);
/* Entity with that id, or NULL. */
const struct entity *gaz_find(const gazetteer *g, const char *id);

/* Trie walk. gaz_token_h() gives the id of a normalized token string s[0..n) whose
 * hash_bytes() is h (GAZ_NONE when no form contains it); gaz_step() follows one token from
 * node (gaz_root() at the start) and returns the child or GAZ_NONE; gaz_forms() the first
 * form index at node or GAZ_NONE. */
uint32_t gaz_token_h(const gazetteer *g, const char *s, size_t n, uint64_t h);
uint32_t gaz_root(const gazetteer *g);
uint32_t gaz_step(const gazetteer *g, uint32_t node, uint32_t tok);
uint32_t gaz_forms(const gazetteer *g, uint32_t node);
/* Ask ahead for what gaz_step(g, node, tok) will read: stage 0, then (once stage 0's read
 * has come) stage 1, for a caller with many steps to take (see gaz_is_large()). Changes
 * nothing but the time. */
void gaz_step_prefetch(const gazetteer *g, uint32_t node, uint32_t tok, int stage);
/* Is g so large (a lexicon of some hundred thousand words) that its tables lie beyond the
 * caches, so that a caller with many tokens to look up gains by asking for them ahead?
 * gaz_token_prefetch() asks for what a later gaz_token_h() of the hash h, and the root's
 * step for its token, read: called for every token in stage 0, then for every token in
 * stages 1 and 2 (each stage reads what the one before asked for, and asks for the next
 * read), before the lookups. Changes nothing but the time, whatever the order. */
bool gaz_is_large(const gazetteer *g);
/* For tests: gaz_is_large() and the cache of a view's trie steps (see gazetteer.c) by the
 * tables' sizes (large 0, the default), always (1) or never (-1). Changes nothing but the
 * time. */
void gaz_set_large(gazetteer *g, int large);
void gaz_token_prefetch(const gazetteer *g, uint64_t h, int stage);
#define GAZ_PREFETCH_STAGES 3
/* The first step of every walk as a table, for a caller that takes it once per record
 * rather than once per token: (*roots)[tok] is gaz_step(g, gaz_root(g), tok) for tok < *n,
 * and GAZ_NONE is the answer for tok >= *n. Borrowed from g, valid until g changes (a
 * load). */
const uint32_t *gaz_roots(const gazetteer *g, size_t *n);
/* What the root's step for token id tok (GAZ_NONE too) gives: GAZ_ROOT_WALK when some form
 * begins with tok, with GAZ_ROOT_FORM when tok alone is a form; 0 otherwise. */
enum { GAZ_ROOT_WALK = 1, GAZ_ROOT_FORM = 2 };
unsigned gaz_token_root(const gazetteer *g, uint32_t tok);
const struct gaz_form *gaz_form(const gazetteer *g, uint32_t ix);
/* The form as written in the lexicon (borrowed from g). */
const char *gaz_form_text(const gazetteer *g, const struct gaz_form *f);

/* Is token id tok the first word of some person's full name (a name or alias form of two
 * or more words)? Computed over all forms on the first call after a load; call it once
 * before sharing g between threads. */
bool gaz_first_name(gazetteer *g, uint32_t tok);

/* Compiled images: the whole gazetteer in one file (versioned header, checksum, fixed
 * byte order), read back with mmap. gaz_save() writes g (loaded from lexicon files, not
 * from an image) to path; returns 0 or a negative ERR_* with *err filled in.
 * gaz_load_image() loads an image into an empty g; returns 0, or -ERR_SYNTAX when the file
 * is no image of this build (wrong magic, version, byte order, build, checksum or damaged
 * tables: the caller falls back to the TSV files), or -ERR_IO. The image is used in place:
 * its tables are read from the mapping and an entity record is built on its first use
 * (gaz_entity() and gaz_find() may be called from several threads at once); a later
 * gaz_load() first copies the image's tables into memory. */
int gaz_save(const gazetteer *g, const char *path, struct err *err);
int gaz_load_image(gazetteer *g, const char *path, struct err *err);
/* Recompute and store the checksum of the image file at path (tests use it to forge images
 * whose records are damaged behind a right checksum). Returns 0 or a negative ERR_*. */
int gaz_image_reseal(const char *path, struct err *err);

/* For tests: whether the image checksum may take the CPU's AVX2 instructions (the default)
 * or not; returns whether it takes them now. Either way the sums are the same. */
bool gaz_wide(bool allow);

/* Name of a form kind ("name", "abbreviation", ...). */
const char *gaz_kind_name(int kind);

#endif
