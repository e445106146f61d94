/* tokenize: split a normalized text into tokens by Unicode category. Consumes a
 * struct norm_text; produces tokens with offsets into both the normalized and the
 * original text. Letters, marks and digits form words; an apostrophe between letters
 * stays inside the word ("d'Ivoire") except a final possessive ("China's" -> China + 's);
 * hyphens and dashes are tokens of their own; dotted abbreviations ("U.S.", "U.K.") are
 * one word; each CJK ideograph or kana is a word of its own. Spaces make no token. */
#ifndef ENTOPIC_TOKENIZE_H
#define ENTOPIC_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "normalize.h"
#include "util.h"

enum tok_kind {
	TOK_WORD = 0,   /* letters/marks/digits (digits-only words are TOK_NUM) */
	TOK_NUM = 1,    /* digits only */
	TOK_POSS = 2,   /* possessive ending: 's or ' after s */
	TOK_HYPHEN = 3, /* hyphen, en dash, em dash and their kin (normalized to '-') */
	TOK_PUNCT = 4,  /* any other single non-space character */
	TOK_CJK = 5,    /* one CJK ideograph, kana or hangul syllable */
};

enum tok_flag {
	TOKF_SPACE_BEFORE = 1 << 0, /* whitespace right before the token */
	TOKF_LINE_BEFORE = 1 << 1,  /* a line break between this and the previous token */
	TOKF_PARA_BEFORE = 1 << 2,  /* a blank line (two or more breaks) before it */
	TOKF_INIT_UPPER = 1 << 3,   /* original text starts with an upper-case letter */
	TOKF_ALL_UPPER = 1 << 4,    /* has letters and all of them are upper case */
	TOKF_HAS_LOWER = 1 << 5,    /* has at least one lower-case letter */
	TOKF_DOTTED = 1 << 6,       /* dotted abbreviation such as "u.s." */
};

struct token {
	uint32_t nstart, nend; /* byte range in the normalized text */
	uint32_t ostart, oend; /* byte range in the original text */
	uint8_t kind;          /* enum tok_kind */
	uint8_t flags;         /* enum tok_flag */
	uint16_t lists;        /* 0 here; the matcher's cache of the word lists the token is in */
	uint32_t gtok;         /* not set here; the matcher's cache of its gazetteer token id */
	uint32_t tfeat;        /* 0 here; the topic model's feature of the word (see
				* words_model) */
	uint64_t hash;         /* hash_bytes() of the normalized bytes, for lookups */
};

struct tok_list {
	struct token *v; /* borrowed from the arena given to tok_split() */
	size_t n;
	/* NULL here. A caller that looked up every token's words beforehand (pipe_annotate()
	 * with a memo) names the matcher whose lists and gtok, and the topic model whose tfeat,
	 * the tokens hold; the matcher and the model then take those instead of their own
	 * lookups. */
	const void *words_matcher;
	const void *words_model;
};

/* Tokenize nt (whose original text is orig, needed for the case flags) into *out,
 * allocating from a. Returns 0 (never fails: allocation failure ends the program). */
int tok_split(struct arena *a, const struct norm_text *nt, const char *orig,
	      struct tok_list *out);

/* Whether tok_split() may take the AVX2 ways where the CPU has them (it may from the
 * start): the tests turn them off to check the SSE2 ones on the same machine. Call it
 * while no other thread is in tok_split(). Returns whether the AVX2 ways are taken from
 * then on. */
bool tok_wide(bool allow);

#endif
