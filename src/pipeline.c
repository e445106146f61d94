/* pipeline: the stages in order; the only place that knows their order. */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

/* The memo: two direct-mapped tables indexed by the token's hash, one for the words of up
 * to eight bytes (nearly all of them) in sixteen-byte slots, one for the words of 9 to 16
 * bytes in 32-byte slots. A slot is keyed by the word's hash_bytes(), its length and, for
 * words of 9 to 16 bytes, its first eight bytes, which make a hit an exact match, never a
 * hash collision: for n bytes, hash_bytes() is hash_end(hash_step(hash_start(n), w0)) (n <= 8:
 * w0 the bytes, zero-filled) or hash_end(hash_step(hash_step(hash_start(n), w0), w1))
 * (n <= 16), and hash_end() and hash_step(h, .) are bijections of the 64-bit values
 * (multiplications by odd constants, xor with a shift of itself, xor with h), so the hash
 * and the length tell w0 of a short word, and the hash, the length and w0 tell w1 of a
 * longer one. tests/unit/test_pipeline.c inverts the hash to check it. The word's bytes are
 * not read for the probe of a short word, and for a longer one only the first eight, which
 * lie inside it.
 *
 * A short slot keeps the hash plus the length (the slot's index, the hash's low bits,
 * tells them apart) and the eight bytes of the token from its lists on, copied in and out
 * as they are, in one move each (struct memo_short); the last two bytes of tfeat are zero
 * after a hit, and a word whose feature has others there (65536 or more on this CPU's byte
 * order: a model far larger than any known) is looked up anew each time. Twice as many
 * words in the memory that 32-byte slots took. A miss costs some 200 instructions and four
 * mispredicted branches (the lookups in the lexicon's, the rules' and the model's tables,
 * which lie beyond the first-level cache); news repeats its words at distances a larger
 * table bridges, and the second-level cache (2 MB a core here) holds the 640 KB of both
 * tables. */
#define MEMO_SLOTS 32768 /* the default: 512 KB, in the second-level cache */
#define MEMO_LONG 8      /* a long slot for every MEMO_LONG short ones (128 KB) */

struct memo_short {
	uint64_t key; /* hash_bytes() + the length; in slot i, i + MEMO_EMPTY: none */
	uint64_t val; /* the bytes of the token's lists, gtok and the first half of tfeat */
};
/* (a key in slot i is h + n, where h's low bits are i and n is at most 8: its low bits are
 * those of i + n, never of i + 9 in a table of 16 slots or more) */
#define MEMO_EMPTY 9

/* The bytes of struct token a short slot keeps: of lists, gtok and tfeat, side by side,
 * the first MEMO_VAL, the two after them zero. */
#define MEMO_AT offsetof(struct token, lists)
#define MEMO_VAL 8
_Static_assert(offsetof(struct token, gtok) == MEMO_AT + 2 &&
		       offsetof(struct token, tfeat) == MEMO_AT + 6 &&
		       sizeof(((struct token *)0)->tfeat) == 4,
	       "lists, gtok and tfeat of a token lie side by side");

struct memo_slot {
	uint64_t hash;  /* the word's hash_bytes() */
	uint64_t w0;    /* its first eight bytes */
	uint32_t gtok;  /* match_word() (side by side with tfeat, as in struct token: */
	uint32_t tfeat; /* one copy for both); topics_word(), 0 without a model */
	uint16_t lists; /* match_word() */
	uint8_t len;    /* 0: empty */
};

struct pipe_memo {
	const struct pipeline *p;
	size_t mask;  /* short slots - 1 (15 or more) */
	size_t lmask; /* long slots - 1 */
	struct memo_short *shrt;
	struct memo_slot *slot;
	bool large;  /* the matcher's lookups read tables beyond the caches (a large lexicon):
			the misses are looked up a chunk at a time, asked for ahead */
};

/* The memo's tables, in locals of the loops (the stores to the tokens and slots may not
 * reload them). */
struct memo_tabs {
	struct memo_short *shrt;
	struct memo_slot *slot;
	size_t mask, lmask;
};

struct pipe_memo *pipe_memo_new(const struct pipeline *p, size_t slots)
{
	struct pipe_memo *m = xcalloc(1, sizeof *m);
	size_t n = 16;
	while (n < (slots ? slots : MEMO_SLOTS))
		n *= 2;
	m->p = p;
	m->mask = n - 1;
	m->lmask = n / MEMO_LONG - 1;
	m->shrt = xmalloc(n * sizeof *m->shrt);
	for (size_t i = 0; i < n; i++)
		m->shrt[i].key = i + MEMO_EMPTY;
	m->slot = xcalloc(n / MEMO_LONG, sizeof *m->slot);
	m->large = match_words_large(p->match);
	return m;
}

void pipe_memo_free(struct pipe_memo *m)
{
	if (!m)
		return;
	free(m->shrt);
	free(m->slot);
	free(m);
}

/* The lookups of one token, made anew. */
static void look_up(const struct pipeline *p, const char *s, size_t n, struct token *t)
{
	match_word(p->match, s, n, t->hash, &t->lists, &t->gtok);
	t->tfeat = p->model ? topics_word(p->model, s, n, t->hash) : 0;
}

/* A miss of the memo: the lookups of token t (whose word is s[0..n)) made anew, and kept
 * in the short slot sh under key. Not inlined, so that the loop of memo_tokens() keeps its
 * state in registers; nor is the long slots' (memo_miss_long()), so that neither tests
 * which slot it fills, in an order no branch predictor could learn. */
static __attribute__((noinline)) void memo_miss(const struct pipeline *p, struct memo_short *sh,
						uint64_t key, const char *s, size_t n,
						struct token *t)
{
	look_up(p, s, n, t);
	uint16_t rest;
	memcpy(&rest, (const char *)t + MEMO_AT + MEMO_VAL, sizeof rest);
	if (rest)
		return;
	sh->key = key;
	memcpy(&sh->val, (const char *)t + MEMO_AT, MEMO_VAL);
}

/* memo_miss() for the long slot sl of a word whose first eight bytes are w0. */
static __attribute__((noinline)) void memo_miss_long(const struct pipeline *p,
						     struct memo_slot *sl, const char *s, size_t n,
						     uint64_t w0, struct token *t)
{
	look_up(p, s, n, t);
	sl->hash = t->hash;
	sl->w0 = w0;
	sl->len = (uint8_t)n;
	sl->lists = t->lists;
	sl->gtok = t->gtok;
	sl->tfeat = t->tfeat;
}

static inline void memo_take(struct token *t, const struct memo_short *sh)
{
	memcpy((char *)t + MEMO_AT, &sh->val, MEMO_VAL);
	memset((char *)t + MEMO_AT + MEMO_VAL, 0, 2);
}

/* Fill lists, gtok and tfeat of token t (not a hyphen: no stage looks those up) from the
 * memo's slots, or anew. */
static inline void memo_token(const struct pipeline *p, const struct memo_tabs *mt,
			      const char *text, struct token *t)
{
	const size_t ns = t->nstart;
	const size_t n = t->nend - ns;
	const uint64_t h = t->hash;
	if (n <= 8) {
		struct memo_short *sh = &mt->shrt[h & mt->mask];
		const uint64_t key = h + n;
		if (sh->key == key) {
			memo_take(t, sh);
			return;
		}
		memo_miss(p, sh, key, text + ns, n, t);
		return;
	}
	if (n > PIPE_MEMO_WORD) {
		look_up(p, text + ns, n, t);
		return;
	}
	uint64_t w0;
	memcpy(&w0, text + ns, sizeof w0);
	struct memo_slot *sl = &mt->slot[h & mt->lmask];
	/* one test for the three: the hash, the first eight bytes and the length */
	if (!((sl->hash ^ h) | (sl->w0 ^ w0) | (uint64_t)(sl->len ^ n))) {
		t->lists = sl->lists;
		t->gtok = sl->gtok;
		t->tfeat = sl->tfeat;
		return;
	}
	memo_miss_long(p, sl, text + ns, n, w0, t);
}

/* Does the memo hold the lookups of token t's word? (memo_token()'s test, alone.) Then
 * fill lists, gtok and tfeat of t from it. */
static inline bool memo_hit(const struct memo_tabs *mt, const char *text, struct token *t)
{
	const size_t n = t->nend - t->nstart;
	const uint64_t h = t->hash;
	if (n <= 8) {
		const struct memo_short *sh = &mt->shrt[h & mt->mask];
		if (sh->key != h + n)
			return false;
		memo_take(t, sh);
		return true;
	}
	if (n > PIPE_MEMO_WORD)
		return false;
	uint64_t w0;
	memcpy(&w0, text + t->nstart, sizeof w0);
	const struct memo_slot *sl = &mt->slot[h & mt->lmask];
	if ((sl->hash ^ h) | (sl->w0 ^ w0) | (uint64_t)(sl->len ^ n))
		return false;
	t->lists = sl->lists;
	t->gtok = sl->gtok;
	t->tfeat = sl->tfeat;
	return true;
}

/* memo_tokens() (below) for a large lexicon (see struct pipe_memo): the tokens that miss
 * the memo are gathered, MEMO_CHUNK at a time, and asked for ahead in each stage of
 * match_word_prefetch() before their lookups. The memo is probed again at the lookup:
 * a word seen twice in a chunk is looked up once. */
#define MEMO_CHUNK 64
static __attribute__((noinline)) void memo_tokens_large(struct pipe_memo *m,
							 const struct norm_text *nt,
							 struct tok_list *tl)
{
	const struct pipeline *p = m->p;
	const struct memo_tabs mt = {m->shrt, m->slot, m->mask, m->lmask};
	const char *const text = nt->s;
	struct token *const end = tl->v + tl->n;
	struct token *miss[MEMO_CHUNK];
	for (struct token *t = tl->v; t < end;) {
		size_t k = 0;
		for (; t < end && k < MEMO_CHUNK; t++) {
			if (t->kind == TOK_HYPHEN)
				continue;
			if (!memo_hit(&mt, text, t)) {
				miss[k++] = t;
				match_word_prefetch(p->match, t->hash, 0);
			}
		}
		for (int stage = 1; stage < MATCH_PREFETCH_STAGES; stage++)
			for (size_t i = 0; i < k; i++)
				match_word_prefetch(p->match, miss[i]->hash, stage);
		for (size_t i = 0; i < k; i++)
			memo_token(p, &mt, text, miss[i]);
	}
	tl->words_matcher = p->match;
	tl->words_model = p->model;
}

/* Fill lists, gtok and tfeat of every token but hyphens. Not inlined, nor are the misses
 * (memo_miss()): the loop keeps its state in registers. */
static __attribute__((noinline)) void memo_tokens(struct pipe_memo *m, const struct norm_text *nt,
						   struct tok_list *tl)
{
	const struct pipeline *p = m->p;
	const struct memo_tabs mt = {m->shrt, m->slot, m->mask, m->lmask};
	const char *const text = nt->s;
	struct token *const end = tl->v + tl->n;
	for (struct token *t = tl->v; t < end; t++)
		if (t->kind != TOK_HYPHEN)
			memo_token(p, &mt, text, t);
	tl->words_matcher = p->match;
	tl->words_model = p->model;
}

int pipe_annotate(const struct pipeline *p, struct arena *a, const char *text, size_t len,
		  struct annotation *out, struct err *err)
{
	return pipe_annotate_memo(p, NULL, a, text, len, out, err);
}

int pipe_annotate_memo(const struct pipeline *p, struct pipe_memo *memo, struct arena *a,
		       const char *text, size_t len, struct annotation *out, struct err *err)
{
	memset(out, 0, sizeof *out);
	int rc = norm_text(a, text, len, &out->nt);
	if (rc < 0)
		return err_set(err, -rc, NULL, 0, "text of %zu bytes is larger than 2 GiB", len);
	tok_split(a, &out->nt, text, &out->tl);
	if (memo && memo->p == p && memo->large)
		memo_tokens_large(memo, &out->nt, &out->tl);
	else if (memo && memo->p == p)
		memo_tokens(memo, &out->nt, &out->tl);
	rc = match_doc(p->match, a, text, &out->nt, &out->tl, &out->mentions, &out->nmentions,
		       err);
	struct topics_mention *tm = arena_alloc(a, (out->nmentions + 1) * sizeof *tm);
	for (size_t i = 0; i < out->nmentions; i++) {
		const struct entity *e = out->mentions[i].ent;
		tm[i].type = e->type;
		tm[i].id = e->id;
		tm[i].group = e->group;
	}
	out->tin.nt = &out->nt;
	out->tin.toks = &out->tl;
	out->tin.mentions = tm;
	out->tin.nmentions = out->nmentions;
	if (p->model) {
		size_t nt = topics_count(p->model);
		out->scores = arena_alloc(a, (nt + 1) * sizeof *out->scores);
		out->logits = arena_alloc(a, (nt + 1) * sizeof *out->logits);
		if (p->nreasons)
			out->reasons = arena_alloc(a, (nt * p->nreasons + 1) * sizeof *out->reasons);
		topics_score_z(p->model, &out->tin, a, out->scores, out->logits, out->reasons,
			       p->nreasons);
	}
	return rc;
}
