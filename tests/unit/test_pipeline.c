/* The pipeline's memo of word lookups changes nothing but the time: records annotated with
 * a memo (kept across records, so slots are reused and overwritten) and without one give
 * the same tokens, mentions, entities, scores and logits, on the sample corpus and on
 * generated texts of lexicon names, list words, numbers, punctuation, words around the
 * memo's 8- and 16-byte limits and non-ASCII words, some at the very end of the text, and
 * two words of 16 bytes with the same hash. The hash the memo keys its slots by can be
 * inverted (the memo's words of up to 8 bytes are told apart by it). A memo made for another
 * pipeline is not used. Run from the repository root. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gazetteer.h"
#include "match.h"
#include "pipeline.h"
#include "topics.h"

static struct pipeline pipe_, bare;
static struct arena a1, a2;
static int failures_shown;

static bool same_annotation(const struct annotation *x, const struct annotation *y, size_t ntopics)
{
	if (x->tl.n != y->tl.n || x->nmentions != y->nmentions)
		return false;
	for (size_t i = 0; i < x->tl.n; i++) {
		const struct token *s = &x->tl.v[i], *t = &y->tl.v[i];
		if (s->nstart != t->nstart || s->nend != t->nend || s->kind != t->kind ||
		    s->lists != t->lists || s->gtok != t->gtok)
			return false;
	}
	for (size_t i = 0; i < x->nmentions; i++) {
		const struct mention *m = &x->mentions[i], *n = &y->mentions[i];
		if (m->ostart != n->ostart || m->oend != n->oend || m->t0 != n->t0 ||
		    m->t1 != n->t1 || m->kind != n->kind || m->src != n->src ||
		    m->flags != n->flags || strcmp(m->ent->id ? m->ent->id : "",
						   n->ent->id ? n->ent->id : "") != 0 ||
		    strcmp(m->ent->type, n->ent->type) != 0)
			return false;
	}
	if ((x->scores == NULL) != (y->scores == NULL))
		return false;
	if (x->scores && (memcmp(x->scores, y->scores, ntopics * sizeof *x->scores) != 0 ||
			  memcmp(x->logits, y->logits, ntopics * sizeof *x->logits) != 0))
		return false;
	return true;
}

/* Annotate text with p without a memo, then with each memo; all must agree. */
static void compare(const struct pipeline *p, struct pipe_memo *const *memo, size_t nmemo,
		    const char *text, size_t len)
{
	struct annotation x, y;
	struct err e1 = {0};
	arena_reset(&a1);
	int r1 = pipe_annotate(p, &a1, text, len, &x, &e1);
	for (size_t k = 0; k < nmemo; k++) {
		struct err e2 = {0};
		arena_reset(&a2);
		int r2 = pipe_annotate_memo(p, memo[k], &a2, text, len, &y, &e2);
		bool ok = r1 == r2 && same_annotation(&x, &y, p->model ? topics_count(p->model) : 0);
		CHECK(ok);
		if (!ok && failures_shown++ < 5)
			fprintf(stderr, "differs with memo %zu: \"%.*s\"\n", k,
				(int)(len < 300 ? len : 300), text);
	}
}

static const char *const words[] = {
	/* list words, names, forms of the lexicons (and their case variants) */
	"President", "president", "minister", "Minister", "said", "the", "The", "of", "and", "Mr",
	"Dr.", "Lin", "Jian", "Pakistan", "pakistan", "PAKISTAN", "China", "China's", "U.S.",
	"US", "UK", "neodymium", "Antimony", "gallium", "rare", "earths", "Xi", "Jinping",
	"Beijing", "Islamabad", "Reuters", "Monday", "gold", "copper", "lithium", "Georgia",
	"Shehbaz", "Sharif", "Sri", "Lanka", "Côte", "d'Ivoire", "Türkiye", "São", "Tomé",
	"Ukraine's", "Ministry", "Foreign", "Affairs", "de", "van", "al-", "bin", "(", ")", ",",
	".", "-", "—", "\"", "'", "'s", ":", ";", "%", "$", "£", "€", "1.5", "2024", "12", "300m",
	"$3bn", "7%", "May", "central", "bank", "exports", "tariffs", "election", "vote",
	/* around the memo's word limits: 7, 8, 9, 15, 16, 17 bytes */
	"abcdefg", "abcdefgh", "abcdefghi", "internationally", "internationalism",
	"internationalists", "Constantinople", "counterterrorism", "counterproductive",
	"éééé", "éééééééé", "ééééééééé", "北京", "中华人民共和国", "Москва", "Владимир",
	"Путин", "ﬁnance", "Ｐａｋｉｓｔａｎ", "naïve", "Ångström",
};

/* The inverse of x * c for an odd c, and of x ^ x >> 31. */
static uint64_t mul_inverse(uint64_t c)
{
	uint64_t x = c; /* Newton's iteration: each step doubles the bits that are right */
	for (int k = 0; k < 6; k++)
		x *= 2 - c * x;
	return x;
}

static uint64_t unmix31(uint64_t y)
{
	return y ^ y >> 31 ^ y >> 62;
}

/* The word of n <= 8 bytes (zero-filled) whose hash_bytes() is h: hash_end() and
 * hash_step() undone, step by step. */
static uint64_t unhash8(uint64_t h, size_t n)
{
	h ^= h >> 33;
	h *= mul_inverse(0xFF51AFD7ED558CCDULL);
	h ^= h >> 33;
	h *= mul_inverse(0x4CF5AD432745937FULL);
	h ^= hash_start(n);
	return unmix31(h) * mul_inverse(0x87C37B91114253D5ULL);
}

static size_t append(char *buf, size_t n, size_t cap, const char *s)
{
	size_t l = strlen(s);
	if (n + l + 1 >= cap)
		return n;
	memcpy(buf + n, s, l);
	return n + l;
}

int main(void)
{
	struct err err = {0};
	gazetteer *gaz = gaz_new();
	arena_init(&a1);
	arena_init(&a2);
	if (gaz_load_dir(gaz, "lexicons", NULL, &err) < 0) {
		fprintf(stderr, "%s:%ld: %s\n", err.source, err.line, err.msg);
		return 1;
	}
	matcher *mat = match_new(gaz, "models/rules.tsv", "models/patterns.tsv", &err);
	matcher *plain = match_new(gaz, NULL, NULL, &err);
	struct topics_model *model = topics_load("models/topics.tsv", &err);
	CHECK(mat != NULL);
	CHECK(plain != NULL);
	CHECK(model != NULL);
	if (!mat || !plain || !model)
		return CHECK_DONE();
	pipe_.gaz = gaz;
	pipe_.match = mat;
	pipe_.model = model;
	bare.gaz = gaz;
	bare.match = plain; /* no rules, no patterns, no topics */
	/* the default size, and a tiny one where words take each other's slots all the time */
	struct pipe_memo *memo[4] = {pipe_memo_new(&pipe_, 0), pipe_memo_new(&pipe_, 16)};
	/* and the two with the lookups of a large lexicon: gathered and asked for ahead */
	gaz_set_large(gaz, 1);
	memo[2] = pipe_memo_new(&pipe_, 0);
	memo[3] = pipe_memo_new(&pipe_, 16);

	/* the sample corpus, one article at a time */
	DIR *d = opendir("corpus");
	CHECK(d != NULL);
	size_t articles = 0;
	for (struct dirent *de; d && (de = readdir(d));) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "corpus/%s", de->d_name);
		FILE *f = fopen(path, "rb");
		CHECK(f != NULL);
		if (!f)
			continue;
		static char text[1 << 20];
		size_t n = fread(text, 1, sizeof text, f);
		fclose(f);
		compare(&pipe_, memo, 4, text, n);
		articles++;
	}
	if (d)
		closedir(d);
	CHECK(articles >= 5);

	/* the words of the lexicon's forms that are 6 to 40 bytes long */
	static char pool[1 << 20];
	static const char *known[20000];
	size_t nknown = 0, used = 0;
	for (size_t i = 0; i < gaz_form_count(gaz) && nknown < 20000; i++) {
		const char *f = gaz_form_text(gaz, gaz_form(gaz, (uint32_t)i));
		while (*f) {
			size_t l = strcspn(f, " ");
			if (l >= 6 && l <= 40 && used + l + 1 <= sizeof pool && nknown < 20000) {
				memcpy(pool + used, f, l);
				pool[used + l] = '\0';
				known[nknown++] = pool + used;
				used += l + 1;
			}
			f += l;
			f += strspn(f, " ");
		}
	}
	CHECK(nknown > 1000);

	/* generated texts: many words, so that slots are overwritten */
	check_rng = 0x2545F4914F6CDD1DULL;
	const size_t nwords = sizeof words / sizeof words[0];
	for (int k = 0; k < 4000; k++) {
		char text[4096];
		size_t n = 0, ntok = check_rand(120);
		for (size_t i = 0; i < ntok; i++) {
			unsigned r = check_rand(12);
			char tmp[64];
			if (r >= 10) {
				/* a lexicon word and its twin: the same length, one byte changed
				 * (often the last, or one past the memo's 8 or 16 bytes) */
				const char *w = known[check_rand((unsigned)nknown)];
				size_t l = strlen(w);
				static const size_t at[] = {0, 7, 8, 15, 16, 17};
				size_t j = check_rand(2) ? l - 1 : at[check_rand(6)];
				memcpy(tmp, w, l + 1);
				if (j < l)
					tmp[j] = tmp[j] == 'q' ? 'z' : 'q';
				n = append(text, n, sizeof text, check_rand(2) ? w : tmp);
				n = append(text, n, sizeof text, " ");
				n = append(text, n, sizeof text, check_rand(2) ? w : tmp);
			} else if (r < 6) {
				n = append(text, n, sizeof text, words[check_rand((unsigned)nwords)]);
			} else if (r < 8) { /* a word seen once: fills a slot with something new */
				snprintf(tmp, sizeof tmp, "w%llx",
					 (unsigned long long)(check_rand64() >> check_rand(60)));
				n = append(text, n, sizeof text, tmp);
			} else {
				snprintf(tmp, sizeof tmp, "%u", check_rand(100000));
				n = append(text, n, sizeof text, tmp);
			}
			static const char *const gaps[] = {" ", " ", " ", "", "\n", "\n\n", ", ", ""};
			unsigned g = check_rand(8);
			if (i + 1 < ntok && n + 2 < sizeof text)
				n = g == 7 ? (text[n] = '\0', n + 1) /* a NUL byte */
					   : append(text, n, sizeof text, gaps[g]);
		}
		text[n] = '\0';
		compare(&pipe_, memo, 4, text, n);
	}
	/* the hash of a word of up to 8 bytes gives it back: no two have the same */
	for (int k = 0; k < 100000; k++) {
		uint64_t w = check_rand64();
		size_t l = 1 + check_rand(8);
		if (l < 8)
			w &= ((uint64_t)1 << 8 * l) - 1;
		unsigned char b[8];
		for (size_t j = 0; j < 8; j++) /* the bytes in memory order, whatever the host's */
			b[j] = (unsigned char)(w >> 8 * j);
		uint64_t m;
		memcpy(&m, b, 8);
		uint64_t back = unhash8(hash_bytes(b, l), l);
		CHECK(back == m);
		if (back != m)
			break;
	}
	/* two words of 16 bytes with the same hash (found by undoing the second step of the
	 * hash from the first's state for random first halves, until the second half came out
	 * letters): each gets its own lookups */
	static const char twins[] = "Weihnachtsinseln ldbupggxmtusavvs Weihnachtsinseln "
				    "ldbupggxmtusavvs";
	CHECK(hash_bytes("weihnachtsinseln", 16) == hash_bytes("ldbupggxmtusavvs", 16));
	compare(&pipe_, memo, 4, twins, sizeof twins - 1);
	compare(&pipe_, memo, 4, twins + 17, sizeof twins - 1 - 17);

	/* a memo made for another pipeline is not used, whatever it holds */
	compare(&bare, memo, 4, "President Lin Jian of Pakistan said antimony", 44);
	compare(&pipe_, memo, 4, "President Lin Jian of Pakistan said antimony", 44);

	for (int k = 0; k < 4; k++)
		pipe_memo_free(memo[k]);
	topics_free(model);
	match_free(plain);
	match_free(mat);
	gaz_free(gaz);
	arena_clear(&a1);
	arena_clear(&a2);
	return CHECK_DONE();
}
