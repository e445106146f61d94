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

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "patterns.h"
#include "rules.h"

struct matcher {
	gazetteer *gaz;
	rules *rules;
	patterns *pat;
	const char *t_person, *t_country, *t_org, *t_city, *t_mineral;
};

matcher *match_new(gazetteer *gaz, const char *rulespath, const char *patpath, struct err *err)
{
	matcher *m = xcalloc(1, sizeof *m);
	m->gaz = gaz;
	m->rules = rules_new();
	if (rulespath && rules_load(m->rules, rulespath, gaz, err) < 0) {
		match_free(m);
		return NULL;
	}
	m->pat = patterns_new();
	if (patpath && patterns_load(m->pat, patpath, err) < 0) {
		match_free(m);
		return NULL;
	}
	m->t_person = gaz_intern_type(gaz, "PERSON");
	m->t_country = gaz_intern_type(gaz, "COUNTRY");
	m->t_org = gaz_intern_type(gaz, "ORG");
	m->t_city = gaz_intern_type(gaz, "CITY");
	m->t_mineral = gaz_intern_type(gaz, "MINERAL");
	return m;
}

int match_add_rules(matcher *m, const char *path, struct err *err)
{
	return rules_load(m->rules, path, m->gaz, err);
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

static bool is_word(const struct token *t)
{
	return t->kind == TOK_WORD || t->kind == TOK_NUM || t->kind == TOK_CJK;
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
static int32_t next_letter(const char *s, size_t n, size_t *i)
{
	while (*i < n) {
		int32_t cp;
		*i += (size_t)norm_decode((const unsigned char *)s + *i, n - *i, &cp);
		if (is_letter_cp(cp))
			return cp;
	}
	return -1;
}

/* CASE_EXACT: every upper-case letter of the form must be upper case in the text. Letters
 * are paired in order; when the counts differ (a ligature, a transliteration) only the
 * first letters are compared. */
static bool case_ok(const struct gaz_form *f, const char *orig, uint32_t os, uint32_t oe)
{
	if (f->casep == CASE_FOLD)
		return true;
	const char *fs = f->text;
	size_t fn = strlen(fs), fi = 0, ti = 0;
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

struct mlist {
	struct arena *a;
	struct mention *v;
	size_t n, cap;
};

static struct mention *madd(struct mlist *ml)
{
	if (ml->n == ml->cap) {
		size_t ncap = ml->cap ? ml->cap * 2 : 64;
		struct mention *nv = arena_alloc(ml->a, ncap * sizeof *nv);
		if (ml->n)
			memcpy(nv, ml->v, ml->n * sizeof *nv);
		ml->v = nv;
		ml->cap = ncap;
	}
	struct mention *m = &ml->v[ml->n++];
	memset(m, 0, sizeof *m);
	return m;
}

static uint32_t token_id(const matcher *m, const struct norm_text *nt, const struct token *t)
{
	return gaz_token(m->gaz, nt->s + t->nstart, t->nend - t->nstart);
}

/* ---- pass 1 + 2: lexicon and rules ---- */

/* Decide among the forms at node for the span [i, j): the first form that case accepts and
 * the rules do not drop. Returns true with *ent and *kind set. */
static bool choose(const matcher *m, const char *orig, const struct norm_text *nt,
		   const struct tok_list *tl, uint32_t node, uint32_t i, uint32_t j,
		   const struct entity **ent, uint8_t *kind)
{
	const struct token *ti = &tl->v[i], *tj = &tl->v[j - 1];
	for (uint32_t f = gaz_forms(m->gaz, node); f != GAZ_NONE; f = gaz_form(m->gaz, f)->next) {
		const struct gaz_form *gf = gaz_form(m->gaz, f);
		if (!case_ok(gf, orig, ti->ostart, tj->oend))
			continue;
		struct rule_ctx c = {orig, nt, tl, i, j, gaz_entity(m->gaz, gf->entity), gf->text,
				     (gf->flags & GAZF_AMBIGUOUS) != 0, NULL};
		const char *link = NULL;
		enum rule_action act = rules_decide(m->rules, &c, &link);
		if (act == RULE_DROP)
			continue;
		*ent = c.ent;
		*kind = gf->kind;
		if (act == RULE_LINK) {
			const struct entity *e = gaz_find(m->gaz, link);
			if (e)
				*ent = e;
		}
		return true;
	}
	return false;
}

static void lexicon_pass(const matcher *m, const char *orig, const struct norm_text *nt,
			 const struct tok_list *tl, struct mlist *ml)
{
	uint32_t n = (uint32_t)tl->n;
	uint32_t i = 0;
	while (i < n) {
		const struct token *t = &tl->v[i];
		if (!is_word(t)) {
			i++;
			continue;
		}
		uint32_t node = gaz_root(m->gaz);
		uint32_t best_end = 0;
		const struct entity *best = NULL;
		uint8_t best_kind = 0;
		for (uint32_t j = i; j < n; j++) {
			const struct token *u = &tl->v[j];
			if (j > i && (u->flags & TOKF_PARA_BEFORE))
				break;
			if (u->kind == TOK_HYPHEN) {
				if (j == i)
					break;
				continue;
			}
			uint32_t tok = token_id(m, nt, u);
			if (tok == GAZ_NONE)
				break;
			node = gaz_step(m->gaz, node, tok);
			if (node == GAZ_NONE)
				break;
			if (gaz_forms(m->gaz, node) == GAZ_NONE)
				continue;
			const struct entity *e;
			uint8_t k;
			if (choose(m, orig, nt, tl, node, i, j + 1, &e, &k)) {
				best_end = j + 1;
				best = e;
				best_kind = k;
			}
		}
		if (!best) {
			i++;
			continue;
		}
		struct mention *mm = madd(ml);
		mm->t0 = i;
		mm->t1 = best_end;
		mm->ent = best;
		mm->kind = best_kind;
		mm->src = SRC_LEXICON;
		i = best_end;
	}
}

/* ---- final ---- */

static int cmp_mention(const void *a, const void *b)
{
	const struct mention *x = a, *y = b;
	if (x->ostart != y->ostart)
		return x->ostart < y->ostart ? -1 : 1;
	return x->oend > y->oend ? -1 : x->oend < y->oend;
}

int match_doc(const matcher *m, struct arena *a, const char *orig, const struct norm_text *nt,
	      const struct tok_list *tl, struct mention **out, size_t *n, struct err *err)
{
	struct mlist ml = {a, NULL, 0, 0};
	lexicon_pass(m, orig, nt, tl, &ml);
	for (size_t i = 0; i < ml.n; i++) {
		ml.v[i].ostart = tl->v[ml.v[i].t0].ostart;
		ml.v[i].oend = tl->v[ml.v[i].t1 - 1].oend;
	}
	int rc = 0;
	(void)err;
	qsort(ml.v, ml.n, sizeof *ml.v, cmp_mention);
	*out = ml.v;
	*n = ml.n;
	return rc;
}
