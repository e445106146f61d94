/* pipeline: the stages in order; the only place that knows their order. */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

/* The memo: a direct-mapped table indexed by the token's hash. A slot is keyed by the word's
 * hash_bytes(), its length and, for words of 9 to 16 bytes, its first eight bytes, which
 * make a hit an exact match, never a hash collision: for n bytes, hash_bytes() is
 * hash_end(hash_step(hash_start(n), w0)) (n <= 8: w0 the bytes, zero-filled) or
 * hash_end(hash_step(hash_step(hash_start(n), w0), w1)) (n <= 16), and hash_end() and
 * hash_step(h, .) are bijections of the 64-bit values (multiplications by odd constants,
 * xor with a shift of itself, xor with h), so the hash and the length tell w0 of a short
 * word, and the hash, the length and w0 tell w1 of a longer one. tests/unit/test_pipeline.c
 * inverts the hash to check it. The word's bytes are not read for the probe of a short
 * word, and for a longer one only the first eight, which lie inside it. */
#define MEMO_SLOTS 8192 /* the default: 256 KB, in the second-level cache */

struct memo_slot {
	uint64_t hash;  /* the word's hash_bytes() */
	uint64_t w0;    /* its first eight bytes when it has more than eight, else 0 */
	uint32_t gtok;  /* match_word() (side by side with tfeat, as in struct token: */
	uint32_t tfeat; /* one copy for both); topics_word(), 0 without a model */
	uint16_t lists; /* match_word() */
	uint8_t len;    /* 0: empty */
};

struct pipe_memo {
	const struct pipeline *p;
	size_t mask; /* slots - 1 */
	struct memo_slot *slot;
	bool large;  /* the matcher's lookups read tables beyond the caches (a large lexicon):
			the misses are looked up a chunk at a time, asked for ahead */
};

struct pipe_memo *pipe_memo_new(const struct pipeline *p, size_t slots)
{
	struct pipe_memo *m = xcalloc(1, sizeof *m);
	size_t n = 1;
	while (n < (slots ? slots : MEMO_SLOTS))
		n *= 2;
	m->p = p;
	m->mask = n - 1;
	m->slot = xcalloc(n, sizeof *m->slot);
	m->large = match_words_large(p->match);
	return m;
}

void pipe_memo_free(struct pipe_memo *m)
{
	if (!m)
		return;
	free(m->slot);
	free(m);
}

/* The lookups of one token, made anew. */
static void look_up(const struct pipeline *p, const char *s, size_t n, struct token *t)
{
	match_word(p->match, s, n, t->hash, &t->lists, &t->gtok);
	t->tfeat = p->model ? topics_word(p->model, s, n, t->hash) : 0;
}

/* A miss of the memo: the lookups of token t (whose word is s[0..n), w0 its first eight
 * bytes when it has more, else 0) made anew, and kept in the slot sl. Not inlined, so that
 * the loop of memo_tokens() keeps its state in registers. */
static __attribute__((noinline)) void memo_miss(const struct pipeline *p, struct memo_slot *sl,
						const char *s, size_t n, uint64_t w0, struct token *t)
{
	look_up(p, s, n, t);
	sl->hash = t->hash;
	sl->w0 = w0;
	sl->len = (uint8_t)n;
	sl->lists = t->lists;
	sl->gtok = t->gtok;
	sl->tfeat = t->tfeat;
}

/* Fill lists, gtok and tfeat of token t (not a hyphen: no stage looks those up) from the
 * memo's slots (mask: their number - 1), or anew. */
static inline void memo_token(const struct pipeline *p, struct memo_slot *slot, size_t mask,
			      const char *text, struct token *t)
{
	const size_t ns = t->nstart;
	const size_t n = t->nend - ns;
	const uint64_t h = t->hash;
	uint64_t w0 = 0;
	if (n > sizeof w0) {
		if (n > PIPE_MEMO_WORD) {
			look_up(p, text + ns, n, t);
			return;
		}
		memcpy(&w0, text + ns, sizeof w0);
	}
	struct memo_slot *sl = &slot[h & mask];
	/* one test for the three: the hash, the first eight bytes and the length */
	if (!((sl->hash ^ h) | (sl->w0 ^ w0) | (uint64_t)(sl->len ^ n))) {
		t->lists = sl->lists;
		t->gtok = sl->gtok;
		t->tfeat = sl->tfeat;
		return;
	}
	memo_miss(p, sl, text + ns, n, w0, t);
}

/* Does the memo hold the lookups of token t's word? (memo_token()'s test, alone.) Then
 * fill lists, gtok and tfeat of t from it. */
static inline bool memo_hit(const struct memo_slot *slot, size_t mask, const char *text,
			    struct token *t)
{
	const size_t n = t->nend - t->nstart;
	uint64_t w0 = 0;
	if (n > sizeof w0) {
		if (n > PIPE_MEMO_WORD)
			return false;
		memcpy(&w0, text + t->nstart, sizeof w0);
	}
	const struct memo_slot *sl = &slot[t->hash & mask];
	if ((sl->hash ^ t->hash) | (sl->w0 ^ w0) | (uint64_t)(sl->len ^ n))
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
	struct memo_slot *const slot = m->slot;
	const size_t mask = m->mask;
	const char *const text = nt->s;
	struct token *const end = tl->v + tl->n;
	struct token *miss[MEMO_CHUNK];
	for (struct token *t = tl->v; t < end;) {
		size_t k = 0;
		for (; t < end && k < MEMO_CHUNK; t++) {
			if (t->kind == TOK_HYPHEN)
				continue;
			if (!memo_hit(slot, mask, text, t)) {
				miss[k++] = t;
				match_word_prefetch(p->match, t->hash, 0);
			}
		}
		for (int stage = 1; stage < MATCH_PREFETCH_STAGES; stage++)
			for (size_t i = 0; i < k; i++)
				match_word_prefetch(p->match, miss[i]->hash, stage);
		for (size_t i = 0; i < k; i++)
			memo_token(p, slot, mask, text, miss[i]);
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
	/* in locals: the stores to the tokens and slots may not reload them */
	struct memo_slot *const slot = m->slot;
	const size_t mask = m->mask;
	const char *const text = nt->s;
	struct token *const end = tl->v + tl->n;
	for (struct token *t = tl->v; t < end; t++)
		if (t->kind != TOK_HYPHEN)
			memo_token(p, slot, mask, text, t);
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
