/* gazetteer: lexicon TSV -> entities + token trie.
 *
 * Tokens of forms are interned in one string table (token string -> token id); trie edges
 * live in one open-addressing hash keyed by (node, token id), so a step is one probe and
 * the walk's speed does not depend on the number of entries. All strings are kept in a
 * pool arena that lives as long as the gazetteer; nothing is freed one by one. */
#include "gazetteer.h"

#include <dirent.h>
#include <errno.h>
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

struct strtab {
	struct strent *v;
	size_t n, cap; /* cap a power of two */
};

struct edge {
	uint64_t key; /* (node << 32 | tok) + 1, 0 = empty */
	uint32_t child;
};

struct node {
	uint32_t first, last; /* forms */
};

struct gazetteer {
	struct arena pool;
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
	size_t warnings;
	/* where each entity's name came from, for check messages */
};

static const char *pool_strndup(gazetteer *g, const char *s, size_t n)
{
	char *p = arena_alloc(&g->pool, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
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
		if (e->hash == h && e->len == n && memcmp(e->s, s, n) == 0)
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
}

/* Find or add s; *added tells which. Returns the entry (valid until the next insert). */
static struct strent *st_intern(gazetteer *g, struct strtab *t, const char *s, size_t n,
				bool *added)
{
	if ((t->n + 1) * 4 >= t->cap * 3)
		st_grow(t);
	uint64_t h = hash_bytes(s, n);
	struct strent *e = st_find(t, s, n, h);
	*added = !e->s;
	if (!e->s) {
		e->s = pool_strndup(g, s, n);
		e->len = (uint32_t)n;
		e->hash = h;
		e->val = (uint32_t)t->n;
		t->n++;
	}
	return e;
}

static const struct strent *st_get(const struct strtab *t, const char *s, size_t n)
{
	return st_find((struct strtab *)t, s, n, hash_bytes(s, n));
}

gazetteer *gaz_new(void)
{
	gazetteer *g = xcalloc(1, sizeof *g);
	arena_init(&g->pool);
	g->capnodes = 1024;
	g->nodes = xmalloc(g->capnodes * sizeof *g->nodes);
	g->nodes[0].first = g->nodes[0].last = GAZ_NONE;
	g->nnodes = 1;
	g->capedges = 1024;
	g->edges = xcalloc(g->capedges, sizeof *g->edges);
	return g;
}

void gaz_free(gazetteer *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nents; i++) {
		free(g->ents[i].keys);
		free(g->ents[i].vals);
	}
	free(g->ents);
	free(g->forms);
	free(g->nodes);
	free(g->edges);
	free(g->tokens.v);
	free(g->ids.v);
	free(g->types.v);
	arena_clear(&g->pool);
	free(g);
}

static inline uint64_t edge_key(uint32_t node, uint32_t tok)
{
	return (((uint64_t)node << 32) | tok) + 1;
}

static inline size_t edge_slot(uint64_t key, size_t mask)
{
	uint64_t h = key * 0x9E3779B97F4A7C15ULL;
	return (size_t)(h >> 20) & mask;
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

uint32_t gaz_step(const gazetteer *g, uint32_t node, uint32_t tok)
{
	uint64_t key = edge_key(node, tok);
	size_t mask = g->capedges - 1;
	for (size_t i = edge_slot(key, mask);; i = (i + 1) & mask) {
		if (g->edges[i].key == key)
			return g->edges[i].child;
		if (!g->edges[i].key)
			return GAZ_NONE;
	}
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
	return c;
}

uint32_t gaz_token_h(const gazetteer *g, const char *s, size_t n, uint64_t h)
{
	const struct strent *e = st_find((struct strtab *)&g->tokens, s, n, h);
	return e && e->s ? e->val : GAZ_NONE;
}

uint32_t gaz_token(const gazetteer *g, const char *s, size_t n)
{
	const struct strent *e = st_get(&g->tokens, s, n);
	return e && e->s ? e->val : GAZ_NONE;
}

uint32_t gaz_root(const gazetteer *g)
{
	(void)g;
	return 0;
}

uint32_t gaz_forms(const gazetteer *g, uint32_t node)
{
	return g->nodes[node].first;
}

const struct gaz_form *gaz_form(const gazetteer *g, uint32_t ix)
{
	return &g->forms[ix];
}

size_t gaz_entity_count(const gazetteer *g)
{
	return g->nents;
}

size_t gaz_form_count(const gazetteer *g)
{
	return g->nforms;
}

const struct entity *gaz_entity(const gazetteer *g, uint32_t ix)
{
	return &g->ents[ix];
}

const struct entity *gaz_find(const gazetteer *g, const char *id)
{
	const struct strent *e = st_get(&g->ids, id, strlen(id));
	return e && e->s ? &g->ents[e->val] : NULL;
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

static uint32_t entity_get(gazetteer *g, const char *id, const char *type, const char *name,
			   FILE *check, const char *path, long line)
{
	bool added;
	struct strent *e = st_intern(g, &g->ids, id, strlen(id), &added);
	if (!added) {
		struct entity *en = &g->ents[e->val];
		if (strcmp(en->name, name) != 0)
			warn(g, check, path, line, "name '%s' differs from '%s' given before", name,
			     en->name);
		return e->val;
	}
	if (g->nents == g->capents) {
		g->capents = g->capents ? g->capents * 2 : 1024;
		g->ents = xrealloc(g->ents, g->capents * sizeof *g->ents);
	}
	struct entity *en = &g->ents[g->nents];
	memset(en, 0, sizeof *en);
	en->id = e->s;
	bool tadded;
	en->type = st_intern(g, &g->types, type, strlen(type), &tadded)->s;
	en->name = pool_strndup(g, name, strlen(name));
	return (uint32_t)g->nents++;
}

static int add_attrs(gazetteer *g, uint32_t ix, char *attrs, const char *path, long line,
		     struct err *err)
{
	struct entity *en = &g->ents[ix];
	if (strcmp(attrs, "-") == 0 || !*attrs)
		return 0;
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

/* Add a form to the trie. Returns 0, or -1 when the form has no token to match. */
static int add_form(gazetteer *g, const struct gaz_form *f, FILE *check, const char *path,
		    long line)
{
	struct arena a;
	struct norm_text nt;
	struct tok_list tl;
	arena_init(&a);
	norm_text(&a, f->text, strlen(f->text), &nt);
	tok_split(&a, &nt, f->text, &tl);
	uint32_t node = 0;
	size_t used = 0;
	for (size_t i = 0; i < tl.n; i++) {
		if (tl.v[i].kind == TOK_HYPHEN)
			continue;
		bool added;
		const struct token *t = &tl.v[i];
		uint32_t tok = st_intern(g, &g->tokens, nt.s + t->nstart, t->nend - t->nstart,
					 &added)->val;
		node = step_add(g, node, tok);
		used++;
	}
	arena_clear(&a);
	if (!used)
		return -1;
	/* duplicates and unmarked conflicts on the same node */
	for (uint32_t k = g->nodes[node].first; k != GAZ_NONE; k = g->forms[k].next) {
		const struct gaz_form *o = &g->forms[k];
		if (o->entity == f->entity) {
			if (o->kind == f->kind)
				warn(g, check, path, line, "duplicate form '%s' of %s", f->text,
				     g->ents[f->entity].id);
			continue;
		}
		if (!(o->flags & GAZF_AMBIGUOUS) || !(f->flags & GAZF_AMBIGUOUS))
			warn(g, check, path, line,
			     "form '%s' also names %s: mark both lines ambiguous", f->text,
			     g->ents[o->entity].id);
	}
	if (g->nforms == g->capforms) {
		g->capforms = g->capforms ? g->capforms * 2 : 4096;
		g->forms = xrealloc(g->forms, g->capforms * sizeof *g->forms);
	}
	uint32_t ix = (uint32_t)g->nforms++;
	g->forms[ix] = *f;
	g->forms[ix].next = GAZ_NONE;
	if (g->nodes[node].last == GAZ_NONE)
		g->nodes[node].first = ix;
	else
		g->forms[g->nodes[node].last].next = ix;
	g->nodes[node].last = ix;
	return 0;
}

static int parse_line(gazetteer *g, char *line, const char *path, long lineno, FILE *check,
		      struct err *err)
{
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
	const char *form = col[0], *id = col[1], *type = col[2], *name = col[3];
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
	const struct entity *existing = gaz_find(g, id);
	if (existing && strcmp(existing->type, type) != 0)
		return err_set(err, ERR_SYNTAX, path, lineno, "id '%s' was given type %s before",
			       id, existing->type);
	f.entity = entity_get(g, id, type, name, check, path, lineno);
	int rc = add_attrs(g, f.entity, col[7], path, lineno, err);
	if (rc)
		return rc;
	f.text = pool_strndup(g, form, strlen(form));
	if (add_form(g, &f, check, path, lineno) < 0)
		return err_set(err, ERR_SYNTAX, path, lineno, "form '%s' has nothing to match",
			       form);
	return 0;
}

int gaz_load(gazetteer *g, const char *path, FILE *check, struct err *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int rc = 0;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
			memmove(line, line + 3, (size_t)len - 2);
			len -= 3;
		}
		if (len == 0 || line[0] == '#')
			continue;
		if (memchr(line, '\0', (size_t)len)) {
			rc = err_set(err, ERR_SYNTAX, path, lineno, "NUL byte in line");
			break;
		}
		if (!valid_utf8(line, (size_t)len)) {
			rc = err_set(err, ERR_SYNTAX, path, lineno, "invalid UTF-8");
			break;
		}
		rc = parse_line(g, line, path, lineno, check, err);
		if (rc)
			break;
	}
	if (!rc && ferror(fp))
		rc = err_set(err, ERR_IO, path, 0, "read error: %s", strerror(errno));
	free(line);
	fclose(fp);
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
