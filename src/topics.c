/* topics: a linear model per topic over sparse text and entity features.
 *
 * Design notes (the file format and the formula are documented for users in
 * models/README.md; keep the two in step):
 *
 * - A model is a list of topics (name, bias) and a table of features. Each feature has a
 *   canonical name ("w:rare", "p:rare earth", "type:mineral", ...), a 64-bit key and a
 *   short list of (topic, weight) pairs; most features weigh on one or two topics, so the
 *   pairs are sparse and topics_add() can append topics without reshaping anything.
 * - Keys: a word's key is mix(hash(word bytes)); a phrase's key chains the key of its
 *   first words with the hash of the next word: key(a b) = next(key(a), hash(b)). Every
 *   proper prefix of a phrase is in the table too, marked "prefix" (with or without
 *   weights of its own), so scoring hashes each token once, looks it up once, and only
 *   looks further when the word starts a known phrase. Entity features hash their whole
 *   canonical name. Word hits are checked against the feature name; phrases trust the
 *   64-bit key (a false hit needs a 64-bit collision between a text phrase and one of a
 *   few thousand model phrases).
 * - Feature value: text features x = ln(1 + c * R / max(R, n)), c the count in the
 *   document, n its number of word tokens, R = 300 (a typical news article): sub-linear in
 *   the count, a rate for documents longer than R, the raw count for shorter ones (a short
 *   text is not blown up into strong evidence). Page furniture (short lines that do not end
 *   a sentence, repeated lines, headlines after the first) is not read: see text_view(). Entity features are 0/1. score =
 *   1 / (1 + exp(-(bias + sum w x))). The trainer uses the very same feature extraction.
 * - Scoring allocates only from the caller's arena: a small open-address table of the
 *   features seen and the list of its slots in order of first sight, grown with the hits.
 * - Training: one-vs-rest L2-regularised logistic regression, fitted by L-BFGS for a fixed
 *   number of iterations in a fixed order (deterministic), optionally on top of a base
 *   model (the curated weights) used as a fixed offset; proper names, words with digits,
 *   stopwords and the presence of common entity types are not learnt (see there); then the
 *   top K features of each
 *   topic by |weight| are kept and refitted alone. Topics without positive examples keep
 *   their base weights unchanged.
 */
#define _POSIX_C_SOURCE 200809L

#include "topics.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

#if defined(__x86_64__) && defined(__GNUC__)
/* text_lines_avx2() beside text_lines() and logits_dense() beside the loop of
 * model_logits(), the ones taken where wide_cpu() */
#define TV_AVX2 1
#include <immintrin.h>
#endif

/* topics_wide(false): the tests' way to the other ones on a CPU that has AVX2 */
static bool wide_off;

/* Does the CPU have what text_lines_avx2() and logits_dense() take: AVX2, BMI1, BMI2 and
 * popcnt? */
static inline bool wide_cpu(void)
{
#ifdef TV_AVX2
	return cpu_avx2_bmi();
#else
	return false;
#endif
}

bool topics_wide(bool allow)
{
	wide_off = !allow;
	return allow && wide_cpu();
}

#define REF_TOKENS 300.0
#define MAX_PHRASE 3
#define MAX_TOPIC_NAME 64
#define TV_CACHE 16 /* counts whose feature value is kept per document */
#define TW_MIN 4    /* pairs stored per feature at least (struct topics_model; model_logits()
		     * adds that many without a test) */
#define ENT_BITS 4096 /* the filter of entity feature values (struct topics_model) */
#define DENSE_ROW 16  /* topics at most for the rows of weights (struct topics_model) */

enum fkind { FK_WORD, FK_PHRASE, FK_TYPE, FK_GROUP, FK_TYPES, FK_ENT };

/* ---------------------------------------------------------------- keys and helpers */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* h is hash_bytes() of the word, already mixed in every bit: a constant sets word keys
 * apart from entity keys (mix64() of the same h would only cost a few instructions per
 * word and change no equality: it is a bijection). */
static uint64_t key_word(uint64_t h)
{
	return h ^ 0x9e3779b97f4a7c15ULL;
}

static uint64_t key_next(uint64_t k, uint64_t h)
{
	return mix64(k * 0x100000001b3ULL + h + 0x632be59bd9b4e019ULL);
}

static uint64_t key_ent(const char *s, size_t n)
{
	return mix64(hash_bytes(s, n) ^ 0x2545f4914f6cdd1dULL);
}

static bool is_wordtok(uint8_t kind)
{
	return kind == TOK_WORD || kind == TOK_NUM || kind == TOK_CJK;
}

/* is_wordtok() as 0 or 1 by kind: text_view() counts the words of every line with it (a
 * load where the compares cost more in that loop). */
static const uint8_t word_kind[256] = {[TOK_WORD] = 1, [TOK_NUM] = 1, [TOK_CJK] = 1};

static double text_value(uint32_t count, size_t nwords)
{
	double n = (double)nwords > REF_TOKENS ? (double)nwords : REF_TOKENS;
	return log1p((double)count * REF_TOKENS / n);
}

static double sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	double e = exp(z);
	return e / (1.0 + e);
}

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int strncasecmp_ascii(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)ascii_lower(a[i]);
		unsigned char y = (unsigned char)ascii_lower(b[i]);
		if (x != y || !x)
			return (int)x - (int)y;
	}
	return 0;
}

static int strcasecmp_ascii(const char *a, const char *b)
{
	return strncasecmp_ascii(a, b, (size_t)-1);
}

static bool prefix_is(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (ascii_lower(*s) != *p)
			return false;
	return true;
}

/* ---------------------------------------------------------------- the model */

struct tw {
	uint32_t topic;
	double w;
};

struct feat {
	char *name; /* canonical */
	uint64_t key;
	struct tw *tw;
	uint32_t ntw, captw;
	uint8_t kind;
	bool prefix;     /* a longer phrase continues from this word or phrase */
	uint32_t minn;   /* FK_TYPES: the threshold */
	size_t vlen;     /* FK_TYPES: length of the type name after "types:" */
	size_t nlen;     /* strlen(name) */
};

/* A slot of the model's feature index: the high half of the key sits next to the feature
 * number (the low half chose the slot), so a probe that misses (most word tokens) almost
 * never reads struct feat, and the slots stay small (8 bytes) for the cache. */
struct mslot {
	uint32_t tag; /* key >> 32 */
	uint32_t fi;  /* feature index + 1, 0 empty */
};

/* The model's feature index, copied into locals: the loop over a text's tokens looks keys
 * up with one (the counter's stores would make the compiler reload the model's fields after
 * every hit); the model keeps one made when it was built (m->fd), find_key() makes one for a
 * lookup while it is built. */
struct finder {
	const uint64_t *bloom; /* NULL: no index (no features) */
	const struct mslot *slot;
	struct feat *f;
	size_t mask, bmask;
};

/* One type named by FK_TYPES features ("country" of "types:country>=3"). */
struct tgroup {
	const char *name; /* borrowed from the first feature's name, vlen bytes */
	size_t vlen;
	size_t first, n;  /* its features: tgf[first .. first + n) */
};

struct topics_model {
	char **names;
	size_t *name_len; /* strlen(names[i]) */
	double *bias;
	size_t ntopics, captopics;
	struct feat *f;
	size_t nf, capf;
	struct mslot *slot; /* open addressing over the features, key tags in the slots */
	size_t nslot;       /* power of two */
	uint64_t *bloom;    /* 8 * nslot bits, one per key: most missing words stop there */
	size_t *types;  /* indices of the FK_TYPES features */
	size_t ntypes;
	struct tgroup *tg; /* the types of the FK_TYPES features, by ASCII-folded name */
	size_t ntg;
	uint32_t *tgf;     /* the FK_TYPES features of each group, in the order of types */
	/* What scoring reads of feature i, apart from struct feat (rebuild_score()): flags
	 * FF_* in ff[i + 1] (ff[0] = 0: a word token's tfeat indexes ff), and its (topic,
	 * weight) pairs in tws[twoff[i] .. twoff[i + 1]), the pairs of all features in one
	 * array in feature order, at least TW_MIN of them: a feature with fewer (most weigh on
	 * one or two topics) is padded with pairs of weight 0 for the topic after the last, so
	 * that scoring adds TW_MIN pairs without a test and loops only for the rest. */
	uint8_t *ff;
	uint32_t *twoff;
	struct tw *tws;
	/* With at most DENSE_ROW topics, the weights of feature i also as a row of every
	 * topic's, 0 where it has none: dense[i * DENSE_ROW + t] (aligned to 32 bytes), for
	 * logits_dense(); NULL with more topics. */
	double *dense;
	void *dense_mem; /* where dense is, to free */
	/* ent_bit() of the value of every type:, group: and ent: feature with weights: a
	 * mention string whose bit is clear has no feature, without hashing it whole (most
	 * ids, of people named in one article, have none) */
	uint64_t entbits[ENT_BITS / 64];
	struct finder fd; /* of the index as built (rebuild_score()) */
	struct arena mem; /* the features' names and (topic, weight) lists */
};

enum {
	FF_WEIGHTS = 1, /* ntw > 0 */
	FF_PREFIX = 2,  /* prefix */
	FF_TEXT = 4,    /* FK_WORD or FK_PHRASE: its value comes from its count */
};

static size_t bloom_bit(const struct topics_model *m, uint64_t key)
{
	return (size_t)(key >> 40) & (8 * m->nslot - 1);
}

static void finder_init(struct finder *fd, const struct topics_model *m)
{
	fd->bloom = m->nslot ? m->bloom : NULL;
	fd->slot = m->slot;
	fd->f = m->f;
	fd->mask = m->nslot ? m->nslot - 1 : 0;
	fd->bmask = m->nslot ? 8 * m->nslot - 1 : 0;
}

static inline struct feat *finder_get(const struct finder *fd, uint64_t key)
{
	if (!fd->bloom)
		return NULL;
	size_t b = (size_t)(key >> 40) & fd->bmask; /* bloom_bit() */
	if (!(fd->bloom[b / 64] >> (b % 64) & 1))
		return NULL;
	for (size_t i = (size_t)key & fd->mask;; i = (i + 1) & fd->mask) {
		const struct mslot *sl = &fd->slot[i];
		if (!sl->fi)
			return NULL;
		if (sl->tag == (uint32_t)(key >> 32) && fd->f[sl->fi - 1].key == key)
			return &fd->f[sl->fi - 1];
	}
}

static inline struct feat *find_key(const struct topics_model *m, uint64_t key)
{
	struct finder fd;
	finder_init(&fd, m);
	return finder_get(&fd, key);
}

/* The word feature of the normalized word s[0..n) whose hash_bytes() is h: its index + 1,
 * or 0. */
static inline uint32_t word_feat(const struct finder *fd, const char *s, size_t n, uint64_t h)
{
	const struct feat *f = finder_get(fd, key_word(h));
	if (f && f->kind == FK_WORD && f->nlen - 2 == n && same_bytes(f->name + 2, s, n))
		return (uint32_t)(f - fd->f) + 1;
	return 0;
}

uint32_t topics_word(const struct topics_model *m, const char *s, size_t n, uint64_t h)
{
	return word_feat(&m->fd, s, n, h);
}

static void mslot_put(struct mslot *slot, size_t nslot, uint64_t key, uint32_t fi)
{
	size_t i = (size_t)key & (nslot - 1);
	while (slot[i].fi)
		i = (i + 1) & (nslot - 1);
	slot[i].tag = (uint32_t)(key >> 32);
	slot[i].fi = fi;
}

/* Enter feature fi (index + 1) with this key in the slots and the bloom bits. */
static void feat_index(struct topics_model *m, uint64_t key, uint32_t fi)
{
	mslot_put(m->slot, m->nslot, key, fi);
	size_t bb = bloom_bit(m, key);
	m->bloom[bb / 64] |= (uint64_t)1 << (bb % 64);
}

/* A new open-addressing index of nslot slots (a power of two) over n records of size
 * stride whose 64-bit key sits at keyoff: slot i holds a record number + 1, 0 is empty.
 * The trainer's vocabulary uses it (the model tags its slots with the keys: struct mslot). */
static uint32_t *slots_build(const void *recs, size_t n, size_t stride, size_t keyoff,
			     size_t nslot)
{
	uint32_t *slot = xcalloc(nslot, sizeof *slot);
	for (size_t j = 0; j < n; j++) {
		uint64_t key;
		memcpy(&key, (const char *)recs + j * stride + keyoff, sizeof key);
		size_t i = (size_t)key & (nslot - 1);
		while (slot[i])
			i = (i + 1) & (nslot - 1);
		slot[i] = (uint32_t)(j + 1);
	}
	return slot;
}

static void rehash(struct topics_model *m, size_t nslot)
{
	free(m->slot);
	free(m->bloom);
	m->slot = xcalloc(nslot, sizeof *m->slot);
	m->bloom = xcalloc(nslot / 8, sizeof *m->bloom);
	m->nslot = nslot;
	for (size_t j = 0; j < m->nf; j++)
		feat_index(m, m->f[j].key, (uint32_t)(j + 1));
}

/* The feature with this key, created (without weights, a copy of name in m->mem) when
 * missing. */
static struct feat *get_feat(struct topics_model *m, uint64_t key, const char *name,
			     uint8_t kind)
{
	struct feat *f = find_key(m, key);
	if (f)
		return f;
	if (m->nf == m->capf) {
		m->capf = m->capf ? m->capf * 2 : 256;
		m->f = xrealloc(m->f, m->capf * sizeof *m->f);
	}
	f = &m->f[m->nf++];
	memset(f, 0, sizeof *f);
	f->nlen = strlen(name);
	f->name = arena_alloc(&m->mem, f->nlen + 1);
	memcpy(f->name, name, f->nlen + 1);
	f->key = key;
	f->kind = kind;
	if (m->nf * 2 > m->nslot)
		rehash(m, m->nslot ? m->nslot * 2 : 1024);
	else
		feat_index(m, key, (uint32_t)m->nf);
	return f;
}

static void feat_addw(struct topics_model *m, struct feat *f, uint32_t topic, double w)
{
	for (uint32_t i = 0; i < f->ntw; i++)
		if (f->tw[i].topic == topic) {
			f->tw[i].w += w;
			return;
		}
	if (f->ntw == f->captw) {
		/* the list moves in m->mem (the old one stays there unused: lists are short) */
		f->captw = f->captw ? f->captw * 2 : 2;
		struct tw *tw = arena_alloc(&m->mem, f->captw * sizeof *tw);
		if (f->ntw)
			memcpy(tw, f->tw, f->ntw * sizeof *tw);
		f->tw = tw;
	}
	f->tw[f->ntw].topic = topic;
	f->tw[f->ntw].w = w;
	f->ntw++;
}

static long find_topic(const struct topics_model *m, const char *name)
{
	for (size_t i = 0; i < m->ntopics; i++)
		if (strcmp(m->names[i], name) == 0)
			return (long)i;
	return -1;
}

static size_t add_topic(struct topics_model *m, const char *name)
{
	long i = find_topic(m, name);
	if (i >= 0)
		return (size_t)i;
	if (m->ntopics == m->captopics) {
		m->captopics = m->captopics ? m->captopics * 2 : 16;
		m->names = xrealloc(m->names, m->captopics * sizeof *m->names);
		m->name_len = xrealloc(m->name_len, m->captopics * sizeof *m->name_len);
		m->bias = xrealloc(m->bias, m->captopics * sizeof *m->bias);
	}
	m->names[m->ntopics] = xstrdup(name);
	m->name_len[m->ntopics] = strlen(name);
	m->bias[m->ntopics] = 0;
	return m->ntopics++;
}

static struct topics_model *model_new(void)
{
	struct topics_model *m = xcalloc(1, sizeof(struct topics_model));
	arena_init(&m->mem);
	return m;
}

void topics_free(struct topics_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ntopics; i++)
		free(m->names[i]);
	arena_clear(&m->mem);
	free(m->names);
	free(m->name_len);
	free(m->bias);
	free(m->f);
	free(m->slot);
	free(m->bloom);
	free(m->types);
	free(m->tg);
	free(m->tgf);
	free(m->ff);
	free(m->twoff);
	free(m->tws);
	free(m->dense_mem);
	free(m);
}

size_t topics_count(const struct topics_model *m)
{
	return m->ntopics;
}

const char *topics_name(const struct topics_model *m, size_t i)
{
	assert(i < m->ntopics);
	return m->names[i];
}

size_t topics_name_len(const struct topics_model *m, size_t i)
{
	assert(i < m->ntopics);
	return m->name_len[i];
}

/* ---------------------------------------------------------------- loading */

/* One parsed line of a model file, kept until the whole file is known to be good. */
struct pline {
	uint32_t ti; /* its topic: p->topics[ti] */
	char *name;  /* canonical feature name (in parse.names); NULL for bias */
	uint64_t key;
	uint64_t pre[MAX_PHRASE - 1]; /* keys of the proper prefixes of a phrase */
	int npre;
	uint8_t kind;
	uint32_t minn;
	size_t vlen;
	double w;
	long line;
};

struct parse {
	struct pline *v;
	size_t n, cap;
	char **topics; /* the topic names of the lines, each once, in order of first sight */
	size_t *tlen;
	size_t ntopics, last; /* last: the topic of the previous line (most lines repeat it) */
	char **order; /* topics named by "# topics:" lines */
	size_t norder;
	const char *path;
	struct arena scratch; /* a feature's normalized text and tokens, reset per line */
	struct arena names;   /* the lines' feature names */
};

static void parse_clear(struct parse *p)
{
	arena_clear(&p->scratch);
	arena_clear(&p->names);
	for (size_t i = 0; i < p->ntopics; i++)
		free(p->topics[i]);
	free(p->topics);
	free(p->tlen);
	for (size_t i = 0; i < p->norder; i++)
		free(p->order[i]);
	free(p->v);
	free(p->order);
}

static bool valid_topic(const char *s, size_t n)
{
	if (n == 0 || n > MAX_TOPIC_NAME)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static int perr(struct err *err, const char *path, long line, long col, int code,
		const char *fmt, const char *a, const char *b)
{
	int r = err_set(err, code, path, line, fmt, a, b);
	if (err)
		err->col = col;
	return r;
}

/* Words of the value of a w: or p: feature, by the tokenizer the text goes through:
 * fills pl->name ("w:a" / "p:a b c"), key and prefix keys. */
static int parse_words(struct arena *a, struct arena *keep, struct pline *pl, const char *val,
		       bool phrase, const char *path, long col, struct err *err)
{
	struct norm_text nt;
	struct tok_list tl;
	int r = 0;
	if (norm_text(a, val, strlen(val), &nt) < 0 || tok_split(a, &nt, val, &tl) < 0) {
		r = perr(err, path, pl->line, col, ERR_SYNTAX, "cannot tokenize feature '%s'%s",
			 val, "");
		goto out;
	}
	const char *ws[MAX_PHRASE];
	size_t wls[MAX_PHRASE], namelen = 2;
	int nw = 0;
	uint64_t key = 0;
	for (size_t i = 0; i < tl.n; i++) {
		const struct token *t = &tl.v[i];
		if (t->kind == TOK_HYPHEN && phrase)
			continue;
		if (!is_wordtok(t->kind)) {
			r = perr(err, path, pl->line, col, ERR_SYNTAX,
				 "feature '%s' has a character that is not part of a word%s", val,
				 phrase ? "" : " (use p: for a phrase)");
			goto out;
		}
		if (nw == MAX_PHRASE) {
			nw++;
			break;
		}
		const char *w = nt.s + t->nstart;
		size_t wl = t->nend - t->nstart;
		uint64_t h = hash_bytes(w, wl);
		if (nw)
			pl->pre[nw - 1] = key;
		key = nw ? key_next(key, h) : key_word(h);
		ws[nw] = w;
		wls[nw] = wl;
		namelen += (nw ? 1 : 0) + wl;
		nw++;
	}
	if (!phrase && nw != 1) {
		r = perr(err, path, pl->line, col, ERR_SYNTAX,
			 nw ? "w: feature '%s' is more than one word%s"
			    : "w: feature '%s' has no word%s",
			 val, nw ? " (use p: for a phrase)" : "");
		goto out;
	}
	if (phrase && (nw < 2 || nw > MAX_PHRASE)) {
		r = perr(err, path, pl->line, col, ERR_SYNTAX,
			 "p: feature '%s' must have 2 or 3 words%s", val, "");
		goto out;
	}
	/* "w:a" or "p:a b c", in keep */
	char *name = arena_alloc(keep, namelen + 1), *o = name;
	memcpy(o, phrase ? "p:" : "w:", 2);
	o += 2;
	for (int k = 0; k < nw; k++) {
		if (k)
			*o++ = ' ';
		memcpy(o, ws[k], wls[k]);
		o += wls[k];
	}
	*o = '\0';
	pl->name = name;
	pl->key = key;
	pl->npre = nw - 1;
	pl->kind = phrase ? FK_PHRASE : FK_WORD;
out:
	arena_reset(a);
	return r;
}

/* An entity feature: prefix (e.g. "type:") and its value through norm_string(). */
static int parse_entity(struct arena *keep, struct pline *pl, const char *prefix,
			const char *val, uint8_t kind, const char *path, long col, struct err *err)
{
	char *v = norm_string(val);
	size_t vl = strlen(v);
	int r = 0;
	if (vl == 0 || strpbrk(v, " \t")) {
		r = perr(err, path, pl->line, col, ERR_SYNTAX, "bad value '%s' in %s feature", val,
			 prefix);
		goto out;
	}
	if (kind == FK_TYPES) {
		char *ge = strstr(v, ">=");
		char *end;
		errno = 0;
		long n = ge ? strtol(ge + 2, &end, 10) : 0;
		if (!ge || ge == v || errno || *end || n < 1 || n > 1000 || !ge[2]) {
			r = perr(err, path, pl->line, col, ERR_SYNTAX,
				 "types feature '%s' must look like types:TYPE>=N (N >= 1)%s", val, "");
			goto out;
		}
		pl->minn = (uint32_t)n;
		pl->vlen = (size_t)(ge - v);
	}
	size_t pl_len = strlen(prefix);
	pl->name = arena_alloc(keep, pl_len + vl + 1);
	memcpy(pl->name, prefix, pl_len);
	memcpy(pl->name + pl_len, v, vl + 1);
	pl->key = key_ent(pl->name, pl_len + vl);
	pl->kind = kind;
out:
	free(v);
	return r;
}

static int parse_feature(struct arena *a, struct arena *keep, struct pline *pl, const char *s,
			 const char *path, long col, struct err *err)
{
	static const struct {
		const char *prefix;
		uint8_t kind;
	} ents[] = {
		{"type:", FK_TYPE}, {"types:", FK_TYPES}, {"group:", FK_GROUP}, {"ent:", FK_ENT},
	};
	if (strcmp(s, "bias") == 0) {
		pl->name = NULL;
		return 0;
	}
	if (prefix_is(s, "w:"))
		return parse_words(a, keep, pl, s + 2, false, path, col, err);
	if (prefix_is(s, "p:"))
		return parse_words(a, keep, pl, s + 2, true, path, col, err);
	for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
		if (prefix_is(s, ents[i].prefix))
			return parse_entity(keep, pl, ents[i].prefix, s + strlen(ents[i].prefix),
					    ents[i].kind, path, col, err);
	return perr(err, path, pl->line, col, ERR_SYNTAX,
		    "unknown feature '%s' (expected bias, w:, p:, type:, types:, group: or ent:)%s",
		    s, "");
}

static int parse_directive(struct parse *p, const char *s, long line, struct err *err)
{
	/* s follows "topics:" */
	const char *q = s;
	for (;;) {
		while (*q == ' ' || *q == '\t' || *q == ',')
			q++;
		if (!*q)
			return 0;
		const char *e = q;
		while (*e && *e != ' ' && *e != '\t' && *e != ',')
			e++;
		char *name = xstrndup(q, (size_t)(e - q));
		if (!valid_topic(q, (size_t)(e - q))) {
			int r = perr(err, p->path, line, (long)(q - s) + 1, ERR_SYNTAX,
				     "invalid topic name '%s' in '# topics:' line%s", name, "");
			free(name);
			return r;
		}
		p->order = xrealloc(p->order, (p->norder + 1) * sizeof *p->order);
		p->order[p->norder++] = name;
		q = e;
	}
}

/* The plain decimals of the model files ("-4.6000": a sign, up to 15 digits, a point): the
 * integer of their digits over a power of ten, both exact doubles, so that the one rounding
 * of the division is strtod()'s correct rounding (Clinger's fast path). Anything else goes
 * to strtod(). */
double topics_strtod(const char *s, char **end)
{
	static const double p10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
				       1e11, 1e12, 1e13, 1e14, 1e15};
	const char *q = s;
	bool neg = *q == '-';
	if (*q == '-' || *q == '+')
		q++;
	uint64_t v = 0;
	int nd = 0, nfrac = 0;
	for (; *q >= '0' && *q <= '9'; q++, nd++)
		v = 10 * v + (uint64_t)(*q - '0');
	if (nd && *q == '.')
		for (q++; *q >= '0' && *q <= '9'; q++, nd++, nfrac++)
			v = 10 * v + (uint64_t)(*q - '0');
	if (!nd || nd > 15 || (*q >= '0' && *q <= '9') || *q == 'e' || *q == 'E' ||
	    *q == '.' || *q == 'x' || *q == 'X' || *q == 'p' || *q == 'P')
		return strtod(s, end);
	double w = (double)v / p10[nfrac];
	*end = (char *)q;
	return neg ? -w : w;
}

/* The index of topic name s[0..n) among p->topics, added when new; -1 when the name is not
 * a valid one. */
static long parse_topic(struct parse *p, const char *s, size_t n)
{
	if (p->ntopics && p->tlen[p->last] == n && memcmp(p->topics[p->last], s, n) == 0)
		return (long)p->last;
	for (size_t i = 0; i < p->ntopics; i++)
		if (p->tlen[i] == n && memcmp(p->topics[i], s, n) == 0)
			return (long)(p->last = i);
	if (!valid_topic(s, n))
		return -1;
	if (!(p->ntopics & (p->ntopics - 1))) { /* 0, 1, 2, 4, ...: double */
		size_t cap = p->ntopics ? 2 * p->ntopics : 1;
		p->topics = xrealloc(p->topics, cap * sizeof *p->topics);
		p->tlen = xrealloc(p->tlen, cap * sizeof *p->tlen);
	}
	p->topics[p->ntopics] = xstrndup(s, n);
	p->tlen[p->ntopics] = n;
	return (long)(p->last = p->ntopics++);
}

/* Line s[0..len) (NUL-terminated there; s is written to). */
static int parse_line(struct parse *p, char *s, size_t len, long line, struct err *err)
{
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	const char *q = s;
	while (*q == ' ' || *q == '\t')
		q++;
	if (!*q)
		return 0;
	if (*q == '#') {
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "topics:", 7) == 0)
			return parse_directive(p, q + 7, line, err);
		return 0;
	}
	char *f[3];
	size_t fl[3];
	long col[3];
	int nf = 0;
	char *c = s, *end = s + len;
	for (;;) {
		char *tab = memchr(c, '\t', (size_t)(end - c));
		if (nf < 3) {
			f[nf] = c;
			fl[nf] = (size_t)((tab ? tab : end) - c);
			col[nf] = (long)(c - s) + 1;
		}
		nf++;
		if (!tab)
			break;
		*tab = '\0';
		c = tab + 1;
	}
	if (nf != 3) {
		char got[32];
		snprintf(got, sizeof got, "%d", nf);
		return perr(err, p->path, line, 0, ERR_SYNTAX,
			    "expected 3 tab-separated fields (topic, feature, weight), got %s%s", got,
			    "");
	}
	for (int i = 0; i < 3; i++) {
		/* surrounding spaces are forgiven */
		while (*f[i] == ' ') {
			f[i]++;
			fl[i]--;
			col[i]++;
		}
		while (fl[i] && f[i][fl[i] - 1] == ' ')
			f[i][--fl[i]] = '\0';
	}
	long ti = parse_topic(p, f[0], fl[0]);
	if (ti < 0)
		return perr(err, p->path, line, col[0], ERR_SYNTAX,
			    "invalid topic name '%s' (letters, digits, '_', '-', '.')%s", f[0], "");
	char *wend;
	errno = 0;
	double w = topics_strtod(f[2], &wend);
	if (wend == f[2] || *wend || errno || !isfinite(w) || fabs(w) > 1000)
		return perr(err, p->path, line, col[2], ERR_SYNTAX,
			    "invalid weight '%s' (a number between -1000 and 1000)%s", f[2], "");
	struct pline pl;
	memset(&pl, 0, sizeof pl);
	pl.line = line;
	pl.w = w;
	int r = parse_feature(&p->scratch, &p->names, &pl, f[1], p->path, col[1], err);
	if (r < 0)
		return r;
	pl.ti = (uint32_t)ti;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->v = xrealloc(p->v, p->cap * sizeof *p->v);
	}
	p->v[p->n++] = pl;
	return 0;
}

/* A hash of a line's (topic, feature): the feature's key stands for its name (bias: 0). */
static uint64_t pline_hash(const struct pline *pl)
{
	return mix64(pl->key + (pl->ti + 1) * 0x9e3779b97f4a7c15ULL);
}

static bool pline_same(const struct pline *x, const struct pline *y)
{
	return x->ti == y->ti && x->key == y->key &&
	       strcmp(x->name ? x->name : "", y->name ? y->name : "") == 0;
}

/* Checks over the whole file: duplicate lines, new topics without a bias. */
static int parse_check(const struct parse *p, const struct topics_model *m, struct err *err)
{
	int r = 0;
	if (!p->n)
		goto topics_without_lines;
	/* the duplicate found on the earliest line is reported: lines in file order into a
	 * set of (topic, feature); the first line found there is the first duplicate */
	size_t cap = 16;
	while (cap < 2 * p->n)
		cap *= 2;
	const struct pline **s = xcalloc(cap, sizeof *s);
	const struct pline *dup = NULL, *first = NULL;
	for (size_t i = 0; i < p->n && !dup; i++) {
		const struct pline *pl = &p->v[i];
		size_t j = (size_t)pline_hash(pl) & (cap - 1);
		for (; s[j]; j = (j + 1) & (cap - 1))
			if (pline_same(s[j], pl))
				break;
		if (s[j]) {
			dup = pl;
			first = s[j];
		} else {
			s[j] = pl;
		}
	}
	if (dup) {
		char msg[64];
		snprintf(msg, sizeof msg, "' (first on line %ld)", first->line);
		r = err_set(err, ERR_SYNTAX, p->path, dup->line, "duplicate line for topic '%s' and feature '%s%s",
			    p->topics[dup->ti], dup->name ? dup->name : "bias", msg);
		goto out;
	}
	/* a topic new to the model needs a bias line (else every text would score 0.5): the
	 * first line of a topic that is neither in the model nor has one is reported */
	{
		bool *ok = xcalloc(p->ntopics + 1, sizeof *ok);
		for (size_t j = 0; j < p->n; j++)
			if (!p->v[j].name)
				ok[p->v[j].ti] = true;
		for (size_t t = 0; t < p->ntopics; t++)
			ok[t] = ok[t] || find_topic(m, p->topics[t]) >= 0;
		for (size_t i = 0; i < p->n && r == 0; i++)
			if (!ok[p->v[i].ti])
				r = err_set(err, ERR_SYNTAX, p->path, p->v[i].line,
					    "topic '%s' has no bias line", p->topics[p->v[i].ti]);
		free(ok);
		if (r < 0)
			goto out;
	}
out:
	free(s);
	if (r < 0)
		return r;
topics_without_lines:
	for (size_t i = 0; i < p->norder; i++) {
		bool seen = find_topic(m, p->order[i]) >= 0;
		for (size_t t = 0; t < p->ntopics && !seen; t++)
			seen = strcmp(p->topics[t], p->order[i]) == 0; /* a line has it */
		if (!seen)
			return err_set(err, ERR_SYNTAX, p->path, 0,
				       "topic '%s' of the '# topics:' line has no lines", p->order[i]);
	}
	return 0;
}

static int cmp_tgroup(const void *a, const void *b)
{
	const struct tgroup *x = a, *y = b;
	size_t n = x->vlen < y->vlen ? x->vlen : y->vlen;
	int r = strncasecmp_ascii(x->name, y->name, n);
	if (r)
		return r;
	return (x->vlen > y->vlen) - (x->vlen < y->vlen);
}

/* The FK_TYPES features, and their types in the order count_entities() visits them: by
 * ASCII-folded type name, as a sort of the mentions by type would. */
static void rebuild_types(struct topics_model *m)
{
	free(m->types);
	free(m->tg);
	free(m->tgf);
	m->types = NULL;
	m->ntypes = 0;
	m->tg = NULL;
	m->ntg = 0;
	m->tgf = NULL;
	for (size_t i = 0; i < m->nf; i++)
		if (m->f[i].kind == FK_TYPES && m->f[i].ntw) {
			m->types = xrealloc(m->types, (m->ntypes + 1) * sizeof *m->types);
			m->types[m->ntypes++] = i;
		}
	if (!m->ntypes)
		return;
	m->tg = xcalloc(m->ntypes, sizeof *m->tg);
	for (size_t k = 0; k < m->ntypes; k++) {
		const struct feat *f = &m->f[m->types[k]];
		struct tgroup g = {f->name + 6, f->vlen, 0, 0};
		size_t j = 0;
		while (j < m->ntg && cmp_tgroup(&m->tg[j], &g) != 0)
			j++;
		if (j == m->ntg)
			m->tg[m->ntg++] = g;
		m->tg[j].n++;
	}
	qsort(m->tg, m->ntg, sizeof *m->tg, cmp_tgroup);
	m->tgf = xcalloc(m->ntypes, sizeof *m->tgf);
	for (size_t j = 0, first = 0; j < m->ntg; j++) {
		m->tg[j].first = first;
		first += m->tg[j].n;
		m->tg[j].n = 0;
	}
	for (size_t k = 0; k < m->ntypes; k++) {
		const struct feat *f = &m->f[m->types[k]];
		struct tgroup g = {f->name + 6, f->vlen, 0, 0};
		struct tgroup *t = bsearch(&g, m->tg, m->ntg, sizeof *m->tg, cmp_tgroup);
		assert(t);
		m->tgf[t->first + t->n++] = (uint32_t)m->types[k];
	}
}

/* The prefixes of the entity features by kind (0 type:, 1 group:, 2 ent:; see ent_new()). */
static const char *const ent_prefix[] = {"type:", "group:", "ent:"};
static const size_t ent_plen[] = {5, 6, 4};

/* The bit of an entity feature's value in m->entbits: from its kind (0 type:, 1 group:,
 * 2 ent:), its length n and its sample w (sample4()). */
static size_t ent_bit(uint32_t kind, size_t n, uint64_t w)
{
	uint64_t x = (w ^ (uint64_t)n << 40 ^ (uint64_t)kind << 56) * 0x9E3779B97F4A7C15ULL;
	return (size_t)(x >> 52) & (ENT_BITS - 1);
}

/* Four bytes of the NUL-terminated s[0..n) as one word: its first, middle and last two (a
 * byte of the terminator, or the first again, where s is shorter). Byte loads without a
 * test of n: a copy of the first 8 bytes took a branch on n that was mispredicted for most
 * mention strings, and ids that share their first 8 bytes ("country:") differ here. */
static inline uint64_t sample4(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t last = n - (n > 0), last2 = n - 2 * (n > 1);
	return (uint64_t)u[0] | (uint64_t)u[n / 2] << 8 | (uint64_t)u[last] << 16 |
	       (uint64_t)u[last2] << 24;
}

/* The scoring view of the features: m->ff, m->twoff, m->tws and m->entbits from m->f. */
static void rebuild_score(struct topics_model *m)
{
	free(m->ff);
	free(m->twoff);
	free(m->tws);
	size_t ntw = 0;
	for (size_t i = 0; i < m->nf; i++)
		ntw += m->f[i].ntw < TW_MIN ? TW_MIN : m->f[i].ntw;
	m->ff = xmalloc(m->nf + 1);
	m->ff[0] = 0;
	m->twoff = xmalloc((m->nf + 1) * sizeof *m->twoff);
	m->tws = xmalloc((ntw + 1) * sizeof *m->tws);
	memset(m->entbits, 0, sizeof m->entbits);
	uint32_t k = 0;
	for (size_t i = 0; i < m->nf; i++) {
		const struct feat *f = &m->f[i];
		if (f->ntw && (f->kind == FK_TYPE || f->kind == FK_GROUP || f->kind == FK_ENT)) {
			uint32_t ek = f->kind == FK_TYPE ? 0 : f->kind == FK_GROUP ? 1 : 2;
			size_t pl = ent_plen[ek];
			size_t b = ent_bit(ek, f->nlen - pl, sample4(f->name + pl, f->nlen - pl));
			m->entbits[b / 64] |= (uint64_t)1 << (b % 64);
		}
		m->ff[i + 1] = (uint8_t)((f->ntw ? FF_WEIGHTS : 0) | (f->prefix ? FF_PREFIX : 0) |
				     (f->kind == FK_WORD || f->kind == FK_PHRASE ? FF_TEXT : 0));
		m->twoff[i] = k;
		if (f->ntw) /* a prefix alone has no pairs (tw NULL) */
			memcpy(m->tws + k, f->tw, f->ntw * sizeof *f->tw);
		k += f->ntw;
		for (; k < m->twoff[i] + TW_MIN; k++) {
			m->tws[k].topic = (uint32_t)m->ntopics; /* no topic: the logits' spare */
			m->tws[k].w = 0;
		}
	}
	m->twoff[m->nf] = k;
	finder_init(&m->fd, m);
	free(m->dense_mem);
	m->dense_mem = NULL;
	m->dense = NULL;
	if (m->ntopics <= DENSE_ROW) {
		size_t n = m->nf * DENSE_ROW * sizeof *m->dense;
		m->dense_mem = xmalloc(n + 32);
		m->dense = (double *)(((uintptr_t)m->dense_mem + 31) & ~(uintptr_t)31);
		memset(m->dense, 0, n);
		for (size_t i = 0; i < m->nf; i++)
			for (uint32_t j = 0; j < m->f[i].ntw; j++)
				m->dense[i * DENSE_ROW + m->f[i].tw[j].topic] = m->f[i].tw[j].w;
	}
}

/* Enter p's lines into m. */
static void parse_apply(struct parse *p, struct topics_model *m)
{
	for (size_t i = 0; i < p->norder; i++)
		add_topic(m, p->order[i]);
	/* m's index of each of p's topics, found (or added) at its first line, in line order */
	size_t *mt = xmalloc((p->ntopics + 1) * sizeof *mt);
	for (size_t t = 0; t < p->ntopics; t++)
		mt[t] = SIZE_MAX;
	for (size_t i = 0; i < p->n; i++) {
		struct pline *pl = &p->v[i];
		if (mt[pl->ti] == SIZE_MAX)
			mt[pl->ti] = add_topic(m, p->topics[pl->ti]);
		size_t t = mt[pl->ti];
		if (!pl->name) {
			m->bias[t] += pl->w;
			continue;
		}
		if (pl->kind == FK_PHRASE) {
			/* the prefixes: "a" and "a b" for "a b c" */
			const char *sp = pl->name + 2;
			for (int k = 0; k < pl->npre; k++) {
				sp = strchr(sp, ' ');
				assert(sp);
				size_t plen = (size_t)(sp - pl->name);
				char *pname = arena_alloc(&p->scratch, plen + 1);
				memcpy(pname, pl->name, plen);
				pname[plen] = '\0';
				if (k == 0)
					pname[0] = 'w'; /* "w:a" */
				struct feat *pf = get_feat(m, pl->pre[k], pname,
							   k == 0 ? FK_WORD : FK_PHRASE);
				pf->prefix = true;
				sp++;
			}
		}
		struct feat *f = get_feat(m, pl->key, pl->name, pl->kind);
		f->minn = pl->minn;
		f->vlen = pl->vlen;
		feat_addw(m, f, (uint32_t)t, pl->w);
	}
	free(mt);
	rebuild_types(m);
	rebuild_score(m);
}

int topics_add(struct topics_model *m, const char *path, struct err *err)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
	struct parse p;
	memset(&p, 0, sizeof p);
	p.path = path;
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int r = 0;
	while (getline(&line, &cap, fp) >= 0) {
		lineno++;
		size_t len = strlen(line); /* a NUL byte ends the line */
		if (len > 1 << 16) {
			r = err_set(err, ERR_SYNTAX, path, lineno, "line too long");
			break;
		}
		r = parse_line(&p, line, len, lineno, err);
		if (r < 0)
			break;
	}
	if (r == 0 && ferror(fp))
		r = err_set(err, ERR_IO, path, lineno, "read error: %s", strerror(errno));
	free(line);
	fclose(fp);
	if (r == 0 && p.n == 0 && p.norder == 0)
		r = err_set(err, ERR_SYNTAX, path, 0, "no model lines");
	if (r == 0)
		r = parse_check(&p, m, err);
	if (r == 0)
		parse_apply(&p, m);
	parse_clear(&p);
	return r;
}

struct topics_model *topics_load(const char *path, struct err *err)
{
	struct topics_model *m = model_new();
	if (topics_add(m, path, err) < 0) {
		topics_free(m);
		return NULL;
	}
	return m;
}

/* ---------------------------------------------------------------- scoring */

/* Features seen in one document: an open-address table of (feature, count) and the list of
 * its used slots in order of first sight (the order the logits add the features in), both
 * from the arena and grown with the hits (a model's feature count would make every
 * document pay for clearing a large table). The table is at most a quarter full, so a
 * probe almost always ends at its first slot, and a hit takes the same steps whether the
 * feature is new or not (new ones go to the list without a branch): which of the two a
 * word is cannot be predicted. */
struct cslot {
	uint32_t key;   /* feature index + 1, 0: empty */
	uint32_t count; /* 0 while empty */
};

struct counter {
	struct cslot *tab;
	uint32_t *order; /* the used slots of tab, in order of first sight */
	size_t n, cap;   /* cap: room in order, a quarter of tab's slots */
	size_t mask;
	unsigned shift; /* 64 - log2(mask + 1) */
	struct arena *a;
};

#define COUNTER_MIN 64 /* more than most news articles hit */

/* The high bits of the product (its low bits depend on the low bits of key alone). */
static size_t counter_slot(const struct counter *c, uint32_t key)
{
	return (size_t)((uint64_t)key * 0x9e3779b97f4a7c15ULL >> c->shift);
}

/* The slot of key: its own, or the empty one where it goes. */
static inline size_t counter_find(const struct counter *c, uint32_t key)
{
	size_t i = counter_slot(c, key);
	for (;;) {
		uint32_t k = c->tab[i].key;
		if ((k != key) & (k != 0)) { /* one branch, almost never taken */
			i = (i + 1) & c->mask;
			continue;
		}
		return i;
	}
}

static void counter_table(struct counter *c, size_t cap)
{
	c->cap = cap;
	c->mask = 4 * cap - 1;
	c->shift = (unsigned)__builtin_clzll(c->mask);
	c->tab = arena_alloc(c->a, 4 * cap * sizeof *c->tab);
	memset(c->tab, 0, 4 * cap * sizeof *c->tab);
}

static void counter_init(struct counter *c, struct arena *a)
{
	c->a = a;
	c->n = 0;
	counter_table(c, COUNTER_MIN);
	c->order = arena_alloc(a, COUNTER_MIN * sizeof *c->order);
}

/* Twice the room: the table built again, the list's slots moved with their entries. */
static void counter_grow(struct counter *c)
{
	struct cslot *old = c->tab;
	uint32_t *order = arena_alloc(c->a, 2 * c->cap * sizeof *order);
	counter_table(c, 2 * c->cap);
	for (size_t j = 0; j < c->n; j++) {
		size_t i = counter_find(c, old[c->order[j]].key);
		c->tab[i] = old[c->order[j]];
		order[j] = (uint32_t)i;
	}
	c->order = order;
}

/* Count n more occurrences of feature fi. */
static inline void counter_add(struct counter *c, uint32_t fi, uint32_t n)
{
	size_t i = counter_find(c, fi + 1);
	/* n < cap: a known feature's slot is written past the list too, and dropped */
	c->order[c->n] = (uint32_t)i;
	c->n += c->tab[i].key == 0;
	c->tab[i].key = fi + 1;
	c->tab[i].count += n;
	if (c->n == c->cap)
		counter_grow(c);
}

static void counter_hit(struct counter *c, uint32_t fi)
{
	counter_add(c, fi, 1);
}

/* The feature and the count of the i-th feature seen. */
static inline uint32_t counter_feat(const struct counter *c, size_t i)
{
	return c->tab[c->order[i]].key - 1;
}

static inline uint32_t counter_count(const struct counter *c, size_t i)
{
	return c->tab[c->order[i]].count;
}

/* Page furniture. Two kinds of line are skipped: their words are not counted in n and their
 * words and phrases are not features (entity features are not affected: mentions have no
 * line).
 * - A short line: at most SHORT_LINE words and not the end of a sentence (menu entries such
 *   as "Business" or "View All Result", bylines, credits, "Read more"). Only when the
 *   document has at least one line of more than SHORT_LINE words, so a headline or a list
 *   of keywords given alone is still read. A short line that ends with '.', '!' or '?'
 *   (maybe before a closing quote or bracket) ends a paragraph and is kept.
 * - A repeated line: a line whose normalized text equals an earlier line of the document
 *   (the same menu or list of related stories printed twice) counts once. */
#define SHORT_LINE 3
#define HEADLINE_WEIGHT 3

static bool ends_sentence(const struct tok_list *toks, const char *s, size_t i, size_t j)
{
	while (j > i) {
		const struct token *t = &toks->v[j - 1];
		if (t->kind != TOK_PUNCT)
			return false;
		const char *c = s + t->nstart;
		size_t l = t->nend - t->nstart;
		if (l == 1 && (*c == '.' || *c == '!' || *c == '?'))
			return true;
		bool closer = (l == 1 && (*c == '"' || *c == '\'' || *c == ')' || *c == ']')) ||
			      (l == 3 && (memcmp(c, "\xe2\x80\x9d", 3) == 0 || /* U+201D */
					  memcmp(c, "\xe2\x80\x99", 3) == 0));  /* U+2019 */
		if (!closer)
			return false;
		j--;
	}
	return false;
}

struct line {
	size_t start, end; /* tokens [start, end) */
	size_t nwords;
	uint64_t hash;  /* of its text, set when it is looked up among the earlier lines */
	bool ends;      /* ends a sentence */
	bool furniture; /* short and not the end of a sentence */
	bool headline;  /* capitalized like a headline, and not the end of a sentence */
};

/* A headline-style line: three or more words of four letters or more, at most one of them
 * in lower case. */
static bool headline_line(const struct tok_list *toks, size_t i, size_t j)
{
	size_t caps = 0, lower = 0;
	/* counted without tests: which words count, and how, cannot be predicted */
	for (; i < j; i++) {
		const struct token *t = &toks->v[i];
		unsigned w = (t->kind == TOK_WORD) & (t->nend - t->nstart >= 4);
		unsigned up = (t->flags & TOKF_INIT_UPPER) != 0, lo = (t->flags & TOKF_HAS_LOWER) != 0;
		caps += w & up;
		lower += w & !up & lo;
	}
	return caps >= 3 && lower <= 1;
}

/* A hash of a line's text for the table of lines: its length and three 8-byte samples
 * (start, middle, end) of a long one. Equal texts have equal hashes, and the table compares
 * the bytes: a line of news is hundreds of bytes, and hashing them all cost more than the
 * rest of text_view(). */
static uint64_t line_hash(const char *p, size_t len)
{
	if (len <= 24)
		return hash_bytes(p, len);
	uint64_t x, y, z;
	memcpy(&x, p, 8);
	memcpy(&y, p + len / 2 - 4, 8);
	memcpy(&z, p + len - 8, 8);
	return hash_end(hash_step(hash_step(hash_step(hash_start(len), x), y), z));
}

static size_t line_bytes(const struct tok_list *toks, const struct line *l)
{
	return toks->v[l->end - 1].nend - toks->v[l->start].nstart;
}

/* The lines of a document as text_lines() finds them: grown in the arena. */
struct lines {
	struct line *v;
	size_t n, cap;
	struct arena *a;
};

/* Add the line of tokens [start, end) with nw words (its other fields are set later). */
static inline void lines_add(struct lines *ls, size_t start, size_t end, size_t nw)
{
	if (ls->n == ls->cap)
		ls->v = arena_grow(ls->a, ls->v, ls->n, &ls->cap, sizeof *ls->v, 0);
	struct line *l = &ls->v[ls->n++];
	l->start = start;
	l->end = end;
	l->nwords = nw;
}

/* The lines of the n > 0 tokens v into *ls, their words counted; with fl, the tokens whose
 * tfeat is not 0 into fl in order (fl has room for n + 8, and gets n after the last).
 * Returns the number of tokens listed. A token at a time: every token is written to fl,
 * the list grows past those with a feature. */
static size_t text_lines(const struct token *v, size_t n, struct lines *ls, uint32_t *fl)
{
	size_t nf = 0;
	for (size_t i = 0; i < n;) {
		size_t nw = 0, j = i;
		if (fl) {
			do {
				nw += word_kind[v[j].kind];
				fl[nf] = (uint32_t)j;
				nf += v[j].tfeat != 0;
				j++;
			} while (j < n && !(v[j].flags & TOKF_LINE_BEFORE));
		} else {
			do {
				nw += word_kind[v[j].kind];
				j++;
			} while (j < n && !(v[j].flags & TOKF_LINE_BEFORE));
		}
		lines_add(ls, i, j, nw);
		i = j;
	}
	if (fl)
		fl[nf] = (uint32_t)n;
	return nf;
}

#ifdef TV_AVX2
#define WIDE_INLINE static inline __attribute__((always_inline, target("avx2,bmi,bmi2,popcnt")))

/* Where text_lines_avx2() is: tokens listed, the current line's first token and words. */
struct tv_state {
	size_t nf, start, nw;
};

/* Eight tokens from j (those of the bits of live) whose kind and flags (one 32-bit word,
 * with the lists after them) are the lanes of kf, whose tfeat those of tf and whose numbers
 * those of ix: the word tokens, the line starts and the listed tokens taken as bit masks.
 * A line break inside the eight (in about one in ten) splits their count of words; the
 * listed tokens are written as one vector, packed by the permutation that pext makes of
 * their mask. */
WIDE_INLINE void tv_block(struct tv_state *st, struct lines *ls, uint32_t *fl, size_t j,
			  __m256i ix, __m256i kf, __m256i tf, unsigned live)
{
	/* bit k of 0x23 is is_wordtok(k): TOK_WORD 0, TOK_NUM 1, TOK_CJK 5 */
	__m256i wk = _mm256_srlv_epi32(_mm256_set1_epi32(0x23),
				       _mm256_and_si256(kf, _mm256_set1_epi32(7)));
	unsigned word = (unsigned)_mm256_movemask_ps(
				_mm256_castsi256_ps(_mm256_slli_epi32(wk, 31))) & live;
	/* TOKF_LINE_BEFORE, bit 1 of the flags, is bit 9 of the word: to the sign bit */
	unsigned brk = (unsigned)_mm256_movemask_ps(
			       _mm256_castsi256_ps(_mm256_slli_epi32(kf, 22))) & live;
	if (fl) {
		unsigned feat = ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(
				      _mm256_cmpeq_epi32(tf, _mm256_setzero_si256()))) & live;
		/* the lane numbers of feat's bits, a byte each, first ones lowest */
		uint64_t sel = _pext_u64(0x0706050403020100ULL,
					 _pdep_u64(feat, 0x0101010101010101ULL) * 0xFF);
		__m256i perm = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)sel));
		_mm256_storeu_si256((__m256i *)(fl + st->nf), _mm256_permutevar8x32_epi32(ix, perm));
		st->nf += (size_t)__builtin_popcount(feat);
	}
	while (brk) {
		unsigned k = (unsigned)__builtin_ctz(brk), below = (1u << k) - 1;
		st->nw += (size_t)__builtin_popcount(word & below);
		word &= ~below;
		if (j + k) { /* (the first token starts the first line) */
			lines_add(ls, st->start, j + k, st->nw);
			st->start = j + k;
			st->nw = 0;
		}
		brk &= brk - 1;
	}
	st->nw += (size_t)__builtin_popcount(word);
}

/* text_lines() eight tokens at a time, their kind and flags and their tfeat gathered. */
WIDE_INLINE size_t tv_wide(const struct token *v, size_t n, struct lines *ls, uint32_t *fl)
{
	_Static_assert(sizeof(struct token) == 40 && sizeof(uint32_t) == 4 &&
			       offsetof(struct token, flags) == offsetof(struct token, kind) + 1 &&
			       offsetof(struct token, kind) % 4 == 0,
		       "the gathers below read a token's kind and flags as one 32-bit word");
	const size_t KF = offsetof(struct token, kind), TF = offsetof(struct token, tfeat);
	const __m256i idx = _mm256_setr_epi32(0, 10, 20, 30, 40, 50, 60, 70); /* 40 bytes apart */
	const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	__m256i ix = iota; /* the numbers of the eight tokens */
	struct tv_state st = {0, 0, 0};
	size_t j = 0;
	for (; n - j >= 8; j += 8) {
		const char *b = (const char *)(v + j);
		__m256i kf = _mm256_i32gather_epi32((const int *)(b + KF), idx, 4);
		__m256i tf = fl ? _mm256_i32gather_epi32((const int *)(b + TF), idx, 4)
				: _mm256_setzero_si256();
		tv_block(&st, ls, fl, j, ix, kf, tf, 0xFF);
		ix = _mm256_add_epi32(ix, _mm256_set1_epi32(8));
	}
	if (j < n) {
		/* the last tokens: the lanes past n are not read */
		const char *b = (const char *)(v + j);
		const __m256i zero = _mm256_setzero_si256();
		__m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - j)), iota);
		__m256i kf = _mm256_mask_i32gather_epi32(zero, (const int *)(b + KF), idx, m, 4);
		__m256i tf = fl ? _mm256_mask_i32gather_epi32(zero, (const int *)(b + TF), idx, m, 4)
				: zero;
		tv_block(&st, ls, fl, j, ix, kf, tf, (1u << (n - j)) - 1);
	}
	lines_add(ls, st.start, n, st.nw);
	if (fl)
		fl[st.nf] = (uint32_t)n;
	return st.nf;
}

__attribute__((noinline, target("avx2,bmi,bmi2,popcnt"))) static size_t
text_lines_avx2(const struct token *v, size_t n, struct lines *ls, uint32_t *fl)
{
	return fl ? tv_wide(v, n, ls, fl) : tv_wide(v, n, ls, NULL);
}
#endif

/* A line of the text view: tokens [start, end), each read reps times (0: skipped). */
struct span {
	size_t start, end;
	unsigned reps;
};

/* The text view of a document: its lines in *spans (*nspans of them; one span for a text
 * of one line) and the number of word tokens read; with feats, in *feats the tokens whose
 * tfeat is not 0 in order, then toks->n. One pass over the tokens (text_lines()), one over
 * the lines and a table of line hashes, all from the arena. */
static size_t text_view(const struct tok_list *toks, const char *s, struct arena *a,
			struct span **spans, size_t *nspans, uint32_t **feats)
{
	*spans = NULL;
	*nspans = 0;
	uint32_t *fl = NULL;
	if (feats) {
		/* room for text_lines_avx2()' last store of eight */
		fl = *feats = arena_alloc(a, (toks->n + 8) * sizeof **feats);
		fl[0] = (uint32_t)toks->n;
	}
	if (!toks->n)
		return 0;
	struct lines ls = {NULL, 0, 0, a};
	ls.cap = 32;
	ls.v = arena_alloc(a, ls.cap * sizeof *ls.v);
#ifdef TV_AVX2
	if (!wide_off && wide_cpu())
		text_lines_avx2(toks->v, toks->n, &ls, fl);
	else
#endif
		text_lines(toks->v, toks->n, &ls, fl);
	struct line *L = ls.v;
	size_t nl = ls.n;
	if (nl == 1) {
		/* one line: nothing to skip */
		struct span *sp = arena_alloc(a, sizeof *sp);
		sp->start = 0;
		sp->end = toks->n;
		sp->reps = 1;
		*spans = sp;
		*nspans = 1;
		return L[0].nwords;
	}
	size_t k, words = 0;
	bool long_line = false;
	for (k = 0; k < nl; k++) {
		size_t i = L[k].start, j = L[k].end, nw = L[k].nwords;
		L[k].hash = 0; /* when first needed */
		L[k].ends = ends_sentence(toks, s, i, j);
		L[k].furniture = nw <= SHORT_LINE && !L[k].ends;
		L[k].headline = !L[k].ends && headline_line(toks, i, j);
		long_line |= nw > SHORT_LINE;
		words += nw;
	}
	size_t nslot = 16;
	while (nslot < 2 * nl)
		nslot *= 2;
	uint32_t *slot = arena_alloc(a, nslot * sizeof *slot);
	memset(slot, 0, nslot * sizeof *slot);
	struct span *sp = arena_alloc(a, nl * sizeof *sp);
	for (k = 0; k < nl; k++) {
		sp[k].start = L[k].start;
		sp[k].end = L[k].end;
		sp[k].reps = 1;
	}
	/* the document's headline: its first line when that has three words or more and does
	 * not end a sentence; its words count HEADLINE_WEIGHT times */
	if (nl > 1 && L[0].nwords >= 3 && !L[0].furniture && !L[0].ends) {
		sp[0].reps = HEADLINE_WEIGHT;
		words += (HEADLINE_WEIGHT - 1) * L[0].nwords;
	}
	bool seen_headline = false;
	for (k = 0; k < nl; k++) {
		/* after the first headline, further headlines are links to other pages */
		bool drop = long_line && (L[k].furniture || (L[k].headline && seen_headline));
		seen_headline |= L[k].headline && !L[k].furniture;
		if (!drop && L[k].nwords) {
			/* an earlier line with the same text? */
			size_t len = line_bytes(toks, &L[k]);
			const char *p = s + toks->v[L[k].start].nstart;
			L[k].hash = line_hash(p, len);
			size_t h = (size_t)L[k].hash & (nslot - 1);
			for (; slot[h]; h = (h + 1) & (nslot - 1)) {
				const struct line *o = &L[slot[h] - 1];
				if (o->hash == L[k].hash && line_bytes(toks, o) == len &&
				    memcmp(s + toks->v[o->start].nstart, p, len) == 0) {
					drop = true;
					break;
				}
			}
			if (!drop)
				slot[h] = (uint32_t)(k + 1);
		}
		if (!drop)
			continue;
		sp[k].reps = 0;
		words -= L[k].nwords;
	}
	*spans = sp;
	*nspans = nl;
	return words;
}

/* The phrase chains of a line: the keys of the phrase prefixes ending at the last word read,
 * k[0] of one word when live & 1, k[1] of two when live & 2. */
struct chains {
	uint64_t k[MAX_PHRASE - 1];
	unsigned live;
};

/* Read one word token whose hash_bytes() is h and whose word feature is fi (index + 1, 0:
 * none): count its feature and the phrases it ends reps times, and leave in *ch the chains
 * it continues or starts. */
static inline void read_word(const struct finder *fd, const uint8_t *ff, struct counter *c,
			     struct chains *ch, uint64_t h, uint32_t fi, uint32_t reps)
{
	uint8_t fl = ff[fi];
	if (fl & FF_WEIGHTS)
		counter_add(c, fi - 1, reps);
	unsigned nlive = 0;
	if (ch->live) {
		/* the phrases the word ends (rare: the previous word starts one) */
		if (ch->live & 1) {
			uint64_t k2 = key_next(ch->k[0], h);
			const struct feat *f2 = finder_get(fd, k2);
			if (f2) {
				uint8_t fl2 = ff[f2 - fd->f + 1];
				if (fl2 & FF_WEIGHTS)
					counter_add(c, (uint32_t)(f2 - fd->f), reps);
				if (fl2 & FF_PREFIX) {
					nlive = 2;
					ch->k[1] = k2;
				}
			}
		}
		if (ch->live & 2) {
			const struct feat *f3 = finder_get(fd, key_next(ch->k[1], h));
			if (f3 && ff[f3 - fd->f + 1] & FF_WEIGHTS)
				counter_add(c, (uint32_t)(f3 - fd->f), reps);
		}
	}
	/* k[0] is read only while live & 1: set without a test (which of the words start a
	 * phrase cannot be predicted) */
	ch->k[0] = key_word(h);
	ch->live = nlive | (fl & FF_PREFIX) / FF_PREFIX;
}

/* Read token t, whose word feature is fi: a word as read_word(); other tokens but hyphens
 * end the phrase chains. */
static inline void read_token(const struct finder *fd, const uint8_t *ff, struct counter *c,
			      struct chains *ch, const struct token *t, uint32_t fi, uint32_t reps)
{
	if (!is_wordtok(t->kind)) {
		if (t->kind != TOK_HYPHEN)
			ch->live = 0;
		return;
	}
	read_word(fd, ff, c, ch, t->hash, fi, reps);
}

/* Text features: every word token is hashed and looked up once; phrase chains go on
 * only from prefixes. Hyphens between words are skipped; other tokens, possessives and
 * line breaks end a phrase. feats: text_view()'s list of the tokens whose tfeat is set,
 * when the caller looked the words up (else NULL). */
static void count_text(const struct topics_model *m, const struct topics_input *in,
		       const struct span *spans, size_t nspans, const uint32_t *feats,
		       struct counter *c)
{
	const struct tok_list *toks = in->toks;
	const char *s = in->nt->s;
	struct finder fd = m->fd;
	const uint8_t *ff = m->ff; /* by feature number: index + 1 */
	for (size_t l = 0; l < nspans; l++) {
		uint32_t reps = spans[l].reps;
		if (!reps)
			continue;
		struct chains ch = {{0, 0}, 0}; /* a line starts afresh */
		size_t end = spans[l].end;
		if (!feats) {
			for (size_t i = spans[l].start; i < end; i++) {
				const struct token *t = &toks->v[i];
				size_t n = t->nend - t->nstart;
				uint32_t fi = is_wordtok(t->kind)
						      ? word_feat(&fd, s + t->nstart, n, t->hash)
						      : 0;
				read_token(&fd, ff, c, &ch, t, fi, reps);
			}
			continue;
		}
		/* with the tfeat known, a token without a feature changes nothing while no
		 * chain is live (ff[0] is 0; a token the caller did not look up, a hyphen, has
		 * 0 from the tokenizer): only the listed tokens are read then, each with the
		 * tokens after it while a chain is live. Not a loop over every token that
		 * stops at the listed ones: a third of the words have a feature, and that
		 * stop was mispredicted at most of them. feats stays at the first listed token
		 * not read yet. */
		while (*feats < spans[l].start)
			feats++;
		for (size_t i = *feats; i < end; i = *feats) {
			do {
				const struct token *t = &toks->v[i];
				feats += *feats == i;
				read_token(&fd, ff, c, &ch, t, t->tfeat, reps);
				i++;
			} while (ch.live && i < end);
		}
	}
}

/* The 8 bytes of w with 'A'..'Z' in lower case, as ascii_lower() on each (0x20 is the high
 * bit shifted right twice). */
static uint64_t ascii_lower8(uint64_t w)
{
	return w | bytes_in8(w, 'A', 'Z') >> 2;
}

/* The feature (index + 1, 0 for none) named by the prefix of kind (ent_prefix[]) and s,
 * s folded to lower case. */
static uint32_t ent_find(const struct topics_model *m, struct arena *a, uint32_t kind,
			 const char *s)
{
	char small[128];
	const char *prefix = ent_prefix[kind];
	size_t plen = ent_plen[kind], sl = strlen(s), n = plen + sl;
	size_t b = ent_bit(kind, sl, ascii_lower8(sample4(s, sl)));
	if (!(m->entbits[b / 64] >> (b % 64) & 1))
		return 0;
	char *buf = n + 8 <= sizeof small ? small : arena_alloc(a, n + 8);
	memcpy(buf, prefix, plen);
	/* s in lower case, 8 bytes at a time (the last word zero-filled: buf has room) */
	for (size_t i = 0; i < sl; i += 8) {
		uint64_t w = 0;
		memcpy(&w, s + i, sl - i < 8 ? sl - i : 8);
		w = ascii_lower8(w);
		memcpy(buf + plen + i, &w, 8);
	}
	buf[n] = '\0';
	const struct feat *f = finder_get(&m->fd, key_ent(buf, n));
	if (f && f->ntw && f->nlen == n && same_bytes(f->name, buf, n))
		return (uint32_t)(f - m->f) + 1;
	return 0;
}

/* The types: group (index in m->tg) of the mention type s, or m->ntg for none. */
static size_t type_group(const struct topics_model *m, const char *s)
{
	size_t tl = strlen(s), g;
	for (g = 0; g < m->ntg; g++)
		if (m->tg[g].vlen == tl && strncasecmp_ascii(s, m->tg[g].name, tl) == 0)
			break;
	return g;
}

/* A cache of what one document's mention strings are to the model: mentions borrow their
 * type, group and id strings from the entities, so the same pointer comes back for every
 * mention of a type or an entity, and the same pointer means the same string during the
 * call. Grown with the strings (most documents name a dozen). */
struct entslot {
	const char *s; /* NULL: empty */
	uint32_t kind; /* 0 type, 1 group, 2 ent */
	uint32_t fi;   /* ent_find() */
	uint32_t aux;  /* a type: its types: group + 1, 0 none; an id: the group + 1 it was
			* last counted in for types:, 0 none yet */
};

struct entcache {
	struct entslot *v;
	size_t n, mask;
};

#define ENTCACHE_MIN 32

static size_t ent_hash(const char *s, uint32_t kind, size_t mask)
{
	return (size_t)(((uint64_t)(uintptr_t)s * 0x9e3779b97f4a7c15ULL + kind) >> 24) & mask;
}

static void entcache_init(struct entcache *ec, struct arena *a, size_t sz)
{
	ec->v = arena_alloc(a, sz * sizeof *ec->v);
	memset(ec->v, 0, sz * sizeof *ec->v);
	ec->n = 0;
	ec->mask = sz - 1;
}

static void entcache_grow(struct entcache *ec, struct arena *a)
{
	struct entcache old = *ec;
	entcache_init(ec, a, 2 * (old.mask + 1));
	for (size_t j = 0; j <= old.mask; j++) {
		if (!old.v[j].s)
			continue;
		size_t i = ent_hash(old.v[j].s, old.v[j].kind, ec->mask);
		while (ec->v[i].s)
			i = (i + 1) & ec->mask;
		ec->v[i] = old.v[j];
	}
	ec->n = old.n;
}

/* A new entry at slot i for the string s as a kind, looked up in the model (the cache
 * grown first when half full). */
static struct entslot *ent_new(const struct topics_model *m, struct arena *a,
			       struct entcache *ec, size_t i, uint32_t kind, const char *s)
{
	if (2 * (ec->n + 1) > ec->mask + 1) {
		entcache_grow(ec, a);
		i = ent_hash(s, kind, ec->mask);
		while (ec->v[i].s)
			i = (i + 1) & ec->mask;
	}
	struct entslot *e = &ec->v[i];
	ec->n++;
	e->s = s;
	e->kind = kind;
	e->fi = ent_find(m, a, kind, s);
	e->aux = 0;
	if (kind == 0 && m->ntg) {
		size_t g = type_group(m, s);
		if (g < m->ntg)
			e->aux = (uint32_t)g + 1;
	}
	return e;
}

/* The entry of the string s as a kind. Borrowed until the next call. */
static inline struct entslot *ent_lookup(const struct topics_model *m, struct arena *a,
					 struct entcache *ec, uint32_t kind, const char *s)
{
	size_t i = ent_hash(s, kind, ec->mask);
	for (; ec->v[i].s; i = (i + 1) & ec->mask)
		if (ec->v[i].s == s && ec->v[i].kind == kind)
			return &ec->v[i];
	return ent_new(m, a, ec, i, kind, s);
}

/* An entry of count_entities()' set of (type group, id). */
struct idset {
	const char *id; /* NULL: empty */
	uint64_t hash;
	size_t g;
};

/* The set of (type group, id), ids compared without ASCII case; grown with the ids. */
struct idsets {
	struct idset *v;
	size_t n, mask;
};

static void idsets_init(struct idsets *is, struct arena *a, size_t sz)
{
	is->v = arena_alloc(a, sz * sizeof *is->v);
	memset(is->v, 0, sz * sizeof *is->v);
	is->n = 0;
	is->mask = sz - 1;
}

/* Add (g, id); returns whether it is new. */
static bool idsets_add(struct idsets *is, struct arena *a, size_t g, const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ g;
	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)ascii_lower(*p)) * 0x100000001b3ULL;
	h = mix64(h);
	size_t j = (size_t)h & is->mask;
	for (; is->v[j].id; j = (j + 1) & is->mask)
		if (is->v[j].hash == h && is->v[j].g == g && strcasecmp_ascii(is->v[j].id, id) == 0)
			return false;
	if (2 * (is->n + 1) > is->mask + 1) {
		struct idsets old = *is;
		idsets_init(is, a, 2 * (old.mask + 1));
		for (size_t k = 0; k <= old.mask; k++) {
			if (!old.v[k].id)
				continue;
			size_t i = (size_t)old.v[k].hash & is->mask;
			while (is->v[i].id)
				i = (i + 1) & is->mask;
			is->v[i] = old.v[k];
		}
		is->n = old.n;
		j = (size_t)h & is->mask;
		while (is->v[j].id)
			j = (j + 1) & is->mask;
	}
	is->v[j].id = id;
	is->v[j].hash = h;
	is->v[j].g = g;
	is->n++;
	return true;
}

/* Entity features: binary, so counts are not used. */
static void count_entities(const struct topics_model *m, const struct topics_input *in,
			   struct arena *a, struct counter *c)
{
	if (!in->nmentions)
		return;
	struct entcache ec;
	entcache_init(&ec, a, ENTCACHE_MIN);
	/* types:T>=N: distinct ids (ASCII case folded) per type, counted in a set of
	 * (group, id); then the groups in the order of their names, as if the mentions were
	 * sorted by (type, id) */
	uint32_t *distinct = NULL;
	struct idsets set = {NULL, 0, 0};
	if (m->ntg) {
		distinct = arena_alloc(a, m->ntg * sizeof *distinct);
		memset(distinct, 0, m->ntg * sizeof *distinct);
		idsets_init(&set, a, 16);
	}
	for (size_t i = 0; i < in->nmentions; i++) {
		const struct topics_mention *me = &in->mentions[i];
		uint32_t g1 = 0; /* the type's group + 1 */
		const struct entslot *e;
		if (me->type) {
			e = ent_lookup(m, a, &ec, 0, me->type);
			g1 = e->aux;
			if (e->fi)
				counter_hit(c, e->fi - 1);
		}
		if (me->group) {
			e = ent_lookup(m, a, &ec, 1, me->group);
			if (e->fi)
				counter_hit(c, e->fi - 1);
		}
		if (me->id) {
			struct entslot *ei = ent_lookup(m, a, &ec, 2, me->id);
			if (ei->fi)
				counter_hit(c, ei->fi - 1);
			/* an id pointer already counted in this group is in the set */
			if (g1 && ei->aux != g1) {
				ei->aux = g1;
				if (idsets_add(&set, a, g1 - 1, me->id))
					distinct[g1 - 1]++;
			}
		}
	}
	for (size_t g = 0; g < m->ntg; g++) {
		if (!distinct[g])
			continue;
		const struct tgroup *tg = &m->tg[g];
		for (size_t k = tg->first; k < tg->first + tg->n; k++)
			if (distinct[g] >= m->f[m->tgf[k]].minn)
				counter_hit(c, m->tgf[k]);
	}
}

/* The value of the i-th feature of c in a document of nw words: its text_value() (kept in
 * tv for small counts, 0 there: not yet) for a text feature, else 1. */
static inline double feat_value(const struct topics_model *m, const struct counter *c,
				size_t i, size_t nw, double *tv)
{
	if (!(m->ff[counter_feat(c, i) + 1] & FF_TEXT))
		return 1.0;
	uint32_t n = counter_count(c, i);
	if (n >= TV_CACHE)
		return text_value(n, nw);
	if (tv[n] == 0)
		tv[n] = text_value(n, nw);
	return tv[n];
}

#ifdef TV_AVX2
/* model_logits()' sums over the features of c, by the rows of m->dense into acc[0 ..
 * DENSE_ROW), four topics an instruction, the sums in registers: a multiply and an add as
 * the loop there (AVX without FMA: the same roundings), in the same order. A topic without
 * a weight adds 0, which changes no sum (but for the sign of a zero one, which neither the
 * sigmoid nor an order of logits sees). */
__attribute__((noinline, target("avx"))) static void
logits_dense(const struct topics_model *m, const struct counter *c, size_t nw, double *acc)
{
	_Static_assert(DENSE_ROW == 16, "four vectors of four sums");
	__m256d a0 = _mm256_loadu_pd(acc), a1 = _mm256_loadu_pd(acc + 4);
	__m256d a2 = _mm256_loadu_pd(acc + 8), a3 = _mm256_loadu_pd(acc + 12);
	double tv[TV_CACHE] = {0};
	for (size_t i = 0; i < c->n; i++) {
		__m256d x = _mm256_set1_pd(feat_value(m, c, i, nw, tv));
		const double *r = m->dense + (size_t)counter_feat(c, i) * DENSE_ROW;
		a0 = _mm256_add_pd(a0, _mm256_mul_pd(_mm256_load_pd(r), x));
		a1 = _mm256_add_pd(a1, _mm256_mul_pd(_mm256_load_pd(r + 4), x));
		a2 = _mm256_add_pd(a2, _mm256_mul_pd(_mm256_load_pd(r + 8), x));
		a3 = _mm256_add_pd(a3, _mm256_mul_pd(_mm256_load_pd(r + 12), x));
	}
	_mm256_storeu_pd(acc, a0);
	_mm256_storeu_pd(acc + 4, a1);
	_mm256_storeu_pd(acc + 8, a2);
	_mm256_storeu_pd(acc + 12, a3);
}
#endif

/* Logits of every topic for in: bias plus the weighted features found. Leaves the
 * features seen in *c (for the reasons) and the number of word tokens in *nwords. */
static void model_logits(const struct topics_model *m, const struct topics_input *in,
			 struct arena *a, double *z, struct counter *c, size_t *nwords)
{
	struct span *spans = NULL;
	size_t nspans = 0;
	uint32_t *feats = NULL;
	bool known = in->toks && in->toks->words_model == m; /* tfeat looked up by the caller */
	size_t nw = in->toks && in->nt ? text_view(in->toks, in->nt->s, a, &spans, &nspans,
						   known ? &feats : NULL)
				       : 0;
	counter_init(c, a);
	if (in->toks && in->nt)
		count_text(m, in, spans, nspans, feats, c);
	count_entities(m, in, a, c);
	/* the sums, and a spare after the last topic for the padding pairs (and room for the
	 * rows of logits_dense()) */
	size_t nacc = m->ntopics + 1 > DENSE_ROW ? m->ntopics + 1 : DENSE_ROW;
	double *acc = arena_alloc(a, nacc * sizeof *acc);
	for (size_t t = 0; t < nacc; t++)
		acc[t] = t < m->ntopics ? m->bias[t] : 0;
#ifdef TV_AVX2
	if (m->dense && !wide_off && wide_cpu()) {
		logits_dense(m, c, nw, acc);
		memcpy(z, acc, m->ntopics * sizeof *z);
		*nwords = nw;
		return;
	}
#endif
	/* text_value() of the small counts, computed once per document (0: not yet) */
	double tv[TV_CACHE] = {0};
	for (size_t i = 0; i < c->n; i++) {
		uint32_t fi = counter_feat(c, i);
		double x = feat_value(m, c, i, nw, tv);
		const struct tw *p = m->tws + m->twoff[fi], *pend = m->tws + m->twoff[fi + 1];
		/* TW_MIN pairs, no test */
		acc[p[0].topic] += p[0].w * x;
		acc[p[1].topic] += p[1].w * x;
		acc[p[2].topic] += p[2].w * x;
		acc[p[3].topic] += p[3].w * x;
		for (p += TW_MIN; p < pend; p++)
			acc[p->topic] += p->w * x;
	}
	memcpy(z, acc, m->ntopics * sizeof *z);
	*nwords = nw;
}

static bool reason_before(const struct topics_reason *x, const struct topics_reason *y)
{
	double ax = fabs(x->contribution), ay = fabs(y->contribution);
	if (ax != ay)
		return ax > ay;
	return strcmp(x->feature, y->feature) < 0;
}

int topics_score(const struct topics_model *m, const struct topics_input *in,
		 struct arena *a, double *scores, struct topics_reason *reasons,
		 size_t nreasons)
{
	return topics_score_z(m, in, a, scores, NULL, reasons, nreasons);
}

int topics_score_z(const struct topics_model *m, const struct topics_input *in,
		   struct arena *a, double *scores, double *logits,
		   struct topics_reason *reasons, size_t nreasons)
{
	struct counter c;
	size_t nw;
	double *z = logits ? logits : arena_alloc(a, (m->ntopics + 1) * sizeof *z);
	model_logits(m, in, a, z, &c, &nw);
	for (size_t t = 0; t < m->ntopics; t++)
		scores[t] = sigmoid(z[t]);
	if (!reasons || !nreasons)
		return 0;
	/* one pass over the hits: each topic sees its candidates in the order of the hits,
	 * as a pass per topic would */
	size_t *nr = arena_alloc(a, (m->ntopics + 1) * sizeof *nr);
	for (size_t t = 0; t < m->ntopics; t++) {
		nr[t] = 0;
		for (size_t i = 0; i < nreasons; i++) {
			reasons[t * nreasons + i].feature = NULL;
			reasons[t * nreasons + i].contribution = 0;
		}
	}
	for (size_t i = 0; i < c.n; i++) {
		const struct feat *f = &m->f[counter_feat(&c, i)];
		double x = (f->kind == FK_WORD || f->kind == FK_PHRASE)
				   ? text_value(counter_count(&c, i), nw)
				   : 1.0;
		for (uint32_t k = 0; k < f->ntw; k++) {
			if (f->tw[k].w == 0)
				continue;
			size_t t = f->tw[k].topic;
			struct topics_reason *r = &reasons[t * nreasons];
			struct topics_reason cand = {f->name, f->tw[k].w * x};
			/* insertion into the sorted top nreasons */
			size_t pos = nr[t];
			while (pos > 0 && reason_before(&cand, &r[pos - 1]))
				pos--;
			if (pos >= nreasons)
				continue;
			size_t last = nr[t] < nreasons ? nr[t] : nreasons - 1;
			for (size_t j = last; j > pos; j--)
				r[j] = r[j - 1];
			r[pos] = cand;
			if (nr[t] < nreasons)
				nr[t]++;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- training */

struct vfeat {
	char *name;
	uint64_t key;
	uint32_t df;
	uint32_t last_rec; /* record that last counted it in df, + 1 */
	uint32_t mid, cap; /* text features: occurrences inside a sentence, of which capitalised */
	uint8_t kind;
};

struct topics_trainer {
	struct vfeat *vf; /* vocabulary of every feature seen */
	size_t nvf, capvf;
	uint32_t *vslot;
	size_t nvslot;
	size_t *roff; /* record i's pairs are [roff[i], roff[i + 1]) */
	uint32_t *pid;
	float *px;
	size_t np, capp;
	size_t *loff; /* record i's labels are lab[loff[i] .. loff[i + 1]) */
	uint32_t *lab;
	size_t nlab, caplab;
	size_t nrec, caprec;
	char **tn; /* topic names: the base model's, then new labels in order of first sight */
	size_t ntop;
	const struct topics_model *base;
	double *boff; /* nrec x base->ntopics base logits */
	struct topics_train_opts o;
	uint32_t *occ; /* scratch: feature occurrences of the current record */
	size_t nocc, capocc;
	struct arena a;
};

void topics_train_opts_default(struct topics_train_opts *o)
{
	o->top_k = 250;
	o->l2 = 3.0;
	o->iterations = 150;
	o->min_df = 3;
}

struct topics_trainer *topics_trainer_new(void)
{
	struct topics_trainer *t = xcalloc(1, sizeof *t);
	topics_train_opts_default(&t->o);
	arena_init(&t->a);
	t->roff = xmalloc(sizeof *t->roff);
	t->roff[0] = 0;
	t->loff = xmalloc(sizeof *t->loff);
	t->loff[0] = 0;
	return t;
}

void topics_trainer_set_opts(struct topics_trainer *t, const struct topics_train_opts *o)
{
	t->o = *o;
}

void topics_trainer_set_base(struct topics_trainer *t, const struct topics_model *base)
{
	assert(t->nrec == 0 && t->ntop == 0);
	t->base = base;
	for (size_t i = 0; base && i < base->ntopics; i++) {
		t->tn = xrealloc(t->tn, (t->ntop + 1) * sizeof *t->tn);
		t->tn[t->ntop++] = xstrdup(base->names[i]);
	}
}

void topics_trainer_free(struct topics_trainer *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nvf; i++)
		free(t->vf[i].name);
	for (size_t i = 0; i < t->ntop; i++)
		free(t->tn[i]);
	free(t->vf);
	free(t->vslot);
	free(t->roff);
	free(t->pid);
	free(t->px);
	free(t->loff);
	free(t->lab);
	free(t->tn);
	free(t->boff);
	free(t->occ);
	arena_clear(&t->a);
	free(t);
}

static void vrehash(struct topics_trainer *t, size_t nslot)
{
	free(t->vslot);
	t->vslot = slots_build(t->vf, t->nvf, sizeof *t->vf, offsetof(struct vfeat, key), nslot);
	t->nvslot = nslot;
}

/* Vocabulary id of key; when new, its name is made by name_fn from the parts. */
struct vname {
	const char *prefix;
	const char *part[MAX_PHRASE];
	size_t len[MAX_PHRASE];
	int nparts;
};

static uint32_t vocab_id(struct topics_trainer *t, uint64_t key, const struct vname *vn,
			 uint8_t kind)
{
	if (t->nvslot) {
		size_t mask = t->nvslot - 1;
		for (size_t i = (size_t)key & mask; t->vslot[i]; i = (i + 1) & mask)
			if (t->vf[t->vslot[i] - 1].key == key)
				return t->vslot[i] - 1;
	}
	if (t->nvf == t->capvf) {
		t->capvf = t->capvf ? t->capvf * 2 : 4096;
		t->vf = xrealloc(t->vf, t->capvf * sizeof *t->vf);
	}
	struct buf b;
	buf_init(&b);
	buf_adds(&b, vn->prefix);
	for (int i = 0; i < vn->nparts; i++) {
		if (i && kind == FK_PHRASE)
			buf_addc(&b, ' ');
		buf_add(&b, vn->part[i], vn->len[i]);
	}
	struct vfeat *v = &t->vf[t->nvf++];
	v->name = b.p;
	v->key = key;
	v->df = 0;
	v->last_rec = 0;
	v->mid = v->cap = 0;
	v->kind = kind;
	if (t->nvf * 2 > t->nvslot)
		vrehash(t, t->nvslot ? t->nvslot * 2 : 1 << 16);
	else {
		size_t i = (size_t)key & (t->nvslot - 1);
		while (t->vslot[i])
			i = (i + 1) & (t->nvslot - 1);
		t->vslot[i] = (uint32_t)t->nvf;
	}
	return (uint32_t)(t->nvf - 1);
}

static void occ_push(struct topics_trainer *t, uint32_t id)
{
	if (t->nocc == t->capocc) {
		t->capocc = t->capocc ? t->capocc * 2 : 4096;
		t->occ = xrealloc(t->occ, t->capocc * sizeof *t->occ);
	}
	t->occ[t->nocc++] = id;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Words the trainer never learns a weight for: function words, reporting verbs and titles
 * tell a source's style (BBC against Usenet), not a topic. Phrases may not start or end
 * with one ("of the"), but may hold one inside ("minister of state"). Sorted (bsearch). */
static const char *const stopwords[] = {
	"a", "about", "according", "added", "adding", "after", "again", "against", "all",
	"already", "also", "although", "am", "an", "and", "any", "are", "as", "at", "be",
	"because", "been", "before", "being", "between", "both", "but", "by", "can",
	"could", "did", "do", "does", "doing", "down", "during", "each", "even", "ever",
	"few", "for", "from", "further", "get", "got", "had", "has", "have", "having",
	"he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however",
	"i", "if", "in", "including", "into", "is", "it", "its", "itself", "just", "like",
	"made", "make", "many", "may", "me", "meanwhile", "might", "more", "most", "mr",
	"mrs", "ms", "much", "must", "my", "myself", "nearly", "no", "nor", "not", "now",
	"of", "off", "on", "once", "one", "only", "or", "other", "our", "ours",
	"ourselves", "out", "over", "own", "per", "really", "recently", "reported", "said",
	"same", "say", "says", "she", "should", "since", "so", "some", "such", "than",
	"that", "the", "their", "theirs", "them", "themselves", "then", "there", "these",
	"they", "thing", "things", "think", "this", "those", "though", "through", "to",
	"told", "too", "under", "until", "up", "upon", "us", "very", "was", "way", "we",
	"well", "were", "what", "when", "where", "whether", "which", "while", "who",
	"whom", "why", "will", "with", "would", "yet", "you", "your", "yours", "yourself",
};

/* "5bn", "2004", "a380": amounts, years and model numbers are not topics. */
static bool has_digit(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] >= '0' && w[i] <= '9')
			return true;
	return false;
}

static int cmp_stop(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool is_stopword(const char *w, size_t n)
{
	char buf[16];
	if (n >= sizeof buf)
		return false;
	memcpy(buf, w, n);
	buf[n] = '\0';
	return bsearch(buf, stopwords, sizeof stopwords / sizeof stopwords[0],
		       sizeof stopwords[0], cmp_stop) != NULL;
}

/* Proper names. A word or phrase that is written with capitals nearly every time it occurs
 * inside a sentence ("China", "Microsoft", "White House", "U.S.") is a name, and the trainer
 * learns no weight for it: like the ent: features, the people, places and firms in the news
 * of the training years do not carry over, and country names learnt from BBC business
 * (against UK-centred politics and sport) would make all international news look like
 * business. The curated model may still weigh names. */
#define NAME_MIN_MID 3     /* occurrences inside a sentence needed to judge */
#define NAME_CAP_SHARE 0.9 /* share of them capitalised that makes a name */

static void note_case(struct topics_trainer *t, uint32_t id, bool mid, bool cap)
{
	if (!mid)
		return;
	t->vf[id].mid++;
	t->vf[id].cap += cap;
}

static bool is_name(const struct vfeat *v)
{
	if (v->kind != FK_WORD && v->kind != FK_PHRASE)
		return false;
	return v->mid >= NAME_MIN_MID && (double)v->cap >= NAME_CAP_SHARE * (double)v->mid;
}

/* Every word, 2- and 3-word phrase of the text, as count_text() would see them, less
 * numbers and stopwords (see above). */
static void trainer_text(struct topics_trainer *t, const struct topics_input *in,
			 const struct span *spans, size_t nspans)
{
	const struct tok_list *toks = in->toks;
	const char *s = in->nt->s;
	int nchain = 0;                 /* words in the current chain (max 2 kept) */
	const char *cw[MAX_PHRASE - 1] = {NULL, NULL}; /* the last words of the chain */
	size_t cl[MAX_PHRASE - 1] = {0, 0};
	bool cstop[MAX_PHRASE - 1] = {false, false}; /* is cw[i] a stopword or number */
	bool cmid[MAX_PHRASE - 1] = {false, false};  /* is cw[i] inside a sentence */
	bool ccap[MAX_PHRASE - 1] = {false, false};  /* is cw[i] capitalised */
	uint64_t ck[MAX_PHRASE - 1] = {0, 0}; /* ck[0]: key of the last word, ck[1]: of the last two */
	for (size_t l = 0; l < nspans; l++) {
		unsigned reps = spans[l].reps;
		nchain = 0; /* a line starts afresh */
		if (!reps)
			continue;
		for (size_t i = spans[l].start; i < spans[l].end; i++) {
			const struct token *tk = &toks->v[i];
			if (tk->kind == TOK_HYPHEN)
				continue;
			if (!is_wordtok(tk->kind)) {
				nchain = 0;
				continue;
			}
			const char *w = s + tk->nstart;
			size_t wl = tk->nend - tk->nstart;
			uint64_t h = hash_bytes(w, wl);
			uint64_t k1 = key_word(h);
			bool stop = tk->kind == TOK_NUM || has_digit(w, wl) || is_stopword(w, wl);
			/* inside a sentence: right after a word or a comma on the same line */
			bool mid = i > 0 && !(tk->flags & TOKF_LINE_BEFORE) &&
				   (is_wordtok(toks->v[i - 1].kind) ||
				    (toks->v[i - 1].kind == TOK_PUNCT && s[toks->v[i - 1].nstart] == ','));
			bool cap = (tk->flags & TOKF_INIT_UPPER) != 0;
			if (!stop) {
				struct vname vn = {"w:", {w}, {wl}, 1};
				uint32_t id = vocab_id(t, k1, &vn, FK_WORD);
				for (unsigned r = 0; r < reps; r++)
					occ_push(t, id);
				note_case(t, id, mid, cap);
			}
			uint64_t k2 = 0;
			if (nchain >= 1) {
				k2 = key_next(ck[0], h);
				struct vname v2 = {"p:", {cw[0], w}, {cl[0], wl}, 2};
				if (!stop && !cstop[0]) {
					uint32_t id = vocab_id(t, k2, &v2, FK_PHRASE);
					for (unsigned r = 0; r < reps; r++)
						occ_push(t, id);
					note_case(t, id, cmid[0], cap && ccap[0]);
				}
			}
			if (nchain >= 2) {
				uint64_t k3 = key_next(ck[1], h);
				struct vname v3 = {"p:", {cw[1], cw[0], w}, {cl[1], cl[0], wl}, 3};
				if (!stop && !cstop[1]) {
					uint32_t id = vocab_id(t, k3, &v3, FK_PHRASE);
					for (unsigned r = 0; r < reps; r++)
						occ_push(t, id);
					note_case(t, id, cmid[1], cap && ccap[0] && ccap[1]);
				}
			}
			cstop[1] = cstop[0];
			cstop[0] = stop;
			cmid[1] = cmid[0];
			cmid[0] = mid;
			ccap[1] = ccap[0];
			ccap[0] = cap;
			ck[1] = k2;
			ck[0] = k1;
			cw[1] = cw[0];
			cl[1] = cl[0];
			cw[0] = w;
			cl[0] = wl;
			if (nchain < 2)
				nchain++;
		}
	}
}

static void trainer_ent(struct topics_trainer *t, const char *prefix, const char *val,
			const char *suffix, uint8_t kind)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "%s%s%s", prefix, val, suffix);
	if (n < 0 || (size_t)n >= sizeof buf)
		return;
	for (char *p = buf; *p; p++)
		*p = ascii_lower(*p);
	struct vname vn = {"", {buf}, {(size_t)n}, 1};
	occ_push(t, vocab_id(t, key_ent(buf, (size_t)n), &vn, kind));
}

/* Entity types whose presence the trainer does not learn (type:T, types:T>=2): nearly
 * every news article names a country, a city, a person, an organisation, a date, a sum of
 * money or a percentage, so their presence tells the kind of source (wire news against
 * Usenet, world business against UK politics and sport in the BBC set), not the topic, and
 * a weight learnt for it would act as a second bias on all international news (sums and
 * shares fill trade, mining and defence news as much as business news). */
static bool learnt_type(const char *type)
{
	static const char *const generic[] = {"city",	"country", "date",   "org",
					      "person", "money",   "percent"};
	for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
		if (strcasecmp_ascii(type, generic[i]) == 0)
			return false;
	return true;
}

/* Entity features learnt from data: type:, group: and types:T>=2; not ent: (specific
 * people and places of the training years would not carry over). */
static int cmp_mention(const void *a, const void *b)
{
	const struct topics_mention *x = *(const struct topics_mention *const *)a;
	const struct topics_mention *y = *(const struct topics_mention *const *)b;
	int r = strcasecmp_ascii(x->type, y->type);
	if (r)
		return r;
	return strcasecmp_ascii(x->id, y->id);
}

static void trainer_entities(struct topics_trainer *t, const struct topics_input *in)
{
	if (!in->nmentions)
		return;
	const struct topics_mention **v = xmalloc(in->nmentions * sizeof *v);
	size_t nv = 0;
	for (size_t i = 0; i < in->nmentions; i++) {
		const struct topics_mention *me = &in->mentions[i];
		if (me->group)
			trainer_ent(t, "group:", me->group, "", FK_GROUP);
		if (!me->type || !learnt_type(me->type))
			continue;
		trainer_ent(t, "type:", me->type, "", FK_TYPE);
		if (me->id)
			v[nv++] = me;
	}
	qsort(v, nv, sizeof *v, cmp_mention);
	for (size_t i = 0; i < nv;) {
		size_t j = i + 1;
		uint32_t distinct = 1;
		while (j < nv && strcasecmp_ascii(v[j]->type, v[i]->type) == 0) {
			if (strcasecmp_ascii(v[j]->id, v[j - 1]->id) != 0)
				distinct++;
			j++;
		}
		if (distinct >= 2)
			trainer_ent(t, "types:", v[i]->type, ">=2", FK_TYPES);
		i = j;
	}
	free(v);
}

static size_t trainer_topic(struct topics_trainer *t, const char *name)
{
	for (size_t i = 0; i < t->ntop; i++)
		if (strcmp(t->tn[i], name) == 0)
			return i;
	t->tn = xrealloc(t->tn, (t->ntop + 1) * sizeof *t->tn);
	t->tn[t->ntop] = xstrdup(name);
	return t->ntop++;
}

void topics_trainer_add(struct topics_trainer *t, const struct topics_input *in,
			const char *const *labels, size_t nlabels)
{
	t->nocc = 0;
	struct span *spans = NULL;
	size_t nspans = 0;
	size_t nw = in->toks && in->nt
			    ? text_view(in->toks, in->nt->s, &t->a, &spans, &nspans, NULL)
			    : 0;
	if (in->toks && in->nt)
		trainer_text(t, in, spans, nspans);
	trainer_entities(t, in);
	qsort(t->occ, t->nocc, sizeof *t->occ, cmp_u32);
	if (t->nrec == t->caprec) {
		t->caprec = t->caprec ? t->caprec * 2 : 1024;
		t->roff = xrealloc(t->roff, (t->caprec + 1) * sizeof *t->roff);
		t->loff = xrealloc(t->loff, (t->caprec + 1) * sizeof *t->loff);
		if (t->base)
			t->boff = xrealloc(t->boff, t->caprec * t->base->ntopics * sizeof *t->boff);
	}
	for (size_t i = 0; i < t->nocc;) {
		size_t j = i;
		while (j < t->nocc && t->occ[j] == t->occ[i])
			j++;
		struct vfeat *v = &t->vf[t->occ[i]];
		if (v->last_rec != t->nrec + 1) {
			v->last_rec = (uint32_t)(t->nrec + 1);
			v->df++;
		}
		if (t->np == t->capp) {
			t->capp = t->capp ? t->capp * 2 : 1 << 16;
			t->pid = xrealloc(t->pid, t->capp * sizeof *t->pid);
			t->px = xrealloc(t->px, t->capp * sizeof *t->px);
		}
		t->pid[t->np] = t->occ[i];
		t->px[t->np] = (v->kind == FK_WORD || v->kind == FK_PHRASE)
				       ? (float)text_value((uint32_t)(j - i), nw)
				       : 1.0f;
		t->np++;
		i = j;
	}
	for (size_t i = 0; i < nlabels; i++) {
		uint32_t topic = (uint32_t)trainer_topic(t, labels[i]);
		bool seen = false;
		for (size_t k = t->loff[t->nrec]; k < t->nlab; k++)
			seen |= t->lab[k] == topic;
		if (seen)
			continue;
		if (t->nlab == t->caplab) {
			t->caplab = t->caplab ? t->caplab * 2 : 1024;
			t->lab = xrealloc(t->lab, t->caplab * sizeof *t->lab);
		}
		t->lab[t->nlab++] = topic;
	}
	if (t->base) {
		struct counter c;
		size_t bw;
		model_logits(t->base, in, &t->a, t->boff + t->nrec * t->base->ntopics, &c, &bw);
	}
	arena_reset(&t->a);
	t->nrec++;
	t->roff[t->nrec] = t->np;
	t->loff[t->nrec] = t->nlab;
}

/* One binary logistic regression: minimise sum_i logloss(y_i, off_i + b + w.x_i) +
 * l2/2 |w|^2 over the features not masked out. w has dim + 1 entries, w[dim] = b. */
struct lrp {
	size_t nrec, dim;
	const size_t *ro;
	const uint32_t *col;
	const float *val;
	const double *off; /* NULL or nrec entries */
	const uint8_t *y;
	const uint8_t *mask; /* NULL or dim entries, 0 = fixed at zero */
	double l2;
};

static double softplus(double x)
{
	return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

static double lr_fg(const struct lrp *p, const double *w, double *g)
{
	double f = 0;
	for (size_t j = 0; j < p->dim; j++) {
		g[j] = p->l2 * w[j];
		f += 0.5 * p->l2 * w[j] * w[j];
	}
	g[p->dim] = 0;
	for (size_t i = 0; i < p->nrec; i++) {
		double z = w[p->dim] + (p->off ? p->off[i] : 0);
		for (size_t k = p->ro[i]; k < p->ro[i + 1]; k++)
			z += w[p->col[k]] * p->val[k];
		f += p->y[i] ? softplus(-z) : softplus(z);
		double r = sigmoid(z) - p->y[i];
		for (size_t k = p->ro[i]; k < p->ro[i + 1]; k++)
			g[p->col[k]] += r * p->val[k];
		g[p->dim] += r;
	}
	if (p->mask)
		for (size_t j = 0; j < p->dim; j++)
			if (!p->mask[j])
				g[j] = 0;
	return f;
}

static double dot(const double *a, const double *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

#define LBFGS_M 8

/* Limited-memory BFGS with a backtracking (Armijo) line search, at most iters steps. */
static void lbfgs(const struct lrp *p, double *w, int iters)
{
	size_t n = p->dim + 1;
	double *g = xmalloc(n * sizeof *g), *gn = xmalloc(n * sizeof *gn);
	double *wn = xmalloc(n * sizeof *wn), *d = xmalloc(n * sizeof *d);
	double *s = xmalloc(LBFGS_M * n * sizeof *s), *y = xmalloc(LBFGS_M * n * sizeof *y);
	double rho[LBFGS_M], alpha[LBFGS_M];
	int head = 0, cnt = 0;
	double f = lr_fg(p, w, g);
	for (int it = 0; it < iters; it++) {
		for (size_t j = 0; j < n; j++)
			d[j] = g[j];
		for (int k = 0; k < cnt; k++) {
			int i = (head - 1 - k + LBFGS_M) % LBFGS_M;
			alpha[i] = rho[i] * dot(s + i * n, d, n);
			for (size_t j = 0; j < n; j++)
				d[j] -= alpha[i] * y[i * n + j];
		}
		double gamma;
		if (cnt) {
			int i = (head - 1 + LBFGS_M) % LBFGS_M;
			gamma = dot(s + i * n, y + i * n, n) / dot(y + i * n, y + i * n, n);
		} else {
			gamma = 1.0 / sqrt(dot(g, g, n) + 1e-300);
		}
		for (size_t j = 0; j < n; j++)
			d[j] *= gamma;
		for (int k = cnt - 1; k >= 0; k--) {
			int i = (head - 1 - k + LBFGS_M) % LBFGS_M;
			double b = rho[i] * dot(y + i * n, d, n);
			for (size_t j = 0; j < n; j++)
				d[j] += s[i * n + j] * (alpha[i] - b);
		}
		for (size_t j = 0; j < n; j++)
			d[j] = -d[j];
		double gd = dot(g, d, n);
		if (!(gd < 0)) {
			/* not a descent direction: restart from the gradient */
			cnt = 0;
			double gg = sqrt(dot(g, g, n) + 1e-300);
			for (size_t j = 0; j < n; j++)
				d[j] = -g[j] / gg;
			gd = dot(g, d, n);
		}
		double step = 1, fn = f;
		int tries;
		for (tries = 0; tries < 40; tries++) {
			for (size_t j = 0; j < n; j++)
				wn[j] = w[j] + step * d[j];
			fn = lr_fg(p, wn, gn);
			if (fn <= f + 1e-4 * step * gd)
				break;
			step *= 0.5;
		}
		if (tries == 40)
			break;
		double *si = s + head * n, *yi = y + head * n;
		for (size_t j = 0; j < n; j++) {
			si[j] = wn[j] - w[j];
			yi[j] = gn[j] - g[j];
		}
		double sy = dot(si, yi, n);
		if (sy > 1e-12) {
			rho[head] = 1.0 / sy;
			head = (head + 1) % LBFGS_M;
			if (cnt < LBFGS_M)
				cnt++;
		}
		double rel = (f - fn) / (fabs(f) + 1e-12);
		memcpy(w, wn, n * sizeof *w);
		memcpy(g, gn, n * sizeof *g);
		f = fn;
		if (rel < 1e-9)
			break;
	}
	free(g);
	free(gn);
	free(wn);
	free(d);
	free(s);
	free(y);
}

struct named_w {
	const char *name;
	double w;
};

static int cmp_by_abs(const void *a, const void *b)
{
	const struct named_w *x = a, *y = b;
	double ax = fabs(x->w), ay = fabs(y->w);
	if (ax != ay)
		return ax < ay ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_by_name(const void *a, const void *b)
{
	const struct named_w *x = a, *y = b;
	return strcmp(x->name, y->name);
}

static int cmp_by_weight(const void *a, const void *b)
{
	const struct named_w *x = a, *y = b;
	if (x->w != y->w)
		return x->w < y->w ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void print_w(FILE *out, const char *topic, const char *feature, double w)
{
	char num[64];
	snprintf(num, sizeof num, "%.4f", w);
	if (strcmp(num, "-0.0000") == 0)
		snprintf(num, sizeof num, "0.0000");
	fprintf(out, "%s\t%s\t%s\n", topic, feature, num);
}

/* Write topic t: base lines (if any) plus the trained ones, same feature summed, sorted by
 * weight (highest first), ties by name; weights that round to zero are left out. */
static void write_topic(FILE *out, const struct topics_trainer *t, size_t topic, double bias,
			struct named_w *tr, size_t ntr)
{
	size_t cap = ntr;
	const struct topics_model *b = t->base;
	bool in_base = b && topic < b->ntopics;
	if (in_base)
		for (size_t i = 0; i < b->nf; i++)
			cap += b->f[i].ntw;
	struct named_w *all = xmalloc((cap + 1) * sizeof *all);
	size_t n = 0;
	if (in_base) {
		bias += b->bias[topic];
		for (size_t i = 0; i < b->nf; i++)
			for (uint32_t k = 0; k < b->f[i].ntw; k++)
				if (b->f[i].tw[k].topic == topic)
					all[n++] = (struct named_w){b->f[i].name, b->f[i].tw[k].w};
	}
	for (size_t i = 0; i < ntr; i++)
		all[n++] = tr[i];
	qsort(all, n, sizeof *all, cmp_by_name);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && strcmp(all[m - 1].name, all[i].name) == 0)
			all[m - 1].w += all[i].w;
		else
			all[m++] = all[i];
	}
	qsort(all, m, sizeof *all, cmp_by_weight);
	print_w(out, t->tn[topic], "bias", bias);
	for (size_t i = 0; i < m; i++)
		if (fabs(all[i].w) >= 0.00005)
			print_w(out, t->tn[topic], all[i].name, all[i].w);
	free(all);
}

int topics_trainer_write(struct topics_trainer *t, FILE *out, struct err *err)
{
	if (t->nrec == 0 && !t->base)
		return err_set(err, ERR_INPUT, "", 0, "no training records");
	/* features seen in at least min_df records */
	uint32_t *newid = xmalloc((t->nvf + 1) * sizeof *newid);
	size_t dim = 0;
	for (size_t i = 0; i < t->nvf; i++)
		newid[i] = t->vf[i].df >= t->o.min_df && !is_name(&t->vf[i]) ? (uint32_t)dim++
										: UINT32_MAX;
	const char **names = xmalloc((dim + 1) * sizeof *names);
	for (size_t i = 0; i < t->nvf; i++)
		if (newid[i] != UINT32_MAX)
			names[newid[i]] = t->vf[i].name;
	size_t *ro = xmalloc((t->nrec + 1) * sizeof *ro);
	uint32_t *col = xmalloc((t->np + 1) * sizeof *col);
	float *val = xmalloc((t->np + 1) * sizeof *val);
	size_t nnz = 0;
	for (size_t i = 0; i < t->nrec; i++) {
		ro[i] = nnz;
		for (size_t k = t->roff[i]; k < t->roff[i + 1]; k++)
			if (newid[t->pid[k]] != UINT32_MAX) {
				col[nnz] = newid[t->pid[k]];
				val[nnz++] = t->px[k];
			}
	}
	ro[t->nrec] = nnz;
	uint8_t *y = xmalloc(t->nrec + 1);
	uint8_t *mask = xmalloc(dim + 1);
	double *off = xmalloc((t->nrec + 1) * sizeof *off);
	double *w = xmalloc((dim + 1) * sizeof *w);
	struct named_w *sel = xmalloc((dim + 1) * sizeof *sel);

	fprintf(out, "# entopic topic model (format: models/README.md), written by entopic train.\n");
	fprintf(out, "# %zu training records, %zu features in >= %u records; per topic: L2 %g, "
		     "%d L-BFGS iterations, top %zu features by |weight| refitted%s.\n",
		t->nrec, dim, t->o.min_df, t->o.l2, t->o.iterations, t->o.top_k,
		t->base ? ", on top of the base (curated) weights, which are included" : "");
	fprintf(out, "# topics:");
	for (size_t k = 0; k < t->ntop; k++)
		fprintf(out, " %s", t->tn[k]);
	fprintf(out, "\n");
	for (size_t k = 0; k < t->ntop; k++) {
		size_t npos = 0;
		for (size_t i = 0; i < t->nrec; i++) {
			y[i] = 0;
			for (size_t j = t->loff[i]; j < t->loff[i + 1]; j++)
				y[i] |= t->lab[j] == k;
			npos += y[i];
		}
		bool in_base = t->base && k < t->base->ntopics;
		fprintf(out, "\n# %s: %zu of %zu records positive%s\n", t->tn[k], npos, t->nrec,
			npos && npos < t->nrec ? (in_base ? "; trained on top of the base weights" : "; trained")
					       : "; base weights only (nothing to learn from)");
		if (npos == 0 || npos == t->nrec) {
			if (!in_base)
				continue; /* cannot happen: a label makes a topic */
			write_topic(out, t, k, 0, NULL, 0);
			continue;
		}
		for (size_t i = 0; i < t->nrec; i++)
			off[i] = in_base ? t->boff[i * t->base->ntopics + k] : 0;
		struct lrp p = {t->nrec, dim, ro, col, val, off, y, NULL, t->o.l2};
		memset(w, 0, (dim + 1) * sizeof *w);
		/* start the bias at the log-odds of the topic */
		if (!in_base)
			w[dim] = log((double)npos / (double)(t->nrec - npos));
		lbfgs(&p, w, t->o.iterations);
		size_t ns = 0;
		for (size_t j = 0; j < dim; j++)
			if (w[j] != 0)
				sel[ns++] = (struct named_w){names[j], w[j]};
		qsort(sel, ns, sizeof *sel, cmp_by_abs);
		if (ns > t->o.top_k)
			ns = t->o.top_k;
		/* refit with the selected features only */
		memset(mask, 0, dim + 1);
		for (size_t j = 0; j < dim; j++)
			if (w[j] != 0) {
				struct named_w key = {names[j], w[j]};
				/* selected when it sorts no later than the last kept one */
				if (ns && cmp_by_abs(&key, &sel[ns - 1]) <= 0)
					mask[j] = 1;
			}
		for (size_t j = 0; j < dim; j++)
			if (!mask[j])
				w[j] = 0;
		p.mask = mask;
		lbfgs(&p, w, t->o.iterations);
		size_t nt = 0;
		for (size_t j = 0; j < dim; j++)
			if (mask[j])
				sel[nt++] = (struct named_w){names[j], w[j]};
		write_topic(out, t, k, w[dim], sel, nt);
	}
	free(newid);
	free(names);
	free(ro);
	free(col);
	free(val);
	free(y);
	free(mask);
	free(off);
	free(w);
	free(sel);
	if (fflush(out) != 0 || ferror(out))
		return err_set(err, ERR_IO, "", 0, "write error: %s", strerror(errno));
	return 0;
}
