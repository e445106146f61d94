/* eval: span comparisons are done in code points, the unit of the gold files. Mentions are
 * matched as sets: a predicted mention is a true positive when a gold mention has the same
 * type, start and end (and, for the linked score, the same id). */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

#define MAX_TYPES 16

struct prf {
	long tp, fp, fn;
};

struct eval {
	const char *types[MAX_TYPES];
	size_t ntypes;
	struct prf span[MAX_TYPES], link[MAX_TYPES];
	const struct topics_model *model;
	FILE *errors;
	long docs, topic_docs, main_ok;
	long ltp, lfp, lfn; /* labels at 0.5 */
};

static const char *const default_types[] = {"PERSON", "COUNTRY", "MINERAL", NULL};

eval *eval_new(const char *const *types, const struct topics_model *model, FILE *errors)
{
	eval *e = xcalloc(1, sizeof *e);
	if (!types)
		types = default_types;
	for (size_t i = 0; types[i] && i < MAX_TYPES; i++)
		e->types[e->ntypes++] = types[i];
	e->model = model;
	e->errors = errors;
	return e;
}

void eval_free(eval *e)
{
	free(e);
}

struct span {
	size_t start, end;
	int type;
	const char *id;
	const char *text;
	bool used;
};

static int type_ix(const eval *e, const char *type)
{
	for (size_t i = 0; i < e->ntypes; i++)
		if (strcmp(e->types[i], type) == 0)
			return (int)i;
	return -1;
}

/* byte offset -> code point offset, forward scan from a cursor */
static size_t cp_at(const char *s, size_t len, size_t byte, size_t *cb, size_t *cc)
{
	if (byte < *cb)
		*cb = *cc = 0;
	while (*cb < byte && *cb < len) {
		int32_t cp;
		*cb += (size_t)norm_decode((const unsigned char *)s + *cb, len - *cb, &cp);
		(*cc)++;
	}
	return *cc;
}

int eval_add(eval *e, json_t *gold, const char *text, size_t len, const struct annotation *an,
	     bool topics_only, struct err *err)
{
	json_t *jm = json_object_get(gold, "mentions");
	json_t *jid = json_object_get(gold, "id");
	const char *docid = json_is_string(jid) ? json_string_value(jid) : "?";
	e->docs++;
	if (!topics_only) {
		if (!json_is_array(jm))
			return err_set(err, ERR_INPUT, NULL, 0, "no \"mentions\" array");
		size_t ng = json_array_size(jm);
		struct span *g = xcalloc(ng + 1, sizeof *g);
		size_t k = 0;
		for (size_t i = 0; i < ng; i++) {
			json_t *m = json_array_get(jm, i);
			json_t *s = json_object_get(m, "start"), *en = json_object_get(m, "end");
			json_t *t = json_object_get(m, "type"), *id = json_object_get(m, "id");
			if (!json_is_integer(s) || !json_is_integer(en) || !json_is_string(t)) {
				free(g);
				return err_set(err, ERR_INPUT, NULL, 0,
					       "mention %zu lacks start, end or type", i);
			}
			int ti = type_ix(e, json_string_value(t));
			if (ti < 0)
				continue;
			g[k].start = (size_t)json_integer_value(s);
			g[k].end = (size_t)json_integer_value(en);
			g[k].type = ti;
			g[k].id = json_is_string(id) ? json_string_value(id) : "";
			json_t *tx = json_object_get(m, "text");
			g[k].text = json_is_string(tx) ? json_string_value(tx) : "";
			k++;
		}
		ng = k;
		size_t cb = 0, cc = 0;
		for (size_t i = 0; i < an->nmentions; i++) {
			const struct mention *m = &an->mentions[i];
			int ti = type_ix(e, m->ent->type);
			if (ti < 0)
				continue;
			size_t s = cp_at(text, len, m->ostart, &cb, &cc);
			size_t en = cp_at(text, len, m->oend, &cb, &cc);
			bool span_ok = false, link_ok = false;
			for (size_t j = 0; j < ng; j++) {
				if (g[j].used || g[j].start != s || g[j].end != en || g[j].type != ti)
					continue;
				span_ok = true;
				g[j].used = true;
				link_ok = m->ent->id ? strcmp(m->ent->id, g[j].id) == 0 : !g[j].id[0];
				if (!link_ok && e->errors)
					fprintf(e->errors, "%s\tWRONG-ID\t%s\t%zu\t%.*s\t%s (gold %s)\n",
						docid, e->types[ti], s, (int)(m->oend - m->ostart),
						text + m->ostart, m->ent->id ? m->ent->id : "null",
						g[j].id);
				break;
			}
			if (span_ok) {
				e->span[ti].tp++;
			} else {
				e->span[ti].fp++;
				if (e->errors)
					fprintf(e->errors, "%s\tFP\t%s\t%zu\t%.*s\t%s\n", docid,
						e->types[ti], s, (int)(m->oend - m->ostart),
						text + m->ostart, m->ent->id ? m->ent->id : "null");
			}
			if (link_ok)
				e->link[ti].tp++;
			else
				e->link[ti].fp++;
		}
		for (size_t j = 0; j < ng; j++) {
			if (g[j].used)
				continue;
			e->span[g[j].type].fn++;
			e->link[g[j].type].fn++;
			if (e->errors)
				fprintf(e->errors, "%s\tFN\t%s\t%zu\t%s\t%s\n", docid,
					e->types[g[j].type], g[j].start, g[j].text, g[j].id);
		}
		free(g);
	}
	json_t *gt = json_object_get(gold, "topics");
	if (e->model && an->scores && json_is_array(gt) && json_array_size(gt) > 0) {
		size_t nt = topics_count(e->model);
		e->topic_docs++;
		/* the main topic: the highest score; the logit orders scores that both round to 1 */
		const double *rank = an->logits ? an->logits : an->scores;
		size_t best = 0;
		for (size_t t = 1; t < nt; t++)
			if (rank[t] > rank[best])
				best = t;
		const char *main_gold = json_string_value(json_array_get(gt, 0));
		if (main_gold && strcmp(main_gold, topics_name(e->model, best)) == 0)
			e->main_ok++;
		for (size_t t = 0; t < nt; t++) {
			bool pred = an->scores[t] >= 0.5, want = false;
			for (size_t j = 0; j < json_array_size(gt); j++) {
				const char *s = json_string_value(json_array_get(gt, j));
				if (s && strcmp(s, topics_name(e->model, t)) == 0)
					want = true;
			}
			if (pred && want)
				e->ltp++;
			else if (pred)
				e->lfp++;
			else if (want)
				e->lfn++;
			if (e->errors && pred != want)
				fprintf(e->errors, "%s\tTOPIC-%s\t%s\t%.3f\n", docid, pred ? "FP" : "FN",
					topics_name(e->model, t), an->scores[t]);
		}
	}
	return 0;
}

static double ratio(long a, long b)
{
	return b ? (double)a / (double)b : 0.0;
}

static void prf_figures(const struct prf *p, double *pr, double *rc, double *f1)
{
	*pr = ratio(p->tp, p->tp + p->fp);
	*rc = ratio(p->tp, p->tp + p->fn);
	*f1 = (*pr + *rc) > 0 ? 2 * *pr * *rc / (*pr + *rc) : 0.0;
}

static json_t *prf_json(const struct prf *p)
{
	double pr, rc, f1;
	prf_figures(p, &pr, &rc, &f1);
	return json_pack("{s:f,s:f,s:f,s:I,s:I,s:I}", "precision", pr, "recall", rc, "f1", f1,
			 "tp", (json_int_t)p->tp, "fp", (json_int_t)p->fp, "fn", (json_int_t)p->fn);
}

void eval_report(const eval *e, FILE *out, bool json, bool topics_only)
{
	struct prf all_s = {0, 0, 0}, all_l = {0, 0, 0};
	for (size_t i = 0; i < e->ntypes; i++) {
		all_s.tp += e->span[i].tp;
		all_s.fp += e->span[i].fp;
		all_s.fn += e->span[i].fn;
		all_l.tp += e->link[i].tp;
		all_l.fp += e->link[i].fp;
		all_l.fn += e->link[i].fn;
	}
	double lp = ratio(e->ltp, e->ltp + e->lfp), lr = ratio(e->ltp, e->ltp + e->lfn);
	double lf = lp + lr > 0 ? 2 * lp * lr / (lp + lr) : 0.0;
	if (json) {
		json_t *r = json_object();
		json_object_set_new(r, "documents", json_integer(e->docs));
		if (!topics_only) {
			json_t *types = json_object();
			for (size_t i = 0; i < e->ntypes; i++)
				json_object_set_new(types, e->types[i],
						    json_pack("{s:o,s:o}", "span", prf_json(&e->span[i]),
							      "span_id", prf_json(&e->link[i])));
			json_object_set_new(types, "ALL",
					    json_pack("{s:o,s:o}", "span", prf_json(&all_s),
						      "span_id", prf_json(&all_l)));
			json_object_set_new(r, "mentions", types);
		}
		if (e->model)
			json_object_set_new(
				r, "topics",
				json_pack("{s:I,s:f,s:f,s:f,s:f}", "documents",
					  (json_int_t)e->topic_docs, "main_accuracy",
					  ratio(e->main_ok, e->topic_docs), "label_precision", lp,
					  "label_recall", lr, "label_f1", lf));
		char *s = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(out, "%s\n", s);
		free(s);
		json_decref(r);
		return;
	}
	fprintf(out, "documents: %ld\n", e->docs);
	if (!topics_only) {
		fprintf(out, "%-10s %9s %9s %9s   %9s %9s %9s   %5s %5s %5s\n", "type",
			"span P", "span R", "span F1", "id P", "id R", "id F1", "tp", "fp", "fn");
		for (size_t i = 0; i <= e->ntypes; i++) {
			const struct prf *s = i < e->ntypes ? &e->span[i] : &all_s;
			const struct prf *l = i < e->ntypes ? &e->link[i] : &all_l;
			double p1, r1, f1, p2, r2, f2;
			prf_figures(s, &p1, &r1, &f1);
			prf_figures(l, &p2, &r2, &f2);
			fprintf(out, "%-10s %9.3f %9.3f %9.3f   %9.3f %9.3f %9.3f   %5ld %5ld %5ld\n",
				i < e->ntypes ? e->types[i] : "ALL", p1, r1, f1, p2, r2, f2, s->tp,
				s->fp, s->fn);
		}
	}
	if (e->model)
		fprintf(out,
			"topics: %ld documents, main-topic accuracy %.3f, labels at 0.5: P %.3f R "
			"%.3f F1 %.3f\n",
			e->topic_docs, ratio(e->main_ok, e->topic_docs), lp, lr, lf);
}
