/* gazetteer: lexicon TSV -> entities + token trie.
 *
 * Tokens of forms are interned in one string table (token string -> token id); trie edges
 * live in one open-addressing hash keyed by (node, token id), so a step is one probe and
 * the walk's speed does not depend on the number of entries. All strings are kept in a
 * pool arena that lives as long as the gazetteer; nothing is freed one by one; the forms'
 * texts in one growing buffer, referred to by offset.
 *
 * A gazetteer loaded from a compiled image is a view: the token and id tables, forms, trie
 * nodes and edges are the image's own records, read from the mapping, so loading costs one
 * checksum pass and a bounds check of every record, and memory is the mapped file. Entity
 * records (pointers into the image's pool) are built on first use, one per entity, guarded
 * by an atomic state byte so that threads can share the view. Adding lexicon files to a
 * view first thaws it: every table is copied into the in-memory form, but for the entities,
 * which are still built on first use (the state bytes stay). */
#include "gazetteer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "normalize.h"
#include "tokenize.h"

struct strent {
	uint64_t hash;
	const char *s;
	uint32_t len;
	uint32_t val;
};

/* An image's string-table record: off 0 marks an empty slot (the pool starts with a NUL);
 * hash is the upper half of hash_bytes(), whose lower bits give the slot. */
struct strent_d {
	uint32_t hash, off, len, val;
};

struct ent_d { uint32_t id, type, name, country, group, attr0, nattrs, pad; };
/* An image's byte per token: gaz_first_name(), and gaz_token_root() shifted left by one,
 * so that a view answers both from one byte rather than from the roots and their nodes,
 * which lie far apart in a large image. */
enum { TOKB_FIRST = 1 };

struct attr_d { uint32_t key, val; };

struct strtab {
	struct strent *v;
	size_t n, cap; /* cap a power of two */
	const struct strent_d *dv; /* a view's table (then v is NULL), strings in dpool */
	const char *dpool;
	bool filtered;    /* keep a bloom filter in front of the table (the token table) */
	uint64_t *bloom;  /* two bits per string in one 64-bit word, 8 bits a slot: most words
			     of a text are in no lexicon and stop here, in a bitmap that stays
			     in cache */
	size_t bloom_mask; /* its number of words - 1 */
};

struct edge {
	uint64_t key; /* (node << 32 | tok) + 1, 0 = empty */
	uint32_t child;
	uint32_t pad;
};

struct node {
	uint32_t first, last; /* forms */
};

struct gazetteer {
	struct arena pool;
	const char *ltype;      /* while a file loads: the type of the last entity added, */
	uint64_t ltypeh;        /* and its hash */
	char *strs;             /* the pool's block of strings being filled, strleft bytes free */
	size_t strleft;
	struct arena scratch;   /* a form's normalized text and tokens while it is added */
	struct strtab tokens;   /* token string -> token id */
	struct strtab ids;      /* entity id -> entity index */
	struct strtab types;    /* type name -> 1 */
	struct entity *ents;
	size_t nents, capents;
	struct gaz_form *forms;
	size_t nforms, capforms;
	struct node *nodes;
	size_t nnodes, capnodes;
	struct edge *edges;
	size_t nedges, capedges;
	uint32_t *roots;     /* token id -> child of the root or GAZ_NONE: the first step of
				every walk, without the edge table (nroots of them, heap) */
	size_t nroots;
	struct buf ftext;    /* the forms' texts, NUL-terminated, at the forms' offsets */
	size_t warnings;
	/* a compiled image the strings of the image's part live in (mmap), or NULL */
	void *map;
	size_t maplen;
	/* a view of the image (see above): forms, nodes and edges point into the map */
	bool view;
	const char *vpool;   /* the image's pool: form texts and entity strings */
	uint64_t vpoollen;
	const struct ent_d *vents;
	_Atomic unsigned char *vstate; /* per entity: 0 not built, 1 being built, 2 built;
					  kept when a view is thawed (capents of them) */
	size_t vntok, vnforms;         /* a thawed view's: the image's tokens and forms */
	const uint8_t *vfirsts;        /* the image's byte per token: TOKB_ bits */
	const uint64_t *efilt; /* a view's filter of its edges (see edge_find()), or NULL */
	size_t efilt_mask;     /* its number of words - 1 */
	const char **attrv;  /* attribute pointers of the image's entities, one block */
	size_t nattrv;
	uint8_t *firsts;     /* token id -> 1 when it starts a person's full name (on demand) */
	size_t nfirsts;
	int8_t large;        /* gaz_set_large(): 0 by the tables' sizes, 1 always, -1 never */
};

/* Strings are packed one after the other in blocks of the pool (not aligned as the arena's
 * allocations are): ids, names and tokens are short, and a large lexicon has millions. */
#define STR_BLOCK ((size_t)4 << 20)
static const char *pool_strndup(gazetteer *g, const char *s, size_t n)
{
	if (g->strleft < n + 1) {
		size_t size = n + 1 > STR_BLOCK / 4 ? n + 1 : STR_BLOCK;
		char *b = arena_alloc(&g->pool, size);
		if (size != STR_BLOCK) { /* a long string of its own: the block goes on */
			memcpy(b, s, n);
			b[n] = '\0';
			return b;
		}
		g->strs = b;
		g->strleft = size;
	}
	char *p = g->strs;
	memcpy(p, s, n);
	p[n] = '\0';
	g->strs += n + 1;
	g->strleft -= n + 1;
	return p;
}

/* The filter's word and its two bits for a string whose hash_bytes() is h. Only the
 * upper half of h is used: an image's table keeps no more of it. */
static inline uint64_t *bloom_word(const struct strtab *t, uint64_t h, uint64_t *bits)
{
	uint32_t hh = (uint32_t)(h >> 32);
	*bits = ((uint64_t)1 << ((hh >> 20) & 63)) | ((uint64_t)1 << (hh >> 26));
	return &t->bloom[hh & t->bloom_mask];
}

static inline void bloom_add(struct strtab *t, uint64_t h)
{
	uint64_t bits;
	*bloom_word(t, h, &bits) |= bits;
}

/* May the table hold a string whose hash_bytes() is h? (No false "no".) */
static inline bool bloom_may(const struct strtab *t, uint64_t h)
{
	uint64_t bits;
	return (*bloom_word(t, h, &bits) & bits) == bits;
}

/* (Re)build the filter of a filtered table from its entries: a word a slot. */
static void bloom_build(struct strtab *t)
{
	free(t->bloom);
	t->bloom = NULL;
	if (!t->filtered || !t->cap)
		return;
	size_t words = t->cap >= 8 ? t->cap / 8 : 1; /* cap: a power of two */
	t->bloom_mask = words - 1;
	t->bloom = xcalloc(words, sizeof *t->bloom);
	for (size_t i = 0; i < t->cap; i++) {
		if (t->dv && t->dv[i].off)
			bloom_add(t, (uint64_t)t->dv[i].hash << 32);
		else if (!t->dv && t->v[i].s)
			bloom_add(t, t->v[i].hash);
	}
}

static struct strent *st_find(struct strtab *t, const char *s, size_t n, uint64_t h)
{
	if (!t->cap)
		return NULL;
	size_t mask = t->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct strent *e = &t->v[i];
		if (!e->s)
			return e;
		if (e->hash == h && e->len == n && same_bytes(e->s, s, n))
			return e;
	}
}

static void st_grow(struct strtab *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 1024;
	struct strent *nv = xcalloc(ncap, sizeof *nv);
	for (size_t i = 0; i < t->cap; i++) {
		struct strent *e = &t->v[i];
		if (!e->s)
			continue;
		size_t j = e->hash & (ncap - 1);
		while (nv[j].s)
			j = (j + 1) & (ncap - 1);
		nv[j] = *e;
	}
	free(t->v);
	t->v = nv;
	t->cap = ncap;
	bloom_build(t);
}

/* Does adding a string to t grow it first? */
static inline bool st_full(const struct strtab *t)
{
	return (t->n + 1) * 4 >= t->cap * 3;
}

/* Add s (hash h) at e, what st_find() gave for it, unless e holds it already. */
static struct strent *st_put(gazetteer *g, struct strtab *t, struct strent *e, const char *s,
			     size_t n, uint64_t h, bool *added)
{
	*added = !e->s;
	if (!e->s) {
		e->s = pool_strndup(g, s, n);
		e->len = (uint32_t)n;
		e->hash = h;
		e->val = (uint32_t)t->n;
		t->n++;
		if (t->bloom)
			bloom_add(t, h);
	}
	return e;
}

/* Find or add s, whose hash_bytes() is h; *added tells which. Returns the entry (valid
 * until the next insert). */
static struct strent *st_intern_h(gazetteer *g, struct strtab *t, const char *s, size_t n,
				  uint64_t h, bool *added)
{
	if (st_full(t))
		st_grow(t);
	return st_put(g, t, st_find(t, s, n, h), s, n, h, added);
}

static struct strent *st_intern(gazetteer *g, struct strtab *t, const char *s, size_t n,
				bool *added)
{
	return st_intern_h(g, t, s, n, hash_bytes(s, n), added);
}

static const struct strent *st_get(const struct strtab *t, const char *s, size_t n)
{
	return st_find((struct strtab *)t, s, n, hash_bytes(s, n));
}

gazetteer *gaz_new(void)
{
	gazetteer *g = xcalloc(1, sizeof *g);
	arena_init(&g->pool);
	arena_init(&g->scratch);
	g->capnodes = 1024;
	g->nodes = xmalloc(g->capnodes * sizeof *g->nodes);
	g->nodes[0].first = g->nodes[0].last = GAZ_NONE;
	g->nnodes = 1;
	g->capedges = 1024;
	g->edges = xcalloc(g->capedges, sizeof *g->edges);
	buf_init(&g->ftext);
	g->tokens.filtered = true;
	return g;
}

/* Moved on when a view is freed or thawed: see the step cache, below. */
static _Atomic uint64_t step_epoch;

/* Do the entity's attribute arrays live in the image's shared block? */
static bool attr_shared(const gazetteer *g, const struct entity *e)
{
	return g->attrv && e->keys && e->keys >= g->attrv && e->keys < g->attrv + 2 * g->nattrv;
}

void gaz_free(gazetteer *g)
{
	if (!g)
		return;
	if (g->view) /* (the step caches may hold its answers) */
		atomic_fetch_add_explicit(&step_epoch, 1, memory_order_relaxed);
	for (size_t i = 0; !g->view && i < g->nents; i++) { /* a view's are all shared */
		/* a thawed view's entities never built have none (and their pages were never
		 * touched: not now either) */
		if (g->vstate && atomic_load_explicit(&g->vstate[i], memory_order_relaxed) != 2)
			continue;
		if (!attr_shared(g, &g->ents[i])) {
			free(g->ents[i].keys);
			free(g->ents[i].vals);
		}
	}
	free(g->attrv);
	free(g->firsts);
	free(g->vstate);
	if (!g->view) { /* a view's are the image's */
		free(g->roots);
		free(g->tokens.bloom);
		free(g->forms);
		free(g->nodes);
		free(g->edges);
	}
	if (g->map)
		munmap(g->map, g->maplen);
	free(g->ents);
	buf_clear(&g->ftext);
	free(g->tokens.v);
	free(g->ids.v);
	free(g->types.v);
	arena_clear(&g->pool);
	arena_clear(&g->scratch);
	free(g);
}

static inline uint64_t edge_key(uint32_t node, uint32_t tok)
{
	return (((uint64_t)node << 32) | tok) + 1;
}

/* Every bit of the key reaches the slot: the edges of one token from many nodes ("of",
 * "republic", a common first name) must not share a few slots. The slot is the hash's
 * lower bits, the edge filter's word and bits its upper ones. */
static inline uint64_t edge_hash(uint64_t key)
{
	uint64_t h = key * 0x9E3779B97F4A7C15ULL;
	h ^= h >> 32;
	h *= 0xD6E8FEB86659FD93ULL;
	h ^= h >> 32;
	return h;
}

static inline size_t edge_slot(uint64_t key, size_t mask)
{
	return (size_t)edge_hash(key) & mask;
}

/* The edge filter: two bits per edge in one 64-bit word, a word per eight slots of the
 * edge table (as the token filter). Nine steps in ten find no edge, and a miss in the
 * table, filled up to three quarters, probes some eight slots on average before it meets
 * an empty one; the filter answers most of them from one word. Only a view has one: it is
 * written into the image (gaz_save()), so that it costs nothing at load. */
static inline uint64_t efilt_bits(uint64_t h)
{
	return ((uint64_t)1 << (h >> 58)) | ((uint64_t)1 << ((h >> 52) & 63));
}

static inline size_t efilt_word(uint64_t h, size_t mask)
{
	return (size_t)(h >> 32) & mask;
}

/* May the view have an edge whose edge_hash() is h? (No false "no".) */
static inline bool efilt_may(const gazetteer *g, uint64_t h)
{
	const uint64_t bits = efilt_bits(h);
	return (g->efilt[efilt_word(h, g->efilt_mask)] & bits) == bits;
}

static void edges_grow(gazetteer *g)
{
	size_t ncap = g->capedges * 2;
	struct edge *nv = xcalloc(ncap, sizeof *nv);
	for (size_t i = 0; i < g->capedges; i++) {
		if (!g->edges[i].key)
			continue;
		size_t j = edge_slot(g->edges[i].key, ncap - 1);
		while (nv[j].key)
			j = (j + 1) & (ncap - 1);
		nv[j] = g->edges[i];
	}
	free(g->edges);
	g->edges = nv;
	g->capedges = ncap;
}

/* The child of node by tok in the edge table, or GAZ_NONE. */
static uint32_t edge_find(const gazetteer *g, uint32_t node, uint32_t tok)
{
	uint64_t key = edge_key(node, tok), h = edge_hash(key);
	if (g->efilt && !efilt_may(g, h))
		return GAZ_NONE;
	size_t mask = g->capedges - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		if (g->edges[i].key == key)
			return g->edges[i].child;
		if (!g->edges[i].key)
			return GAZ_NONE;
	}
}

/* The step cache. The edge table of a large lexicon (a million forms: 32 MB) is far larger
 * than the caches, and nearly every probe of it waits for memory; yet a text asks for few
 * distinct steps, over and over ("Bank" then "of", a first name then the next word), and
 * most of them find no edge. So a thread keeps its last answers for a view of such a
 * lexicon (a view never changes) in a direct-mapped table that fits the second-level
 * cache: (node, tok) -> child or GAZ_NONE, node 0 marking an empty slot (the root's steps
 * are the roots table's). The table belongs to one gazetteer; a gazetteer freed or thawed
 * moves the epoch on, which empties every thread's table at its next use, so that a new
 * gazetteer at the same address never reads the old one's answers. Each thread frees its
 * own table when it ends. */
#define STEP_CACHE_SLOTS 32768 /* 384 KB */
#define STEP_CACHE_EDGES ((size_t)1 << 18) /* edge tables of 4 MB and more get one */

struct step_slot {
	uint32_t node, tok, child;
};

struct step_cache {
	const gazetteer *g;
	uint64_t epoch;
	struct step_slot v[STEP_CACHE_SLOTS];
};

static _Thread_local struct step_cache *step_tls;
static pthread_key_t step_key;
static pthread_once_t step_once = PTHREAD_ONCE_INIT;

static void step_key_init(void)
{
	if (pthread_key_create(&step_key, free) != 0)
		abort();
}

/* This thread's cache, emptied for g when it held another gazetteer's answers. */
static __attribute__((noinline)) struct step_cache *step_cache_for(const gazetteer *g,
								   uint64_t epoch)
{
	struct step_cache *c = step_tls;
	if (!c) {
		pthread_once(&step_once, step_key_init);
		c = xmalloc(sizeof *c);
		pthread_setspecific(step_key, c);
		step_tls = c;
	}
	memset(c->v, 0, sizeof c->v);
	c->g = g;
	c->epoch = epoch;
	return c;
}

/* Are g's steps cached? */
static inline bool step_cached(const gazetteer *g)
{
	return g->view && (g->large ? g->large > 0 : g->capedges >= STEP_CACHE_EDGES);
}

uint32_t gaz_step(const gazetteer *g, uint32_t node, uint32_t tok)
{
	if (node == 0)
		return tok < g->nroots ? g->roots[tok] : GAZ_NONE;
	if (!step_cached(g))
		return edge_find(g, node, tok);
	struct step_cache *c = step_tls;
	uint64_t epoch = atomic_load_explicit(&step_epoch, memory_order_relaxed);
	if (!c || c->g != g || c->epoch != epoch)
		c = step_cache_for(g, epoch);
	struct step_slot *sl = &c->v[edge_slot(edge_key(node, tok), STEP_CACHE_SLOTS - 1)];
	if (sl->node == node && sl->tok == tok)
		return sl->child;
	sl->node = node;
	sl->tok = tok;
	sl->child = edge_find(g, node, tok);
	return sl->child;
}

static uint32_t step_add(gazetteer *g, uint32_t node, uint32_t tok)
{
	uint32_t c = gaz_step(g, node, tok);
	if (c != GAZ_NONE)
		return c;
	if ((g->nedges + 1) * 4 >= g->capedges * 3)
		edges_grow(g);
	if (g->nnodes == g->capnodes) {
		g->capnodes *= 2;
		g->nodes = xrealloc(g->nodes, g->capnodes * sizeof *g->nodes);
	}
	c = (uint32_t)g->nnodes++;
	g->nodes[c].first = g->nodes[c].last = GAZ_NONE;
	uint64_t key = edge_key(node, tok);
	size_t mask = g->capedges - 1;
	size_t i = edge_slot(key, mask);
	while (g->edges[i].key)
		i = (i + 1) & mask;
	g->edges[i].key = key;
	g->edges[i].child = c;
	g->nedges++;
	if (node == 0) {
		if (tok >= g->nroots) {
			size_t nn = g->nroots ? g->nroots : 1024;
			while (nn <= tok)
				nn *= 2;
			g->roots = xrealloc(g->roots, nn * sizeof *g->roots);
			for (size_t k = g->nroots; k < nn; k++)
				g->roots[k] = GAZ_NONE;
			g->nroots = nn;
		}
		g->roots[tok] = c;
	}
	return c;
}

/* One probe of a table (a view's or the heap's) for hash h: the value of the entry that
 * holds s[0..n), or with s NULL of the first entry whose hash agrees with h, and in *where
 * (when not NULL) where its string lies; GAZ_NONE when there is none. With s NULL it reads
 * no string: a guess for a prefetch (st_guess()), never an answer. */
static inline uint32_t st_probe(const struct strtab *t, const char *s, size_t n, uint64_t h,
				const char **where)
{
	if (!t->cap)
		return GAZ_NONE;
	size_t mask = t->cap - 1;
	if (t->dv) {
		uint32_t hh = (uint32_t)(h >> 32);
		for (size_t i = h & mask;; i = (i + 1) & mask) {
			const struct strent_d *d = &t->dv[i];
			if (!d->off)
				return GAZ_NONE;
			if (d->hash == hh &&
			    (!s || (d->len == n && same_bytes(t->dpool + d->off, s, n)))) {
				if (where)
					*where = t->dpool + d->off;
				return d->val;
			}
		}
	}
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct strent *e = &t->v[i];
		if (!e->s)
			return GAZ_NONE;
		if (e->hash == h && (!s || (e->len == n && same_bytes(e->s, s, n)))) {
			if (where)
				*where = e->s;
			return e->val;
		}
	}
}

/* The value of s in a table (a view's or the heap's), or GAZ_NONE. */
static uint32_t st_value(const struct strtab *t, const char *s, size_t n, uint64_t h)
{
	return st_probe(t, s, n, h, NULL);
}

uint32_t gaz_token_h(const gazetteer *g, const char *s, size_t n, uint64_t h)
{
	if (g->tokens.bloom && !bloom_may(&g->tokens, h))
		return GAZ_NONE;
	return st_value(&g->tokens, s, n, h);
}

void gaz_step_prefetch(const gazetteer *g, uint32_t node, uint32_t tok, int stage)
{
	if (node == 0 || node == GAZ_NONE)
		return;
	const uint64_t key = edge_key(node, tok), h = edge_hash(key);
	const struct step_cache *c = step_tls;
	const struct step_slot *sl = NULL;
	if (c && c->g == g && step_cached(g)) /* (a table of another epoch costs time alone) */
		sl = &c->v[(size_t)h & (STEP_CACHE_SLOTS - 1)];
	/* stage 0: the cache's slot and the filter's word, or the edge when there are
	 * neither; stage 1: the edge, unless the slot has the answer or the filter says no */
	if (stage == 0) {
		if (sl)
			__builtin_prefetch(sl);
		if (g->efilt)
			__builtin_prefetch(&g->efilt[efilt_word(h, g->efilt_mask)]);
		if (sl || g->efilt)
			return;
	} else if (sl && sl->node == node && sl->tok == tok) {
		return;
	} else if (g->efilt ? !efilt_may(g, h) : !sl) {
		return;
	}
	__builtin_prefetch(&g->edges[(size_t)h & (g->capedges - 1)]);
}

/* Lookups in a large lexicon. Its tables (a million forms: the token filter 2 MB, the
 * token table 32 MB, the pool, the roots and the nodes) are larger than the caches, and a
 * token's lookup reads them one after the other, each read waiting for memory before the
 * next can start. A caller with many tokens to look up asks for them ahead in stages,
 * every token's stage before the next stage of any, so that the reads of all the tokens
 * wait for memory at once. */
#define LARGE_TOKENS ((size_t)1 << 18) /* token tables of 4 MB and more */

bool gaz_is_large(const gazetteer *g)
{
	return g->large ? g->large > 0 : g->tokens.cap >= LARGE_TOKENS;
}

void gaz_set_large(gazetteer *g, int large)
{
	g->large = (int8_t)(large > 0 ? 1 : large < 0 ? -1 : 0);
}

/* What a lookup of h will most likely find, and in *s where its string lies (see
 * st_probe()). */
static uint32_t st_guess(const struct strtab *t, uint64_t h, const char **s)
{
	return st_probe(t, NULL, 0, h, s);
}

void gaz_token_prefetch(const gazetteer *g, uint64_t h, int stage)
{
	const struct strtab *t = &g->tokens;
	if (!t->cap)
		return;
	if (stage == 0 && t->bloom) {
		uint64_t bits;
		__builtin_prefetch(bloom_word(t, h, &bits));
		return;
	}
	if (t->bloom && !bloom_may(t, h))
		return;
	if (stage <= 1) {
		size_t i = h & (t->cap - 1);
		__builtin_prefetch(t->dv ? (const void *)&t->dv[i] : (const void *)&t->v[i]);
		return;
	}
	const char *s;
	uint32_t tok = st_guess(t, h, &s);
	if (tok == GAZ_NONE || tok >= g->nroots)
		return;
	__builtin_prefetch(s);
	/* (a view's byte per token has the root's answer; a heap table's is two reads off) */
	__builtin_prefetch(g->view ? (const void *)&g->vfirsts[tok] : (const void *)&g->roots[tok]);
}

uint32_t gaz_root(const gazetteer *g)
{
	(void)g;
	return 0;
}

const uint32_t *gaz_roots(const gazetteer *g, size_t *n)
{
	*n = g->nroots;
	return g->roots;
}

uint32_t gaz_forms(const gazetteer *g, uint32_t node)
{
	return g->nodes[node].first;
}

const struct gaz_form *gaz_form(const gazetteer *g, uint32_t ix)
{
	return &g->forms[ix];
}

const char *gaz_form_text(const gazetteer *g, const struct gaz_form *f)
{
	return (g->view ? g->vpool : g->ftext.p) + f->text;
}

size_t gaz_entity_count(const gazetteer *g)
{
	return g->nents;
}

size_t gaz_form_count(const gazetteer *g)
{
	return g->nforms;
}

#define VSTR(g, o) ((o) == UINT32_MAX ? NULL : (g)->vpool + (o))

/* Fill e from the image's record ix (checked when the image was loaded). */
static void ent_from_image(const gazetteer *g, uint32_t ix, struct entity *e)
{
	const struct ent_d *d = &g->vents[ix];
	e->id = VSTR(g, d->id);
	e->type = VSTR(g, d->type);
	e->name = VSTR(g, d->name);
	e->country = VSTR(g, d->country);
	e->group = VSTR(g, d->group);
	e->nattrs = d->nattrs;
	e->id_hash = e->id ? hash_bytes(e->id, strlen(e->id)) : 0;
	e->type_hash = e->type ? hash_bytes(e->type, strlen(e->type)) : 0;
	e->keys = d->nattrs ? g->attrv + d->attr0 : NULL;
	e->vals = d->nattrs ? g->attrv + g->nattrv + d->attr0 : NULL;
}

const struct entity *gaz_entity(const gazetteer *g, uint32_t ix)
{
	struct entity *e = &g->ents[ix];
	if (!g->vstate)
		return e;
	_Atomic unsigned char *st = &g->vstate[ix];
	if (atomic_load_explicit(st, memory_order_acquire) == 2)
		return e;
	unsigned char expect = 0;
	if (atomic_compare_exchange_strong_explicit(st, &expect, 1, memory_order_acquire,
						    memory_order_acquire)) {
		ent_from_image(g, ix, e);
		atomic_store_explicit(st, 2, memory_order_release);
		return e;
	}
	while (atomic_load_explicit(st, memory_order_acquire) != 2)
		sched_yield(); /* another thread is filling it in: a few stores */
	return e;
}

/* The entity ix to change, built first when the image's (the loading thread's alone). */
static struct entity *ent_mut(gazetteer *g, uint32_t ix)
{
	gaz_entity(g, ix);
	return &g->ents[ix];
}

const struct entity *gaz_find(const gazetteer *g, const char *id)
{
	size_t n = strlen(id);
	uint32_t ix = st_value(&g->ids, id, n, hash_bytes(id, n));
	return ix == GAZ_NONE ? NULL : gaz_entity(g, ix);
}

size_t gaz_warnings(const gazetteer *g)
{
	return g->warnings;
}

const char *gaz_type(const gazetteer *g, const char *name)
{
	const struct strent *e = st_get(&g->types, name, strlen(name));
	return e && e->s ? e->s : NULL;
}

const char *gaz_intern_type(gazetteer *g, const char *name)
{
	bool added;
	return st_intern(g, &g->types, name, strlen(name), &added)->s;
}

static const char *const kind_names[KIND_NKINDS] = {"name", "abbreviation", "demonym", "alias",
						     "partial"};

const char *gaz_kind_name(int kind)
{
	return kind >= 0 && kind < KIND_NKINDS ? kind_names[kind] : "name";
}

/* ---- parsing ---- */

static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		uint64_t w;
		if (i + 8 <= n && (memcpy(&w, p + i, 8), !(w & 0x8080808080808080ULL))) {
			i += 8; /* eight ASCII bytes */
			continue;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		if (l <= 0)
			return false;
		i += (size_t)l;
	}
	return true;
}

static bool valid_type(const char *s)
{
	if (!(*s >= 'A' && *s <= 'Z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* "<lower type>:<key>", key of [A-Za-z0-9._-]. */
static bool valid_id(const char *id, const char *type)
{
	size_t i = 0;
	for (; type[i]; i++) {
		char c = type[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (id[i] != c)
			return false;
	}
	if (id[i++] != ':' || !id[i])
		return false;
	for (; id[i]; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

static void warn(gazetteer *g, FILE *check, const char *path, long line, const char *fmt,
		 const char *a, const char *b)
{
	g->warnings++;
	if (!check)
		return;
	fprintf(check, "%s:%ld: ", path, line);
	fprintf(check, fmt, a, b);
	fputc('\n', check);
}

static int add_attrs(gazetteer *g, uint32_t ix, char *attrs, const char *path, long line,
		     struct err *err)
{
	if (strcmp(attrs, "-") == 0 || !*attrs)
		return 0;
	struct entity *en = ent_mut(g, ix);
	char *save = NULL;
	for (char *kv = strtok_r(attrs, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq || eq == kv)
			return err_set(err, ERR_SYNTAX, path, line,
				       "attribute '%s' is not key=value", kv);
		*eq = '\0';
		const char *key = kv, *val = eq + 1;
		size_t k;
		for (k = 0; k < en->nattrs; k++)
			if (strcmp(en->keys[k], key) == 0)
				break;
		if (k < en->nattrs)
			continue; /* first value wins; lexicon check reports conflicts */
		if (attr_shared(g, en)) { /* an image's entity gets attributes of its own */
			const char **k2 = xmalloc((en->nattrs + 1) * sizeof *k2);
			const char **v2 = xmalloc((en->nattrs + 1) * sizeof *v2);
			memcpy(k2, en->keys, en->nattrs * sizeof *k2);
			memcpy(v2, en->vals, en->nattrs * sizeof *v2);
			en->keys = k2;
			en->vals = v2;
		}
		en->keys = xrealloc(en->keys, (en->nattrs + 1) * sizeof *en->keys);
		en->vals = xrealloc(en->vals, (en->nattrs + 1) * sizeof *en->vals);
		en->keys[en->nattrs] = pool_strndup(g, key, strlen(key));
		en->vals[en->nattrs] = pool_strndup(g, val, strlen(val));
		if (strcmp(key, "country") == 0)
			en->country = en->vals[en->nattrs];
		else if (strcmp(key, "group") == 0)
			en->group = en->vals[en->nattrs];
		en->nattrs++;
	}
	return 0;
}

static int parse_flags(char *s, uint16_t *flags)
{
	*flags = 0;
	if (strcmp(s, "-") == 0 || !*s)
		return 0;
	char *save = NULL;
	for (char *f = strtok_r(s, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		if (strcmp(f, "ambiguous") == 0)
			*flags |= GAZF_AMBIGUOUS;
		else if (strcmp(f, "historical") == 0)
			*flags |= GAZF_HISTORICAL;
		else if (strcmp(f, "block") == 0)
			*flags |= GAZF_BLOCK;
		else if (strcmp(f, "state") == 0)
			*flags |= GAZF_STATE;
		else if (strncmp(f, "lang:", 5) == 0 && f[5])
			*flags |= GAZF_LANG;
		else
			return -1;
	}
	return 0;
}

/* ---- loading ----
 *
 * A lexicon file is read in chunks of whole lines and taken in two stages. The first,
 * prep_line(), depends on the line alone: it checks the bytes and the columns, parses the
 * kind, case and flags, normalizes and tokenizes the form and takes the hashes of the id
 * and of the tokens. The second, add_line(), changes the tables, line after line in file
 * order, doing what loading one line at a time did: the ids, entity, token and trie node
 * numbers, the check warnings and the first error (a line's own errors come before any of
 * its changes) are the same. Between the two, the lines a window ahead are looked up
 * without changing anything, to prefetch the table slots, strings and trie edges that the
 * second stage will read: the tables are too large for the caches, and a line's misses,
 * one after the other, were most of the time. What is found ahead is a hint for the
 * prefetch only: a wrong or stale one costs a miss, never a result. The first stage runs
 * on a thread of its own, up to three chunks ahead; it touches nothing of the gazetteer,
 * so what it does is the same whenever it runs, and without the thread (pthread_create()
 * failing) the two stages take turns. Every form goes through the normalizer and the
 * tokenizer, as the text it is matched against does: the first stage is not what bounds a
 * load (a separate path for ASCII forms was tried and gave nothing). */

struct ptok {        /* a token of a form (hyphens aside) */
	uint32_t off;  /* its normalized bytes: the chunk's tbytes at off */
	uint32_t len;
	uint64_t hash; /* hash_bytes() of its bytes */
	uint32_t hint; /* its token id as found ahead, GAZ_NONE: none */
};

struct pline {
	long lineno;
	char *form, *id, *type, *name, *attrs;
	size_t formlen, idlen, typelen;
	uint64_t idhash, typehash;
	uint32_t tok0, ntok; /* its tokens: the chunk's toks[tok0 .. tok0 + ntok) */
	uint32_t first;      /* index among them of the first plain word, or UINT32_MAX */
	struct gaz_form f;   /* kind, case and flags */
};

/* Whole lines of a file, and the first stage's result for each. */
struct chunk {
	char *buf;
	size_t len, cap;
	struct pline *lines;
	size_t n, caplines;
	struct ptok *toks;
	size_t ntoks, captoks;
	struct buf tbytes; /* the tokens' normalized bytes, one after the other */
	struct arena a;    /* a form's normalized text and tokens while it is split */
	int rc;         /* 0, or the error that ends the file after lines[0..n) */
	struct err err;
	bool end;       /* the last chunk of the file */
};

struct lreader {
	FILE *fp;
	const char *path;
	long lineno;
	char *carry; /* the start of a line not ended in the last read */
	size_t ncarry, capcarry;
	bool eof;
};

#define CHUNK_BYTES ((size_t)256 << 10)

static void chunk_init(struct chunk *c)
{
	memset(c, 0, sizeof *c);
	buf_init(&c->tbytes);
	arena_init(&c->a);
}

static void chunk_clear(struct chunk *c)
{
	free(c->buf);
	free(c->lines);
	free(c->toks);
	buf_clear(&c->tbytes);
	arena_clear(&c->a);
}

/* The tokens of the form text (n bytes) in c->toks, and *first. Returns their number. */
static uint32_t form_tokens(struct chunk *c, const char *text, size_t n, uint32_t *first)
{
	struct norm_text nt;
	struct tok_list tl;
	arena_reset(&c->a);
	norm_text(&c->a, text, n, &nt);
	tok_split(&c->a, &nt, text, &tl);
	uint32_t used = 0;
	*first = UINT32_MAX;
	for (size_t i = 0; i < tl.n; i++) {
		const struct token *t = &tl.v[i];
		if (t->kind == TOK_HYPHEN)
			continue;
		if (c->ntoks == c->captoks) {
			c->captoks = c->captoks ? c->captoks * 2 : 4096;
			c->toks = xrealloc(c->toks, c->captoks * sizeof *c->toks);
		}
		struct ptok *p = &c->toks[c->ntoks++];
		p->off = (uint32_t)c->tbytes.len;
		p->len = t->nend - t->nstart;
		buf_add(&c->tbytes, nt.s + t->nstart, p->len);
		p->hash = t->hash;
		p->hint = GAZ_NONE;
		if (*first == UINT32_MAX && t->kind == TOK_WORD && !(t->flags & TOKF_DOTTED))
			*first = used;
		used++;
	}
	return used;
}

/* The first stage for one line (len bytes, NUL-terminated, writable): its errors in
 * c->err, else the line in c->lines. Returns 0 or a negative ERR_*. */
static int prep_line(struct chunk *c, char *line, size_t len, const char *path, long lineno)
{
	struct err *err = &c->err;
	if (memchr(line, '\0', len))
		return err_set(err, ERR_SYNTAX, path, lineno, "NUL byte in line");
	if (!valid_utf8(line, len))
		return err_set(err, ERR_SYNTAX, path, lineno, "invalid UTF-8");
	char *col[8];
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == 8)
			return err_set(err, ERR_SYNTAX, path, lineno,
				       "more than 8 tab-separated columns");
		col[n++] = p;
		char *tab = strchr(p, '\t');
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	if (n != 8)
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "expected 8 tab-separated columns (form id type name kind case "
			       "flags attrs), found %d",
			       n);
	for (int i = 0; i < 8; i++)
		if (!*col[i])
			return err_set(err, ERR_SYNTAX, path, lineno, "column %d is empty", i + 1);
	const char *id = col[1], *type = col[2];
	if (!valid_type(type))
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "type '%s' is not an upper-case name such as COUNTRY", type);
	if (!valid_id(id, type))
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "id '%s' is not of the form <type>:<key> for type %s", id, type);
	struct gaz_form f = {0};
	int k;
	for (k = 0; k < KIND_NKINDS; k++)
		if (strcmp(col[4], kind_names[k]) == 0)
			break;
	if (k == KIND_NKINDS)
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "unknown kind '%s' (name, abbreviation, demonym, alias, partial)",
			       col[4]);
	f.kind = (uint8_t)k;
	if (strcmp(col[5], "fold") == 0)
		f.casep = CASE_FOLD;
	else if (strcmp(col[5], "exact") == 0)
		f.casep = CASE_EXACT;
	else
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "unknown case policy '%s' (exact, fold)", col[5]);
	if (parse_flags(col[6], &f.flags) < 0)
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "unknown flag in '%s' (ambiguous, historical, block, state, lang:CODE)", col[6]);
	if (c->n == c->caplines) {
		c->caplines = c->caplines ? c->caplines * 2 : 1024;
		c->lines = xrealloc(c->lines, c->caplines * sizeof *c->lines);
	}
	struct pline *pl = &c->lines[c->n++];
	pl->lineno = lineno;
	pl->form = col[0];
	pl->id = col[1];
	pl->type = col[2];
	pl->name = col[3];
	pl->attrs = col[7];
	pl->f = f;
	pl->formlen = strlen(pl->form);
	pl->idlen = strlen(pl->id);
	pl->idhash = hash_bytes(pl->id, pl->idlen);
	pl->typelen = strlen(pl->type);
	pl->typehash = hash_bytes(pl->type, pl->typelen);
	pl->tok0 = (uint32_t)c->ntoks;
	pl->ntok = form_tokens(c, pl->form, pl->formlen, &pl->first);
	return 0;
}

/* Read the next chunk of whole lines into c and take them through the first stage, with
 * the rules of read_lines(): line ends (LF, CRLF) stripped, a byte order mark on line 1
 * skipped, blank lines and '#' lines skipped. c->end is set at the end of the file or at
 * the first error (c->rc), read errors included. */
static void read_chunk(struct lreader *r, struct chunk *c)
{
	c->len = c->n = c->ntoks = c->tbytes.len = 0;
	c->rc = 0;
	c->end = false;
	if (c->cap < CHUNK_BYTES + 1) {
		c->cap = CHUNK_BYTES + 1;
		c->buf = xrealloc(c->buf, c->cap);
	}
	if (r->ncarry + CHUNK_BYTES + 1 > c->cap) {
		c->cap = r->ncarry + CHUNK_BYTES + 1;
		c->buf = xrealloc(c->buf, c->cap);
	}
	if (r->ncarry)
		memcpy(c->buf, r->carry, r->ncarry);
	c->len = r->ncarry;
	r->ncarry = 0;
	/* read until the chunk holds a line end, or the file ends */
	size_t scan = 0;
	char *nl = NULL;
	for (;;) {
		if (!r->eof) {
			size_t got = fread(c->buf + c->len, 1, c->cap - 1 - c->len, r->fp);
			c->len += got;
			if (got == 0 || c->len < c->cap - 1) {
				if (ferror(r->fp)) {
					c->rc = err_set(&c->err, ERR_IO, r->path, 0, "read error: %s",
							strerror(errno));
					/* the lines read whole before the error are taken */
				}
				r->eof = true;
			}
		}
		for (char *q = c->buf + c->len; q > c->buf + scan;) {
			if (*--q == '\n') {
				nl = q;
				break;
			}
		}
		if (nl || r->eof)
			break;
		scan = c->len;
		c->cap *= 2;
		c->buf = xrealloc(c->buf, c->cap);
	}
	size_t whole = nl ? (size_t)(nl - c->buf) + 1 : 0;
	if (r->eof) {
		c->end = true;
		if (!c->rc)
			whole = c->len; /* the last line, without a line end */
	} else if (c->len > whole) { /* a line that goes on in the next chunk */
		size_t rest = c->len - whole;
		if (rest > r->capcarry) {
			r->capcarry = rest;
			r->carry = xrealloc(r->carry, r->capcarry);
		}
		memcpy(r->carry, c->buf + whole, rest);
		r->ncarry = rest;
	}
	char *p = c->buf, *end = c->buf + whole;
	while (p < end) {
		char *e = memchr(p, '\n', (size_t)(end - p));
		char *next = e ? e + 1 : end;
		size_t len = (size_t)((e ? e : end) - p);
		r->lineno++;
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		p[len] = '\0'; /* on the line end, or on the byte after the chunk's last */
		char *line = p;
		p = next;
		if (r->lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
			line += 3;
			len -= 3;
		}
		if (len == 0 || line[0] == '#')
			continue;
		int rc = prep_line(c, line, len, r->path, r->lineno);
		if (rc < 0) {
			c->rc = rc;
			c->end = true;
			return;
		}
	}
}

/* The entity of the line's id, added when new. */
static uint32_t entity_get(gazetteer *g, const struct pline *pl, struct strent *slot,
			   FILE *check, const char *path)
{
	bool added;
	/* slot: st_find() of the id, still right unless the table grows first */
	struct strent *e = slot && !st_full(&g->ids)
				   ? st_put(g, &g->ids, slot, pl->id, pl->idlen, pl->idhash, &added)
				   : st_intern_h(g, &g->ids, pl->id, pl->idlen, pl->idhash, &added);
	if (!added) {
		const struct entity *en = gaz_entity(g, e->val);
		if (strcmp(en->name, pl->name) != 0)
			warn(g, check, path, pl->lineno, "name '%s' differs from '%s' given before",
			     pl->name, en->name);
		return e->val;
	}
	if (g->nents == g->capents) {
		g->capents = g->capents ? g->capents * 2 : 1024;
		g->ents = xrealloc(g->ents, g->capents * sizeof *g->ents);
		if (g->vstate)
			g->vstate = xrealloc(g->vstate, g->capents * sizeof *g->vstate);
	}
	if (g->vstate) /* built here */
		atomic_store_explicit(&g->vstate[g->nents], 2, memory_order_relaxed);
	struct entity *en = &g->ents[g->nents];
	memset(en, 0, sizeof *en);
	en->id = e->s;
	en->id_hash = pl->idhash;
	en->type_hash = pl->typehash;
	/* most lines have the type of the line before: interned already */
	if (g->ltype && g->ltypeh == pl->typehash && !st_full(&g->types) &&
	    strcmp(g->ltype, pl->type) == 0) {
		en->type = g->ltype;
	} else {
		bool tadded;
		en->type = st_intern_h(g, &g->types, pl->type, pl->typelen, pl->typehash,
				       &tadded)->s;
		g->ltype = en->type;
		g->ltypeh = pl->typehash;
	}
	en->name = pool_strndup(g, pl->name, strlen(pl->name));
	return (uint32_t)g->nents++;
}

/* Add a form of f->entity, its tokens given, to the trie. Returns 0, or -1 when the form
 * has no token to match. */
static int add_form(gazetteer *g, const struct gaz_form *f, const struct pline *pl,
		    const struct ptok *toks, const char *tbytes, FILE *check, const char *path)
{
	const char *text = pl->form;
	long line = pl->lineno;
	uint32_t node = 0;
	uint32_t first = GAZ_NONE;
	for (uint32_t i = 0; i < pl->ntok; i++) {
		bool added;
		const struct ptok *t = &toks[i];
		uint32_t tok = st_intern_h(g, &g->tokens, tbytes + t->off, t->len, t->hash,
					   &added)->val;
		if (i == pl->first)
			first = tok;
		node = step_add(g, node, tok);
	}
	size_t used = pl->ntok;
	if (!used)
		return -1;
	/* duplicates and unmarked conflicts on the same node: one warning a line */
	for (uint32_t k = g->nodes[node].first; k != GAZ_NONE; k = g->forms[k].next) {
		const struct gaz_form *o = &g->forms[k];
		if (o->entity == f->entity) {
			if (o->kind == f->kind) {
				warn(g, check, path, line, "duplicate form '%s' of %s", text,
				     gaz_entity(g, f->entity)->id);
				break;
			}
			continue;
		}
		if (!(o->flags & GAZF_AMBIGUOUS) || !(f->flags & GAZF_AMBIGUOUS)) {
			warn(g, check, path, line,
			     "form '%s' also names %s: mark both lines ambiguous", text,
			     gaz_entity(g, o->entity)->id);
			break;
		}
	}
	if (g->nforms == g->capforms) {
		g->capforms = g->capforms ? g->capforms * 2 : 4096;
		g->forms = xrealloc(g->forms, g->capforms * sizeof *g->forms);
	}
	buf_add(&g->ftext, text, pl->formlen + 1);
	uint32_t ix = (uint32_t)g->nforms++;
	g->forms[ix] = *f;
	g->forms[ix].next = GAZ_NONE;
	g->forms[ix].first_tok = first;
	g->forms[ix].ntok = used > 255 ? 255 : (uint8_t)used;
	if (g->nodes[node].last == GAZ_NONE)
		g->nodes[node].first = ix;
	else
		g->forms[g->nodes[node].last].next = ix;
	g->nodes[node].last = ix;
	return 0;
}

/* The second stage for one line. Returns 0 or a negative ERR_* with *err filled in. */
static int add_line(gazetteer *g, const struct chunk *c, struct pline *pl, FILE *check,
		    const char *path, struct err *err)
{
	long lineno = pl->lineno;
	struct strent *ie = st_find(&g->ids, pl->id, pl->idlen, pl->idhash);
	if (ie && ie->s) {
		const struct entity *existing = gaz_entity(g, ie->val);
		if (strcmp(existing->type, pl->type) != 0)
			return err_set(err, ERR_SYNTAX, path, lineno,
				       "id '%s' was given type %s before", pl->id, existing->type);
	}
	struct gaz_form f = pl->f;
	f.entity = entity_get(g, pl, ie, check, path);
	int rc = add_attrs(g, f.entity, pl->attrs, path, lineno, err);
	if (rc)
		return rc;
	if (g->ftext.len + pl->formlen >= UINT32_MAX)
		return err_set(err, ERR_LIMIT, path, lineno, "more than 4 GB of forms");
	f.text = (uint32_t)g->ftext.len;
	if (add_form(g, &f, pl, c->toks + pl->tok0, c->tbytes.p, check, path) < 0)
		return err_set(err, ERR_SYNTAX, path, lineno, "form '%s' has nothing to match",
			       pl->form);
	return 0;
}

/* The hint passes, each over lines [from, to) of c (see above). */


/* 1: the slots of the id and of the tokens. */
static void hint_slots(const gazetteer *g, const struct chunk *c, size_t from, size_t to)
{
	size_t imask = g->ids.cap - 1, tmask = g->tokens.cap - 1;
	for (size_t i = from; i < to; i++) {
		const struct pline *pl = &c->lines[i];
		if (g->ids.cap)
			__builtin_prefetch(&g->ids.v[pl->idhash & imask]);
		if (g->tokens.cap)
			for (uint32_t k = 0; k < pl->ntok; k++)
				__builtin_prefetch(&g->tokens.v[c->toks[pl->tok0 + k].hash & tmask]);
	}
}

/* The entry of a table whose hash is h and length n, strings not compared, or NULL. */
static inline const struct strent *st_hint(const struct strtab *t, size_t n, uint64_t h)
{
	if (!t->cap)
		return NULL;
	size_t mask = t->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct strent *e = &t->v[i];
		if (!e->s)
			return NULL;
		if (e->hash == h && e->len == n)
			return e;
	}
}

/* 2: the strings of the entries found, the entity of the id, the first step. */
static void hint_finds(const gazetteer *g, struct chunk *c, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct pline *pl = &c->lines[i];
		const struct strent *e = st_hint(&g->ids, pl->idlen, pl->idhash);
		if (e) {
			__builtin_prefetch(e->s);
			if (e->val < g->nents)
				__builtin_prefetch(&g->ents[e->val]);
		}
		for (uint32_t k = 0; k < pl->ntok; k++) {
			struct ptok *t = &c->toks[pl->tok0 + k];
			e = st_hint(&g->tokens, t->len, t->hash);
			t->hint = e ? e->val : GAZ_NONE;
			if (e)
				__builtin_prefetch(e->s);
		}
		if (pl->ntok && c->toks[pl->tok0].hint < g->nroots)
			__builtin_prefetch(&g->roots[c->toks[pl->tok0].hint]);
	}
}

/* 3: the trie edges the lines will probe and add. A token or node the second stage has
 * yet to add gets the next number, as it will (*ntok and *nnode: the next token and node
 * numbers, counting those the lines before will add); past the first step, an edge is
 * taken to be new, as it is for most forms. Returns nothing: the numbers go on in *ntok
 * and *nnode for the lines after these. */
static void hint_edges(const gazetteer *g, const struct chunk *c, size_t from, size_t to,
		       uint32_t *ntok, uint32_t *nnode)
{
	size_t mask = g->capedges - 1;
	for (size_t i = from; i < to; i++) {
		const struct pline *pl = &c->lines[i];
		const struct ptok *t = &c->toks[pl->tok0];
		uint32_t node = 0;
		for (uint32_t k = 0; k < pl->ntok; k++) {
			uint32_t tok = t[k].hint != GAZ_NONE ? t[k].hint : (*ntok)++;
			if (k == 0 && t[0].hint < g->nroots && g->roots[tok] != GAZ_NONE) {
				node = g->roots[tok];
				continue;
			}
			__builtin_prefetch(&g->edges[edge_slot(edge_key(node, tok), mask)]);
			node = (*nnode)++;
		}
	}
}

#define HINT_WINDOW 16 /* lines a pass; each pass runs a window ahead of the next */

/* The second stage for the lines of c, the hint passes ahead of it. Returns 0 or the first
 * error. */
static int add_chunk(gazetteer *g, struct chunk *c, FILE *check, const char *path,
		     struct err *err)
{
	size_t nwin = (c->n + HINT_WINDOW - 1) / HINT_WINDOW;
	/* what the lines between the second stage and pass 3 will add (pass 3's guess) */
	uint32_t pend_tok = 0, pend_node = 0;
	for (size_t w = 0; w < nwin + 3; w++) {
		/* window w - d for pass d: w ahead of the second stage, w - 1, w - 2 between */
		for (size_t d = 0; d < 4; d++) {
			if (w < d || w - d >= nwin)
				continue;
			size_t a = (w - d) * HINT_WINDOW;
			size_t b = a + HINT_WINDOW < c->n ? a + HINT_WINDOW : c->n;
			if (d == 0)
				hint_slots(g, c, a, b);
			else if (d == 1)
				hint_finds(g, c, a, b);
			else if (d == 2) {
				/* window w - 3 is not added yet */
				uint32_t nt = (uint32_t)g->tokens.n + pend_tok;
				uint32_t nn = (uint32_t)g->nnodes + pend_node;
				hint_edges(g, c, a, b, &nt, &nn);
				pend_tok = nt - (uint32_t)g->tokens.n - pend_tok;
				pend_node = nn - (uint32_t)g->nnodes - pend_node;
			}
			else
				for (size_t i = a; i < b; i++) {
					int rc = add_line(g, c, &c->lines[i], check, path, err);
					if (rc < 0)
						return rc;
				}
		}
	}
	return 0;
}

static void thaw(gazetteer *g);

/* The chunks between the reading thread (first stage) and the loading one (second). */
#define LOAD_RING 3

struct loader {
	struct lreader r;
	struct chunk ring[LOAD_RING];
	bool ready[LOAD_RING]; /* taken through the first stage, not yet through the second */
	bool stop;             /* the second stage ended: read no more */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* The reading thread: the first stage of every chunk in turn, into the ring. */
static void *load_reader(void *arg)
{
	struct loader *l = arg;
	for (size_t k = 0;; k++) {
		size_t slot = k % LOAD_RING;
		pthread_mutex_lock(&l->mu);
		while (l->ready[slot] && !l->stop)
			pthread_cond_wait(&l->cv, &l->mu);
		bool stop = l->stop;
		pthread_mutex_unlock(&l->mu);
		if (stop)
			break;
		read_chunk(&l->r, &l->ring[slot]);
		bool end = l->ring[slot].end;
		pthread_mutex_lock(&l->mu);
		l->ready[slot] = true;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		if (end)
			break;
	}
	return NULL;
}

int gaz_load(gazetteer *g, const char *path, FILE *check, struct err *err)
{
	if (g->view)
		thaw(g);
	g->efilt = NULL; /* (a view's, of the edges in the image: edges are added now) */
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
	g->ltype = NULL;
	/* the token filter is built once at the end, not again at each growth of the table;
	 * until the table grows, the new tokens are added to the one there is (st_put()) */
	g->tokens.filtered = false;
	struct loader *l = xcalloc(1, sizeof *l);
	l->r.fp = fp;
	l->r.path = path;
	for (int i = 0; i < LOAD_RING; i++)
		chunk_init(&l->ring[i]);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	/* without a second thread the stages take turns, with the same result */
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, load_reader, l) == 0;
	int rc = 0;
	for (size_t k = 0;; k++) {
		size_t slot = k % LOAD_RING;
		struct chunk *c = &l->ring[slot];
		if (threaded) {
			pthread_mutex_lock(&l->mu);
			while (!l->ready[slot])
				pthread_cond_wait(&l->cv, &l->mu);
			pthread_mutex_unlock(&l->mu);
		} else {
			read_chunk(&l->r, c);
		}
		rc = add_chunk(g, c, check, path, err);
		if (!rc && c->rc) {
			rc = c->rc;
			if (err)
				*err = c->err;
		}
		bool end = rc || c->end;
		if (threaded) {
			pthread_mutex_lock(&l->mu);
			l->ready[slot] = false;
			l->stop = end;
			pthread_cond_broadcast(&l->cv);
			pthread_mutex_unlock(&l->mu);
		}
		if (end)
			break;
	}
	if (threaded)
		pthread_join(th, NULL);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	for (int i = 0; i < LOAD_RING; i++)
		chunk_clear(&l->ring[i]);
	free(l->r.carry);
	free(l);
	fclose(fp);
	g->tokens.filtered = true;
	if (!g->tokens.bloom)
		bloom_build(&g->tokens);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int gaz_load_dir(gazetteer *g, const char *dir, FILE *check, struct err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return err_set(err, ERR_IO, dir, 0, "%s", strerror(errno));
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".tsv") == 0 && de->d_name[0] != '.') {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!rc) {
			size_t pl = strlen(dir) + strlen(names[i]) + 2;
			char *path = xmalloc(pl);
			snprintf(path, pl, "%s/%s", dir, names[i]);
			rc = gaz_load(g, path, check, err);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* out[tok] = 1 for the first words of people's full names (out: tokens.n + 1 bytes). */
static void first_names(const gazetteer *g, uint8_t *out)
{
	memset(out, 0, g->tokens.n + 1);
	/* a thawed view: the image's forms are unchanged, and its byte per token has their
	 * answer (the same loop, when it was compiled); the forms added since are looked at */
	size_t from = 0;
	if (g->vstate) {
		for (size_t t = 0; t < g->vntok; t++)
			out[t] = g->vfirsts[t] & TOKB_FIRST;
		from = g->vnforms;
	}
	const struct strent *pt = st_get(&g->types, "PERSON", 6);
	const char *person = pt && pt->s ? pt->s : NULL;
	for (size_t i = from; person && i < g->nforms; i++) {
		const struct gaz_form *f = &g->forms[i];
		if (f->ntok >= 2 && f->first_tok < g->tokens.n &&
		    (f->kind == KIND_NAME || f->kind == KIND_ALIAS) &&
		    gaz_entity(g, f->entity)->type == person)
			out[f->first_tok] = 1;
	}
}

unsigned gaz_token_root(const gazetteer *g, uint32_t tok)
{
	if (tok >= g->nroots)
		return 0;
	if (g->view)
		return (g->vfirsts[tok] >> 1) & (GAZ_ROOT_WALK | GAZ_ROOT_FORM);
	uint32_t c = g->roots[tok];
	if (c == GAZ_NONE)
		return 0;
	return GAZ_ROOT_WALK | (g->nodes[c].first != GAZ_NONE ? GAZ_ROOT_FORM : 0);
}

bool gaz_first_name(gazetteer *g, uint32_t tok)
{
	if (g->view)
		return tok < g->tokens.n && (g->vfirsts[tok] & TOKB_FIRST);
	if (g->nfirsts != g->tokens.n) {
		free(g->firsts);
		g->firsts = xmalloc(g->tokens.n + 1);
		g->nfirsts = g->tokens.n;
		first_names(g, g->firsts);
	}
	return tok < g->nfirsts && g->firsts[tok];
}

/* ---- compiled images ----
 *
 * Layout: a header (magic, byte-order mark, format version, build id, checksum, section
 * table), then 8-aligned sections: the string pool (NUL-terminated strings, each stored
 * once, referred to by offset; offset 0 holds an empty string so that 0 can mark an empty
 * table slot), the token, id and type tables (struct strent_d, in the slots of the
 * in-memory tables), entities (struct ent_d), attributes, forms (struct gaz_form), trie
 * nodes and edges as in memory, a byte per token (TOKB_FIRST and gaz_token_root()), the
 * root's child of every token (the roots array), the token table's filter words and the
 * edge table's (see edge_find()). Records
 * are fixed-width in native order; the byte-order mark refuses an image of the other order.
 * Loading checks every record's offsets and indexes once, so a view never reads outside
 * the mapping whatever the file holds.
 *
 * The checksum covers the body (every byte after the header) in blocks of SUM_BLOCK bytes:
 * img_sum() of each block, then img_sum() of those sums. Blocks are independent, so a load
 * reads the file once on two threads: each takes the next block, sums it and checks the
 * records that start in it while the block is still in its cache. */

#ifndef GAZ_CODE_ID
#define GAZ_CODE_ID "dev"
#endif
#include "version.h"
#define IMG_MAGIC "ENTOPICG"
#define IMG_VERSION 7u
#define IMG_ORDER 0x01020304u
#define IMG_BUILD (ENTOPIC_VERSION " " GAZ_CODE_ID)
#define SUM_BLOCK ((size_t)64 << 10)

enum { S_POOL, S_TOKENS, S_IDS, S_TYPES, S_ENTS, S_ATTRS, S_FORMS, S_NODES, S_EDGES, S_FIRSTS,
       S_ROOTS, S_BLOOM, S_EFILT, S_N };

/* bytes a record of each section */
static const size_t img_recsz[S_N] = {1, sizeof(struct strent_d), sizeof(struct strent_d),
				      sizeof(struct strent_d), sizeof(struct ent_d),
				      sizeof(struct attr_d), sizeof(struct gaz_form),
				      sizeof(struct node), sizeof(struct edge), 1,
				      sizeof(uint32_t), sizeof(uint64_t), sizeof(uint64_t)};

struct img_header {
	char magic[8];
	uint32_t order;
	uint32_t version;
	char build[64];
	uint64_t checksum; /* of every byte after the header: img_checksum() */
	uint64_t size;     /* of the whole file */
	uint64_t off[S_N], len[S_N], count[S_N];
	uint64_t warnings;
};

/* Eight independent lanes of 64-bit words, two in a vector (GCC's and Clang's vector
 * types: SSE2 on x86-64), so that the sum runs at memory speed. */
typedef uint64_t v2u64 __attribute__((vector_size(16)));

#define SUM_A 0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL
#define SUM_B 0x165667B19E3779F9ULL, 0x27D4EB2F165667C5ULL
#define SUM_C 0x85EBCA77C2B2AE63ULL, 0x94D049BB133111EBULL
#define SUM_D 0xBF58476D1CE4E5B9ULL, 0xD6E8FEB86659FD93ULL

/* The end of img_sum(): the lanes folded into one word, then the bytes past the last
 * 64 (i of n bytes taken). */
static uint64_t sum_end(const uint64_t l[8], const unsigned char *p, size_t i, size_t n)
{
	uint64_t h = l[0] ^ (l[1] * 0x87C37B91114253D5ULL) ^ (l[2] * 0x4CF5AD432745937FULL) ^
		     (l[3] * 0xFF51AFD7ED558CCDULL) ^ (l[4] * 0xC4CEB9FE1A85EC53ULL) ^
		     (l[5] * 0x9FB21C651E98DF25ULL) ^ (l[6] * 0xA0761D6478BD642FULL) ^
		     (l[7] * 0xE7037ED1A0B428DBULL);
	for (; i < n; i++)
		h = ((h << 5) | (h >> 59)) ^ p[i];
	return h;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define SUM_AVX2 1
typedef uint64_t v4u64 __attribute__((vector_size(32)));

/* img_sum() with the eight lanes in two vectors of four (AVX2 shifts each lane by its own
 * count): the same sum, in half the instructions. Not inlined into img_sum(), which is not
 * compiled for AVX2. */
__attribute__((noinline, target("avx2"))) static uint64_t img_sum_avx2(const unsigned char *p,
									 size_t n)
{
	v4u64 ab = {SUM_A, SUM_B}, cd = {SUM_C, SUM_D};
	const v4u64 lab = {7, 7, 11, 11}, rab = {57, 57, 53, 53};
	const v4u64 lcd = {13, 13, 17, 17}, rcd = {51, 51, 47, 47};
	size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		v4u64 wab, wcd;
		memcpy(&wab, p + i, 32);
		memcpy(&wcd, p + i + 32, 32);
		ab = (ab ^ wab) + ((ab << lab) | (ab >> rab));
		cd = (cd ^ wcd) + ((cd << lcd) | (cd >> rcd));
	}
	uint64_t l[8];
	memcpy(l, &ab, 32);
	memcpy(l + 4, &cd, 32);
	return sum_end(l, p, i, n);
}
#endif

/* gaz_wide(false): the tests' way to the SSE2 sum on a CPU that has AVX2 */
static bool sum_narrow;

static uint64_t img_sum(const unsigned char *p, size_t n)
{
#ifdef SUM_AVX2
	if (!sum_narrow && cpu_avx2())
		return img_sum_avx2(p, n);
#endif
	v2u64 a = {SUM_A}, b = {SUM_B}, c = {SUM_C}, d = {SUM_D};
	size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		v2u64 wa, wb, wc, wd;
		memcpy(&wa, p + i, 16);
		memcpy(&wb, p + i + 16, 16);
		memcpy(&wc, p + i + 32, 16);
		memcpy(&wd, p + i + 48, 16);
		a = (a ^ wa) + ((a << 7) | (a >> 57));
		b = (b ^ wb) + ((b << 11) | (b >> 53));
		c = (c ^ wc) + ((c << 13) | (c >> 51));
		d = (d ^ wd) + ((d << 17) | (d >> 47));
	}
	const uint64_t l[8] = {a[0], a[1], b[0], b[1], c[0], c[1], d[0], d[1]};
	return sum_end(l, p, i, n);
}

bool gaz_wide(bool allow)
{
	sum_narrow = !allow;
#ifdef SUM_AVX2
	return allow && cpu_avx2();
#else
	return false;
#endif
}

static size_t sum_blocks(size_t n)
{
	return (n + SUM_BLOCK - 1) / SUM_BLOCK;
}

/* The checksum of n bytes from their blocks' sums. */
static uint64_t sum_of_sums(const uint64_t *sums, size_t n)
{
	return img_sum((const unsigned char *)sums, sum_blocks(n) * sizeof *sums);
}

/* The image checksum of a body of n bytes, on this thread (compile and reseal). */
static uint64_t img_checksum(const unsigned char *p, size_t n)
{
	size_t nb = sum_blocks(n);
	uint64_t *sums = xmalloc((nb + 1) * sizeof *sums);
	for (size_t b = 0; b < nb; b++)
		sums[b] = img_sum(p + b * SUM_BLOCK,
				  n - b * SUM_BLOCK < SUM_BLOCK ? n - b * SUM_BLOCK : SUM_BLOCK);
	uint64_t h = sum_of_sums(sums, n);
	free(sums);
	return h;
}

/* string -> pool offset, each distinct string stored once */
struct poolw {
	struct buf b;
	uint32_t *offs; /* open addressing over the strings' contents; 0 = empty */
	uint64_t *hs;
	size_t cap, n;
};

static void pool_grow(struct poolw *pw)
{
	size_t ncap = pw->cap ? pw->cap * 2 : 4096;
	uint32_t *no = xcalloc(ncap, sizeof *no);
	uint64_t *nh = xmalloc(ncap * sizeof *nh);
	for (size_t i = 0; i < pw->cap; i++) {
		if (!pw->offs[i])
			continue;
		size_t j = pw->hs[i] & (ncap - 1);
		while (no[j])
			j = (j + 1) & (ncap - 1);
		no[j] = pw->offs[i];
		nh[j] = pw->hs[i];
	}
	free(pw->offs);
	free(pw->hs);
	pw->offs = no;
	pw->hs = nh;
	pw->cap = ncap;
}

static uint32_t pool_off(struct poolw *pw, const char *s)
{
	if (!s)
		return UINT32_MAX;
	if ((pw->n + 1) * 2 >= pw->cap)
		pool_grow(pw);
	size_t n = strlen(s);
	uint64_t h = hash_bytes(s, n);
	size_t j = h & (pw->cap - 1);
	for (; pw->offs[j]; j = (j + 1) & (pw->cap - 1))
		if (pw->hs[j] == h && strcmp(pw->b.p + pw->offs[j], s) == 0)
			return pw->offs[j];
	uint32_t off = (uint32_t)pw->b.len; /* gaz_save() refuses pools over 4 GB */
	buf_add(&pw->b, s, n + 1);
	pw->offs[j] = off;
	pw->hs[j] = h;
	pw->n++;
	return off;
}

static void put_strtab(struct buf *out, struct poolw *pw, const struct strtab *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		const struct strent *e = &t->v[i];
		struct strent_d d = {0, 0, 0, 0};
		if (e->s) {
			d.hash = (uint32_t)(e->hash >> 32);
			d.off = pool_off(pw, e->s);
			d.len = e->len;
			d.val = e->val;
		}
		buf_add(out, &d, sizeof d);
	}
}

int gaz_save(const gazetteer *g, const char *path, struct err *err)
{
	if (g->view)
		return err_set(err, ERR_SYNTAX, path, 0,
			       "a gazetteer read from an image is compiled from its lexicon files");
	struct buf sec[S_N];
	struct poolw pw;
	memset(&pw, 0, sizeof pw);
	buf_init(&pw.b);
	buf_add(&pw.b, "", 1); /* offset 0: the empty slot mark */
	for (int i = 0; i < S_N; i++)
		buf_init(&sec[i]);
	put_strtab(&sec[S_TOKENS], &pw, &g->tokens);
	put_strtab(&sec[S_IDS], &pw, &g->ids);
	put_strtab(&sec[S_TYPES], &pw, &g->types);
	uint32_t attr = 0;
	for (size_t i = 0; i < g->nents; i++) {
		const struct entity *e = gaz_entity(g, (uint32_t)i);
		struct ent_d d = {pool_off(&pw, e->id), pool_off(&pw, e->type), pool_off(&pw, e->name),
				  pool_off(&pw, e->country), pool_off(&pw, e->group), attr,
				  (uint32_t)e->nattrs, 0};
		buf_add(&sec[S_ENTS], &d, sizeof d);
		for (size_t k = 0; k < e->nattrs; k++) {
			struct attr_d a = {pool_off(&pw, e->keys[k]), pool_off(&pw, e->vals[k])};
			buf_add(&sec[S_ATTRS], &a, sizeof a);
			attr++;
		}
	}
	for (size_t i = 0; i < g->nforms; i++) {
		struct gaz_form d = g->forms[i];
		d.text = pool_off(&pw, g->ftext.p + g->forms[i].text);
		buf_add(&sec[S_FORMS], &d, sizeof d);
	}
	buf_add(&sec[S_NODES], g->nodes, g->nnodes * sizeof *g->nodes);
	buf_add(&sec[S_EDGES], g->edges, g->capedges * sizeof *g->edges);
	uint8_t *firsts = xmalloc(g->tokens.n + 1);
	first_names(g, firsts);
	for (size_t i = 0; i < g->tokens.n; i++)
		firsts[i] |= (uint8_t)gaz_token_root(g, (uint32_t)i) << 1;
	buf_add(&sec[S_FIRSTS], firsts, g->tokens.n + 1);
	free(firsts);
	/* the roots array has a slot for every token (a grown array has more) */
	size_t nr = g->nroots < g->tokens.n ? g->nroots : g->tokens.n;
	if (nr)
		buf_add(&sec[S_ROOTS], g->roots, nr * sizeof *g->roots);
	for (uint32_t none = GAZ_NONE; nr < g->tokens.n; nr++)
		buf_add(&sec[S_ROOTS], &none, sizeof none);
	size_t nbloom = g->tokens.bloom ? g->tokens.bloom_mask + 1 : 0;
	if (nbloom)
		buf_add(&sec[S_BLOOM], g->tokens.bloom, nbloom * sizeof *g->tokens.bloom);
	size_t nefilt = g->capedges >= 8 ? g->capedges / 8 : 1; /* (capedges: a power of two) */
	uint64_t *efilt = xcalloc(nefilt, sizeof *efilt);
	for (size_t i = 0; i < g->capedges; i++)
		if (g->edges[i].key) {
			const uint64_t h = edge_hash(g->edges[i].key);
			efilt[efilt_word(h, nefilt - 1)] |= efilt_bits(h);
		}
	buf_add(&sec[S_EFILT], efilt, nefilt * sizeof *efilt);
	free(efilt);
	sec[S_POOL] = pw.b;
	struct img_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, IMG_MAGIC, 8);
	h.order = IMG_ORDER;
	h.version = IMG_VERSION;
	snprintf(h.build, sizeof h.build, "%s", IMG_BUILD);
	uint64_t counts[S_N] = {pw.b.len, g->tokens.cap, g->ids.cap, g->types.cap, g->nents,
				attr, g->nforms, g->nnodes, g->capedges, g->tokens.n + 1,
				g->tokens.n, nbloom, nefilt};
	struct buf body;
	buf_init(&body);
	static const char zero[8];
	for (int i = 0; i < S_N; i++) {
		h.off[i] = sizeof h + body.len;
		h.len[i] = sec[i].len;
		h.count[i] = counts[i];
		buf_add(&body, sec[i].p ? sec[i].p : "", sec[i].len);
		buf_add(&body, zero, (8 - body.len % 8) % 8);
	}

	h.warnings = g->warnings;
	h.size = sizeof h + body.len;
	h.checksum = img_checksum((const unsigned char *)body.p, body.len);
	int rc = 0;
	if (pw.b.len > UINT32_MAX) {
		rc = err_set(err, ERR_LIMIT, path, 0, "more than 4 GB of strings for one image");
		goto out;
	}
	size_t tl = strlen(path) + 8;
	char *tmp = xmalloc(tl);
	snprintf(tmp, tl, "%s.tmp", path);
	FILE *fp = fopen(tmp, "wb");
	if (!fp || fwrite(&h, sizeof h, 1, fp) != 1 ||
	    fwrite(body.p, 1, body.len, fp) != body.len || fclose(fp) != 0) {
		rc = err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		rc = err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
		unlink(tmp);
	}
	free(tmp);
out:
	buf_clear(&body);
	for (int i = 0; i < S_N; i++)
		buf_clear(&sec[i]);
	free(pw.offs);
	free(pw.hs);
	return rc;
}

static void view_strtab(struct strtab *t, const struct strent_d *d, uint64_t cap,
			const char *pool, size_t n)
{
	t->v = NULL;
	t->dv = cap ? d : NULL;
	t->dpool = pool;
	t->cap = (size_t)cap;
	t->n = n;
}

/* The type table goes to memory (types are interned: gaz_intern_type() may add one). */
static void load_types(struct strtab *t, const struct strent_d *d, uint64_t cap,
		       const char *pool)
{
	t->cap = (size_t)cap;
	t->v = xcalloc(cap ? cap : 1, sizeof *t->v);
	t->n = 0;
	for (uint64_t i = 0; i < cap; i++) {
		if (!d[i].off)
			continue;
		struct strent *e = &t->v[i];
		e->s = pool + d[i].off;
		e->len = d[i].len;
		e->val = d[i].val;
		e->hash = hash_bytes(e->s, e->len);
		t->n++;
	}
}

static bool pow2(uint64_t n)
{
	return !(n & (n - 1));
}

/* Why the image's pool and counts are unusable, or NULL: the record checks and the view
 * rely on them. */
static const char *check_tables(const struct img_header *h, const unsigned char *base)
{
	const char *pool = (const char *)base + h->off[S_POOL];
	uint64_t poollen = h->len[S_POOL];
	if (poollen == 0 || pool[0] != '\0' || pool[poollen - 1] != '\0')
		return "image pool is damaged";
	uint64_t capedges = h->count[S_EDGES], nbloom = h->count[S_BLOOM];
	if (h->count[S_FIRSTS] == 0 || h->count[S_ENTS] >= UINT32_MAX ||
	    h->count[S_FORMS] >= UINT32_MAX || h->count[S_NODES] >= UINT32_MAX ||
	    h->count[S_NODES] == 0 || capedges == 0 || !pow2(capedges) ||
	    h->count[S_ROOTS] != h->count[S_FIRSTS] - 1 || !pow2(nbloom) ||
	    (nbloom == 0 && h->count[S_FIRSTS] > 1) || h->count[S_EFILT] == 0 ||
	    !pow2(h->count[S_EFILT]))
		return "image tables are damaged";
	if (!pow2(h->count[S_TOKENS]) || !pow2(h->count[S_IDS]) || !pow2(h->count[S_TYPES]))
		return "image string table is damaged";
	return NULL;
}

/* A load's pass over the image, shared by its threads: blocks are taken in turn. */
struct img_pass {
	const struct img_header *h;
	const unsigned char *base; /* the mapping */
	size_t nblocks;
	uint64_t *sums;            /* each block's img_sum() */
	bool records;              /* the counts are sane: check the records too */
	_Atomic size_t next;       /* the first block nobody has taken */
};

/* What one thread found: per section, faults ORed together and used slots (tables). */
struct img_share {
	struct img_pass *p;
	uint64_t bad[S_N];
	uint64_t used[S_N];
};

#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Check records i0..i1 of section s: offsets inside the pool, indexes inside their tables.
 * Each loop keeps the largest value of each field, branch-free (a compare and a move), and
 * compares it with its bound once. An optional field (UINT32_MAX for none, which GAZ_NONE
 * is) is taken plus one, which wraps round to 0 for none; the counts are below UINT32_MAX
 * (check_tables()). The empty slots of the tables are zeros (gaz_save()), and pass. */
static void check_records(const struct img_pass *p, int s, uint64_t i0, uint64_t i1,
			  struct img_share *r)
{
	const struct img_header *h = p->h;
	const unsigned char *sec = p->base + h->off[s];
	uint64_t poollen = h->len[S_POOL], nents = h->count[S_ENTS], nattrs = h->count[S_ATTRS];
	uint64_t nforms = h->count[S_FORMS], nnodes = h->count[S_NODES];
	uint64_t bad = 0, used = 0;
	switch (s) {
	case S_TOKENS:
	case S_IDS:
	case S_TYPES: { /* one empty slot at least (probes end): used is counted */
		uint64_t nval = s == S_TOKENS ? h->count[S_FIRSTS] - 1
				: s == S_IDS  ? nents
					      : UINT32_MAX;
		const struct strent_d *d = (const struct strent_d *)sec;
		uint64_t end = 0;
		uint32_t val = 0;
		for (uint64_t i = i0; i < i1; i++) {
			used += d[i].off != 0;
			end = MAX(end, (uint64_t)d[i].off + d[i].len);
			val = MAX(val, d[i].val);
		}
		bad = (end >= poollen) | (val >= nval);
		break;
	}
	case S_ENTS: {
		const struct ent_d *d = (const struct ent_d *)sec;
		uint32_t str = 0, opt = 0;
		uint64_t attr = 0;
		for (uint64_t i = i0; i < i1; i++) {
			str = MAX(str, MAX(d[i].id, MAX(d[i].type, d[i].name)));
			opt = MAX(opt, MAX(d[i].country + 1, d[i].group + 1));
			attr = MAX(attr, (uint64_t)d[i].attr0 + d[i].nattrs);
		}
		bad = (str >= poollen) | (opt > poollen) | (attr > nattrs);
		break;
	}
	case S_ATTRS: {
		const struct attr_d *d = (const struct attr_d *)sec;
		uint32_t str = 0;
		for (uint64_t i = i0; i < i1; i++)
			str = MAX(str, MAX(d[i].key, d[i].val));
		bad = str >= poollen;
		break;
	}
	case S_FORMS: {
		const struct gaz_form *d = (const struct gaz_form *)sec;
		uint32_t ent = 0, text = 0, next = 0, kind = 0;
		for (uint64_t i = i0; i < i1; i++) {
			ent = MAX(ent, d[i].entity);
			text = MAX(text, d[i].text);
			next = MAX(next, d[i].next + 1);
			kind = MAX(kind, d[i].kind);
		}
		bad = (ent >= nents) | (text >= poollen) | (next > nforms) | (kind >= KIND_NKINDS);
		break;
	}
	case S_NODES: {
		const struct node *d = (const struct node *)sec;
		uint32_t form = 0;
		for (uint64_t i = i0; i < i1; i++)
			form = MAX(form, MAX(d[i].first + 1, d[i].last + 1));
		bad = form > nforms;
		break;
	}
	case S_EDGES: {
		const struct edge *d = (const struct edge *)sec;
		uint32_t child = 0;
		for (uint64_t i = i0; i < i1; i++) {
			used += d[i].key != 0;
			child = MAX(child, d[i].child);
		}
		bad = child >= nnodes;
		break;
	}
	case S_ROOTS: {
		const uint32_t *d = (const uint32_t *)sec;
		uint32_t child = 0;
		for (uint64_t i = i0; i < i1; i++)
			child = MAX(child, d[i] + 1);
		bad = child > nnodes;
		break;
	}
	default: /* the pool's strings, the first-name bytes, the filters: any bytes will do */
		break;
	}
	r->bad[s] |= bad;
	r->used[s] += used;
}

#undef MAX

/* Take blocks until none is left: sum each, then check the records that start in it. */
static void *pass_run(void *arg)
{
	struct img_share *r = arg;
	struct img_pass *p = r->p;
	const struct img_header *h = p->h;
	const size_t body = sizeof *h, n = (size_t)h->size - body;
	for (;;) {
		size_t b = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
		if (b >= p->nblocks)
			return NULL;
		size_t lo = b * SUM_BLOCK, len = n - lo < SUM_BLOCK ? n - lo : SUM_BLOCK;
		p->sums[b] = img_sum(p->base + body + lo, len);
		uint64_t from = body + lo, to = from + len; /* in the file */
		for (int s = 0; p->records && s < S_N; s++) {
			uint64_t off = h->off[s], end = off + h->len[s], sz = img_recsz[s];
			if (end <= from || off >= to)
				continue;
			uint64_t i0 = from <= off ? 0 : (from - off + sz - 1) / sz;
			uint64_t i1 = to >= end ? h->count[s] : (to - off + sz - 1) / sz;
			if (i0 < i1)
				check_records(p, s, i0, i1, r);
		}
	}
}

/* Why the records are unusable, from what the threads found, or NULL. */
static const char *records_fault(const struct img_header *h, const struct img_share *a,
				 const struct img_share *b, uint64_t *nedges)
{
	uint64_t bad[S_N], used[S_N];
	for (int s = 0; s < S_N; s++) {
		bad[s] = a->bad[s] | b->bad[s];
		used[s] = a->used[s] + b->used[s];
	}
	for (int s = S_TOKENS; s <= S_TYPES; s++)
		if (bad[s] || (h->count[s] && used[s] >= h->count[s]))
			return "image string table is damaged";
	if (bad[S_ENTS])
		return "image entity is damaged";
	if (bad[S_ATTRS])
		return "image attribute is damaged";
	if (bad[S_FORMS])
		return "image form is damaged";
	if (bad[S_NODES])
		return "image node is damaged";
	if (bad[S_EDGES] || bad[S_ROOTS])
		return "image edge is damaged";
	if (used[S_EDGES] >= h->count[S_EDGES])
		return "image edge table is full";
	*nedges = used[S_EDGES];
	return NULL;
}

/* The checksum and record checks of a mapped image whose header and section bounds are
 * right: why it is unusable, or NULL (*nedges: its used edge slots). A wrong checksum is
 * the reason given first. */
static const char *check_image(const struct img_header *h, const unsigned char *base,
			       uint64_t *nedges)
{
	const char *why = check_tables(h, base);
	size_t n = (size_t)h->size - sizeof *h;
	struct img_pass p = {h, base, sum_blocks(n), NULL, !why, 0};
	p.sums = xmalloc((p.nblocks + 1) * sizeof *p.sums);
	struct img_share mine, other;
	memset(&mine, 0, sizeof mine);
	memset(&other, 0, sizeof other);
	mine.p = other.p = &p;
	/* a second thread pays for itself past a few MB (the default lexicons' image has
	 * it too) */
	pthread_t th;
	bool threaded = n >= ((size_t)2 << 20) && pthread_create(&th, NULL, pass_run, &other) == 0;
	pass_run(&mine);
	if (threaded)
		pthread_join(th, NULL);
	if (sum_of_sums(p.sums, n) != h->checksum)
		why = "image checksum mismatch";
	free(p.sums);
	return why ? why : records_fault(h, &mine, &other, nedges);
}

int gaz_load_image(gazetteer *g, const char *path, struct err *err)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(struct img_header)) {
		close(fd);
		return err_set(err, ERR_SYNTAX, path, 0, "not a compiled lexicon image");
	}
	size_t len = (size_t)st.st_size;
	/* every page is read by the checksum anyway: map them all at once */
	void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
	const struct img_header *h = map;
	const unsigned char *base = map;
	const char *why = NULL;
	if (memcmp(h->magic, IMG_MAGIC, 8) != 0)
		why = "not a compiled lexicon image";
	else if (h->order != IMG_ORDER)
		why = "image written with the other byte order";
	else if (h->version != IMG_VERSION || strncmp(h->build, IMG_BUILD, sizeof h->build) != 0)
		why = "image of another build (run entopic compile again)";
	else if (h->size != len)
		why = "image truncated";
	for (int i = 0; !why && i < S_N; i++)
		if (h->off[i] < sizeof *h || h->off[i] > len || h->len[i] > len - h->off[i] ||
		    h->off[i] % 8)
			why = "image section out of bounds";
	if (!why && g->nents) /* only into an empty gazetteer */
		why = "image loaded after other lexicons";
	for (int i = 0; !why && i < S_N; i++)
		if (h->count[i] > h->len[i] || h->len[i] != h->count[i] * img_recsz[i])
			why = "image section sizes disagree";
	uint64_t nedges = 0;
	if (!why)
		why = check_image(h, base, &nedges);
	if (why) {
		munmap(map, len);
		return err_set(err, ERR_SYNTAX, path, 0, "%s", why);
	}
	const char *pool = (const char *)base + h->off[S_POOL];
	size_t nents = (size_t)h->count[S_ENTS], nattrs = (size_t)h->count[S_ATTRS];
	size_t ntok = (size_t)h->count[S_ROOTS];
	free(g->types.v);
	load_types(&g->types, (const struct strent_d *)(base + h->off[S_TYPES]), h->count[S_TYPES],
		   pool);
	view_strtab(&g->tokens, (const struct strent_d *)(base + h->off[S_TOKENS]),
		    h->count[S_TOKENS], pool, ntok);
	free(g->tokens.bloom); /* the image's own filter, read from the mapping */
	g->tokens.bloom = h->count[S_BLOOM] ? (uint64_t *)(base + h->off[S_BLOOM]) : NULL;
	g->tokens.bloom_mask = (size_t)h->count[S_BLOOM] - 1;
	view_strtab(&g->ids, (const struct strent_d *)(base + h->off[S_IDS]), h->count[S_IDS],
		    pool, nents);
	g->attrv = xmalloc((2 * nattrs + 1) * sizeof *g->attrv);
	g->nattrv = nattrs;
	const struct attr_d *ad = (const struct attr_d *)(base + h->off[S_ATTRS]);
	for (size_t i = 0; i < nattrs; i++) {
		g->attrv[i] = pool + ad[i].key;
		g->attrv[nattrs + i] = pool + ad[i].val;
	}
	free(g->ents);
	/* untouched pages of a large calloc are not resident: entities cost memory as they
	 * are used */
	g->ents = xcalloc(nents + 1, sizeof *g->ents);
	g->capents = nents + 1;
	g->nents = nents;
	g->vstate = xcalloc(nents + 1, sizeof *g->vstate);
	g->vents = (const struct ent_d *)(base + h->off[S_ENTS]);
	free(g->forms);
	free(g->nodes);
	free(g->edges);
	free(g->roots);
	/* read-only from here on: gaz_load() thaws a view before changing anything */
	g->forms = (struct gaz_form *)(base + h->off[S_FORMS]);
	g->nforms = g->capforms = (size_t)h->count[S_FORMS];
	g->nodes = (struct node *)(base + h->off[S_NODES]);
	g->nnodes = g->capnodes = (size_t)h->count[S_NODES];
	g->edges = (struct edge *)(base + h->off[S_EDGES]);
	g->capedges = (size_t)h->count[S_EDGES];
	g->nedges = (size_t)nedges;
	g->efilt = (const uint64_t *)(base + h->off[S_EFILT]);
	g->efilt_mask = (size_t)h->count[S_EFILT] - 1;
	g->roots = ntok ? (uint32_t *)(base + h->off[S_ROOTS]) : NULL;
	g->nroots = ntok;
	g->vfirsts = base + h->off[S_FIRSTS];
	g->vpool = pool;
	g->vpoollen = h->len[S_POOL];
	g->warnings = h->warnings;
	g->map = map;
	g->maplen = len;
	g->view = true;
	return 0;
}

int gaz_image_reseal(const char *path, struct err *err)
{
	FILE *fp = fopen(path, "r+b");
	if (!fp)
		return err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
	struct buf b;
	buf_init(&b);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, n);
	int rc = 0;
	struct img_header h;
	if (ferror(fp) || b.len < sizeof h) {
		rc = err_set(err, ERR_SYNTAX, path, 0, "not a compiled lexicon image");
	} else {
		memcpy(&h, b.p, sizeof h);
		h.checksum = img_checksum((const unsigned char *)b.p + sizeof h, b.len - sizeof h);
		if (fseek(fp, 0, SEEK_SET) != 0 || fwrite(&h, sizeof h, 1, fp) != 1)
			rc = err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
	}
	if (fclose(fp) != 0 && !rc)
		rc = err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
	buf_clear(&b);
	return rc;
}

/* Fault in the pages of a large block about to be filled, in one call: a page fault each
 * costs more than the copy of its page. (Only a hint: nothing happens where the kernel does
 * not know it.) */
static void prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	if (n < ((size_t)64 << 10))
		return;
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + pg - 1) & ~(pg - 1), b = ((uintptr_t)p + n) & ~(pg - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

/* Turn a view into the in-memory form (every table copied; the strings stay mapped; the
 * entities stay in the image until used: a few lines on top of a large image use few). */
static void thaw(gazetteer *g)
{
	struct strtab *tabs[] = {&g->tokens, &g->ids};
	for (int k = 0; k < 2; k++) {
		struct strtab *t = tabs[k];
		if (!t->dv)
			continue;
		t->v = xcalloc(t->cap, sizeof *t->v);
		prefault(t->v, t->cap * sizeof *t->v);
		/* the slots in use of a block first, without a branch: whether a slot of a
		 * table a third empty is in use is not to be guessed */
		enum { BLK = 1024 };
		uint32_t used[BLK];
		for (size_t i0 = 0; i0 < t->cap; i0 += BLK) {
			size_t nb = t->cap - i0 < BLK ? t->cap - i0 : BLK, nu = 0;
			for (size_t j = 0; j < nb; j++) {
				used[nu] = (uint32_t)j;
				nu += t->dv[i0 + j].off != 0;
			}
			for (size_t j = 0; j < nu; j++) {
				const struct strent_d *d = &t->dv[i0 + used[j]];
				struct strent *e = &t->v[i0 + used[j]];
				e->s = t->dpool + d->off;
				e->len = d->len;
				e->val = d->val;
				e->hash = hash_bytes(e->s, e->len); /* the same slot: its lower bits */
			}
		}
		t->dv = NULL;
	}
	/* the image's filter, copied when it has the words bloom_build() would give the table
	 * (it then holds the same bits): gaz_load() adds the new tokens to it */
	const uint64_t *ib = g->tokens.bloom;
	size_t words = g->tokens.cap >= 8 ? g->tokens.cap / 8 : 1;
	g->tokens.bloom = NULL;
	if (ib && g->tokens.cap && g->tokens.bloom_mask == words - 1) {
		g->tokens.bloom = xmalloc(words * sizeof *ib);
		memcpy(g->tokens.bloom, ib, words * sizeof *ib);
	}
	uint32_t *roots = xmalloc((g->nroots + 1) * sizeof *roots);
	if (g->nroots)
		memcpy(roots, g->roots, g->nroots * sizeof *roots);
	g->roots = roots;
	/* the image's entities stay built on first use (gaz_entity()), vstate kept */
	g->vntok = g->tokens.n;
	g->vnforms = g->nforms;
	struct gaz_form *forms = xmalloc((g->nforms + 1) * sizeof *forms);
	prefault(forms, g->nforms * sizeof *forms);
	memcpy(forms, g->forms, g->nforms * sizeof *forms);
	g->forms = forms;
	g->capforms = g->nforms + 1;
	buf_reserve(&g->ftext, g->vpoollen);
	prefault(g->ftext.p + g->ftext.len, g->vpoollen);
	buf_add(&g->ftext, g->vpool, g->vpoollen); /* the forms' offsets stay valid */
	struct node *nodes = xmalloc((g->nnodes + 1) * sizeof *nodes);
	prefault(nodes, g->nnodes * sizeof *nodes);
	memcpy(nodes, g->nodes, g->nnodes * sizeof *nodes);
	g->nodes = nodes;
	g->capnodes = g->nnodes + 1;
	struct edge *edges = xmalloc(g->capedges * sizeof *edges);
	prefault(edges, g->capedges * sizeof *edges);
	memcpy(edges, g->edges, g->capedges * sizeof *edges);
	g->edges = edges;
	g->view = false;
	atomic_fetch_add_explicit(&step_epoch, 1, memory_order_relaxed); /* (as gaz_free()) */
}
