/* Unit tests of gazetteer and match: lexicon errors with file:line, the check warnings,
 * longest match, case policies, hyphens, the block and state flags, compiled images. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gazetteer.h"
#include "match.h"
#include "pipeline.h"

static char dir[] = "/tmp/entopic-test-gaz-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Load text as a lexicon; returns the error line (0: loaded) and the message in msg. */
static long load_error(const char *text, char *msg, size_t n)
{
	gazetteer *g = gaz_new();
	struct err e = {0};
	int rc = gaz_load(g, write_file("t.tsv", text), NULL, &e);
	snprintf(msg, n, "%s", rc < 0 ? e.msg : "");
	gaz_free(g);
	return rc < 0 ? e.line : 0;
}

/* The mentions of text as "text=id;" pairs. */
static const char *annotate(const struct pipeline *p, struct arena *a, const char *text)
{
	static char out[2048];
	struct annotation an;
	struct err e = {0};
	arena_reset(a);
	pipe_annotate(p, a, text, strlen(text), &an, &e);
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < an.nmentions && o < sizeof out - 200; i++) {
		const struct mention *m = &an.mentions[i];
		o += (size_t)snprintf(out + o, sizeof out - o, "%.*s=%s;", (int)(m->oend - m->ostart),
				      text + m->ostart, m->ent->id ? m->ent->id : "null");
	}
	return out;
}

struct race {
	gazetteer *g;
	const struct entity *seen[64];
};

static void *race_entities(void *arg)
{
	struct race *r = arg;
	for (uint32_t i = 0; i < gaz_entity_count(r->g) && i < 64; i++) {
		const struct entity *en = gaz_entity(r->g, i);
		if (en->id)
			r->seen[i] = en; /* every thread stores the same pointer */
	}
	return NULL;
}

/* Overwrite a 4-byte word of the image at path every step bytes (header included) with a
 * large value, reseal it, load it and use it when it loads. Counts refused and loaded
 * images. The word is changed in place and put back, with the header the reseal wrote:
 * the file is not written whole each time. */
static void forge_images(const char *path, size_t step, long *refused, long *loaded)
{
	FILE *fp = fopen(path, "rb");
	fseek(fp, 0, SEEK_END);
	size_t n = (size_t)ftell(fp);
	rewind(fp);
	unsigned char *orig = malloc(n);
	if (fread(orig, 1, n, fp) != n)
		n = 0;
	fclose(fp);
	size_t head = n < 4096 ? n : 4096; /* the header is in there */
	*refused = *loaded = 0;
	struct arena a;
	arena_init(&a);
	for (size_t off = 0; off + 4 <= n; off += step) {
		uint32_t v = off % 8 ? 0x7FFFFFF0u : 0x00010001u;
		fp = fopen(path, "r+b");
		fseek(fp, (long)off, SEEK_SET);
		fwrite(&v, 4, 1, fp);
		fclose(fp);
		struct err e = {0};
		gazetteer *g = gaz_new();
		if (gaz_image_reseal(path, &e) == 0 && gaz_load_image(g, path, &e) == 0) {
			matcher *m = match_new(g, NULL, NULL, &e);
			struct pipeline p = {g, m, NULL, 0};
			annotate(&p, &a, "Guinea-Bissau, the US, Iron Dome, rare earth elements");
			match_free(m);
			++*loaded;
		} else {
			++*refused;
		}
		gaz_free(g);
		fp = fopen(path, "r+b");
		fwrite(orig, 1, head, fp);
		fseek(fp, (long)off, SEEK_SET);
		fwrite(orig + off, 1, 4, fp);
		fclose(fp);
	}
	arena_clear(&a);
	free(orig);
}

#define L(form, id, type, kind, cas, flags) form "\t" id "\t" type "\t" form "\t" kind "\t" cas "\t" flags "\t-\n"

/* A generated lexicon of n lines (a few MB: the loader takes it in many chunks): line
 * endings LF or CRLF, comments and blank lines, a line longer than a chunk at line
 * long_at, the same form under two ids now and then (a check warning), the last line
 * without a line end; bad (0: none) is a line number that gets an unknown kind. */
static char *big_lexicon(long n, long long_at, long bad, size_t *len)
{
	size_t cap = 64 << 20, o = 0;
	char *s = malloc(cap);
	for (long i = 1; i <= n; i++) {
		char form[64];
		if (i % 97 == 0)
			snprintf(form, sizeof form, "Same Name %ld", i / 970);
		else
			snprintf(form, sizeof form, "Name%ld Surname%ld", i % 5003, i);
		if (i == long_at) {
			o += (size_t)snprintf(s + o, cap - o, "Long ");
			memset(s + o, 'x', 700000);
			o += 700000;
		}
		if (i % 1000 == 500)
			o += (size_t)snprintf(s + o, cap - o, "# a comment");
		else if (i % 1000 == 501)
			; /* blank */
		else
			o += (size_t)snprintf(s + o, cap - o,
					      "%s\tperson:p%ld\tPERSON\t%s\t%s\tfold\t-\t-", form, i,
					      form, i == bad ? "nick" : "name");
		if (i < n)
			o += (size_t)snprintf(s + o, cap - o, i % 3 ? "\n" : "\r\n");
	}
	*len = o;
	return s;
}

static const char *write_bytes(const char *name, const char *p, size_t n)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	fwrite(p, 1, n, fp);
	fclose(fp);
	return path;
}

/* The bytes of the file at path (*n of them), malloc()ed. */
static char *read_all(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	fseek(fp, 0, SEEK_END);
	*n = (size_t)ftell(fp);
	rewind(fp);
	char *p = malloc(*n + 1);
	*n = fread(p, 1, *n, fp);
	fclose(fp);
	return p;
}

/* Large files, loaded in chunks by two threads: the same entities, forms, warnings, errors
 * and compiled image as the lines loaded in small files one after the other. */
static void test_chunks(void)
{
	size_t len;
	long n = 60000;
	char *text = big_lexicon(n, 40001, 0, &len);
	const char *path = write_bytes("big.tsv", text, len);
	gazetteer *g = gaz_new();
	struct err e = {0};
	FILE *check = tmpfile();
	CHECK(gaz_load(g, path, check, &e) == 0);
	CHECK(gaz_entity_count(g) == (size_t)(n - n / 1000 * 2));
	CHECK(gaz_form_count(g) == gaz_entity_count(g));
	CHECK(gaz_find(g, "person:p40001") != NULL);
	CHECK(gaz_find(g, "person:p60000") != NULL); /* the last line, no line end */
	CHECK(gaz_find(g, "person:p500") == NULL);    /* a comment */
	size_t longest = 0;
	for (uint32_t i = 0; i < gaz_form_count(g); i++) {
		size_t l = strlen(gaz_form_text(g, gaz_form(g, i)));
		longest = l > longest ? l : longest;
	}
	CHECK(longest == 700005 + strlen("Name4980 Surname40001"));
	CHECK_STR(gaz_find(g, "person:p3")->name, "Name3 Surname3"); /* before a CRLF */
	/* the same lines in files of 1000 lines each */
	gazetteer *g2 = gaz_new();
	FILE *check2 = tmpfile();
	size_t start = 0, lines = 0;
	int part = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && !(text[i] == '\n' && ++lines % 1000 == 0))
			continue;
		char name[32];
		snprintf(name, sizeof name, "part%d.tsv", part++);
		CHECK(gaz_load(g2, write_bytes(name, text + start, i - start), check2, &e) == 0);
		start = i + 1;
	}
	CHECK(gaz_warnings(g) == gaz_warnings(g2) && gaz_warnings(g) > 100);
	char img1[512], img2[512];
	snprintf(img1, sizeof img1, "%s/one.eimg", dir);
	snprintf(img2, sizeof img2, "%s/parts.eimg", dir);
	CHECK(gaz_save(g, img1, &e) == 0);
	CHECK(gaz_save(g2, img2, &e) == 0);
	size_t n1, n2;
	char *b1 = read_all(img1, &n1), *b2 = read_all(img2, &n2);
	CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0);
	free(b1);
	free(b2);
	/* the warnings, in line order (the parts' line numbers start again at 1) */
	rewind(check);
	char w[256];
	long count = 0, last = 0;
	bool ordered = true;
	while (fgets(w, sizeof w, check)) {
		char *c = strstr(w, ".tsv:");
		long l = c ? strtol(c + 5, NULL, 10) : 0;
		ordered = ordered && l > last;
		last = l;
		count++;
	}
	CHECK(ordered && count == (long)gaz_warnings(g));
	fclose(check);
	fclose(check2);
	gaz_free(g);
	gaz_free(g2);
	free(text);

	/* an error far into the file: its line, and the lines before it loaded */
	text = big_lexicon(n, 0, 50001, &len);
	g = gaz_new();
	CHECK(gaz_load(g, write_bytes("bad.tsv", text, len), NULL, &e) == -ERR_SYNTAX);
	CHECK(e.line == 50001);
	CHECK(strstr(e.msg, "unknown kind 'nick'") != NULL);
	CHECK(gaz_find(g, "person:p50000") != NULL && gaz_find(g, "person:p50001") == NULL);
	gaz_free(g);
	/* a NUL byte before it is reported first */
	text[len / 2] = '\0';
	g = gaz_new();
	CHECK(gaz_load(g, write_bytes("nul.tsv", text, len), NULL, &e) == -ERR_SYNTAX);
	CHECK(e.line > 1000 && e.line < 50001);
	CHECK(strstr(e.msg, "NUL byte") != NULL);
	gaz_free(g);
	free(text);
}

/* gaz_roots() answers as gaz_step() from the root, for every token id and past them. */
static void check_roots(const gazetteer *g)
{
	size_t n;
	const uint32_t *roots = gaz_roots(g, &n);
	size_t starts = 0;
	for (uint32_t tok = 0; tok < n + 64; tok++) {
		uint32_t want = gaz_step(g, gaz_root(g), tok);
		CHECK((tok < n ? roots[tok] : GAZ_NONE) == want);
		starts += want != GAZ_NONE;
	}
	CHECK(gaz_step(g, gaz_root(g), GAZ_NONE) == GAZ_NONE);
	CHECK(starts > 0);
	/* gaz_token_root() answers as the root's child and its forms (a view: from its byte) */
	for (uint32_t tok = 0; tok < n + 64; tok++) {
		uint32_t c = tok < n ? roots[tok] : GAZ_NONE;
		unsigned want = c == GAZ_NONE ? 0
				: GAZ_ROOT_WALK | (gaz_forms(g, c) != GAZ_NONE ? GAZ_ROOT_FORM : 0);
		CHECK(gaz_token_root(g, tok) == want);
	}
	CHECK(gaz_token_root(g, GAZ_NONE) == 0);
}

/* The steps of a large gazetteer's view (its steps cached, forced with gaz_set_large())
 * answer as the edge table: every token from the root's every child and their children,
 * twice (the second time from the cache), and past the token ids. */
static void check_steps(gazetteer *g)
{
	size_t n;
	const uint32_t *roots = gaz_roots(g, &n);
	size_t found = 0;
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t a = 0; a < n; a++) {
			if (roots[a] == GAZ_NONE)
				continue;
			for (uint32_t b = 0; b < n + 2; b++) {
				gaz_set_large(g, -1);
				uint32_t want = gaz_step(g, roots[a], b);
				uint32_t want2 = GAZ_NONE;
				if (want != GAZ_NONE)
					want2 = gaz_step(g, want, (b * 7 + a) % (uint32_t)n);
				gaz_set_large(g, 1);
				CHECK(gaz_step(g, roots[a], b) == want);
				if (want != GAZ_NONE)
					CHECK(gaz_step(g, want, (b * 7 + a) % (uint32_t)n) == want2);
				found += want != GAZ_NONE;
			}
		}
	CHECK(found > 0);
	gaz_set_large(g, 0);
}

/* Every entity carries the hashes of its id and type. */
static void check_hashes(const gazetteer *g)
{
	for (uint32_t i = 0; i < gaz_entity_count(g); i++) {
		const struct entity *e = gaz_entity(g, i);
		CHECK(e->id_hash == hash_bytes(e->id, strlen(e->id)));
		CHECK(e->type_hash == hash_bytes(e->type, strlen(e->type)));
	}
}

/* Is the normalized word w a token of some form, and does some form start with it? */
static bool word_starts(const gazetteer *g, const char *w, bool *in_form)
{
	uint32_t tok = gaz_token_h(g, w, strlen(w), hash_bytes(w, strlen(w)));
	size_t n;
	const uint32_t *roots = gaz_roots(g, &n);
	*in_form = tok != GAZ_NONE;
	return tok < n && roots[tok] != GAZ_NONE;
}

/* An image of many checksum blocks, read by two threads: the view answers as the lexicon
 * it was compiled from; a byte changed anywhere, a truncated file and damaged records in
 * any block behind a right checksum are refused. */
static void test_big_image(void)
{
	size_t len;
	char *text = big_lexicon(20000, 0, 0, &len);
	gazetteer *g = gaz_new();
	struct err e = {0};
	CHECK(gaz_load(g, write_bytes("big.tsv", text, len), NULL, &e) == 0);
	free(text);
	char img[512];
	snprintf(img, sizeof img, "%s/big.eimg", dir);
	CHECK(gaz_save(g, img, &e) == 0);
	size_t size;
	char *orig = read_all(img, &size);
	CHECK(size > ((size_t)4 << 20)); /* a second thread, many blocks */
	gazetteer *v = gaz_new();
	/* the checksum taken with AVX2 (where the CPU has it) and without: the same sums */
	for (int wide = 0; wide < 2; wide++) {
		gaz_wide(wide);
		CHECK(gaz_load_image(v, img, &e) == 0);
		gaz_free(v);
		v = gaz_new();
		CHECK(gaz_save(g, img, &e) == 0);
		gaz_wide(!wide);
		CHECK(gaz_load_image(v, img, &e) == 0);
		gaz_free(v);
		v = gaz_new();
	}
	gaz_wide(true);
	CHECK(gaz_load_image(v, img, &e) == 0);
	CHECK(gaz_entity_count(v) == gaz_entity_count(g));
	CHECK(gaz_form_count(v) == gaz_form_count(g));
	CHECK_STR(gaz_find(v, "person:p19999")->name, "Name4990 Surname19999");
	check_roots(v);
	static const char *const words[] = {"name4990", "surname19999", "surname1", "same",
					    "surname20001", "nobody"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		uint64_t h = hash_bytes(words[i], strlen(words[i]));
		CHECK(gaz_token_h(v, words[i], strlen(words[i]), h) ==
		      gaz_token_h(g, words[i], strlen(words[i]), h));
	}
	for (uint32_t tok = 0; tok < 1000; tok++)
		CHECK(gaz_step(v, gaz_root(v), tok) == gaz_step(g, gaz_root(g), tok));
	/* the steps past the root (behind the image's edge filter): every form's second word
	 * from its first, and many pairs that are no form, as the lexicon's edge table */
	size_t found = 0;
	for (long i = 1; i <= 20000; i++) {
		char w1[32], w2[32];
		snprintf(w1, sizeof w1, "name%ld", i % 5003);
		snprintf(w2, sizeof w2, "surname%ld", i);
		uint32_t a = gaz_token_h(g, w1, strlen(w1), hash_bytes(w1, strlen(w1)));
		uint32_t b = gaz_token_h(g, w2, strlen(w2), hash_bytes(w2, strlen(w2)));
		uint32_t node = gaz_step(g, gaz_root(g), a);
		for (uint32_t k = 0; k < 8; k++) {
			uint32_t tok = k ? (b + k * 7919u) % 30000u : b;
			uint32_t want = gaz_step(g, node, tok);
			CHECK(gaz_step(v, node, tok) == want);
			found += want != GAZ_NONE;
		}
	}
	CHECK(found >= 20000 - 20000 / 97 - 20000 / 1000 * 2);
	gaz_free(v);
	/* one byte changed: in the first block, the middle one, the last byte */
	size_t at[] = {sizeof(uint64_t) * 64, size / 2, size - 1};
	for (size_t i = 0; i < 3; i++) {
		orig[at[i]] ^= 0x20;
		write_bytes("big.eimg", orig, size);
		orig[at[i]] ^= 0x20;
		CHECK(gaz_load_image(v = gaz_new(), img, &e) == -ERR_SYNTAX);
		CHECK(strstr(e.msg, "checksum") != NULL);
		CHECK(gaz_entity_count(v) == 0);
		gaz_free(v);
	}
	write_bytes("big.eimg", orig, size - 8);
	CHECK(gaz_load_image(v = gaz_new(), img, &e) == -ERR_SYNTAX);
	CHECK(strstr(e.msg, "truncated") != NULL);
	gaz_free(v);
	write_bytes("big.eimg", orig, size);
	long refused, loaded;
	forge_images(img, size / 37 / 4 * 4, &refused, &loaded);
	CHECK(refused > 10 && loaded > 10);
	free(orig);
	gaz_free(g);
}

/* Lexicon lines on top of an image answer as the same lines all read from TSV: the image's
 * entities are built on first use (one that a line gives a form or attributes too), the
 * token filter and the first names of the image carried over. */
static void test_thawed(void)
{
	const char *base =
		L("Ann Lee", "person:ann-lee", "PERSON", "name", "fold", "-")
		"Chad\tcountry:TD\tCOUNTRY\tChad\tname\texact\t-\tcapital=N'Djamena;group=africa\n"
		L("Bank of Chad", "org:boc", "ORG", "name", "exact", "-")
		L("Rare Chad", "org:rc", "ORG", "name", "exact", "-");
	const char *more =
		"Tchad\tcountry:TD\tCOUNTRY\tChad\talias\texact\t-\tcurrency=XAF\n"
		L("Bob Ray", "person:bob-ray", "PERSON", "name", "fold", "-")
		"Rare Lee\tperson:ann-lee\tPERSON\tAnn Lee\talias\tfold\t-\t-\n"
		L("Zed Bank", "org:zb", "ORG", "name", "exact", "-");
	struct err e = {0};
	gazetteer *a = gaz_new();
	CHECK(gaz_load(a, write_file("thaw-base.tsv", base), NULL, &e) == 0);
	char img[512], more_path[512]; /* (write_file() gives its own buffer back) */
	snprintf(img, sizeof img, "%s", write_file("thaw.eimg", ""));
	CHECK(gaz_save(a, img, &e) == 0);
	snprintf(more_path, sizeof more_path, "%s", write_file("thaw-more.tsv", more));
	CHECK(gaz_load(a, more_path, NULL, &e) == 0);
	gazetteer *b = gaz_new();
	CHECK(gaz_load_image(b, img, &e) == 0);
	CHECK(gaz_load(b, more_path, NULL, &e) == 0);
	CHECK(gaz_entity_count(a) == gaz_entity_count(b));
	CHECK(gaz_form_count(a) == gaz_form_count(b));
	/* before any entity of b is asked for */
	const char *words[] = {"ann", "lee", "chad", "bank", "of", "rare", "tchad", "bob", "ray",
			       "zed", "djamena", "xaf", "nowhere"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		const char *w = words[i];
		uint64_t h = hash_bytes(w, strlen(w));
		uint32_t ta = gaz_token_h(a, w, strlen(w), h), tb = gaz_token_h(b, w, strlen(w), h);
		CHECK(ta == tb);
		if (ta != GAZ_NONE)
			CHECK(gaz_first_name(a, ta) == gaz_first_name(b, tb));
	}
	uint32_t rare = gaz_token_h(b, "rare", 4, hash_bytes("rare", 4));
	CHECK(rare != GAZ_NONE && gaz_first_name(b, rare));
	for (uint32_t i = 0; i < gaz_entity_count(a); i++) {
		const struct entity *x = gaz_entity(a, i), *y = gaz_entity(b, i);
		CHECK_STR(y->id, x->id);
		CHECK_STR(y->type, x->type);
		CHECK(y->type == gaz_type(b, x->type));
		CHECK_STR(y->name, x->name);
		CHECK_STR(y->country ? y->country : "-", x->country ? x->country : "-");
		CHECK_STR(y->group ? y->group : "-", x->group ? x->group : "-");
		CHECK(y->id_hash == x->id_hash && y->type_hash == x->type_hash);
		CHECK(y->nattrs == x->nattrs);
		for (size_t k = 0; k < x->nattrs && k < y->nattrs; k++) {
			CHECK_STR(y->keys[k], x->keys[k]);
			CHECK_STR(y->vals[k], x->vals[k]);
		}
	}
	CHECK(gaz_find(b, "country:TD")->nattrs == 3);
	gaz_free(a);
	gaz_free(b);
	/* freed with none of the image's entities built */
	b = gaz_new();
	CHECK(gaz_load_image(b, img, &e) == 0);
	CHECK(gaz_load(b, write_file("thaw-new.tsv", L("Zed Bank", "org:zb", "ORG", "name", "exact", "-")),
		       NULL, &e) == 0);
	CHECK(gaz_entity_count(b) == 5);
	gaz_free(b);
	unlink(img);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	char msg[512];
	/* errors name the line */
	CHECK(load_error("# comment\n\n" L("China", "country:CN", "COUNTRY", "name", "exact", "-")
			 "Chile\tcountry:CL\tCOUNTRY\tChile\tname\texact\t-\n", msg, sizeof msg) == 4);
	CHECK(strstr(msg, "expected 8 tab-separated columns") != NULL);
	CHECK(load_error(L("China", "country:CN", "COUNTRY", "nickname", "exact", "-"), msg,
			 sizeof msg) == 1);
	CHECK(strstr(msg, "unknown kind 'nickname'") != NULL);
	CHECK(load_error(L("China", "country:CN", "COUNTRY", "name", "loose", "-"), msg, sizeof msg) == 1);
	CHECK(strstr(msg, "unknown case policy") != NULL);
	CHECK(load_error(L("China", "CN", "COUNTRY", "name", "exact", "-"), msg, sizeof msg) == 1);
	CHECK(strstr(msg, "is not of the form") != NULL);
	CHECK(load_error(L("China", "country:CN", "country", "name", "exact", "-"), msg, sizeof msg) == 1);
	CHECK(load_error(L("China", "country:CN", "COUNTRY", "name", "exact", "weird"), msg, sizeof msg) == 1);
	CHECK(strstr(msg, "unknown flag") != NULL);
	CHECK(load_error("Chin\xFF\tcountry:CN\tCOUNTRY\tChina\tname\texact\t-\t-\n", msg, sizeof msg) == 1);
	CHECK(strstr(msg, "invalid UTF-8") != NULL);
	CHECK(load_error(L("China", "country:CN", "COUNTRY", "name", "exact", "-")
			 L("China", "person:china", "PERSON", "name", "exact", "-")
			 L("Beijing", "country:CN", "CITY", "name", "exact", "-"), msg, sizeof msg) == 3);
	CHECK(strstr(msg, "is not of the form") != NULL); /* an id's prefix is its type */
	CHECK(load_error("--\tcountry:CN\tCOUNTRY\tChina\tname\texact\t-\t-\n", msg, sizeof msg) == 1);
	CHECK(strstr(msg, "nothing to match") != NULL);

	test_chunks();
	test_big_image();
	test_thawed();

	/* check warnings: duplicates and unmarked conflicts */
	gazetteer *g = gaz_new();
	struct err e = {0};
	FILE *check = fopen("/dev/null", "w");
	CHECK(gaz_load(g, write_file("w.tsv", L("Jordan", "country:JO", "COUNTRY", "name", "exact", "-")
					      "JORDAN\tcountry:JO\tCOUNTRY\tJordan\tname\texact\t-\t-\n"
					      L("Jordan", "person:jordan", "PERSON", "name", "exact", "-")),
		       check, &e) == 0);
	CHECK(gaz_warnings(g) == 2);
	fclose(check);
	gaz_free(g);

	/* matching: longest match, case, hyphens, block and state */
	g = gaz_new();
	const char *lex =
		L("rare earth", "mineral:rare-earth-elements", "MINERAL", "name", "fold", "-")
		L("rare earth elements", "mineral:rare-earth-elements", "MINERAL", "name", "fold", "-")
		L("US", "country:US", "COUNTRY", "abbreviation", "exact", "-")
		L("China", "country:CN", "COUNTRY", "name", "exact", "ambiguous")
		L("Guinea", "country:GN", "COUNTRY", "name", "exact", "-")
		L("Guinea-Bissau", "country:GW", "COUNTRY", "name", "exact", "-")
		L("Iron Dome", "other:iron-dome", "OTHER", "name", "exact", "block")
		L("iron", "mineral:iron", "MINERAL", "name", "fold", "-")
		L("People's Bank of China", "org:pboc", "ORG", "name", "exact", "state");
	CHECK(gaz_load(g, write_file("m.tsv", lex), NULL, &e) == 0);
	matcher *m = match_new(g, NULL, NULL, &e);
	struct pipeline p = {g, m, NULL, 0};
	struct arena a;
	arena_init(&a);
	CHECK_STR(annotate(&p, &a, "Rare earth elements and rare-earth magnets."),
		  "Rare earth elements=mineral:rare-earth-elements;rare-earth=mineral:rare-earth-elements;");
	CHECK_STR(annotate(&p, &a, "Let us see: the US and CHINA, not china."),
		  "US=country:US;CHINA=country:CN;");
	CHECK_STR(annotate(&p, &a, "Guinea-Bissau and Guinea"),
		  "Guinea-Bissau=country:GW;Guinea=country:GN;");
	CHECK_STR(annotate(&p, &a, "The Iron Dome uses no iron ore."), "iron=mineral:iron;");
	CHECK_STR(annotate(&p, &a, "The People\xE2\x80\x99s Bank of China cut rates."),
		  "China=country:CN;");
	/* words inside forms that start none ("of", "bank", "elements"): no walk from them,
	 * the walk from the next word still finds its form */
	bool in_form;
	CHECK(!word_starts(g, "of", &in_form) && in_form);
	CHECK(!word_starts(g, "elements", &in_form) && in_form);
	CHECK(word_starts(g, "rare", &in_form) && in_form);
	CHECK(!word_starts(g, "copper", &in_form) && !in_form);
	CHECK_STR(annotate(&p, &a, "Bank of China, elements of iron, Dome of Guinea-Bissau"),
		  "China=country:CN;iron=mineral:iron;Guinea-Bissau=country:GW;");
	check_roots(g);
	check_hashes(g);

	/* a compiled image gives the same entities and matches */
	const char *img = write_file("x.eimg", "");
	CHECK(gaz_save(g, img, &e) == 0);
	gazetteer *g2 = gaz_new();
	CHECK(gaz_load_image(g2, img, &e) == 0);
	CHECK(gaz_entity_count(g2) == gaz_entity_count(g));
	CHECK(gaz_form_count(g2) == gaz_form_count(g));
	CHECK(gaz_find(g2, "country:GW") != NULL);
	check_roots(g2);
	check_hashes(g2);
	check_steps(g2);
	matcher *m2 = match_new(g2, NULL, NULL, &e);
	struct pipeline p2 = {g2, m2, NULL, 0};
	CHECK_STR(annotate(&p2, &a, "Guinea-Bissau, the US and rare earth"),
		  "Guinea-Bissau=country:GW;US=country:US;rare earth=mineral:rare-earth-elements;");
	{
		const char *t = "Guinea-Bissau, the US and rare earth of the People's Bank of China";
		char want[2048];
		snprintf(want, sizeof want, "%s", annotate(&p2, &a, t));
		gaz_set_large(g2, 1);
		CHECK_STR(annotate(&p2, &a, t), want);
		CHECK_STR(annotate(&p2, &a, t), want);
		gaz_set_large(g2, 0);
	}
	/* a view freed and another loaded, most likely at the same address: the steps this
	 * thread cached for the first are not the second's */
	{
		gazetteer *g4 = gaz_new();
		CHECK(gaz_load(g4, write_file("few.tsv",
					     L("Bank of Chad", "org:boc", "ORG", "name", "exact", "-")
					     L("Chad", "country:TD", "COUNTRY", "name", "exact", "-")
					     L("Rare Chad", "org:rc", "ORG", "name", "exact", "-")),
			       NULL, &e) == 0);
		const char *img4 = write_file("few.eimg", "");
		CHECK(gaz_save(g4, img4, &e) == 0);
		gaz_free(g4);
		for (int k = 0; k < 3; k++) {
			gazetteer *v = gaz_new();
			CHECK(gaz_load_image(v, k == 1 ? img4 : img, &e) == 0);
			check_steps(v);
			check_roots(v);
			gaz_free(v);
		}
		unlink(img4);
	}
	/* the view answers as the gazetteer it was saved from */
	for (uint32_t i = 0; i < gaz_form_count(g); i++)
		CHECK_STR(gaz_form_text(g2, gaz_form(g2, i)), gaz_form_text(g, gaz_form(g, i)));
	CHECK(gaz_find(g2, "country:XX") == NULL);
	CHECK(gaz_find(g2, "country:GW") == gaz_find(g2, "country:GW"));
	CHECK_STR(gaz_find(g2, "org:pboc")->name, "People's Bank of China");
	/* entities built on first use by several threads at once */
	struct race r = {g2, {NULL}};
	pthread_t th[4];
	for (int t = 0; t < 4; t++)
		pthread_create(&th[t], NULL, race_entities, &r);
	for (int t = 0; t < 4; t++)
		pthread_join(th[t], NULL);
	for (uint32_t i = 0; i < gaz_entity_count(g2); i++)
		CHECK(r.seen[i] == gaz_entity(g2, i) && gaz_entity(g2, i)->id != NULL);
	/* TSV on top of an image */
	CHECK(gaz_load(g2, write_file("more.tsv", L("Chile", "country:CL", "COUNTRY", "name", "exact", "-")
						  L("Rare Chile", "org:rc", "ORG", "name", "exact", "-")
						  L("Iron Dome Chile", "org:idc", "ORG", "name", "exact", "-")),
		       NULL, &e) == 0);
	match_free(m2);
	m2 = match_new(g2, NULL, NULL, &e);
	p2.match = m2;
	CHECK_STR(annotate(&p2, &a, "Chile and China"), "Chile=country:CL;China=country:CN;");
	/* new edges from the image's nodes (the image's edge filter knows nothing of them) */
	CHECK_STR(annotate(&p2, &a, "Rare Chile, Iron Dome Chile and rare earth"),
		  "Rare Chile=org:rc;Iron Dome Chile=org:idc;rare earth=mineral:rare-earth-elements;");
	check_roots(g2);
	check_hashes(g2);
	/* a damaged image is refused, not trusted */
	FILE *fp = fopen(img, "r+b");
	fseek(fp, 300, SEEK_SET);
	fputc('X', fp);
	fclose(fp);
	gazetteer *g3 = gaz_new();
	CHECK(gaz_load_image(g3, img, &e) == -ERR_SYNTAX);
	CHECK(gaz_entity_count(g3) == 0);
	gaz_free(g3);
	CHECK(gaz_load_image(g3 = gaz_new(), write_file("not.eimg", "hello"), &e) == -ERR_SYNTAX);
	gaz_free(g3);
	/* damaged records behind a right checksum: refused or usable, never read out of bounds
	 * (the sanitizer build runs this too) */
	CHECK(gaz_save(g, img, &e) == 0);
	long refused, loaded;
	forge_images(img, 4, &refused, &loaded);
	CHECK(refused > 100 && loaded > 100);

	match_free(m2);
	gaz_free(g2);
	match_free(m);
	gaz_free(g);
	arena_clear(&a);
	unlink(img);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return CHECK_DONE();
}
