/* rules: a small, readable rule language (models/README.md).
 *
 *   list <TAB> NAME <TAB> word word ...            a named word list (normalized words)
 *   rule <TAB> TARGET <TAB> ACTION <TAB> CONDITIONS
 *
 * TARGET: an entity id, "form:<text>" (a lexicon form, normalized), "type:<TYPE>" or
 * "ambiguous" (any form flagged ambiguous). ACTION: keep, drop or link:<id>. CONDITIONS:
 * "*" or space-separated tests that must all hold, each negated by a leading '!':
 * next=w,w  prev=w,w  next2=w,w  prev2=w,w  (the neighbouring word tokens; hyphens are
 * and commas skipped), nextlist=NAME prevlist=NAME, doc=w,w (anywhere in the record), nextcap, prevcap
 * (a capitalized word right beside the mention, no punctuation between), lower, upper,
 * sentstart, ambiguous (the form is flagged ambiguous), demonym, abbrev (the form's kind), prevnum (a number before),
 * nextend (punctuation or the end follows), headline (a headline-style line), lineupper
 * (the whole line is in capitals). The first rule whose target and tests match decides.
 *
 * Every word set is one open-addressing hash keyed by (set number, word), so a test is one
 * probe whatever the list's length. */
#include "rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cond_kind {
	C_ALWAYS, C_NEXT, C_PREV, C_NEXT2, C_PREV2, C_DOC, C_NEXTCAP, C_PREVCAP, C_LOWER,
	C_UPPER, C_SENTSTART, C_AMBIGUOUS, C_DEMONYM, C_ABBREV, C_PREVNUM, C_NEXTEND, C_HEADLINE, C_LINEUPPER,
};

struct cond {
	uint8_t kind;
	bool neg;
	uint32_t set; /* word set for next/prev/doc */
};

struct rule {
	char *target; /* id, "form:<normalized>", "type:X" or "ambiguous" */
	int tkind;    /* 0 id, 1 form, 2 type, 3 ambiguous */
	uint64_t thash; /* hash_bytes() of an id or type target: its key in the index */
	size_t flen;    /* a form target's length after "form:" */
	enum rule_action action;
	char *link;
	struct cond *conds;
	size_t nconds;
};

/* The two tables of words have sixteen-byte entries, the words' bytes in struct rules'
 * pool: they are probed in no order (a word of every ten match_word() looks up, the
 * neighbours of the candidates of the rules), and take a third of the cache lines they
 * would with pointers to the words, which lie in one block. */

/* An entry of the table of every word of every set. */
struct wentry {
	uint32_t hash; /* the low half of the word's whash(), compared first */
	uint32_t set;
	uint32_t off;  /* the word: pool[off..off+len) */
	uint32_t len;  /* 0: an empty slot */
};

/* An entry of the table of the words of the lists numbered below 16. */
struct lentry {
	uint32_t hash; /* the low half of the word's hash_bytes(), compared first */
	uint32_t off;  /* the word: pool[off..off+len) */
	uint32_t len;  /* 0: an empty slot */
	uint16_t mask;
};

/* The rules of one id or type target (tkind 0 or 2, thash, and the target itself: rules
 * whose targets differ have heads of their own even when their hashes are the same): the
 * first; the others follow by struct rules' next. */
struct rhead {
	uint64_t thash;
	uint32_t tkind;
	uint32_t first; /* RULE_END: an empty slot */
};

#define RULE_END UINT32_MAX

/* A filter before a table of words (struct rules' lw, and words): bit k set when some word whose hash's top FILTER_LOG bits are k is in it. Nine
 * words in ten looked up are in no list; the filter answers most of them at once, where
 * the probe's first slot was occupied or not in no order a branch predictor learns. */
#define FILTER_LOG 14

static inline bool filter_has(const uint64_t *f, uint64_t key)
{
	const uint64_t b = key >> (64 - FILTER_LOG);
	return f[b / 64] >> b % 64 & 1;
}

static inline void filter_add(uint64_t *f, uint64_t key)
{
	const uint64_t b = key >> (64 - FILTER_LOG);
	f[b / 64] |= (uint64_t)1 << b % 64;
}

struct rules {
	struct lentry *lw; /* word -> lists numbered below 16 */
	size_t nlw, caplw;
	uint64_t lwbits[(1u << FILTER_LOG) / 64]; /* the filter of lw (see FILTER_LOG) */
	char *pool; /* the words of words and lw, one after the other */
	size_t npool, cappool;
	struct rule *v;
	size_t n;
	/* the index of the rules, rebuilt by rules_load(): rules_decide() visits the rules of
	 * the candidate's id and type and those of the other targets, in file order */
	struct rhead *heads;
	size_t capheads;
	uint32_t *next;   /* per rule: the next rule of its id or type target, or RULE_END */
	uint32_t *others; /* the form and ambiguous rules, then RULE_END */
	struct wentry *words; /* (set, word) -> in the set; whash() keys */
	size_t nwords, capwords;
	uint64_t wbits[(1u << FILTER_LOG) / 64]; /* the filter of words, by whash() */
	char **listnames; /* set numbers of named lists */
	size_t nlists;
	uint32_t nsets;
};

rules *rules_new(void)
{
	return xcalloc(1, sizeof(rules));
}

void rules_free(rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].target);
		free(r->v[i].link);
		free(r->v[i].conds);
	}
	free(r->v);
	free(r->heads);
	free(r->next);
	free(r->others);
	free(r->words);
	free(r->lw);
	free(r->pool);
	for (size_t i = 0; i < r->nlists; i++)
		free(r->listnames[i]);
	free(r->listnames);
	free(r);
}

/* The key of word w in set: the word's hash_bytes() mixed with the set number, so that a
 * caller holding a token's hash probes without hashing again. */
static uint64_t whash_h(uint32_t set, uint64_t h)
{
	return h ^ ((uint64_t)set * 0x9E3779B97F4A7C15ULL);
}

static uint64_t whash(uint32_t set, const char *w, size_t n)
{
	return whash_h(set, hash_bytes(w, n));
}

static bool set_has_h(const rules *r, uint32_t set, const char *w, size_t n, uint64_t wh)
{
	if (!r->capwords)
		return false;
	uint64_t h = whash_h(set, wh);
	if (!filter_has(r->wbits, h))
		return false;
	size_t mask = r->capwords - 1;
	for (size_t i = (h ^ (h >> 29)) & mask; r->words[i].len; i = (i + 1) & mask) {
		const struct wentry *e = &r->words[i];
		if (e->hash == (uint32_t)h && e->set == set && e->len == n &&
		    same_bytes(r->pool + e->off, w, n))
			return true;
	}
	return false;
}

static bool set_has(const rules *r, uint32_t set, const char *w, size_t n)
{
	return set_has_h(r, set, w, n, hash_bytes(w, n));
}

static inline struct lentry *lw_find(const rules *r, const char *w, size_t n, uint64_t h)
{
	if (!r->caplw)
		return NULL;
	size_t mask = r->caplw - 1;
	for (size_t i = (h ^ (h >> 31)) & mask;; i = (i + 1) & mask) {
		struct lentry *e = &r->lw[i];
		if (!e->len || (e->hash == (uint32_t)h && e->len == n &&
				 same_bytes(r->pool + e->off, w, n)))
			return e;
	}
}

/* Put the word pool[off..off+n) into the lists table, as one of list set. */
static void lw_add(rules *r, uint32_t set, uint32_t off, size_t n)
{
	if (set >= 16)
		return;
	if ((r->nlw + 1) * 2 >= r->caplw) {
		size_t ncap = r->caplw ? r->caplw * 2 : 256;
		struct lentry *nv = xcalloc(ncap, sizeof *nv);
		for (size_t i = 0; i < r->caplw; i++) {
			if (!r->lw[i].len)
				continue;
			uint64_t hh = hash_bytes(r->pool + r->lw[i].off, r->lw[i].len);
			size_t j = (hh ^ (hh >> 31)) & (ncap - 1);
			while (nv[j].len)
				j = (j + 1) & (ncap - 1);
			nv[j] = r->lw[i];
		}
		free(r->lw);
		r->lw = nv;
		r->caplw = ncap;
	}
	const char *w = r->pool + off;
	uint64_t h = hash_bytes(w, n);
	filter_add(r->lwbits, h);
	struct lentry *e = lw_find(r, w, n, h);
	if (!e->len) {
		e->off = off;
		e->len = (uint32_t)n;
		e->hash = (uint32_t)h;
		r->nlw++;
	}
	e->mask |= (uint16_t)(1u << set);
}

uint16_t rules_word_lists(const rules *r, const char *w, size_t n, uint64_t h)
{
	if (!filter_has(r->lwbits, h))
		return 0;
	const struct lentry *e = lw_find(r, w, n, h);
	return e ? e->mask : 0; /* (an empty slot's mask is 0) */
}

static void set_add(rules *r, uint32_t set, const char *word)
{
	char *w = norm_string(word);
	size_t n = strlen(w);
	if (!n || set_has(r, set, w, n)) {
		free(w);
		return;
	}
	if ((r->nwords + 1) * 2 >= r->capwords) {
		size_t ncap = r->capwords ? r->capwords * 2 : 256;
		struct wentry *nv = xcalloc(ncap, sizeof *nv);
		for (size_t i = 0; i < r->capwords; i++) {
			const struct wentry *e = &r->words[i];
			if (!e->len)
				continue;
			uint64_t hh = whash(e->set, r->pool + e->off, e->len);
			size_t j = (hh ^ (hh >> 29)) & (ncap - 1);
			while (nv[j].len)
				j = (j + 1) & (ncap - 1);
			nv[j] = *e;
		}
		free(r->words);
		r->words = nv;
		r->capwords = ncap;
	}
	if (r->npool + n > r->cappool) {
		r->cappool = r->cappool ? 2 * r->cappool : 4096;
		while (r->cappool < r->npool + n)
			r->cappool *= 2;
		r->pool = xrealloc(r->pool, r->cappool);
	}
	const uint32_t off = (uint32_t)r->npool;
	memcpy(r->pool + off, w, n);
	r->npool += n;
	free(w);
	uint64_t h = whash(set, r->pool + off, n);
	filter_add(r->wbits, h);
	size_t j = (h ^ (h >> 29)) & (r->capwords - 1);
	while (r->words[j].len)
		j = (j + 1) & (r->capwords - 1);
	r->words[j] = (struct wentry){(uint32_t)h, set, off, (uint32_t)n};
	r->nwords++;
	lw_add(r, set, off, n);
}

static long list_find(const rules *r, const char *name)
{
	for (size_t i = 0; i < r->nlists; i++)
		if (strcmp(r->listnames[i], name) == 0)
			return (long)i;
	return -1;
}

long rules_list(const rules *r, const char *list)
{
	return list_find(r, list);
}

bool rules_in_h(const rules *r, long list, const char *w, size_t n, uint64_t h)
{
	return list >= 0 && set_has_h(r, (uint32_t)list, w, n, h);
}

/* Named lists occupy set numbers 0..nlists-1 as they are declared; condition sets are
 * numbered from 1 << 20 so both can grow independently. */
#define COND_SET_BASE (1u << 20)

static void add_words(rules *r, uint32_t set, char *words, const char *seps)
{
	char *save = NULL;
	for (char *w = strtok_r(words, seps, &save); w; w = strtok_r(NULL, seps, &save))
		set_add(r, set, w);
}

static int parse_cond(rules *r, char *tok, struct cond *c, const char *path, long line,
		      struct err *err)
{
	memset(c, 0, sizeof *c);
	if (*tok == '!') {
		c->neg = true;
		tok++;
	}
	static const struct {
		const char *name;
		uint8_t kind;
	} flagc[] = {{"*", C_ALWAYS},	  {"nextcap", C_NEXTCAP}, {"prevcap", C_PREVCAP},
		     {"lower", C_LOWER},  {"upper", C_UPPER},	  {"sentstart", C_SENTSTART},
		     {"ambiguous", C_AMBIGUOUS}, {"demonym", C_DEMONYM}, {"abbrev", C_ABBREV}, {"prevnum", C_PREVNUM},
		     {"nextend", C_NEXTEND},
		     {"headline", C_HEADLINE}, {"lineupper", C_LINEUPPER}};
	for (size_t i = 0; i < sizeof flagc / sizeof flagc[0]; i++)
		if (strcmp(tok, flagc[i].name) == 0) {
			c->kind = flagc[i].kind;
			return 0;
		}
	char *eq = strchr(tok, '=');
	if (!eq)
		return err_set(err, ERR_SYNTAX, path, line, "unknown condition '%s'", tok);
	*eq = '\0';
	const char *name = tok;
	char *val = eq + 1;
	static const struct {
		const char *name;
		uint8_t kind;
	} wordc[] = {{"next", C_NEXT}, {"prev", C_PREV}, {"next2", C_NEXT2},
		     {"prev2", C_PREV2}, {"doc", C_DOC}};
	for (size_t i = 0; i < sizeof wordc / sizeof wordc[0]; i++)
		if (strcmp(name, wordc[i].name) == 0) {
			c->kind = wordc[i].kind;
			c->set = COND_SET_BASE + r->nsets++;
			add_words(r, c->set, val, ",");
			return 0;
		}
	if (strcmp(name, "nextlist") == 0 || strcmp(name, "prevlist") == 0) {
		long l = list_find(r, val);
		if (l < 0)
			return err_set(err, ERR_SYNTAX, path, line,
				       "list '%s' is not defined before this line", val);
		c->kind = name[0] == 'n' ? C_NEXT : C_PREV;
		c->set = (uint32_t)l;
		return 0;
	}
	return err_set(err, ERR_SYNTAX, path, line, "unknown condition '%s'", name);
}

/* 1 for a test that reads the whole line or record, 0 for one that reads a few tokens. */
static int cond_cost(uint8_t kind)
{
	return kind == C_LINEUPPER || kind == C_DOC;
}

static int parse_line(rules *r, char *line, const char *path, long lineno, const gazetteer *gaz,
		      struct err *err)
{
	char *col[4];
	int n = 0;
	char *p = line;
	while (n < 4) {
		col[n++] = p;
		char *tab = strchr(p, '\t');
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	if (strcmp(col[0], "list") == 0) {
		if (n != 3)
			return err_set(err, ERR_SYNTAX, path, lineno,
				       "a list line has 3 tab-separated columns: list NAME WORDS");
		long l = list_find(r, col[1]);
		if (l < 0) {
			r->listnames = xrealloc(r->listnames, (r->nlists + 1) * sizeof *r->listnames);
			r->listnames[r->nlists] = xstrdup(col[1]);
			l = (long)r->nlists++;
			if (r->nlists >= COND_SET_BASE)
				return err_set(err, ERR_LIMIT, path, lineno, "too many lists");
		}
		add_words(r, (uint32_t)l, col[2], " ");
		return 0;
	}
	if (strcmp(col[0], "rule") != 0)
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "a line starts with 'rule' or 'list', not '%s'", col[0]);
	if (n != 4)
		return err_set(err, ERR_SYNTAX, path, lineno,
			       "a rule line has 4 tab-separated columns: rule TARGET ACTION "
			       "CONDITIONS");
	struct rule ru = {0};
	const char *target = col[1];
	if (strncmp(target, "form:", 5) == 0) {
		char *nf = norm_string(target + 5);
		size_t l = strlen(nf) + 6;
		ru.target = xmalloc(l);
		snprintf(ru.target, l, "form:%s", nf);
		free(nf);
		ru.tkind = 1;
	} else if (strncmp(target, "type:", 5) == 0) {
		ru.target = xstrdup(target + 5);
		ru.tkind = 2;
	} else if (strcmp(target, "ambiguous") == 0) {
		ru.target = xstrdup(target);
		ru.tkind = 3;
	} else {
		if (!strchr(target, ':'))
			return err_set(err, ERR_SYNTAX, path, lineno,
				       "target '%s' is not an entity id, form:, type: or ambiguous",
				       target);
		ru.target = xstrdup(target);
		ru.tkind = 0;
	}
	if (ru.tkind == 0 || ru.tkind == 2)
		ru.thash = hash_bytes(ru.target, strlen(ru.target));
	if (ru.tkind == 1)
		ru.flen = strlen(ru.target + 5);
	int rc = 0;
	if (strcmp(col[2], "keep") == 0)
		ru.action = RULE_KEEP;
	else if (strcmp(col[2], "drop") == 0)
		ru.action = RULE_DROP;
	else if (strncmp(col[2], "link:", 5) == 0 && col[2][5]) {
		ru.action = RULE_LINK;
		ru.link = xstrdup(col[2] + 5);
		if (gaz && !gaz_find(gaz, ru.link))
			rc = err_set(err, ERR_SYNTAX, path, lineno,
				     "link target '%s' is in no lexicon", ru.link);
	} else
		rc = err_set(err, ERR_SYNTAX, path, lineno,
			     "unknown action '%s' (keep, drop, link:ID)", col[2]);
	char *save = NULL;
	for (char *t = rc ? NULL : strtok_r(col[3], " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		ru.conds = xrealloc(ru.conds, (ru.nconds + 1) * sizeof *ru.conds);
		rc = parse_cond(r, t, &ru.conds[ru.nconds], path, lineno, err);
		if (rc)
			break;
		ru.nconds++;
	}
	if (!rc && !ru.nconds)
		rc = err_set(err, ERR_SYNTAX, path, lineno, "a rule needs conditions ('*': always)");
	/* the tests of a rule all hold or it does not match, and none has an effect: the ones
	 * that read a whole line or record go last, asked only when the others hold */
	for (size_t i = 1; !rc && i < ru.nconds; i++) {
		struct cond x = ru.conds[i];
		size_t j = i;
		for (; j > 0 && cond_cost(ru.conds[j - 1].kind) > cond_cost(x.kind); j--)
			ru.conds[j] = ru.conds[j - 1];
		ru.conds[j] = x;
	}
	if (rc) {
		free(ru.target);
		free(ru.link);
		free(ru.conds);
		return rc;
	}
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n++] = ru;
	return 0;
}

struct load_ctx {
	rules *r;
	const gazetteer *gaz;
};

static int load_line(void *ctx, char *line, size_t len, const char *path, long lineno,
		     struct err *err)
{
	struct load_ctx *c = ctx;
	(void)len;
	return parse_line(c->r, line, path, lineno, c->gaz, err);
}

/* The head of the rules whose target is target (of kind tkind, hash thash), or the empty
 * slot where it would go. */
static inline struct rhead *head_find(const rules *r, uint64_t thash, uint32_t tkind,
				      const char *target)
{
	size_t mask = r->capheads - 1;
	for (size_t i = (thash ^ (thash >> 29)) & mask;; i = (i + 1) & mask) {
		struct rhead *e = &r->heads[i];
		if (e->first == RULE_END || (e->thash == thash && e->tkind == tkind &&
					     strcmp(r->v[e->first].target, target) == 0))
			return e;
	}
}

/* Build the index of the rules (see struct rules). */
static void index_rules(rules *r)
{
	free(r->heads);
	free(r->next);
	free(r->others);
	for (r->capheads = 16; r->capheads < 2 * r->n + 2;)
		r->capheads *= 2;
	r->heads = xmalloc(r->capheads * sizeof *r->heads);
	for (size_t i = 0; i < r->capheads; i++)
		r->heads[i].first = RULE_END;
	r->next = xmalloc((r->n + 1) * sizeof *r->next);
	r->others = xmalloc((r->n + 1) * sizeof *r->others);
	size_t no = 0;
	uint32_t *last = xmalloc((r->n + 1) * sizeof *last); /* per rule: its chain's last */
	for (size_t i = 0; i < r->n; i++) {
		const struct rule *ru = &r->v[i];
		r->next[i] = RULE_END;
		if (ru->tkind & 1) {
			r->others[no++] = (uint32_t)i;
			continue;
		}
		struct rhead *h = head_find(r, ru->thash, (uint32_t)ru->tkind, ru->target);
		if (h->first == RULE_END) {
			h->thash = ru->thash;
			h->tkind = (uint32_t)ru->tkind;
			h->first = (uint32_t)i;
		} else {
			r->next[last[h->first]] = (uint32_t)i;
		}
		last[h->first] = (uint32_t)i;
	}
	r->others[no] = RULE_END;
	free(last);
}

int rules_load(rules *r, const char *path, const gazetteer *gaz, struct err *err)
{
	struct load_ctx c = {r, gaz};
	int rc = read_lines(path, load_line, &c, err);
	index_rules(r);
	return rc;
}

void rules_add_word(rules *r, const char *list, const char *word)
{
	long l = list_find(r, list);
	if (l < 0) {
		r->listnames = xrealloc(r->listnames, (r->nlists + 1) * sizeof *r->listnames);
		r->listnames[r->nlists] = xstrdup(list);
		l = (long)r->nlists++;
	}
	set_add(r, (uint32_t)l, word);
}

/* ---- evaluation ---- */

static bool is_word(const struct token *t)
{
	return t->kind == TOK_WORD || t->kind == TOK_NUM || t->kind == TOK_CJK;
}

/* The k-th word token after (dir > 0) or before the span, hyphens, possessives and commas
 * skipped; NULL at other punctuation or the text's end. */
static const struct token *neighbour(const struct rule_ctx *c, int dir, int k)
{
	long i = dir > 0 ? (long)c->t1 : (long)c->t0 - 1;
	const struct tok_list *tl = c->tl;
	while (i >= 0 && (size_t)i < tl->n) {
		const struct token *t = &tl->v[i];
		if (t->kind == TOK_HYPHEN || t->kind == TOK_POSS ||
		    (t->kind == TOK_PUNCT && c->nt->s[t->nstart] == ',')) {
			i += dir;
			continue;
		}
		if (!is_word(t))
			return NULL;
		if (--k == 0)
			return t;
		i += dir;
	}
	return NULL;
}

static bool sent_start(const struct rule_ctx *c)
{
	if (c->t0 == 0)
		return true;
	const struct token *first = &c->tl->v[c->t0];
	if (first->flags & TOKF_LINE_BEFORE)
		return true;
	for (long i = (long)c->t0 - 1; i >= 0; i--) {
		const struct token *t = &c->tl->v[i];
		const char *s = c->nt->s + t->nstart;
		if (t->kind == TOK_PUNCT && (*s == '"' || *s == '\'' || *s == '(')) {
			if (t->flags & TOKF_LINE_BEFORE)
				return true;
			continue;
		}
		return t->kind == TOK_PUNCT && (*s == '.' || *s == '!' || *s == '?' || *s == ':');
	}
	return true;
}

static bool cap_beside(const struct rule_ctx *c, int dir)
{
	long i = dir > 0 ? (long)c->t1 : (long)c->t0 - 1;
	if (i < 0 || (size_t)i >= c->tl->n)
		return false;
	const struct token *t = &c->tl->v[i];
	const struct token *inner = dir > 0 ? &c->tl->v[c->t1 - 1] : &c->tl->v[c->t0];
	if (dir > 0 ? (t->flags & TOKF_LINE_BEFORE) : (inner->flags & TOKF_LINE_BEFORE))
		return false;
	if (t->kind != TOK_WORD || !(t->flags & TOKF_INIT_UPPER))
		return false;
	if (dir < 0) { /* a capital that only starts the sentence ("The Jordanian ...") says nothing */
		struct rule_ctx prev = *c;
		prev.t0 = c->t0 - 1;
		prev.t1 = c->t0;
		if (sent_start(&prev))
			return false;
	}
	return true;
}

size_t rules_memo_size(const rules *r)
{
	return r->nsets;
}

static bool doc_has(const rules *r, const struct rule_ctx *c, uint32_t set)
{
	uint8_t *known = c->memo ? &c->memo->doc[set - COND_SET_BASE] : NULL;
	if (known && *known)
		return *known == 2;
	bool has = false;
	for (size_t i = 0; i < c->tl->n && !has; i++) {
		const struct token *t = &c->tl->v[i];
		has = is_word(t) &&
		      set_has_h(r, set, c->nt->s + t->nstart, t->nend - t->nstart, t->hash);
	}
	if (known)
		*known = has ? 2 : 1;
	return has;
}

static bool cond_holds(const rules *r, const struct cond *k, const struct rule_ctx *c)
{
	const struct token *t;
	switch (k->kind) {
	case C_ALWAYS:
		return true;
	case C_NEXT: case C_PREV: case C_NEXT2: case C_PREV2:
		t = neighbour(c, (k->kind == C_NEXT || k->kind == C_NEXT2) ? 1 : -1,
			      (k->kind == C_NEXT2 || k->kind == C_PREV2) ? 2 : 1);
		return t && set_has_h(r, k->set, c->nt->s + t->nstart, t->nend - t->nstart, t->hash);
	case C_DOC:
		return doc_has(r, c, k->set);
	case C_NEXTCAP:
		return cap_beside(c, 1);
	case C_PREVCAP:
		return cap_beside(c, -1);
	case C_LOWER: case C_UPPER: {
		bool lower = false, upper = false;
		for (uint32_t i = c->t0; i < c->t1; i++) {
			uint8_t f = c->tl->v[i].flags;
			if (f & TOKF_INIT_UPPER)
				upper = true;
			if ((f & TOKF_HAS_LOWER) && !(f & TOKF_INIT_UPPER))
				lower = true;
		}
		return k->kind == C_LOWER ? lower && !upper : upper && !lower;
	}
	case C_SENTSTART:
		return sent_start(c);
	case C_AMBIGUOUS:
		return c->ambiguous;
	case C_DEMONYM:
		return c->kind == KIND_DEMONYM;
	case C_ABBREV:
		return c->kind == KIND_ABBREV;
	case C_PREVNUM:
		t = neighbour(c, -1, 1);
		return t && t->kind == TOK_NUM;
	case C_NEXTEND:
		return c->t1 >= c->tl->n || c->tl->v[c->t1].kind == TOK_PUNCT ||
		       (c->tl->v[c->t1].flags & TOKF_LINE_BEFORE);
	case C_HEADLINE:
		return c->headline && c->headline[c->t0];
	case C_LINEUPPER: {
		/* with a memo, the whole line is read, once */
		struct rule_memo *mo = c->memo;
		if (mo && c->t0 >= mo->lo && c->t0 < mo->hi)
			return mo->upper;
		size_t i = c->t0, j = c->t0;
		while (i > 0 && !(c->tl->v[i].flags & TOKF_LINE_BEFORE))
			i--;
		bool upper = true;
		for (j = i; j < c->tl->n && (j == i || !(c->tl->v[j].flags & TOKF_LINE_BEFORE)); j++)
			if (c->tl->v[j].flags & TOKF_HAS_LOWER) {
				upper = false;
				if (!mo)
					break;
			}
		if (mo) {
			mo->lo = (uint32_t)i;
			mo->hi = (uint32_t)j;
			mo->upper = upper;
		}
		return upper;
	}
	}
	return false;
}

/* Does the target of a form or ambiguous rule (tkind 1 or 3) match? (The rules of the
 * candidate's id and type come from the heads of those targets.) */
static bool target_matches(const struct rule *ru, const struct rule_ctx *c)
{
	switch (ru->tkind) {
	case 1: {
		/* the normalized text of the span, hyphens skipped, words joined by spaces */
		const char *want = ru->target + 5;
		size_t off = 0, wl = ru->flen;
		for (uint32_t i = c->t0; i < c->t1; i++) {
			const struct token *t = &c->tl->v[i];
			if (t->kind == TOK_HYPHEN)
				continue;
			size_t l = t->nend - t->nstart;
			if (off && (t->flags & TOKF_SPACE_BEFORE)) {
				if (off >= wl || want[off] != ' ')
					return false;
				off++;
			}
			if (off + l > wl || (l && want[off] != c->nt->s[t->nstart]) ||
			    memcmp(want + off, c->nt->s + t->nstart, l) != 0)
				return false;
			off += l;
		}
		return off == wl;
	}
	default:
		return c->ambiguous;
	}
}

enum rule_action rules_decide(const rules *r, const struct rule_ctx *c, const char **link)
{
	if (!r->n)
		return RULE_NONE;
	/* three chains in file order, merged: the rules of the candidate's id, of its type,
	 * and of the other targets */
	const struct entity *e = c->ent;
	uint64_t ih = e->id_hash ? e->id_hash : hash_bytes(e->id, strlen(e->id));
	uint64_t th = e->type_hash ? e->type_hash : hash_bytes(e->type, strlen(e->type));
	const struct rhead *hi = head_find(r, ih, 0, e->id);
	const struct rhead *ht = head_find(r, th, 2, e->type);
	uint32_t a = hi->first, b = ht->first;
	const uint32_t *o = r->others;
	/* the first byte of the span's text (0 when its first token is a hyphen or empty):
	 * a form rule whose form begins otherwise does not match, asked at once */
	const struct token *first = &c->tl->v[c->t0];
	const char b0 = first->kind != TOK_HYPHEN && first->nend > first->nstart
				? c->nt->s[first->nstart] : 0;
	for (;;) {
		uint32_t i = a < b ? a : b;
		if (*o < i)
			i = *o;
		if (i == RULE_END)
			break;
		const struct rule *ru = &r->v[i];
		if (i == a) {
			a = r->next[a];
		} else if (i == b) {
			b = r->next[b];
		} else {
			o++;
			if ((ru->tkind == 1 && b0 && ru->target[5] != b0) || !target_matches(ru, c))
				continue;
		}
		size_t k;
		for (k = 0; k < ru->nconds; k++)
			if (cond_holds(r, &ru->conds[k], c) == ru->conds[k].neg)
				break;
		if (k < ru->nconds)
			continue;
		if (ru->action == RULE_LINK)
			*link = ru->link;
		return ru->action;
	}
	return RULE_NONE;
}
