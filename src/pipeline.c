/* pipeline: the stages in order; the only place that knows their order. */
#include "pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The memo: a direct-mapped table indexed by the token's hash. A slot holds the word itself
 * (zero-padded) with its length, so a hit is an exact match, never a hash collision. */
#define MEMO_SLOTS 8192 /* the default: 256 KB, in the second-level cache */

struct memo_slot {
	uint64_t w[2];  /* the word's bytes, zero-padded */
	uint32_t gtok;  /* match_word() */
	uint32_t tfeat; /* topics_word(), 0 without a model */
	uint16_t lists; /* match_word() */
	uint8_t len;    /* 0: empty */
};

struct pipe_memo {
	const struct pipeline *p;
	size_t mask; /* slots - 1 */
	struct memo_slot *slot;
};

/* keep[n][k]: the bytes of word k (of two) that a word of n bytes covers, as a mask (the
 * words read as they lie in memory, whatever the byte order). */
static uint64_t keep[PIPE_MEMO_WORD + 1][2];

static void keep_init(void)
{
	for (size_t n = 0; n <= PIPE_MEMO_WORD; n++) {
		unsigned char b[2 * sizeof(uint64_t)] = {0};
		memset(b, 0xFF, n);
		memcpy(keep[n], b, sizeof b);
	}
}

struct pipe_memo *pipe_memo_new(const struct pipeline *p, size_t slots)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, keep_init);
	struct pipe_memo *m = xcalloc(1, sizeof *m);
	size_t n = 1;
	while (n < (slots ? slots : MEMO_SLOTS))
		n *= 2;
	m->p = p;
	m->mask = n - 1;
	m->slot = xcalloc(n, sizeof *m->slot);
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

/* Fill lists, gtok and tfeat of token t (not a hyphen: no stage looks those up) from the
 * memo's slots (mask: their number - 1), or anew. whole: the token's word is followed by 16
 * bytes of the text or its NUL, which may be read. Inline in both loops of memo_tokens(),
 * whole a constant in each. */
static inline __attribute__((always_inline)) void
memo_token(const struct pipeline *p, struct memo_slot *slot, size_t mask, const char *text,
	   struct token *t, bool whole)
{
	const size_t ns = t->nstart;
	const char *s = text + ns;
	size_t n = t->nend - ns;
	if (n > PIPE_MEMO_WORD) {
		look_up(p, s, n, t);
		return;
	}
	uint64_t w0, w1;
	if (whole) {
		/* whole loads, then the bytes past the word masked off */
		memcpy(&w0, s, sizeof w0);
		memcpy(&w1, s + sizeof w0, sizeof w1);
		w0 &= keep[n][0];
		w1 &= keep[n][1];
	} else {
		uint64_t w[2] = {0, 0};
		memcpy(w, s, n);
		w0 = w[0];
		w1 = w[1];
	}
	struct memo_slot *sl = &slot[t->hash & mask];
	/* one test for the three: the word's bytes and its length */
	if (!((sl->w[0] ^ w0) | (sl->w[1] ^ w1) | (uint64_t)(sl->len ^ n))) {
		t->lists = sl->lists;
		t->gtok = sl->gtok;
		t->tfeat = sl->tfeat;
		return;
	}
	look_up(p, s, n, t);
	sl->w[0] = w0;
	sl->w[1] = w1;
	sl->len = (uint8_t)n;
	sl->lists = t->lists;
	sl->gtok = t->gtok;
	sl->tfeat = t->tfeat;
}

/* Fill lists, gtok and tfeat of every token but hyphens. */
static void memo_tokens(struct pipe_memo *m, const struct norm_text *nt, struct tok_list *tl)
{
	const struct pipeline *p = m->p;
	const char *text = nt->s; /* NUL at text[nt->len] */
	/* a word starting before whole is followed by 16 bytes of the text and its NUL; the
	 * tokens from mid on (the last few) start at or after it: one test per record, not one
	 * per token */
	const size_t whole = nt->len + 1 >= 2 * sizeof(uint64_t) ? nt->len + 2 - 2 * sizeof(uint64_t) : 0;
	struct memo_slot *const slot = m->slot; /* (in locals: the stores to the tokens and */
	const size_t mask = m->mask;            /* slots may not reload them) */
	struct token *const v = tl->v;
	size_t mid = tl->n;
	while (mid > 0 && v[mid - 1].nstart >= whole)
		mid--;
	for (size_t i = 0; i < mid; i++)
		if (v[i].kind != TOK_HYPHEN)
			memo_token(p, slot, mask, text, &v[i], true);
	for (size_t i = mid; i < tl->n; i++)
		if (v[i].kind != TOK_HYPHEN)
			memo_token(p, slot, mask, text, &v[i], false);
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
	if (memo && memo->p == p)
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
