/* match: the record's mentions, in passes over its tokens.
 *
 * 1. Lexicon: at each word token, walk the gazetteer trie as far as the tokens go (hyphens
 *    are transparent, a blank line stops); the longest span with a form whose case policy
 *    accepts the original text wins and the scan goes on after it. Overlaps are impossible
 *    by construction.
 * 2. Rules: every candidate form is put to the rules (models/rules.tsv); the first form of
 *    the span that is not dropped decides the entity (a rule may relink it).
 * 3. Names: people after a title (PERSON, source "pattern"), partial references to people
 *    named in full in the record, acronyms defined in parentheses.
 * 4. Patterns: MONEY, PERCENT, DATE from pcre2 patterns, where no other mention is.
 * Each pass only fills gaps or replaces mentions the rules call weak, so the result stays
 * sorted and non-overlapping. */
#include "match.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "patterns.h"
#include "rules.h"

/* The word lists of models/rules.tsv the matcher's own passes use, resolved once. */
enum word_list {
	L_TITLE,
	L_STATE_BODY,
	L_NOT_NAME,
	L_NAME_PARTICLE,
	L_FIRST_NAME,
	L_NAME_SUFFIX,
	L_OF_NAME_HEAD,
	L_SAY_VERB,
	L_HEADLINE_LOWER,
	L_COUNT,
};

static const char *const list_names[L_COUNT] = {"title", "state-body", "not-name", "name-particle", "first-name", "name-suffix", "of-name-head", "say-verb", "headline-lower"};

/* A token's lists field, as match_word() fills it (the matcher's own cache, whatever the
 * rules number their lists): bit i for the list i of enum word_list when the rules number
 * that list below 16 (see tok_in()), and five facts about the word that scan_tokens()
 * needs of every token, so that it reads them from the one field a memo keeps rather than
 * from the gazetteer and the text. */
enum {
	LB_NOGAZ = 1u << 11, /* its gazetteer token is GAZ_NONE: in no lexicon name */
	LB_FORM = 1u << 12, /* its gazetteer token alone is a form (the root's child has forms) */
	LB_WALK = 1u << 13, /* its gazetteer token starts some form (the trie's root has a child) */
	LB_LONG = 1u << 14, /* four bytes or more */
	LB_OPEN = 1u << 15, /* "(" */
};
_Static_assert(L_COUNT <= 11, "the lists bits of a token overlap the LB_ bits");

/* A token's byte in struct scan's walk: 0, or WALK_START and WALK_FORM when the token
 * alone is a form too; LB_FORM and LB_WALK of its lists, shifted. */
enum {
	WALK_FORM = LB_FORM >> 12,
	WALK_START = LB_WALK >> 12,
};

struct matcher {
	long lists[L_COUNT];
	uint16_t bits[L_COUNT]; /* a list's bit in a token's lists; 0: numbered 16 or more, or none */
	uint16_t start_lists; /* the bits of title and name-particle in a token's lists */
	bool start_cached;    /* both lists are numbered below 16 (or absent) */
	uint16_t not_first;   /* the bits of title, not-name and name-particle */
	bool first_cached;    /* those and first-name are numbered below 16 (or absent) */
	bool people_full;     /* no replay of the first people pass's visits (a test oracle) */
	uint8_t index;        /* enum match_index */
	/* the lists bits of rules_word_lists()' mask, by its low and its high byte */
	uint16_t remap[2][256];
	gazetteer *gaz;
	rules *rules;
	patterns *pat;
	const char *t_person, *t_country, *t_org, *t_city, *t_mineral;
};


static void resolve_lists(matcher *m)
{
	for (int i = 0; i < L_COUNT; i++) {
		m->lists[i] = rules_list(m->rules, list_names[i]);
		bool cached = m->lists[i] >= 0 && m->lists[i] < 16;
		m->bits[i] = cached ? (uint16_t)(1u << i) : 0;
	}
	for (int half = 0; half < 2; half++)
		for (unsigned b = 0; b < 256; b++) {
			uint16_t v = 0;
			for (int i = 0; i < L_COUNT; i++)
				if (m->bits[i] && m->lists[i] / 8 == half && (b >> (m->lists[i] % 8) & 1))
					v |= m->bits[i];
			m->remap[half][b] = v;
		}
	m->start_lists = m->bits[L_TITLE] | m->bits[L_NAME_PARTICLE];
	m->start_cached = m->lists[L_TITLE] < 16 && m->lists[L_NAME_PARTICLE] < 16;
	m->not_first = m->bits[L_TITLE] | m->bits[L_NOT_NAME] | m->bits[L_NAME_PARTICLE];
	m->first_cached = m->start_cached && m->lists[L_NOT_NAME] < 16 &&
			  m->lists[L_FIRST_NAME] < 16;
}

matcher *match_new(gazetteer *gaz, const char *rulespath, const char *patpath, struct err *err)
{
	matcher *m = xcalloc(1, sizeof *m);
	m->gaz = gaz;
	m->rules = rules_new();
	/* the default rules may name entities that a user's own lexicons lack: their link
	 * targets are not checked (a rule linking to an absent entity does nothing) */
	if (rulespath && rules_load(m->rules, rulespath, NULL, err) < 0) {
		match_free(m);
		return NULL;
	}
	m->pat = patterns_new();
	if (patpath && patterns_load(m->pat, patpath, err) < 0) {
		match_free(m);
		return NULL;
	}
	m->t_person = gaz_intern_type(gaz, "PERSON");
	resolve_lists(m);
	gaz_first_name(gaz, 0); /* computed now, before threads share the gazetteer */
	m->t_country = gaz_intern_type(gaz, "COUNTRY");
	m->t_org = gaz_intern_type(gaz, "ORG");
	m->t_city = gaz_intern_type(gaz, "CITY");
	m->t_mineral = gaz_intern_type(gaz, "MINERAL");
	return m;
}

void match_set_people_full(matcher *m, bool full)
{
	m->people_full = full;
}

void match_set_index(matcher *m, enum match_index how)
{
	m->index = (uint8_t)how;
}

int match_add_rules(matcher *m, const char *path, struct err *err)
{
	int rc = rules_load(m->rules, path, m->gaz, err);
	resolve_lists(m);
	return rc;
}

int match_add_patterns(matcher *m, const char *path, struct err *err)
{
	return patterns_load(m->pat, path, err);
}

void match_free(matcher *m)
{
	if (!m)
		return;
	rules_free(m->rules);
	patterns_free(m->pat);
	free(m);
}

/* ---- helpers ---- */

/* The per-token flags of scan_tokens() end with FLAG_PAD set bytes after the last token. */
#define FLAG_PAD 32

/* The first index from i on whose flag is set (f: flags ending as above, i at most the
 * number of tokens). Thirty-two flags at a time with SSE2, eight elsewhere: a test per
 * many rather than per token; and the next flag lies in the first thirty-two nine times
 * in ten (on news), so that the loop's one branch mostly goes the same way, where a
 * predictor learns it (with eight, half the time). */
static inline size_t next_flag(const uint8_t *f, size_t i)
{
#ifdef __SSE2__
	const __m128i z = _mm_setzero_si128();
	for (;; i += 32) {
		const __m128i *p = (const __m128i *)(f + i);
		const unsigned lo = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p), z));
		const unsigned hi = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p + 1), z));
		const unsigned set = ~(lo | hi << 16); /* (bit k: flag i + k is set) */
		if (set)
			return i + (size_t)__builtin_ctz(set);
	}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (;; i += 8) {
		uint64_t w;
		memcpy(&w, f + i, 8);
		if (w)
			return i + (size_t)__builtin_ctzll(w) / 8;
	}
#else
	while (!f[i])
		i++;
	return i;
#endif
}

static bool is_upper_cp(int32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z';
	utf8proc_category_t c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

static bool is_letter_cp(int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	utf8proc_category_t c = utf8proc_category(cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

/* Next letter of s[*i..n) or -1; *i moves past it. */
static inline int32_t next_letter(const char *s, size_t n, size_t *i)
{
	while (*i < n) {
		unsigned char c = (unsigned char)s[*i];
		if (c < 0x80) { /* what norm_decode() and is_letter_cp() say, without the calls */
			++*i;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
				return c;
			continue;
		}
		int32_t cp;
		*i += (size_t)norm_decode((const unsigned char *)s + *i, n - *i, &cp);
		if (is_letter_cp(cp))
			return cp;
	}
	return -1;
}

/* CASE_EXACT: every upper-case letter of the form must be upper case in the text. Letters
 * are paired in order; when the counts differ (a ligature, a transliteration) only the
 * first letters are compared. A text that is the form's own bytes, the usual case, pairs
 * every letter with itself: accepted without the pairing. */
static bool case_ok(const gazetteer *g, const struct gaz_form *f, const char *orig, uint32_t os,
		    uint32_t oe)
{
	if (f->casep == CASE_FOLD)
		return true;
	const char *fs = gaz_form_text(g, f);
	size_t fn = strlen(fs), fi = 0, ti = 0;
	if (oe - os == fn && same_bytes(orig + os, fs, fn))
		return true;
	size_t tn = oe;
	size_t tpos = os;
	int32_t a, b;
	for (;;) {
		a = next_letter(fs, fn, &fi);
		ti = tpos;
		b = next_letter(orig, tn, &ti);
		tpos = ti;
		if (a < 0 || b < 0)
			break;
		if (is_upper_cp(a) && !is_upper_cp(b))
			return false;
	}
	return true;
}

/* known_surname()'s index of the surnames of the people found (see there). */
struct surnames {
	uint32_t *slot;  /* by the word's hash, open addressing: a token of the surname + 1, or
			  * 0 for none; NULL while the plain loop answers */
	size_t mask, count;
	size_t nml, nmore; /* the mentions of the list and of the pass's own ones indexed */
	size_t read;       /* the mentions the plain loop has read, before there was an index */
};

/* The record's mentions: sorted and non-overlapping between the passes. Within a pass,
 * put_span() adds its mention at the end and marks the ones it replaces gone (t1 == t0),
 * so that each of its calls costs the tokens it touches alone; put_spans() puts them in
 * order at the pass's end. */
struct mlist {
	struct arena *a;
	struct mention *v;
	size_t n, cap;
	size_t nloose;         /* the last nloose of v: put_span()'s, in no order */
	size_t gone;           /* the first index of a mention put_span() replaced, or SIZE_MAX */
	enum match_index how;  /* the matcher's */
	struct rule_memo *rmemo; /* the record's, for rules_decide() (NULL: none) */
	struct surnames sur;   /* the people pass's */
};

static struct mention *madd(struct mlist *ml)
{
	if (ml->n == ml->cap)
		ml->v = arena_grow(ml->a, ml->v, ml->n, &ml->cap, sizeof *ml->v, 64);
	struct mention *m = &ml->v[ml->n++];
	memset(m, 0, sizeof *m);
	return m;
}

/* ---- pass 1 + 2: lexicon and rules ---- */

/* Decide among the forms at node for the span [i, j): the first form that case accepts and
 * the rules do not drop. Returns true with *ent and *kind set. */
static bool choose(const matcher *m, const char *orig, const struct norm_text *nt,
		   const struct tok_list *tl, const bool *headline, struct rule_memo *rm, uint32_t node,
		   uint32_t i, uint32_t j, const struct entity **ent, uint8_t *kind, uint16_t *flags)
{
	const struct token *ti = &tl->v[i], *tj = &tl->v[j - 1];
	for (uint32_t f = gaz_forms(m->gaz, node); f != GAZ_NONE; f = gaz_form(m->gaz, f)->next) {
		const struct gaz_form *gf = gaz_form(m->gaz, f);
		if (!case_ok(m->gaz, gf, orig, ti->ostart, tj->oend))
			continue;
		struct rule_ctx c = {orig, nt, tl, i, j, gaz_entity(m->gaz, gf->entity),
				     (gf->flags & GAZF_AMBIGUOUS) != 0, gf->kind, headline, rm};
		const char *link = NULL;
		enum rule_action act = rules_decide(m->rules, &c, &link);
		if (act == RULE_DROP)
			continue;
		*ent = c.ent;
		*kind = gf->kind;
		*flags = gf->flags;
		if (act == RULE_LINK) {
			const struct entity *e = gaz_find(m->gaz, link);
			if (e)
				*ent = e;
		}
		return true;
	}
	return false;
}

/* A large lexicon's trie lies beyond the caches: ask for the first step of every walk of
 * tokens [from, to) at once, in the two stages of gaz_step_prefetch(), so that the walks
 * below find them in cache rather than wait for each in turn. */
static void ask_first_steps(const matcher *m, const struct tok_list *tl, const uint8_t *walk,
			    const uint32_t *roots, size_t nroots, uint32_t from, uint32_t to)
{
	for (int stage = 0; stage < 2; stage++)
		for (uint32_t i = (uint32_t)next_flag(walk, from); i < to;
		     i = (uint32_t)next_flag(walk, i + 1)) {
			const uint32_t g = tl->v[i].gtok;
			uint32_t j = i + 1;
			while (j < to && tl->v[j].kind == TOK_HYPHEN &&
			       !(tl->v[j].flags & TOKF_PARA_BEFORE))
				j++;
			if (j >= to || (tl->v[j].flags & TOKF_PARA_BEFORE) || g >= nroots)
				continue;
			gaz_step_prefetch(m->gaz, roots[g], tl->v[j].gtok, stage);
		}
}

/* The longest accepted form at every word of tokens [from, to), of type only (NULL: any).
 * A match with the state flag ("China Customs", "People's Bank of China") is not kept:
 * its country words are matched again inside it, since ANNOTATION.md makes the state's own
 * bodies contain a COUNTRY mention. */
static void lexicon_span(const matcher *m, const char *orig, const struct norm_text *nt,
			 const struct tok_list *tl, const bool *headline, const uint8_t *walk,
			 uint32_t from, uint32_t to, const char *only, struct mlist *ml)
{
	uint32_t i = from;
	size_t nroots;
	const uint32_t *roots = gaz_roots(m->gaz, &nroots);
	if (!only && gaz_is_large(m->gaz))
		ask_first_steps(m, tl, walk, roots, nroots, from, to);
	for (;;) {
		/* past the tokens that start no form: no walk starts there */
		i = (uint32_t)next_flag(walk, i);
		if (i >= to)
			break;
		const uint32_t g = tl->v[i].gtok;
		/* (a damaged image that loads may say a walk starts where its trie has none) */
		if (g >= nroots || roots[g] == GAZ_NONE) {
			i++;
			continue;
		}
		uint32_t node = roots[g]; /* the first step */
		uint32_t best_end = 0;
		const struct entity *best = NULL;
		uint8_t best_kind = 0;
		uint16_t best_flags = 0;
		for (uint32_t j = i; j < to; j++) {
			if (j > i) {
				const struct token *u = &tl->v[j];
				if (u->flags & TOKF_PARA_BEFORE)
					break;
				if (u->kind == TOK_HYPHEN)
					continue;
				uint32_t tok = u->gtok;
				if (tok == GAZ_NONE)
					break;
				node = gaz_step(m->gaz, node, tok);
				if (node == GAZ_NONE)
					break;
			}
			if (j == i ? !(walk[i] & WALK_FORM) : gaz_forms(m->gaz, node) == GAZ_NONE)
				continue;
			const struct entity *e;
			uint8_t k;
			uint16_t fl;
			if (choose(m, orig, nt, tl, headline, ml->rmemo, node, i, j + 1, &e, &k, &fl) &&
			    (!only || e->type == only)) {
				best_end = j + 1;
				best = e;
				best_kind = k;
				best_flags = fl;
			}
		}
		if (!best) {
			i++;
			continue;
		}
		if ((best_flags & GAZF_STATE) && !only) {
			size_t before = ml->n;
			lexicon_span(m, orig, nt, tl, headline, walk, i, best_end, m->t_country, ml);
			for (size_t k = before; k < ml->n; k++)
				ml->v[k].flags |= GAZF_STATE; /* never inside another name */
			i = best_end;
			continue;
		}
		struct mention *mm = madd(ml);
		mm->t0 = i;
		mm->t1 = best_end;
		mm->ent = best;
		mm->kind = best_kind;
		mm->src = SRC_LEXICON;
		mm->flags = best_flags;
		i = best_end;
	}
}

static void lexicon_pass(const matcher *m, const char *orig, const struct norm_text *nt,
			 const struct tok_list *tl, const bool *headline, const uint8_t *walk,
			 struct mlist *ml)
{
	lexicon_span(m, orig, nt, tl, headline, walk, 0, (uint32_t)tl->n, NULL, ml);
}

void match_word(const matcher *m, const char *s, size_t n, uint64_t h, uint16_t *lists,
		uint32_t *gtok)
{
	uint16_t rl = rules_word_lists(m->rules, s, n, h);
	uint32_t tok = gaz_token_h(m->gaz, s, n, h);
	uint16_t l = m->remap[0][rl & 0xFF] | m->remap[1][rl >> 8];
	const unsigned r = tok == GAZ_NONE ? 0 : gaz_token_root(m->gaz, tok);
	if (r & GAZ_ROOT_WALK)
		l |= LB_WALK;
	if (r & GAZ_ROOT_FORM)
		l |= LB_FORM;
	if (tok == GAZ_NONE)
		l |= LB_NOGAZ;
	if (n >= 4)
		l |= LB_LONG;
	if (n == 1 && *s == '(')
		l |= LB_OPEN;
	*lists = l;
	*gtok = tok;
}

bool match_words_large(const matcher *m)
{
	return gaz_is_large(m->gaz);
}

void match_word_prefetch(const matcher *m, uint64_t h, int stage)
{
	gaz_token_prefetch(m->gaz, h, stage);
}

/* ---- shared token tests ---- */

/* Is token t in the list? Lists numbered below 16 are answered from the token's cache,
 * filled once per record by scan_tokens(). */
static inline bool tok_in(const matcher *m, enum word_list list, const struct norm_text *nt,
			  const struct token *t)
{
	if (m->bits[list])
		return (t->lists & m->bits[list]) != 0;
	long id = m->lists[list];
	return id >= 16 && rules_in_h(m->rules, id, nt->s + t->nstart, t->nend - t->nstart, t->hash);
}

/* Known first names, for finding people no lexicon lists: the rules' first-name list, and
 * the first word of every person's full name in the lexicons (asked of the gazetteer, so a
 * lexicon of a million people costs nothing at start-up), unless the rules call that word a
 * title, a particle or not a name. */
static inline bool first_name(const matcher *m, const struct norm_text *nt, const struct token *t)
{
	if (m->first_cached) { /* (the lists' bits at once) */
		if (t->lists & m->bits[L_FIRST_NAME])
			return true;
		if (t->nend - t->nstart < 2 || (t->lists & m->not_first))
			return false;
	} else {
		if (tok_in(m, L_FIRST_NAME, nt, t))
			return true;
		if (t->nend - t->nstart < 2 || tok_in(m, L_TITLE, nt, t) ||
		    tok_in(m, L_NOT_NAME, nt, t) || tok_in(m, L_NAME_PARTICLE, nt, t))
			return false;
	}
	return t->gtok != GAZ_NONE && gaz_first_name(m->gaz, t->gtok);
}

/* What one pass over a record's tokens gives the later passes. */
struct scan {
	uint8_t *start; /* per token, and FLAG_PAD: 1 where a person's name may start
			 * (a capitalized word, a title or a name particle), for people_once() */
	uint8_t *walk;  /* per token, and FLAG_PAD: not 0 at a word that starts some form
			 * (the root has a child for it), where lexicon_span() starts a walk:
			 * WALK_START, with WALK_FORM when the word alone is a form; 0 at a
			 * word that is no form alone when no walk goes on to the token after
			 * it (a hyphen but after a blank line: lexicon_span() looks past it) */
	bool *title;    /* per token: on a headline-style line (see line_title()) */
	uint32_t *open; /* the "(" tokens, in order */
	size_t nopen;
};

/* Headline-style lines (every longer word capitalized, or all in capitals): there a
 * capital letter says nothing about proper names. A line is one when it has three or more
 * words of four letters or more and none of them is in lower case (but the prepositions of
 * the rules' headline-lower list), and it is no table row (two numbers or more, or a
 * parenthesis): a table row or a list of results ("5. Marko Koers (Netherlands) 3:53.47")
 * is no headline, its capitals are names. */
static bool line_title(size_t words, size_t lower, size_t nums, size_t parens)
{
	return words >= 3 && lower == 0 && nums < 2 && !parens;
}

/* A token's kind, flags and lists as they lie in struct token: one number (four bytes in
 * the machine's order), whose bits kfl() gives, so that one test asks for flags and lists
 * at once. */
_Static_assert(offsetof(struct token, flags) == offsetof(struct token, kind) + 1 &&
		       offsetof(struct token, lists) == offsetof(struct token, kind) + 2,
	       "kind, flags and lists of a token lie side by side");

static inline uint32_t tok_kfl(const struct token *t)
{
	uint32_t x;
	memcpy(&x, (const char *)t + offsetof(struct token, kind), 4);
	return x;
}

static inline uint32_t kfl(unsigned kind, unsigned flags, unsigned lists)
{
	struct token t = {.kind = (uint8_t)kind, .flags = (uint8_t)flags, .lists = (uint16_t)lists};
	return tok_kfl(&t);
}

/* Fill the two fields of a token the matcher writes, once per record: the word lists it
 * is in with the facts of match_word() (0 but for words), and its gazetteer token id
 * (GAZ_NONE for hyphens, which the trie walk skips); and the rest of *sc, allocated from
 * a, in the same pass. Unless the caller looked them up (tl->words_matcher), a first loop
 * looks them up; the second reads nothing but the token itself. */
static __attribute__((noinline)) void scan_tokens(const matcher *m, struct arena *a,
						   const struct norm_text *nt,
						   const struct tok_list *tl, struct scan *sc)
{
	uint8_t *start = arena_alloc(a, tl->n + FLAG_PAD);
	memset(start, 0, tl->n); /* (set below where a name may start) */
	uint8_t *walk = arena_alloc(a, tl->n + FLAG_PAD);
	bool *title = arena_alloc(a, tl->n + 1);
	size_t capopen = 0;
	sc->open = NULL;
	sc->nopen = 0;
	size_t line = tl->n, words = 0, nums = 0, parens = 0; /* of the line to line */
	/* the lists bit a word needs to count on its line: LB_LONG until a word in lower case
	 * decides the line, 0 then (no more counting on it; one test a word) */
	unsigned counting = LB_LONG;
	struct token *v = tl->v;
	const size_t n = tl->n;
	if (tl->words_matcher != m)
		for (size_t i = 0; i < n; i++) {
			struct token *t = &v[i];
			if (t->kind != TOK_HYPHEN)
				match_word(m, nt->s + t->nstart, t->nend - t->nstart, t->hash, &t->lists,
					   &t->gtok);
		}
	const uint16_t hl_lower = m->bits[L_HEADLINE_LOWER];
	const bool start_cached = m->start_cached;
	/* a word where a name may start: capitalized, or in the title or name-particle list;
	 * the token after a word that is no form alone, where no walk may go on from it: in no
	 * lexicon name, or after a blank line */
	const uint32_t start_bits = kfl(0, TOKF_INIT_UPPER, m->start_lists),
		       stop_bits = kfl(0, TOKF_PARA_BEFORE, LB_NOGAZ);
	/* From the last token back: the token after a word has been read then (stop, from
	 * its bits before they were changed), with no test for the last word, which reads its
	 * own bits (no walk goes on from it either way). A line is counted from its end, and
	 * decided at its first token. */
	/* A word's walk byte by its lists' bits 12 to 15 and, in bit 4, the stop of the token
	 * after it: its walk bits, but 0 for a word that is no form alone when the token after
	 * it is one no walk goes on to (what lexicon_span()'s walk would find there). A
	 * hyphen's lists are 0: the walk goes past it, unless a blank line stops it there
	 * too. */
	static const uint8_t walk_of[32] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
					    0, 1, 0, 3, 0, 1, 0, 3, 0, 1, 0, 3, 0, 1, 0, 3};
	_Static_assert(WALK_FORM == 1 && WALK_START == 2 && LB_OPEN >> 12 == 8,
		       "walk_of[] knows the bits");
	enum { STOP = 16 };
	unsigned stop = n && (tok_kfl(&v[n - 1]) & stop_bits) ? STOP : 0;
	for (size_t i = n; i-- > 0;) {
		struct token *t = &v[i];
		const unsigned kind = t->kind, fl = t->flags;
		const unsigned after = stop;
		stop = tok_kfl(t) & stop_bits ? STOP : 0;
		const unsigned lists = t->lists;
		if (kind == TOK_WORD) {
			/* (these two without a branch: words that are a form, or a name's start,
			 * or neither, follow no pattern a branch predictor could learn) */
			walk[i] = walk_of[(lists >> 12) | after];
			/* (the lists not cached: asked below) */
			start[i] = (tok_kfl(t) & start_bits) != 0;
			if (lists & counting) {
				words++;
				/* a word in lower case, but a headline's preposition (when the list
				 * is cached; tok_in() asks the rules otherwise) */
				if ((fl & (TOKF_INIT_UPPER | TOKF_HAS_LOWER)) == TOKF_HAS_LOWER &&
				    !(hl_lower ? (lists & hl_lower) : tok_in(m, L_HEADLINE_LOWER, nt, t)))
					counting = 0;
			}
		} else {
			t->lists = 0;
			if (kind == TOK_HYPHEN) { /* (the trie walk skips hyphens) */
				walk[i] = 0;
				t->gtok = GAZ_NONE;
			} else if (kind == TOK_NUM || kind == TOK_CJK) {
				walk[i] = (uint8_t)((lists & (LB_WALK | LB_FORM)) >> 12);
				nums += kind == TOK_NUM;
			} else {
				walk[i] = 0;
				if (kind == TOK_PUNCT && (lists & LB_OPEN)) {
					parens++;
					if (sc->nopen == capopen)
						sc->open = arena_grow(a, sc->open, sc->nopen, &capopen,
								      sizeof *sc->open, 16);
					sc->open[sc->nopen++] = (uint32_t)i;
				}
			}
		}
		if ((fl & TOKF_LINE_BEFORE) && i > 0) {
			memset(title + i, line_title(words, !counting, nums, parens), line - i);
			line = i;
			words = nums = parens = 0;
			counting = LB_LONG;
		}
	}
	if (line > 0)
		memset(title, line_title(words, !counting, nums, parens), line);
	for (size_t k = 0; k < sc->nopen / 2; k++) { /* (in text order) */
		const uint32_t o = sc->open[k];
		sc->open[k] = sc->open[sc->nopen - 1 - k];
		sc->open[sc->nopen - 1 - k] = o;
	}
	if (!start_cached)
		for (size_t i = 0; i < n; i++)
			if (v[i].kind == TOK_WORD && !start[i])
				start[i] = tok_in(m, L_TITLE, nt, &v[i]) ||
					   tok_in(m, L_NAME_PARTICLE, nt, &v[i]);
	memset(start + n, 1, FLAG_PAD);
	memset(walk + n, 1, FLAG_PAD);
	sc->start = start;
	sc->walk = walk;
	sc->title = title;
}

static bool is_cap(const struct token *t)
{
	return t->kind == TOK_WORD && (t->flags & (TOKF_INIT_UPPER | TOKF_ALL_UPPER)) &&
	       (t->flags & TOKF_INIT_UPPER);
}

/* Is token i the first word of its sentence (after . ! ? : or a line start, quotes and
 * brackets skipped)? */
static bool sentence_initial(const struct norm_text *nt, const struct tok_list *tl, uint32_t i)
{
	for (long k = (long)i; k >= 0; k--) {
		const struct token *t = &tl->v[k];
		if (t->flags & TOKF_LINE_BEFORE)
			return true;
		if (k == (long)i)
			continue;
		char c = nt->s[t->nstart];
		if (t->kind == TOK_PUNCT && (c == '"' || c == '\'' || c == '(' || c == '['))
			continue;
		return t->kind == TOK_PUNCT && (c == '.' || c == '!' || c == '?' || c == ':' ||
						c == ';' || c == '|');
	}
	return true;
}

/* Cover the tokens of mention mm (not empty) by k: its first and last token at once, a loop
 * for the ones between alone (a mention of one word or two, the most, costs no branch
 * whose way follows its length). */
static inline void cover_mention(uint32_t *cov, const struct mention *mm, uint32_t k)
{
	cov[mm->t0] = k;
	cov[mm->t1 - 1] = k;
	for (uint32_t i = mm->t0 + 1; i + 1 < mm->t1; i++)
		cov[i] = k;
}

/* cov[i]: the index of the mention covering token i, or UINT32_MAX. coverage() allocates
 * and fills one; put_span() keeps it up to date as it changes the mentions. */
static void cover(uint32_t *cov, const struct tok_list *tl, const struct mlist *ml)
{
	for (size_t i = 0; i < tl->n; i++)
		cov[i] = UINT32_MAX;
	for (size_t k = 0; k < ml->n; k++)
		cover_mention(cov, &ml->v[k], (uint32_t)k);
}

static uint32_t *coverage(struct arena *a, const struct tok_list *tl, const struct mlist *ml)
{
	uint32_t *cov = arena_alloc(a, (tl->n + 1) * sizeof *cov);
	cover(cov, tl, ml);
	return cov;
}

/* Is token i the word w (normalized)? */
static inline bool tok_is(const struct norm_text *nt, const struct tok_list *tl, uint32_t i,
			  const char *w)
{
	size_t n = strlen(w);
	return i < tl->n && tl->v[i].nend - tl->v[i].nstart == n &&
	       memcmp(nt->s + tl->v[i].nstart, w, n) == 0;
}

static bool tok_punct(const struct norm_text *nt, const struct tok_list *tl, uint32_t i, char c)
{
	return i < tl->n && tl->v[i].kind == TOK_PUNCT && nt->s[tl->v[i].nstart] == c;
}

/* ---- pass 2b: a country, city or mineral word inside a longer proper name ---- */

static bool adjacent(const struct tok_list *tl, uint32_t a, uint32_t b)
{
	/* b follows a on the same line */
	return b < tl->n && !(tl->v[b].flags & TOKF_LINE_BEFORE) && a < b;
}

static bool inside_name(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
			const bool *title, const uint32_t *cov, const struct mlist *ml,
			const struct mention *mm)
{
	if (title[mm->t0])
		return false;
	/* the complement of a title: "Ambassador to Azerbaijan Qasim Mohiuddin" */
	if (mm->t0 >= 2 && tl->v[mm->t0 - 1].kind == TOK_WORD &&
	    (tok_is(nt, tl, mm->t0 - 1, "to") || tok_is(nt, tl, mm->t0 - 1, "of") ||
	     tok_is(nt, tl, mm->t0 - 1, "for")) &&
	    tok_in(m, L_TITLE, nt, &tl->v[mm->t0 - 2]))
		return false;
	uint32_t j = mm->t1;
	/* a capitalized word right after: "US Strategic Metals", "Copper Mountain Mining" */
	if (j < tl->n && adjacent(tl, j - 1, j) && is_cap(&tl->v[j]) &&
	    !tok_in(m, L_STATE_BODY, nt, &tl->v[j]) && !tok_in(m, L_TITLE, nt, &tl->v[j]) &&
	    !first_name(m, nt, &tl->v[j])) {
		uint32_t c = cov[j];
		bool known = c != UINT32_MAX && ml->v[c].src == SRC_LEXICON;
		if (!known)
			return true;
	}
	/* "Voice of America", "University of Ghana": Capitalized + of + the mention */
	if (mm->t0 >= 2) {
		const struct token *of = &tl->v[mm->t0 - 1], *w = &tl->v[mm->t0 - 2];
		if (of->nend - of->nstart == 2 && memcmp(nt->s + of->nstart, "of", 2) == 0 &&
		    is_cap(w) && cov[mm->t0 - 2] == UINT32_MAX && tok_in(m, L_OF_NAME_HEAD, nt, w))
			return true;
	}
	/* a capitalized word right before that is not a sentence start: "Anglo American"
	 * (not for minerals: "the Loulo gold mine" still names what is mined) */
	if (mm->t0 >= 1 && mm->ent->type != m->t_mineral) {
		const struct token *w = &tl->v[mm->t0 - 1];
		/* (state-body words count here: "Air France" is a company, the state's bodies
		 * put the country first) */
		if (adjacent(tl, mm->t0 - 1, mm->t0) && is_cap(w) && cov[mm->t0 - 1] == UINT32_MAX &&
		    !tok_in(m, L_TITLE, nt, w) && !tok_in(m, L_NOT_NAME, nt, w) &&
		    !sentence_initial(nt, tl, mm->t0 - 1))
			return true;
	}
	return false;
}

/* Drop the country, city, mineral and partial-person mentions that lie inside a longer
 * name. Returns the coverage of the mentions that stay (see cover()), allocated from a. */
static uint32_t *containment_pass(const matcher *m, struct arena *a, const struct norm_text *nt,
				  const struct tok_list *tl, const bool *title, struct mlist *ml)
{
	uint32_t *cov = coverage(a, tl, ml);
	bool *drop = arena_alloc(a, ml->n + 1);
	bool any = false;
	for (size_t k = 0; k < ml->n; k++) {
		const struct mention *mm = &ml->v[k];
		const char *ty = mm->ent->type;
		drop[k] = false;
		if (mm->src != SRC_LEXICON || (mm->flags & GAZF_STATE) ||
		    !(ty == m->t_country || ty == m->t_mineral || ty == m->t_city ||
		      (ty == m->t_person && mm->kind == KIND_PARTIAL)))
			continue;
		drop[k] = inside_name(m, nt, tl, title, cov, ml, mm);
		any |= drop[k];
	}
	if (!any) /* (the usual record: the mentions and cov stay as they are) */
		return cov;
	/* compounds share the fate of their last part: "Pakistan-Azerbaijan Business Forum" */
	for (size_t k = ml->n; k-- > 1;) {
		const struct mention *a1 = &ml->v[k - 1], *b1 = &ml->v[k];
		if (drop[k] && a1->t1 + 1 == b1->t0 && tl->v[a1->t1].kind == TOK_HYPHEN)
			drop[k - 1] = true;
	}
	/* cov follows: a dropped mention's tokens are uncovered, a kept one's renumbered when
	 * it moves (the tokens of no mention stay uncovered) */
	size_t w = 0;
	for (size_t k = 0; k < ml->n; k++) {
		const struct mention *mm = &ml->v[k];
		if (drop[k]) {
			for (uint32_t i = mm->t0; i < mm->t1; i++)
				cov[i] = UINT32_MAX;
			continue;
		}
		if (w != k) {
			for (uint32_t i = mm->t0; i < mm->t1; i++)
				cov[i] = (uint32_t)w;
			ml->v[w] = *mm;
		}
		w++;
	}
	ml->n = w;
	return cov;
}

/* ---- pass 3: people ---- */

/* ASCII for the Latin letters that have no decomposition (ids are ASCII slugs); s points
 * at a two-byte UTF-8 sequence, or NULL is returned. */
static const char *translit(const char *s)
{
	static const struct {
		const char *from, *to;
	} t[] = {{"\xC4\xB1", "i"}, {"\xC3\xB8", "o"}, {"\xC3\xA6", "ae"}, {"\xC5\x82", "l"},
		 {"\xC4\x91", "d"}, {"\xC3\xBE", "th"}, {"\xC5\x93", "oe"}, {"\xC3\xB0", "d"},
		 {"\xC4\xA7", "h"}, {"\xC5\x8B", "ng"}};
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
		if (s[0] == t[k].from[0] && s[1] == t[k].from[1])
			return t[k].to;
	return NULL;
}

/* What slug() makes of an ASCII byte: the byte an id keeps (a-z and 0-9, A-Z folded), 1 for
 * the apostrophe, which goes, 0 for the others, which part words. */
static const char slug_char[128] = {
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4', ['5'] = '5',
	['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9', ['a'] = 'a', ['b'] = 'b',
	['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f', ['g'] = 'g', ['h'] = 'h',
	['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n',
	['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
	['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
	['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f',
	['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l',
	['M'] = 'm', ['N'] = 'n', ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r',
	['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
	['Y'] = 'y', ['Z'] = 'z', ['\''] = 1
};

/* prefix + the normalized s[0..n) (no NUL inside) as an id: runs of what is no letter, digit
 * or apostrophe become one '-', apostrophes go. Allocated from a, the normalized copy too
 * (norm_string() without the heap: no allocation per mention). An ASCII s is read as it is
 * (the usual name, in one loop by slug_char[]): norm_text() changes nothing in ASCII but
 * A-Z and control characters, which are no letter or digit either way; s is normalized at
 * its first byte from 0x80, and read again. */
static const char *slug(struct arena *a, const char *prefix, const char *s, size_t n)
{
	size_t pl = strlen(prefix);
	char *out = arena_alloc(a, pl + n + 2);
	memcpy(out, prefix, pl);
	size_t o = pl, i = 0;
	bool dash = false;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* eight bytes at a time while they are letters, digits and single spaces, none first:
	 * the letters folded, a space made the '-' that the next letter or digit would put (the
	 * last one is taken back below when the loop below starts after it); then the last
	 * eight, when fewer are left, over some already read (a byte of them gives one byte
	 * of the id, the same again) */
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t prev = (uint64_t)0x80 << 56; /* (the spaces of the last eight; one before) */
	for (size_t at = 0; i < n && n >= 8; i = at + 8) {
		at = i + 8 <= n ? i : n - 8;
		uint64_t w;
		memcpy(&w, s + at, 8);
		const uint64_t up = bytes_in8(w, 'A', 'Z'), sp = bytes_in8(w, ' ', ' ');
		if ((up | bytes_in8(w, 'a', 'z') | bytes_in8(w, '0', '9') | sp) != highs ||
		    (sp & (sp << 8 | (at == i ? prev >> 56 : 0))))
			break;
		w += (up >> 2) + (sp >> 7) * ('-' - ' ');
		memcpy(out + o - (i - at), &w, 8);
		o += at + 8 - i;
		prev = sp;
	}
	if (i && prev >> 63) { /* (a space last: a dash to come, if anything follows) */
		o--;
		dash = true;
	}
#endif
	for (; i < n && (unsigned char)s[i] < 0x80; i++) {
		char k = slug_char[(unsigned char)s[i]];
		if (k > 1) {
			if (dash && o > pl)
				out[o++] = '-';
			dash = false;
			out[o++] = k;
		} else if (!k) {
			dash = true;
		}
	}
	if (i == n) {
		out[o] = '\0';
		return out;
	}
	struct norm_text nt;
	/* (n is a mention's length: far below the limit) */
	bool ok = norm_text(a, s, n, &nt) == 0;
	const char *f = ok ? nt.s : "";
	size_t fl = ok ? nt.len : 0;
	out = arena_alloc(a, pl + fl + 2);
	memcpy(out, prefix, pl);
	o = pl;
	dash = false;
	for (i = 0; i < fl; i++) {
		unsigned char c = (unsigned char)f[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		const char *tr = c >= 0x80 ? translit(f + i) : NULL;
		if (tr) {
			if (dash && o > pl)
				out[o++] = '-';
			dash = false;
			size_t tl = strlen(tr);
			memcpy(out + o, tr, tl); /* never longer than the two bytes it replaces */
			o += tl;
			i++;
			continue;
		}
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
			if (dash && o > pl)
				out[o++] = '-';
			dash = false;
			if (c != '\'')
				out[o++] = (char)c;
		} else if (c != '\'') {
			dash = true;
		}
	}
	out[o] = '\0';
	return out;
}

/* Is s[0..n) (n > 0) what span_text() makes of it: no space first or last or after
 * another, no byte below ' ' (the other white space among them)? Eight bytes at a time, the
 * usual span (a name's words parted by one space each) with no branch per byte. */
static bool spaced_once(const char *s, size_t n)
{
	if (s[0] == ' ' || s[n - 1] == ' ')
		return false;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w, sp, bad = 0, prev = 0; /* (prev: the spaces of the last eight bytes) */
	size_t i = 0;
	if (n < 8) {
		char b[8] = "aaaaaaaa"; /* (the bytes past the end: letters) */
		for (; i < n; i++)
			b[i] = s[i];
		memcpy(&w, b, 8);
	} else {
		for (; i + 8 <= n; i += 8) {
			memcpy(&w, s + i, 8);
			sp = bytes_in8(w, ' ', ' ');
			bad |= bytes_in8(w, 0, ' ' - 1) | (sp & (sp << 8 | prev >> 56));
			prev = sp;
		}
		if (i == n)
			return !bad;
		memcpy(&w, s + n - 8, 8); /* the last eight: the ones before were read */
	}
	sp = bytes_in8(w, ' ', ' ');
	bad |= bytes_in8(w, 0, ' ' - 1) | (sp & sp << 8);
	return !bad;
#else
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || (s[i] == ' ' && s[i - 1] == ' '))
			return false;
	return true;
#endif
}

/* The record's own copy of text[os, oe) with runs of white space made one space. */
static const char *span_text(struct arena *a, const char *orig, uint32_t os, uint32_t oe)
{
	char *out = arena_alloc(a, oe - os + 1);
	if (oe > os && spaced_once(orig + os, oe - os)) {
		memcpy(out, orig + os, oe - os);
		out[oe - os] = '\0';
		return out;
	}
	size_t o = 0;
	bool sp = false;
	for (uint32_t i = os; i < oe; i++) {
		char c = orig[i];
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			sp = true;
			continue;
		}
		if (sp && o)
			out[o++] = ' ';
		sp = false;
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

static const struct entity *person_entity(const matcher *m, struct arena *a, const char *orig,
					  uint32_t os, uint32_t oe)
{
	const char *name = span_text(a, orig, os, oe);
	const char *id = slug(a, "person:", name, strlen(name));
	const struct entity *e = gaz_find(m->gaz, id);
	if (e && e->type == m->t_person)
		return e;
	struct entity *ne = arena_alloc(a, sizeof *ne);
	memset(ne, 0, sizeof *ne);
	ne->id = id;
	ne->type = m->t_person;
	ne->name = name;
	return ne;
}

/* Can token i be part of a person's name? 1: a capitalized word or an initial, 2: a
 * particle (le, de, bin, oghlu) that may stand inside a name, 0: no. */
static int name_token(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
		      uint32_t i)
{
	const struct token *t = &tl->v[i];
	if (t->kind == TOK_WORD && (t->flags & TOKF_INIT_UPPER))
		return 1;
	if (t->kind == TOK_WORD && tok_in(m, L_NAME_PARTICLE, nt, t))
		return 2;
	return 0;
}

static void put_spans(struct mlist *ml, uint32_t *cov, const struct mention *ins, size_t nins);

/* Replace the mentions on tokens [t0, t1) by one mention, and bring cov (see cover()) up to
 * date: the tokens of the replaced mentions are uncovered, those of the new one covered by
 * it. The new mention goes at the end of the list and the replaced ones are marked gone,
 * until put_spans() puts the list in order (see struct mlist): a record of many mentions
 * and many insertions does not move all the later mentions at each. The pass reads the
 * mentions through cov alone until then. */
static void put_span(struct mlist *ml, uint32_t *cov, uint32_t t0, uint32_t t1,
		     const struct entity *e, uint8_t kind, uint8_t src)
{
	for (uint32_t i = t0; i < t1; i++) {
		const uint32_t c = cov[i];
		if (c == UINT32_MAX)
			continue;
		struct mention *old = &ml->v[c];
		for (uint32_t q = old->t0; q < old->t1; q++)
			cov[q] = UINT32_MAX;
		old->t1 = old->t0;
		if (c < ml->gone)
			ml->gone = c;
	}
	const uint32_t k = (uint32_t)ml->n;
	struct mention *mm = madd(ml);
	mm->t0 = t0;
	mm->t1 = t1;
	mm->ent = e;
	mm->kind = kind;
	mm->src = src;
	for (uint32_t i = t0; i < t1; i++)
		cov[i] = k;
	ml->nloose++;
	if (ml->how == MATCH_INDEX_NONE) /* (the oracle: in order at every insertion) */
		put_spans(ml, cov, NULL, 0);
}

static int cmp_t0(const void *a, const void *b)
{
	const struct mention *x = a, *y = b;
	return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

/* Put the mentions of ml in order: the ones put_span() replaced go, and its new ones and
 * ins[0..nins) (in order, on tokens no mention covers, not yet in cov) go into their
 * places; cov follows (the mentions before the first that moves keep their indexes). */
static void put_spans(struct mlist *ml, uint32_t *cov, const struct mention *ins, size_t nins)
{
	size_t n = ml->n - ml->nloose;
	const struct mention *add = ins;
	size_t nadd = nins;
	if (ml->nloose) {
		struct mention *l = arena_alloc(ml->a, (ml->nloose + nins) * sizeof *l);
		bool sorted = true;
		nadd = 0;
		for (size_t k = n; k < ml->n; k++)
			if (ml->v[k].t1 != ml->v[k].t0) {
				sorted &= !nadd || l[nadd - 1].t0 < ml->v[k].t0;
				l[nadd++] = ml->v[k];
			}
		for (size_t k = 0; k < nins; k++) {
			sorted &= !nadd || l[nadd - 1].t0 < ins[k].t0;
			l[nadd++] = ins[k];
		}
		if (!sorted)
			qsort(l, nadd, sizeof *l, cmp_t0);
		add = l;
		ml->nloose = 0;
	}
	size_t from = n; /* the first mention whose index changes */
	if (ml->gone < n) {
		size_t w = ml->gone;
		for (size_t k = ml->gone; k < n; k++)
			if (ml->v[k].t1 != ml->v[k].t0)
				ml->v[w++] = ml->v[k];
		from = ml->gone;
		n = w;
	}
	ml->gone = SIZE_MAX;
	ml->n = n;
	if (!nadd && from == n)
		return;
	while (ml->cap < n + nadd)
		ml->v = arena_grow(ml->a, ml->v, n, &ml->cap, sizeof *ml->v, 64);
	/* from the end: the later mentions move up past the new ones before them */
	size_t j = n, w = n + nadd;
	for (size_t k = nadd; k-- > 0;) {
		while (j > 0 && ml->v[j - 1].t0 > add[k].t0)
			ml->v[--w] = ml->v[--j];
		assert(j == 0 || ml->v[j - 1].t1 <= add[k].t0);
		ml->v[--w] = add[k];
	}
	ml->n = n + nadd;
	if (w < from)
		from = w;
	for (size_t k = from; k < ml->n; k++)
		cover_mention(cov, &ml->v[k], (uint32_t)k);
}

/* May the tokens [a, b) become a person although mentions cover some of them? Only
 * ambiguous lexicon forms (Chad, Jordan) and nothing of a person already. */
static bool overridable(const matcher *m, const struct mlist *ml, const uint32_t *cov,
			uint32_t a, uint32_t b)
{
	for (uint32_t i = a; i < b; i++) {
		if (cov[i] == UINT32_MAX)
			continue;
		const struct mention *mm = &ml->v[cov[i]];
		if (mm->t0 < a || mm->t1 > b)
			return false;
		if (mm->ent->type == m->t_person || !mm->ent->id)
			return false;
		if (!(mm->src == SRC_LEXICON && mm->kind != KIND_ABBREV &&
		      (mm->flags & GAZF_AMBIGUOUS)))
			return false;
	}
	return true;
}

/* Is token i an initial: one upper-case letter with a dot right after it ("M.")? */
static inline bool is_initial(const struct norm_text *nt, const struct tok_list *tl, uint32_t i)
{
	const struct token *t = &tl->v[i];
	return t->kind == TOK_WORD && t->nend - t->nstart == 1 && (t->flags & TOKF_ALL_UPPER) &&
	       i + 1 < tl->n && tok_punct(nt, tl, i + 1, '.') &&
	       !(tl->v[i + 1].flags & TOKF_SPACE_BEFORE);
}

/* May the capitalized words [s, f) before a first name be left out of a name? Only
 * titles, words that are no names and a sentence's first word ("Should Michael Jordan"),
 * not a name's own first part ("San Diego Padres"). */
static bool lead_ok(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
		    uint32_t s, uint32_t f)
{
	for (uint32_t q = s; q < f; q++)
		if (!tok_in(m, L_TITLE, nt, &tl->v[q]) && !tok_in(m, L_NOT_NAME, nt, &tl->v[q]) &&
		    !(q == s && sentence_initial(nt, tl, q)))
			return false;
	return true;
}

/* A bit per word hash, for the filter of known_surname(). */
static inline uint64_t hash_bit(uint64_t h)
{
	return (uint64_t)1 << (h >> 58);
}

/* The filter of known_surname(): the hash_bit() of the last word of every full person
 * mention of ml. */
static uint64_t surname_filter(const matcher *m, const struct tok_list *tl,
			       const struct mlist *ml)
{
	uint64_t f = 0;
	for (size_t k = 0; k < ml->n; k++) {
		const struct mention *mm = &ml->v[k];
		if (mm->ent->type == m->t_person && mm->t1 - mm->t0 >= 2)
			f |= hash_bit(tl->v[mm->t1 - 1].hash);
	}
	return f;
}

/* Are tokens a and b the same word (their normalized bytes)? */
static inline bool same_word(const struct norm_text *nt, const struct token *a,
			     const struct token *b)
{
	return a->hash == b->hash && a->nend - a->nstart == b->nend - b->nstart &&
	       same_bytes(nt->s + a->nstart, nt->s + b->nstart, a->nend - a->nstart);
}

/* Is token t the last word of a full person mention of v[0..n)? */
static bool surname_in(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
		       const struct mention *v, size_t n, const struct token *t)
{
	for (size_t k = 0; k < n; k++) {
		const struct mention *mm = &v[k];
		if (mm->ent->type != m->t_person || mm->t1 - mm->t0 < 2)
			continue;
		if (same_word(nt, &tl->v[mm->t1 - 1], t))
			return true;
	}
	return false;
}

/* The slot of the word of token t in sn (which has slots): the word's, or the empty slot
 * where it goes. */
static uint32_t *surname_slot(const struct surnames *sn, const struct norm_text *nt,
			      const struct tok_list *tl, const struct token *t)
{
	for (size_t q = t->hash & sn->mask;; q = (q + 1) & sn->mask)
		if (!sn->slot[q] || same_word(nt, &tl->v[sn->slot[q] - 1], t))
			return &sn->slot[q];
}

/* Put the last word of mention mm into sn when mm is a full person mention (surname_in()'s
 * test): a token of the word, once per word. */
static void surname_add(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
			struct arena *a, struct surnames *sn, const struct mention *mm)
{
	if (mm->ent->type != m->t_person || mm->t1 - mm->t0 < 2)
		return;
	if (2 * (sn->count + 1) > sn->mask + 1) { /* (at most half full) */
		const uint32_t *old = sn->slot;
		size_t oldn = sn->slot ? sn->mask + 1 : 0;
		sn->mask = sn->slot ? 2 * sn->mask + 1 : 63;
		sn->slot = arena_alloc(a, (sn->mask + 1) * sizeof *sn->slot);
		memset(sn->slot, 0, (sn->mask + 1) * sizeof *sn->slot);
		for (size_t k = 0; k < oldn; k++)
			if (old[k]) {
				size_t q = tl->v[old[k] - 1].hash & sn->mask;
				while (sn->slot[q])
					q = (q + 1) & sn->mask;
				sn->slot[q] = old[k];
			}
	}
	const uint32_t u = mm->t1 - 1;
	uint32_t *q = surname_slot(sn, nt, tl, &tl->v[u]);
	if (*q)
		return;
	*q = u + 1;
	sn->count++;
}

/* Surnames of the people found so far: the last word of every full person mention of ml
 * and of the mentions more[0..nmore). filter holds the surname_filter() bits of them all
 * (and may hold more): a word whose bit is not there is no surname, without the loop over
 * the mentions. On a large record the bits are soon all set, and the loop reads all the
 * mentions at every name: once the loop has read a few thousand, an index of the surnames
 * (ml->sur) answers, brought up to date with the mentions added since its last answer.
 * Within one people_once() the full person mentions only come (put_span() replaces no
 * person, and adds at the end of ml, as people_once() does to more), so the index gives
 * the loop's answers; people_pass() empties it before each pass. */
static bool known_surname(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
			  struct mlist *ml, const struct mention *more, size_t nmore,
			  uint64_t filter, uint32_t i)
{
	const struct token *t = &tl->v[i];
	if (!(filter & hash_bit(t->hash)))
		return false;
	struct surnames *sn = &ml->sur;
	if (!sn->slot && (ml->how == MATCH_INDEX_NONE ||
			  (ml->how == MATCH_INDEX_AUTO && sn->read < 4096))) {
		sn->read += ml->n + nmore;
		return surname_in(m, nt, tl, ml->v, ml->n, t) || surname_in(m, nt, tl, more, nmore, t);
	}
	for (; sn->nml < ml->n; sn->nml++)
		surname_add(m, nt, tl, ml->a, sn, &ml->v[sn->nml]);
	for (; sn->nmore < nmore; sn->nmore++)
		surname_add(m, nt, tl, ml->a, sn, &more[sn->nmore]);
	return sn->slot && *surname_slot(sn, nt, tl, t) != 0; /* (no slots: no person yet) */
}

/* A title before position k, possibly with "to Azerbaijan" or a comma after it: returns
 * the first token of the name that may follow, or k when there is no title. */
static uint32_t skip_title(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
			   const uint32_t *cov, const struct mlist *ml, uint32_t k, bool *after)
{
	uint32_t n = (uint32_t)tl->n, j = k;
	*after = false;
	/* "Hungary's Bence Halasz", "Pakistan's Ambassador to ...": a country's person */
	if (j < n && cov[j] != UINT32_MAX && ml->v[cov[j]].ent->type == m->t_country &&
	    ml->v[cov[j]].t0 == j && ml->v[cov[j]].t1 + 1 < n &&
	    tl->v[ml->v[cov[j]].t1].kind == TOK_POSS && is_cap(&tl->v[ml->v[cov[j]].t1 + 1])) {
		*after = true;
		j = ml->v[cov[j]].t1 + 1;
	}
	while (j < n && tl->v[j].kind == TOK_WORD && tok_in(m, L_TITLE, nt, &tl->v[j]) &&
	       cov[j] == UINT32_MAX) {
		*after = true;
		j++;
		/* "Ambassador to Azerbaijan", "Minister of State for Interior" */
		if ((tok_is(nt, tl, j, "to") || tok_is(nt, tl, j, "of") || tok_is(nt, tl, j, "for")) &&
		    j + 1 < n) {
			uint32_t q = j + 1;
			if (tok_is(nt, tl, q, "the"))
				q++;
			if (q < n && cov[q] != UINT32_MAX && ml->v[cov[q]].ent->type != m->t_person) {
				j = ml->v[cov[q]].t1;
			} else if (q < n && tl->v[q].kind == TOK_WORD &&
				   tok_in(m, L_TITLE, nt, &tl->v[q])) {
				j = q;
			} else if (q < n && tl->v[q].kind == TOK_WORD &&
				   (tl->v[q].flags & TOKF_INIT_UPPER) && q + 1 < n &&
				   tok_in(m, L_TITLE, nt, &tl->v[q + 1])) {
				j = q + 1; /* "Minister of State for Interior" */
			}
		}
	}
	if (*after && tok_is(nt, tl, j, "by"))
		j++; /* "Reporting by Maryam Shah" */
	if (*after && tok_punct(nt, tl, j, ','))
		j++;
	/* "the gold medallist, Kenya's Faith Kipyegon" */
	if (*after && j < n && cov[j] != UINT32_MAX && ml->v[cov[j]].ent->type == m->t_country &&
	    ml->v[cov[j]].t0 == j && ml->v[cov[j]].t1 < n &&
	    tl->v[ml->v[cov[j]].t1].kind == TOK_POSS)
		j = ml->v[cov[j]].t1 + 1;
	return j;
}

/* The tokens where people_once() looks for a name: start (see struct scan) but the words
 * alone, a capitalized word or a particle with no title and no word after it that may go on
 * a name (no hyphen, no initial): a run of one word, no person (what people_once() would
 * find, in short), unless a mention lies on it. Allocated from a, ending as start does. */
static uint8_t *people_runs(const matcher *m, struct arena *a, const struct norm_text *nt,
			    const struct tok_list *tl, const uint8_t *start)
{
	const size_t n = tl->n;
	uint8_t *runs = arena_alloc(a, n + FLAG_PAD);
	memcpy(runs, start, n + FLAG_PAD);
	const uint16_t title = m->bits[L_TITLE];
	/* (the tests without a branch, but for the rare word of one letter: which words
	 * stand alone follows no pattern) */
	for (size_t i = next_flag(start, 0); i < n; i = next_flag(start, i + 1)) {
		const struct token *t = &tl->v[i], *u = i + 1 < n ? t + 1 : t;
		const bool alone = (i + 1 == n) | ((u->kind != TOK_HYPHEN) &
						   (((u->flags & TOKF_LINE_BEFORE) != 0) | !start[i + 1]));
		const bool titled = title ? (t->lists & title) != 0 : tok_in(m, L_TITLE, nt, t);
		const bool initial = t->nend - t->nstart == 1 && is_initial(nt, tl, (uint32_t)i);
		runs[i] = !alone | titled | initial;
	}
	return runs;
}

/* What the first people_once() over a record leaves the second, which goes over the same
 * tokens knowing the people the first found. A visit of the general path reads the tokens
 * (the same in both passes) and the coverage of the tokens [i, hi]; the second pass takes
 * the outcome of a visit of the first that found no person when it comes to the same token
 * with the same list_follows, no person of the first pass lies on [i, hi] (the mentions
 * those replaced lie inside them) and known_surname() can answer as it did: it was not
 * asked, or no person it did not know then has the word's bit (one the first pass found
 * after it, or the second so far). The outcome is what the visit would find again.
 * Whether a person of the first pass lies on [i, hi] is marked as the first pass finds
 * each person, on the visits before it (people_found()).
 *
 * A visit of the first pass that found a person P at the start of its run (no words left
 * out before it, see lead_ok()) finds no one in the second, whatever list_follows, when no
 * other person of the first pass lies on [i, hi]: the run and its trimming by particles
 * are the same, the trimming by coverage goes on through P (a person found by pattern is
 * no weak mention) to the run's start, and a run of no word decides nothing; the pass
 * goes on at the same token, with no list going on (the mention on the run's start, P,
 * does not end there). That outcome is taken too; hi is then the token it went on at.
 *
 * The memo holds every visit of the first pass, in order (those of a person after words
 * left out, never taken). From the token a visit went on at, the first pass came to the
 * next visit's token, past tokens of no stop or in a list, reading start and stop alone:
 * after a visit it takes, the second pass goes the same way to the same token with the
 * same list_follows (its stop differs from the first's on the tokens of the first's people
 * alone, which lie within the visits that found them), and takes that visit too when it
 * is free and known_surname() answers as it did. */
enum { VISIT_NONE, VISIT_PERSON, VISIT_LEAD }; /* no person; P (see above); a person after
						 * words left out */
struct people_memo {
	struct people_visit {
		uint32_t i, next; /* the token the visit began at, the one the pass went on at */
		uint32_t hi;      /* the last token whose coverage it may have read */
		uint32_t before;  /* the people the first pass found before it */
		uint8_t lf_in;    /* the values of list_follows before it it may be taken with:
				   * bit 0 false, bit 1 true */
		bool lf_was;      /* list_follows before it */
		bool lf_out;      /* list_follows after */
		bool person;      /* it found a person P (see above) */
		bool free;        /* no person of the first pass lies on [i, hi] but P
				   * (people_found()) */
		uint64_t lastbit; /* the hash_bit() of the word it may have asked known_surname()
				   * of, or 0 */
	} *v;
	size_t n, cap, cur; /* cur: the first visit the second pass may take, in order */
	struct people_span {
		uint32_t t0, t1;
	} *found; /* the people of the first pass, in order */
	size_t nfound, capfound;
	uint64_t bits; /* hash_bit() of the last word of every person the pass has found */
	uint64_t *later; /* see people_later() */
	bool replay;   /* false: the first pass, which fills the memo; true: the second */
	/* the first pass's stop and surnames as they end, the second's as they begin but for
	 * the tokens of the people the first found (the mentions those replaced lie inside
	 * them, and no person is replaced) */
	uint8_t *stop;
	uint64_t surnames;
};

static inline uint32_t max_u32(uint32_t x, uint32_t y)
{
	return x > y ? x : y;
}

/* A visit of the first pass, from token i to next; hi: the last token whose coverage it
 * may have read, when it found no one (see people_once()). */
static inline void memo_visit(struct people_memo *pm, struct arena *a, uint32_t i, uint32_t next,
			      uint32_t hi, uint64_t lastbit, bool lf_in, bool lf_out, int what)
{
	if (pm->n == pm->cap)
		pm->v = arena_grow(a, pm->v, pm->n, &pm->cap, sizeof *pm->v, 64);
	/* (a visit that found a person at the start of its run, of two words or more, reads
	 * no further than next in the second pass: skip_title() reads up to two tokens past
	 * the run's start, and the trimming no further than its end; one never taken reads
	 * every token, as it were) */
	const bool person = what == VISIT_PERSON;
	hi = what == VISIT_LEAD ? UINT32_MAX : person ? next : hi;
	const uint8_t lf = person ? 3 : (uint8_t)(1u << lf_in);
	pm->v[pm->n++] = (struct people_visit){.i = i,
					       .next = next,
					       .hi = hi,
					       .before = (uint32_t)pm->nfound,
					       .lf_in = lf,
					       .lf_was = lf_in,
					       .lf_out = lf_out,
					       .person = person,
					       .free = what != VISIT_LEAD,
					       .lastbit = lastbit};
}

/* The first pass found a person whose first token is s, at a visit not yet in the memo:
 * the visits before it whose [i, hi] holds s are not free. Those are the last ones: a
 * visit's hi is at most two past the token it went on at, and those tokens come in order. */
static inline void people_found(struct people_memo *pm, uint32_t s)
{
	for (size_t x = pm->n; x-- > 0 && pm->v[x].next + 2 >= s;)
		if (pm->v[x].hi >= s)
			pm->v[x].free = false;
}

/* At the end of the first pass: later[j], the hash_bit()s of the people it found from
 * its j-th on (people_memo's; a visit with j people before it knew of no later one). */
static void people_later(struct people_memo *pm, struct arena *a, const struct tok_list *tl)
{
	pm->later = arena_alloc(a, (pm->nfound + 1) * sizeof *pm->later);
	pm->later[pm->nfound] = 0;
	for (size_t j = pm->nfound; j-- > 0;)
		pm->later[j] = pm->later[j + 1] | hash_bit(tl->v[pm->found[j].t1 - 1].hash);
}

/* The contexts that make a capitalized run [s, e) of two words or more a person without a
 * title or a known first name (people_once()). */

/* A headline ending with its speaker: "... Verdict: Talal Chaudhry". */
static bool run_attribution(const struct norm_text *nt, const struct tok_list *tl,
			    const bool *title, uint32_t s, uint32_t e)
{
	return title[s] && s > 0 && tok_punct(nt, tl, s - 1, ':') && e - s <= 3 &&
	       (e == tl->n || (tl->v[e].flags & TOKF_LINE_BEFORE));
}

/* "..., Zhou Ming, said": a name set off by commas before a verb of saying (a bare "X Y
 * said" is as often a company). */
static bool run_says(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
		     uint32_t s, uint32_t e)
{
	return e - s <= 3 && s > 0 && tok_punct(nt, tl, s - 1, ',') && tok_punct(nt, tl, e, ',') &&
	       e + 1 < tl->n && tok_in(m, L_SAY_VERB, nt, &tl->v[e + 1]);
}

/* An apposition with a role: "X Y, an engineer", "X Y, chief executive". */
static bool run_appos(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
		      uint32_t e)
{
	const size_t n = tl->n;
	return tok_punct(nt, tl, e, ',') &&
	       ((e + 1 < n && tok_in(m, L_TITLE, nt, &tl->v[e + 1])) ||
		((tok_is(nt, tl, e + 1, "an") || tok_is(nt, tl, e + 1, "a") ||
		  tok_is(nt, tl, e + 1, "the")) &&
		 e + 2 < n && tok_in(m, L_TITLE, nt, &tl->v[e + 2])) ||
		(e + 2 < n && tok_in(m, L_TITLE, nt, &tl->v[e + 2])));
}

/* "Marko Koers (Netherlands)": a name with its country in brackets, as in results and
 * line-ups. */
static bool run_nation(const matcher *m, const struct norm_text *nt, const struct tok_list *tl,
		       const uint32_t *cov, const struct mlist *ml, uint32_t e)
{
	return tok_punct(nt, tl, e, '(') && e + 1 < tl->n && cov[e + 1] != UINT32_MAX &&
	       ml->v[cov[e + 1]].ent->type == m->t_country &&
	       tok_punct(nt, tl, ml->v[cov[e + 1]].t1, ')');
}

/* An initial and a surname: "M. Atherton", "John F. Kennedy" (initial: the run holds one). */
static bool run_with_initial(const struct norm_text *nt, const struct tok_list *tl,
			     const uint32_t *cov, uint32_t s, uint32_t e, bool initial)
{
	return initial && e - s >= 3 && !is_initial(nt, tl, e - 2) && cov[e - 1] == UINT32_MAX;
}

/* One pass over the record for people that no lexicon lists. A capitalized run is a
 * person when a title or role stands before it, when it begins with a known first name, when
 * it ends with the surname of a person already found (family members), when an apposition
 * with a role follows ("X Y, an engineer") or when it continues a list of people. start is
 * struct scan's, runs people_runs()' of it; pm is filled by the first pass over a record
 * and read by the second (see struct people_memo). */
static size_t people_once(const matcher *m, struct arena *a, const char *orig,
			const struct norm_text *nt, const struct tok_list *tl, const bool *title,
			const uint8_t *start, const uint8_t *runs, uint32_t *cov, struct mlist *ml,
			struct people_memo *pm)
{
	uint32_t n = (uint32_t)tl->n;
	uint32_t i = 0;
	bool list_follows = false; /* the previous person was followed by "and" or "," */
	size_t found = 0;
	/* stop[i]: the general path below is needed at token i: runs, and the mentions'
	 * tokens but those of one word left to runs (see below); the other tokens are words
	 * no name can start at or words alone, with no title to skip and no mention on them
	 * that the general path would heed. The mentions this pass makes lie before the token
	 * it goes on at, and the ones it replaces lie inside them, so stop stays true for the
	 * tokens ahead. It ends as scan_tokens()' flags do; the second pass takes the first's
	 * (see struct people_memo). */
	uint64_t surnames; /* (see surname_filter()): the people this pass adds go in too */
	/* the people this pass finds on no mention, in order: they go into ml at its end, all
	 * at once (put_spans()); the pass reads the coverage of the tokens ahead alone, and
	 * known_surname() reads them too */
	struct mention *pend = NULL;
	size_t npend = 0, cappend = 0;
	uint8_t *stop;
	if (!pm->replay) {
		surnames = surname_filter(m, tl, ml);
		stop = arena_alloc(a, n + FLAG_PAD);
		memcpy(stop, runs, n + FLAG_PAD);
		for (size_t k = 0; k < ml->n; k++) {
			const struct mention *mm = &ml->v[k];
			/* a mention of one word, no person and no country before a possessive,
			 * is left to runs: where runs has no stop (a word alone, or no word a name
			 * may start at), the general path finds what it finds there, no name (the
			 * mention goes or is too short) and no list going on */
			if (mm->t1 - mm->t0 == 1 && mm->ent->type != m->t_person &&
			    !(mm->ent->type == m->t_country && mm->t1 < n &&
			      tl->v[mm->t1].kind == TOK_POSS))
				continue;
			memset(stop + mm->t0, 1, mm->t1 - mm->t0);
		}
	} else {
		surnames = pm->surnames;
		stop = pm->stop;
		for (size_t k = 0; k < pm->nfound; k++)
			memset(stop + pm->found[k].t0, 1, pm->found[k].t1 - pm->found[k].t0);
	}
	while (i < n) {
		/* the common case first: a run of such words, passed over at once unless a list
		 * of people is going on (what the general path does with them, in short: a word
		 * alone ends the list) */
		if (!list_follows) {
			i = (uint32_t)next_flag(stop, i);
			if (i == n)
				break;
		} else if (!stop[i]) {
			if (start[i] || (!tok_is(nt, tl, i, "and") && !tok_punct(nt, tl, i, ',')))
				list_follows = false;
			i++;
			continue;
		}
		const bool lf_in = list_follows;
		if (pm->replay && !m->people_full) {
			while (pm->cur < pm->n && pm->v[pm->cur].i < i)
				pm->cur++;
			/* (v only where there is a visit: pm->v is NULL when the first pass made none;
			 * the tests at once, in one branch: whether the visit may be taken follows
			 * no pattern) */
			const struct people_visit *v = pm->cur < pm->n ? &pm->v[pm->cur] : NULL;
			if (v && ((v->i == i) & (v->lf_in >> lf_in) & v->free &
				  !((pm->later[v->before] | pm->bits) & v->lastbit))) {
				/* and the visits after it while they may be taken (see struct
				 * people_memo): the pass ends after the last, or makes the first it
				 * may not take */
				const struct people_visit *end = pm->v + pm->n;
				while (++v < end &&
				       (v->free & !((pm->later[v->before] | pm->bits) & v->lastbit)))
					;
				if (v == end)
					break;
				list_follows = v->lf_was;
				i = v->i;
				pm->cur = (size_t)(v - pm->v);
				continue;
			}
		}
		/* what a visit reads of the coverage lies in [i, hi]: skip_title() reads token i
		 * alone, or when it skips something up to two tokens past k; a run's trimming and
		 * its start (list_follows) no further than its end, or one past it when it decides
		 * on a run of two words (run_nation()) */
		bool after_title;
		uint32_t k = skip_title(m, nt, tl, cov, ml, i, &after_title);
		const uint32_t hi = after_title ? k + 2 : i;
		uint32_t s = k, e = k, words = 0;
		bool initial = false; /* the run holds an initial: "M. Atherton" */
		uint32_t maxw = title[k < n ? k : n - 1] ? 3 : 4;
		while (e < n && name_token(m, nt, tl, e) &&
		       (e == s || !(tl->v[e].flags & TOKF_LINE_BEFORE)) &&
		       !(e > s && tok_in(m, L_TITLE, nt, &tl->v[e]))) {
			if (name_token(m, nt, tl, e) == 1 && ++words > maxw)
				break;
			if (e + 2 < n && tl->v[e + 1].kind == TOK_HYPHEN &&
			    !(tl->v[e + 1].flags & TOKF_SPACE_BEFORE) &&
			    !(tl->v[e + 2].flags & TOKF_SPACE_BEFORE) && tl->v[e + 2].kind == TOK_WORD)
				e += 2; /* BARTH-TUTTAS, Song-ho */
			if (is_initial(nt, tl, e)) {
				initial = true;
				e++; /* the initial's dot */
			}
			e++;
		}
		if (e == s) {
			if (!(list_follows && (tok_is(nt, tl, i, "and") || tok_punct(nt, tl, i, ','))))
				list_follows = false;
			uint32_t on = k > i ? k : i + 1;
			if (!pm->replay)
				memo_visit(pm, a, i, on, hi, 0, lf_in, list_follows, VISIT_NONE);
			i = on;
			continue;
		}
		uint32_t next = e;
		while (e > s && name_token(m, nt, tl, e - 1) == 2)
			e--;
		while (s < e && name_token(m, nt, tl, s) == 2)
			s++;
		/* the run may not swallow mentions other than weak ones (Chad, Jordan, a bare
		 * surname) */
		while (e > s && cov[e - 1] != UINT32_MAX && !(ml->v[cov[e - 1]].flags & GAZF_AMBIGUOUS) &&
		       !(ml->v[cov[e - 1]].ent->type == m->t_person && ml->v[cov[e - 1]].kind == KIND_PARTIAL))
			e--;
		bool person = false;
		uint32_t last = UINT32_MAX; /* the word known_surname() may be asked of */
		const uint32_t run_s = s;   /* (a person starting after it left words out) */
		if (e - s >= 2) {
			last = e - 1;
			/* (the tests in the order that needs fewest: most runs are decided by the
			 * title or the first name, and the context is read only when it can
			 * decide) */
			uint32_t f = s;
			if (after_title && (!title[s] || first_name(m, nt, &tl->v[s]))) {
				person = true;
			} else {
				while (f < e && !first_name(m, nt, &tl->v[f]))
					f++;
				if (f < e && e - f >= 2 && !title[f] && lead_ok(m, nt, tl, s, f)) {
					s = f;
					person = true;
				} else if (known_surname(m, nt, tl, ml, pend, npend, surnames, e - 1)) {
					person = true;
				} else {
					/* on a headline-style line, only a speaker or a country in
					 * brackets makes the run a person */
					person = (!title[s] &&
						  (list_follows || run_appos(m, nt, tl, e) ||
						   run_says(m, nt, tl, s, e) ||
						   run_with_initial(nt, tl, cov, s, e, initial))) ||
						 run_attribution(nt, tl, title, s, e) ||
						 run_nation(m, nt, tl, cov, ml, e);
				}
			}
		}
		if (person)
			for (uint32_t q = s; q < e; q++)
				if (tok_in(m, L_NOT_NAME, nt, &tl->v[q]) ||
				    tok_in(m, L_STATE_BODY, nt, &tl->v[q]))
					person = false;
		if (person && overridable(m, ml, cov, s, e)) {
			const struct entity *pe =
				person_entity(m, a, orig, tl->v[s].ostart, tl->v[e - 1].oend);
			uint32_t q = s;
			while (q < e && cov[q] == UINT32_MAX)
				q++;
			if (q == e) {
				if (npend == cappend)
					pend = arena_grow(a, pend, npend, &cappend, sizeof *pend,
							  16);
				pend[npend++] = (struct mention){
					.t0 = s, .t1 = e, .ent = pe, .kind = KIND_NAME,
					.src = SRC_PATTERN};
			} else {
				put_span(ml, cov, s, e, pe, KIND_NAME, SRC_PATTERN);
			}
			surnames |= hash_bit(tl->v[e - 1].hash); /* (e - s >= 2) */
			pm->bits |= hash_bit(tl->v[e - 1].hash);
			if (!pm->replay) {
				if (pm->nfound == pm->capfound)
					pm->found = arena_grow(a, pm->found, pm->nfound, &pm->capfound,
							       sizeof *pm->found, 16);
				pm->found[pm->nfound++] = (struct people_span){s, e};
				people_found(pm, s);
				memo_visit(pm, a, i, next > i ? next : i + 1, 0, 0, lf_in, false,
					   s == run_s ? VISIT_PERSON : VISIT_LEAD);
			}
			found++;
			list_follows = tok_is(nt, tl, e, "and") || tok_punct(nt, tl, e, ',');
			i = next > i ? next : i + 1;
			continue;
		}
		if (cov[s] != UINT32_MAX && ml->v[cov[s]].ent->type == m->t_person &&
		    ml->v[cov[s]].t1 == e)
			list_follows = tok_is(nt, tl, e, "and") || tok_punct(nt, tl, e, ',');
		else
			list_follows = false;
		uint32_t on = next > i ? next : i + 1;
		if (!pm->replay)
			memo_visit(pm, a, i, on,
				   max_u32(hi, last == UINT32_MAX ? next : next + 1),
				   last == UINT32_MAX ? 0 : hash_bit(tl->v[last].hash), lf_in,
				   list_follows, VISIT_NONE);
		i = on;
	}
	put_spans(ml, cov, pend, npend);
	pm->stop = stop;
	pm->surnames = surnames;
	return found;
}

/* merge_prefix_names()'s trie of the longer names, for a record of many people, where
 * comparing every name found by pattern with every longer name would cost their product:
 * a node is a sequence of words (its parent's and one more), found by its parent and the
 * word's bytes. */
struct name_trie {
	struct name_node {
		uint32_t parent, tok; /* the parent node (UINT32_MAX: none), a token of the word */
		uint32_t first;       /* the first longer name (its index in ml) that goes on past
				       * the node, or UINT32_MAX */
	} *v;
	size_t n;
	uint32_t *slot; /* by parent and word, open addressing: an index of v + 1, 0 for none */
	size_t mask;
};

/* The child of parent by token tok's word, made when there is none. */
static uint32_t trie_step(struct name_trie *tr, const struct norm_text *nt,
			  const struct tok_list *tl, uint32_t parent, uint32_t tok)
{
	const struct token *t = &tl->v[tok];
	uint64_t h = t->hash ^ (parent * 0x9E3779B97F4A7C15ULL);
	h ^= h >> 29;
	size_t q;
	for (q = h & tr->mask; tr->slot[q]; q = (q + 1) & tr->mask) {
		const struct name_node *c = &tr->v[tr->slot[q] - 1];
		if (c->parent == parent && same_word(nt, &tl->v[c->tok], t))
			return tr->slot[q] - 1;
	}
	tr->v[tr->n] = (struct name_node){parent, tok, UINT32_MAX};
	tr->slot[q] = (uint32_t)++tr->n;
	return (uint32_t)tr->n - 1;
}

/* Are the words of x the first words of y (longer)? */
static bool name_begins(const struct norm_text *nt, const struct tok_list *tl,
			const struct mention *x, const struct mention *y)
{
	for (uint32_t q = 0; q < x->t1 - x->t0; q++) {
		if (!same_word(nt, &tl->v[x->t0 + q], &tl->v[y->t0 + q]))
			return false;
	}
	return true;
}

/* The full person mentions of a record (a person's, of two words or more): their indexes
 * in ml, in order. From the end of the people passes to partial_pass()'s insertions no pass
 * adds or drops a mention, or makes one a person or no person, and every person found by
 * pattern is one: suffix_pass(), merge_prefix_names() and partial_pass() read these alone,
 * where each read all the mentions. */
struct persons {
	uint32_t *v;
	size_t n;
};

static struct persons full_persons(const matcher *m, struct arena *a, const struct mlist *ml)
{
	struct persons p = {arena_alloc(a, (ml->n + 1) * sizeof *p.v), 0};
	for (size_t k = 0; k < ml->n; k++) { /* (no branch: persons come in no order) */
		p.v[p.n] = (uint32_t)k;
		p.n += (ml->v[k].ent->type == m->t_person) & (ml->v[k].t1 - ml->v[k].t0 >= 2);
	}
	return p;
}

/* A shorter name of a person found by pattern links to the longer one it begins
 * ("Tariq Mehmood" ... "Tariq Mehmood Jahangiri"), the first such in the record. */
static void merge_prefix_names(struct arena *a, const struct norm_text *nt,
			       const struct tok_list *tl, struct mlist *ml, const struct persons *ps)
{
	/* the longer names are person mentions longer than the shortest name found by pattern
	 * (a person stays a person as the names are linked): listed once, in order */
	uint32_t shortest = UINT32_MAX;
	size_t npattern = 0, words = 0;
	for (size_t p = 0; p < ps->n; p++) {
		const struct mention *x = &ml->v[ps->v[p]];
		if (x->src == SRC_PATTERN) {
			npattern++;
			words += x->t1 - x->t0;
			if (x->t1 - x->t0 < shortest)
				shortest = x->t1 - x->t0;
		}
	}
	if (shortest == UINT32_MAX)
		return;
	uint32_t *longer = arena_alloc(a, ps->n * sizeof *longer);
	size_t nlonger = 0;
	for (size_t p = 0; p < ps->n; p++) {
		const struct mention *y = &ml->v[ps->v[p]];
		if (y->t1 - y->t0 > shortest) {
			longer[nlonger++] = ps->v[p];
			words += y->t1 - y->t0;
		}
	}
	if (!nlonger)
		return;
	if (ml->how == MATCH_INDEX_NONE ||
	    (ml->how == MATCH_INDEX_AUTO && npattern * nlonger <= 4096)) {
		for (size_t p = 0; p < ps->n; p++) {
			struct mention *x = &ml->v[ps->v[p]];
			if (x->src != SRC_PATTERN)
				continue;
			for (size_t l = 0; l < nlonger; l++) {
				const struct mention *y = &ml->v[longer[l]];
				if (y->t1 - y->t0 > x->t1 - x->t0 && name_begins(nt, tl, x, y)) {
					x->ent = y->ent;
					break;
				}
			}
		}
		return;
	}
	/* the nodes of every longer name's first words, at least shortest of them, know the
	 * first name that goes on past them; a name found by pattern takes its node's */
	struct name_trie tr = {0};
	tr.v = arena_alloc(a, words * sizeof *tr.v);
	tr.mask = 15;
	while (tr.mask + 1 < 2 * words)
		tr.mask = tr.mask * 2 + 1;
	tr.slot = arena_alloc(a, (tr.mask + 1) * sizeof *tr.slot);
	memset(tr.slot, 0, (tr.mask + 1) * sizeof *tr.slot);
	for (size_t l = 0; l < nlonger; l++) {
		const struct mention *y = &ml->v[longer[l]];
		uint32_t node = UINT32_MAX;
		for (uint32_t q = 0; q + 1 < y->t1 - y->t0; q++) {
			node = trie_step(&tr, nt, tl, node, y->t0 + q);
			if (q + 1 >= shortest && tr.v[node].first == UINT32_MAX)
				tr.v[node].first = longer[l];
		}
	}
	for (size_t p = 0; p < ps->n; p++) {
		struct mention *x = &ml->v[ps->v[p]];
		if (x->src != SRC_PATTERN)
			continue;
		uint32_t node = UINT32_MAX;
		for (uint32_t q = x->t0; q < x->t1; q++)
			node = trie_step(&tr, nt, tl, node, q);
		if (tr.v[node].first != UINT32_MAX)
			x->ent = ml->v[tr.v[node].first].ent;
	}
}

/* "Donald Trump Jr.": a generational suffix makes another person. */
static void suffix_pass(const matcher *m, struct arena *a, const char *orig,
			const struct norm_text *nt, const struct tok_list *tl, uint32_t *cov,
			struct mlist *ml, const struct persons *ps)
{
	for (size_t p = 0; p < ps->n; p++) {
		const size_t k = ps->v[p];
		struct mention *mm = &ml->v[k];
		uint32_t j = mm->t1;
		if (j >= tl->n || !adjacent(tl, j - 1, j) || tl->v[j].kind != TOK_WORD ||
		    !tok_in(m, L_NAME_SUFFIX, nt, &tl->v[j]))
			continue;
		uint32_t e = j + 1;
		if (tok_punct(nt, tl, e, '.') && !(tl->v[e].flags & TOKF_SPACE_BEFORE))
			e++;
		if (k + 1 < ml->n && ml->v[k + 1].t0 < e)
			continue;
		mm->ent = person_entity(m, a, orig, tl->v[mm->t0].ostart, tl->v[e - 1].oend);
		for (uint32_t q = mm->t1; q < e; q++)
			cov[q] = (uint32_t)k;
		mm->t1 = e;
		mm->kind = KIND_NAME;
		if (mm->src == SRC_LEXICON)
			mm->src = SRC_PATTERN;
	}
}

/* The people passes; returns the full person mentions (see struct persons). */
static struct persons people_pass(const matcher *m, struct arena *a, const char *orig,
				  const struct norm_text *nt, const struct tok_list *tl,
				  const bool *title, const uint8_t *start, uint32_t *cov,
				  struct mlist *ml)
{
	/* twice, when the first pass found someone: the second knows their surnames */
	const uint8_t *runs = people_runs(m, a, nt, tl, start);
	struct people_memo pm = {0};
	ml->sur = (struct surnames){0};
	if (people_once(m, a, orig, nt, tl, title, start, runs, cov, ml, &pm)) {
		people_later(&pm, a, tl);
		pm.replay = true;
		pm.bits = 0;
		ml->sur = (struct surnames){0};
		people_once(m, a, orig, nt, tl, title, start, runs, cov, ml, &pm);
	}
	ml->sur = (struct surnames){0};
	const struct persons ps = full_persons(m, a, ml);
	suffix_pass(m, a, orig, nt, tl, cov, ml, &ps);
	merge_prefix_names(a, nt, tl, ml, &ps);
	return ps;
}

/* Partial names: a single capitalized word that is part of the name of a person the
 * record names in full ("Lin said", "Sharif thanked Xi", "Jian said"). */
static void partial_pass(const matcher *m, struct arena *a, const struct norm_text *nt,
			 const struct tok_list *tl, const bool *title, const uint8_t *start,
			 uint32_t *cov, struct mlist *ml, const struct persons *ps)
{
	struct part {
		const char *s;
		uint32_t n;
		uint64_t h; /* the word's hash_bytes(), tested first */
		const struct entity *e;
		int prio;
	};
	/* the parts, at most the words of the full names, and a table of them by hash (open
	 * addressing, at most an eighth full: a capitalized word that is no part, the most
	 * common, then mostly meets an empty slot first): a part's index + 1, 0 for none */
	size_t most = 0;
	for (size_t x = 0; x < ps->n; x++)
		most += ml->v[ps->v[x]].t1 - ml->v[ps->v[x]].t0;
	if (!most)
		return;
	size_t np = 0, mask = 15;
	while (mask + 1 < 8 * most)
		mask = mask * 2 + 1;
	struct part *parts = arena_alloc(a, most * sizeof *parts);
	uint32_t *table = arena_alloc(a, (mask + 1) * sizeof *table);
	memset(table, 0, (mask + 1) * sizeof *table);
	/* a bit per hash of the parts' words, of 4096 (part_bit()): a capitalized word that
	 * is no part, the most common, mostly finds its bit clear, with no probe of the
	 * table, whose slots are empty or not with no pattern */
	uint64_t *bits = arena_alloc(a, 64 * sizeof *bits);
	memset(bits, 0, 64 * sizeof *bits);
	for (size_t x = 0; x < ps->n; x++) {
		const struct mention *mm = &ml->v[ps->v[x]];
		for (uint32_t i = mm->t0; i < mm->t1; i++) {
			const struct token *t = &tl->v[i];
			if (t->kind != TOK_WORD || t->nend - t->nstart < 2 ||
			    tok_in(m, L_NAME_PARTICLE, nt, t) || tok_in(m, L_NOT_NAME, nt, t) ||
			    (t->flags & TOKF_DOTTED))
				continue;
			int prio = i == mm->t1 - 1 ? 2 : 1;
			size_t q;
			for (q = t->hash & mask; table[q]; q = (q + 1) & mask) {
				struct part *p = &parts[table[q] - 1];
				if (p->h == t->hash && p->n == t->nend - t->nstart &&
				    same_bytes(p->s, nt->s + t->nstart, p->n))
					break;
			}
			if (table[q]) {
				struct part *p = &parts[table[q] - 1];
				if (prio > p->prio) {
					p->e = mm->ent;
					p->prio = prio;
				}
				continue;
			}
			parts[np] = (struct part){nt->s + t->nstart, t->nend - t->nstart, t->hash,
						  mm->ent, prio};
			table[q] = (uint32_t)++np;
			bits[t->hash >> 58] |= (uint64_t)1 << (t->hash >> 52 & 63);
		}
	}
	if (!np)
		return;
	/* the new mentions, one word each, in order: one on a mention takes its place (what
	 * put_span() does), the others go in at the end, all at once (the pass reads the
	 * coverage of the word it is at alone) */
	size_t nins = 0, capins = 0;
	struct mention *ins = NULL;
	for (uint32_t i = 0;; i++) {
		i = (uint32_t)next_flag(start, i); /* (every capitalized word is a start) */
		if (i >= tl->n)
			break;
		const struct token *t = &tl->v[i];
		/* a capitalized word whose bit is set: the tests in one branch */
		const uint64_t cap = (tok_kfl(t) & kfl(0xFF, TOKF_INIT_UPPER, 0)) ==
				     kfl(TOK_WORD, TOKF_INIT_UPPER, 0);
		if (!(cap & bits[t->hash >> 58] >> (t->hash >> 52 & 63)))
			continue;
		const struct part *p = NULL;
		for (size_t q = t->hash & mask; table[q]; q = (q + 1) & mask) {
			p = &parts[table[q] - 1];
			if (p->h == t->hash && p->n == t->nend - t->nstart &&
			    same_bytes(p->s, nt->s + t->nstart, p->n))
				break;
			p = NULL;
		}
		if (!p)
			continue;
		/* not inside a longer name: "Le Clos" of "Chad Le Clos", "Heydar Aliyev" */
		if (i > 0 && adjacent(tl, i - 1, i) && !title[i] &&
		    (name_token(m, nt, tl, i - 1) == 2 ||
		     (is_cap(&tl->v[i - 1]) && !tok_in(m, L_TITLE, nt, &tl->v[i - 1]) &&
		      !sentence_initial(nt, tl, i - 1))))
			continue;
		/* not the first word of a longer name ("Trump Route", "Ball State") */
		if (!title[i] && i + 1 < tl->n && adjacent(tl, i, i + 1) && is_cap(&tl->v[i + 1]) &&
		    !tok_in(m, L_TITLE, nt, &tl->v[i + 1]))
			continue;
		const struct mention part = {.t0 = i, .t1 = i + 1, .ent = p->e, .kind = KIND_PARTIAL,
					     .src = SRC_PARTIAL};
		if (cov[i] != UINT32_MAX) {
			struct mention *mm = &ml->v[cov[i]];
			if (mm->t0 != i || mm->t1 != i + 1 || mm->ent->type == m->t_person ||
			    !(mm->flags & GAZF_AMBIGUOUS))
				continue;
			/* "Chad's Youssouf Abakar": the country, whose person follows */
			if (i + 2 < tl->n && tl->v[i + 1].kind == TOK_POSS && is_cap(&tl->v[i + 2]))
				continue;
			*mm = part;
			continue;
		}
		if (nins == capins)
			ins = arena_grow(a, ins, nins, &capins, sizeof *ins, 16);
		ins[nins++] = part;
	}
	put_spans(ml, cov, ins, nins);
}

/* ---- pass 3b: acronyms defined in the text: "Frontier Works Organisation (FWO)" ---- */

static bool initials_match(const struct norm_text *nt, const struct tok_list *tl, uint32_t s,
			   uint32_t e, const char *acr, size_t an)
{
	size_t k = 0;
	for (uint32_t i = s; i < e; i++) {
		const struct token *t = &tl->v[i];
		if (t->kind != TOK_WORD)
			return false;
		if (!(t->flags & TOKF_INIT_UPPER))
			continue; /* of, for, and */
		if (k >= an || nt->s[t->nstart] != acr[k])
			return false;
		k++;
	}
	return k == an;
}

/* May token t be a later use of an acronym: a word in capitals of 2 to 10 bytes? */
static bool acronym_word(const struct token *t)
{
	return t->kind == TOK_WORD && (t->flags & TOKF_ALL_UPPER) && t->nend - t->nstart >= 2 &&
	       t->nend - t->nstart <= 10;
}

/* acronym_pass()'s index of the later uses of acronyms in a record of many definitions,
 * where reading all the tokens after each would cost the tokens times the definitions: the
 * positions of every acronym_word(), by its bytes. A definition visits the positions of its
 * word after it, and drops them all: every later definition of the word lies after them,
 * and they are covered once visited (by a use, or by the mention that was there), but for
 * the ones a later definition uncovers when it replaces a mention reaching outside its
 * name: uses_reopen() puts those back. */
struct acr_uses {
	struct acr_word {
		uint32_t tok;           /* a token of the word */
		uint32_t at, n;         /* its positions not visited: pos[at..at+n) */
		uint32_t *more;         /* and the ones put back since it was visited */
		size_t nmore, capmore;
		uint32_t defined;       /* its last definition visited (the "("), or UINT32_MAX */
	} *w;
	uint32_t *pos;
	uint32_t *slot; /* by the word's hash, open addressing: an index of w + 1, 0 for none */
	size_t mask;
};

/* The slot of the word of token t: the word's, or the empty slot where it goes. */
static uint32_t *uses_slot(const struct acr_uses *u, const struct norm_text *nt,
			   const struct tok_list *tl, const struct token *t)
{
	for (size_t q = t->hash & u->mask;; q = (q + 1) & u->mask)
		if (!u->slot[q] || same_word(nt, &tl->v[u->w[u->slot[q] - 1].tok], t))
			return &u->slot[q];
}

static void uses_build(struct arena *a, const struct norm_text *nt, const struct tok_list *tl,
		       struct acr_uses *u)
{
	/* the positions, in order, in one pass over the tokens; then the word of each, and
	 * the positions by word */
	uint32_t *cand = NULL;
	size_t nc = 0, cap = 0;
	for (size_t i = 0; i < tl->n; i++)
		if (acronym_word(&tl->v[i])) {
			if (nc == cap)
				cand = arena_grow(a, cand, nc, &cap, sizeof *cand, 64);
			cand[nc++] = (uint32_t)i;
		}
	u->mask = 15;
	while (u->mask + 1 < 2 * nc)
		u->mask = u->mask * 2 + 1;
	u->slot = arena_alloc(a, (u->mask + 1) * sizeof *u->slot);
	memset(u->slot, 0, (u->mask + 1) * sizeof *u->slot);
	u->w = arena_alloc(a, (nc + 1) * sizeof *u->w);
	uint32_t *word = arena_alloc(a, (nc + 1) * sizeof *word);
	size_t nw = 0;
	for (size_t c = 0; c < nc; c++) {
		uint32_t *s = uses_slot(u, nt, tl, &tl->v[cand[c]]);
		if (!*s) {
			u->w[nw] = (struct acr_word){.tok = cand[c], .defined = UINT32_MAX};
			*s = (uint32_t)++nw;
		}
		u->w[*s - 1].n++;
		word[c] = *s - 1;
	}
	uint32_t at = 0;
	for (size_t k = 0; k < nw; k++) {
		u->w[k].at = at;
		at += u->w[k].n;
		u->w[k].n = 0;
	}
	u->pos = arena_alloc(a, (nc + 1) * sizeof *u->pos);
	for (size_t c = 0; c < nc; c++) {
		struct acr_word *w = &u->w[word[c]];
		u->pos[w->at + w->n++] = cand[c];
	}
}

/* The tokens [from, to) are about to be uncovered: put back the words among them whose
 * last definition visited lies before them (the others are still among their word's
 * positions, or lie before every definition of it to come). */
static void uses_reopen(struct arena *a, const struct norm_text *nt, const struct tok_list *tl,
			struct acr_uses *u, uint32_t from, uint32_t to)
{
	for (uint32_t x = from; x < to; x++) {
		if (!acronym_word(&tl->v[x]))
			continue;
		struct acr_word *w = &u->w[*uses_slot(u, nt, tl, &tl->v[x]) - 1];
		if (w->defined == UINT32_MAX || x <= w->defined)
			continue;
		if (w->nmore == w->capmore)
			w->more = arena_grow(a, w->more, w->nmore, &w->capmore, sizeof *w->more, 4);
		w->more[w->nmore++] = x;
	}
}

static void acronym_pass(const matcher *m, struct arena *a, const char *orig,
			 const struct norm_text *nt, const struct tok_list *tl, const struct scan *sc,
			 uint32_t *cov, struct mlist *ml)
{
	struct acr_uses u = {0};
	size_t read = 0; /* the tokens read by the definitions so far */
	for (size_t p = 0; p < sc->nopen; p++) {
		uint32_t i = sc->open[p]; /* a "(" */
		if (i < 2 || i + 2 >= tl->n)
			continue;
		const struct token *ac = &tl->v[i + 1], *rp = &tl->v[i + 2];
		if (rp->kind != TOK_PUNCT || nt->s[rp->nstart] != ')' || !acronym_word(ac))
			continue;
		size_t an = ac->nend - ac->nstart;
		const char *acr = nt->s + ac->nstart;
		/* the longest run of words before "(" whose capitals spell the acronym */
		uint32_t best = UINT32_MAX;
		for (uint32_t s = i; s-- > 0 && i - s <= 3 * an;) {
			if (!(tl->v[s].flags & TOKF_INIT_UPPER))
				continue;
			if (initials_match(nt, tl, s, i, acr, an)) {
				best = s;
				break;
			}
		}
		if (best == UINT32_MAX)
			continue;
		/* the definitions read the tokens after them, until that would cost more than
		 * twice what the index costs (a pass over the tokens) */
		if (!u.slot && (ml->how == MATCH_INDEX_ALL ||
				(ml->how == MATCH_INDEX_AUTO && read + (tl->n - i) > 2 * tl->n)))
			uses_build(a, nt, tl, &u);
		read += tl->n - i;
		const struct entity *e = NULL;
		if (cov[best] != UINT32_MAX && ml->v[cov[best]].t0 == best &&
		    ml->v[cov[best]].t1 == i && ml->v[cov[best]].ent->type == m->t_org)
			e = ml->v[cov[best]].ent;
		if (!e) {
			const char *name = span_text(a, orig, tl->v[best].ostart, tl->v[i - 1].oend);
			const char *id = slug(a, "org:", name, strlen(name));
			e = gaz_find(m->gaz, id);
			if (!e) {
				struct entity *ne = arena_alloc(a, sizeof *ne);
				memset(ne, 0, sizeof *ne);
				ne->id = id;
				ne->type = m->t_org;
				ne->name = name;
				e = ne;
			}
			/* the mention at the name's end may reach past it (a form with brackets);
			 * the tokens before the name lie before every definition to come */
			if (u.slot && cov[i - 1] != UINT32_MAX)
				uses_reopen(a, nt, tl, &u, i, ml->v[cov[i - 1]].t1);
			put_span(ml, cov, best, i, e, KIND_NAME, SRC_ACRONYM);
		}
		/* every later use of the acronym, in capitals as defined */
		if (u.slot) {
			struct acr_word *w = &u.w[*uses_slot(&u, nt, tl, ac) - 1];
			for (uint32_t k = 0; k < w->n; k++) {
				uint32_t j = u.pos[w->at + k];
				if (j > i && cov[j] == UINT32_MAX)
					put_span(ml, cov, j, j + 1, e, KIND_ABBREV, SRC_ACRONYM);
			}
			for (size_t k = 0; k < w->nmore; k++) {
				uint32_t j = w->more[k];
				if (j > i && cov[j] == UINT32_MAX)
					put_span(ml, cov, j, j + 1, e, KIND_ABBREV, SRC_ACRONYM);
			}
			w->n = 0;
			w->nmore = 0;
			w->defined = i;
			continue;
		}
		for (uint32_t j = i + 1; j < tl->n; j++) {
			const struct token *t = &tl->v[j];
			/* (the hash first: another word, nearly every token, in one test that a
			 * branch predictor learns) */
			if (t->hash != ac->hash || t->kind != TOK_WORD || !(t->flags & TOKF_ALL_UPPER) ||
			    t->nend - t->nstart != an || memcmp(nt->s + t->nstart, acr, an) != 0)
				continue;
			if (cov[j] != UINT32_MAX)
				continue;
			put_span(ml, cov, j, j + 1, e, KIND_ABBREV, SRC_ACRONYM);
		}
	}
	put_spans(ml, cov, NULL, 0);
}

/* ---- pass 4: pattern entities ---- */

static int regex_pass(const matcher *m, struct arena *a, const char *orig,
		      const struct norm_text *nt, const struct tok_list *tl, uint32_t *cov,
		      struct mlist *ml, struct err *err)
{
	struct pattern_hit *h;
	size_t nh;
	int rc = patterns_find(m->pat, a, orig, nt->map[nt->len], &h, &nh, err);
	if (!nh)
		return rc;
	/* byte offset -> token index */
	const char *type_of = NULL, *type = NULL; /* the last hit's pattern type, and gaz_type() */
	for (size_t k = 0; k < nh; k++) {
		uint32_t t0 = UINT32_MAX, t1 = 0;
		/* lo: the first token ending after the hit's start, found by halving [base,
		 * base + len] with no branch but the loop's, whose count a record's hits share
		 * (which half holds it follows no pattern) */
		const struct token *base = tl->v;
		size_t len = tl->n;
		while (len > 1) {
			const size_t half = len / 2;
			base += (size_t)(base[half - 1].oend <= h[k].start) * half;
			len -= half;
		}
		const size_t lo = (size_t)(base - tl->v) + (len == 1 && base->oend <= h[k].start);
		if (lo < tl->n && tl->v[lo].ostart == h[k].start)
			t0 = (uint32_t)lo;
		for (size_t j = lo; j < tl->n && tl->v[j].oend <= h[k].end; j++)
			t1 = (uint32_t)j + 1;
		if (t0 == UINT32_MAX || t1 <= t0 || tl->v[t1 - 1].oend != h[k].end)
			continue; /* not on token boundaries */
		bool free_span = true;
		for (uint32_t i = t0; i < t1; i++)
			if (cov[i] != UINT32_MAX &&
			    !(ml->v[cov[i]].src == SRC_LEXICON && ml->v[cov[i]].ent->type == m->t_country &&
			      ml->v[cov[i]].kind == KIND_ABBREV && ml->v[cov[i]].t0 >= t0 &&
			      ml->v[cov[i]].t1 <= t1))
				free_span = false; /* "US$2.2 billion" may swallow its "US" */
		if (!free_span)
			continue;
		struct entity *ne = arena_alloc(a, sizeof *ne);
		memset(ne, 0, sizeof *ne);
		if (h[k].type != type_of) { /* (hits of one pattern share its type string) */
			type_of = h[k].type;
			type = gaz_type(m->gaz, type_of);
		}
		ne->type = type ? type : h[k].type;
		ne->name = span_text(a, orig, h[k].start, h[k].end);
		put_span(ml, cov, t0, t1, ne, KIND_NAME, SRC_REGEX);
	}
	put_spans(ml, cov, NULL, 0);
	return rc;
}

/* ---- final ---- */

int match_doc(const matcher *m, struct arena *a, const char *orig, const struct norm_text *nt,
	      const struct tok_list *tl, struct mention **out, size_t *n, struct err *err)
{
	struct mlist ml = {.a = a, .gone = SIZE_MAX, .how = (enum match_index)m->index};
	struct rule_memo rmemo = {0};
	if (ml.how != MATCH_INDEX_NONE) { /* (the oracle reads for every candidate) */
		size_t nm = rules_memo_size(m->rules);
		rmemo.doc = arena_alloc(a, nm + 1);
		memset(rmemo.doc, 0, nm);
		ml.rmemo = &rmemo;
	}
	struct scan sc;
	scan_tokens(m, a, nt, tl, &sc);
	const uint8_t *start = sc.start;
	const bool *title = sc.title;
	lexicon_pass(m, orig, nt, tl, title, sc.walk, &ml);
	/* one coverage for the passes that follow, kept up to date as they change the mentions */
	uint32_t *cov = containment_pass(m, a, nt, tl, title, &ml);
	const struct persons ps = people_pass(m, a, orig, nt, tl, title, start, cov, &ml);
	partial_pass(m, a, nt, tl, title, start, cov, &ml, &ps);
	acronym_pass(m, a, orig, nt, tl, &sc, cov, &ml);
	int rc = regex_pass(m, a, orig, nt, tl, cov, &ml, err);
	size_t w = 0;
	for (size_t i = 0; i < ml.n; i++)
		if (!(ml.v[i].flags & GAZF_BLOCK))
			ml.v[w++] = ml.v[i];
	ml.n = w;
	for (size_t i = 0; i < ml.n; i++) {
		ml.v[i].ostart = tl->v[ml.v[i].t0].ostart;
		ml.v[i].oend = tl->v[ml.v[i].t1 - 1].oend;
	}
	*out = ml.v;
	*n = ml.n;
	return rc;
}
