/* pipeline: the stages in order; the only place that knows their order. */
#include "pipeline.h"

#include <string.h>

int pipe_annotate(const struct pipeline *p, struct arena *a, const char *text, size_t len,
		  struct annotation *out, struct err *err)
{
	memset(out, 0, sizeof *out);
	int rc = norm_text(a, text, len, &out->nt);
	if (rc < 0)
		return err_set(err, -rc, NULL, 0, "text of %zu bytes is larger than 2 GiB", len);
	tok_split(a, &out->nt, text, &out->tl);
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
