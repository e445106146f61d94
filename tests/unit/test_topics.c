/* Unit tests for src/topics.c: loading, errors with file:line, scoring, explain, topics_add,
 * training. Plain C; prints "N passed, M failed" and exits non-zero on a failure. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "normalize.h"
#include "tokenize.h"
#include "topics.h"

static int passed, failed;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (cond) {                                                          \
			passed++;                                                    \
		} else {                                                             \
			failed++;                                                    \
			printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                    \
	} while (0)

static char tmpdir[] = "/tmp/test_topics.XXXXXX";

/* Write text to a new file in the temp dir; returns its path (static buffer rotation). */
static const char *write_file(const char *name, const char *text)
{
	static char paths[8][512];
	static int k;
	char *p = paths[k++ % 8];
	snprintf(p, 512, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	return p;
}

/* A record's input from plain text, through the real normalizer and tokenizer. */
static struct topics_input input(struct arena *a, const char *text, struct norm_text *nt,
				 struct tok_list *tl)
{
	norm_text(a, text, strlen(text), nt);
	tok_split(a, nt, text, tl);
	struct topics_input in = {nt, tl, NULL, 0};
	return in;
}

static double logit(double p)
{
	return log(p / (1 - p));
}

static const char *model_text =
	"# a small model\n"
	"# topics: mining sports\n"
	"mining\tbias\t-2\n"
	"mining\tw:Mining\t1.5\n"
	"mining\tp:Rare Earth\t2\n"
	"mining\tp:rare-earth magnets\t1\n"
	"mining\ttype:MINERAL\t0.5\n"
	"mining\tgroup:rare-earth\t0.25\n"
	"mining\tent:mineral:lithium\t0.75\n"
	"mining\ttypes:COUNTRY>=2\t0.125\n"
	"\n"
	"sports\tbias\t-1\n"
	"sports\tw:match\t1\n"
	"sports\tw:goal\t1\n"
	"sports\tw:mining\t-0.5\n";

static void test_load_and_score(void)
{
	struct err e;
	const char *path = write_file("small.tsv", model_text);
	struct topics_model *m = topics_load(path, &e);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(topics_count(m) == 2);
	CHECK(strcmp(topics_name(m, 0), "mining") == 0);
	CHECK(strcmp(topics_name(m, 1), "sports") == 0);

	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	double s[2];

	/* nothing matches: the bias alone */
	struct topics_input in = input(&a, "The weather was fine.", &nt, &tl);
	CHECK(topics_score(m, &in, &a, s, NULL, 0) == 0);
	CHECK(fabs(logit(s[0]) - -2) < 1e-9);
	CHECK(fabs(logit(s[1]) - -1) < 1e-9);

	/* short text (< 300 words): x = ln(1 + count); "Rare-Earth" matches p:rare earth,
	 * the hyphen is skipped; "rare-earth magnets" the 3-word phrase */
	in = input(&a, "MINING of Rare-Earth magnets; mining.", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	double want = -2 + 1.5 * log(3) + 2 * log(2) + 1 * log(2);
	CHECK(fabs(logit(s[0]) - want) < 1e-9);
	CHECK(fabs(logit(s[1]) - (-1 - 0.5 * log(3))) < 1e-9);

	/* a phrase does not run across punctuation or a line break */
	in = input(&a, "rare, earth\nrare\nearth", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[0]) - -2) < 1e-9);

	/* long text: counts become a rate per 300 words */
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 599; i++)
		buf_adds(&b, "word ");
	buf_adds(&b, "match");
	in = input(&a, b.p, &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[1]) - (-1 + log(1 + 300.0 / 600))) < 1e-9);
	buf_clear(&b);

	/* entity features: binary, types: counts distinct ids */
	struct topics_mention ms[] = {
		{"MINERAL", "mineral:lithium", "battery"},
		{"MINERAL", "mineral:lithium", "battery"},
		{"MINERAL", "mineral:rare-earth-elements", "rare-earth"},
		{"COUNTRY", "country:CN", NULL},
		{"COUNTRY", "country:CN", NULL},
	};
	in = input(&a, "nothing here", &nt, &tl);
	in.mentions = ms;
	in.nmentions = 5;
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[0]) - (-2 + 0.5 + 0.25 + 0.75)) < 1e-9);
	struct topics_mention ms2[] = {
		{"COUNTRY", "country:CN", NULL},
		{"COUNTRY", "country:PK", NULL},
	};
	in.mentions = ms2;
	in.nmentions = 2;
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[0]) - (-2 + 0.125)) < 1e-9);

	/* all scores in [0, 1], and the same twice */
	in = input(&a, "mining mining mining rare earth goal match goal", &nt, &tl);
	double s2[2];
	topics_score(m, &in, &a, s, NULL, 0);
	topics_score(m, &in, &a, s2, NULL, 0);
	for (int i = 0; i < 2; i++) {
		CHECK(s[i] >= 0 && s[i] <= 1);
		CHECK(s[i] == s2[i]);
	}
	arena_clear(&a);
	topics_free(m);
}

static void expect_error(const char *name, const char *text, long line, const char *msgpart)
{
	struct err e;
	memset(&e, 0, sizeof e);
	const char *path = write_file(name, text);
	struct topics_model *m = topics_load(path, &e);
	CHECK(m == NULL);
	CHECK(strcmp(e.source, path) == 0);
	CHECK(e.line == line);
	if (!strstr(e.msg, msgpart)) {
		printf("  (%s: message '%s' lacks '%s')\n", name, e.msg, msgpart);
		CHECK(!"error message");
	}
	topics_free(m);
}

static void test_errors(void)
{
	expect_error("fields.tsv", "# c\nt\tbias\t-1\nt\tw:x\n", 3, "expected 3 tab-separated fields");
	expect_error("weight.tsv", "t\tbias\t-1\n\nt\tw:x\t1.5x\n", 3, "invalid weight '1.5x'");
	expect_error("kind.tsv", "t\tbias\t-1\nt\tword:x\t1\n", 2, "unknown feature 'word:x'");
	expect_error("topic.tsv", "t\tbias\t-1\nt y\tw:x\t1\n", 2, "invalid topic name");
	expect_error("words.tsv", "t\tbias\t-1\nt\tw:rare earth\t1\n", 2, "more than one word");
	expect_error("phrase.tsv", "t\tbias\t-1\nt\tp:a b c d\t1\n", 2, "2 or 3 words");
	expect_error("types.tsv", "t\tbias\t-1\nt\ttypes:COUNTRY\t1\n", 2, "types:TYPE>=N");
	expect_error("dup.tsv", "t\tbias\t-1\nt\tw:Mining\t1\nt\tw:mining\t2\n", 3,
		     "(first on line 2)");
	/* the duplicate on the earliest line, whatever the order of the features */
	expect_error("dup2.tsv", "u\tbias\t1\nt\tbias\t-1\nt\tw:b\t1\nt\tw:a\t1\nt\tw:b\t2\n"
		     "t\tw:a\t3\nu\tbias\t2\n", 5, "feature 'w:b' (first on line 3)");
	expect_error("dup3.tsv", "u\tbias\t1\nt\tbias\t-1\nu\tbias\t2\n", 3,
		     "feature 'bias' (first on line 1)");
	expect_error("nobias.tsv", "t\tbias\t-1\nu\tw:x\t1\n", 2, "topic 'u' has no bias line");
	expect_error("empty.tsv", "# nothing\n", 0, "no model lines");
	/* the first line of the first topic without a bias, in line order */
	expect_error("nobias2.tsv", "t\tbias\t-1\nv\tw:y\t1\nu\tw:x\t1\nv\tbias\t1\nu\tw:z\t1\n",
		     3, "topic 'u' has no bias line");
	expect_error("order.tsv", "# topics: t zz\nt\tbias\t-1\n", 0,
		     "topic 'zz' of the '# topics:' line has no lines");
	expect_error("topic2.tsv", "t\tbias\t-1\nt\tw:a\t1\nt.\tbias\t1\n t \tw:b\t1\nt!\tw:c\t1\n", 5,
		     "invalid topic name 't!'");
	expect_error("weight2.tsv", "t\tbias\t-1\nt\tw:a\t 1e4 \n", 2, "invalid weight '1e4'");
	expect_error("weight3.tsv", "t\tbias\t-1\nt\tw:a\t-1000.00001\n", 2,
		     "invalid weight '-1000.00001'");

	/* the same features in many topics are no duplicates */
	{
		struct buf b;
		buf_init(&b);
		for (int t = 0; t < 40; t++) {
			buf_printf(&b, "t%d\tbias\t-1\n", t);
			for (int f = 0; f < 50; f++)
				buf_printf(&b, "t%d\t%s%d\t0.5\n", t, f % 2 ? "w:x" : "ent:e", f);
		}
		struct err e1;
		struct topics_model *m = topics_load(write_file("many.tsv", b.p), &e1);
		CHECK(m != NULL && topics_count(m) == 40);
		topics_free(m);
		buf_clear(&b);
	}
	struct err e;
	CHECK(topics_load("/nonexistent/model.tsv", &e) == NULL);
	CHECK(strcmp(e.source, "/nonexistent/model.tsv") == 0);
}

static void test_add(void)
{
	struct err e;
	struct topics_model *m = topics_load(write_file("base.tsv", model_text), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	/* a user topic in a handful of lines, plus a tweak of an existing topic */
	const char *extra = "lithium_supply_chain\tbias\t-3\n"
			    "lithium_supply_chain\tw:lithium\t2\n"
			    "lithium_supply_chain\tp:battery supply\t1\n"
			    "sports\tw:goal\t0.5\n";
	CHECK(topics_add(m, write_file("extra.tsv", extra), &e) == 0);
	CHECK(topics_count(m) == 3);
	CHECK(strcmp(topics_name(m, 2), "lithium_supply_chain") == 0);

	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	double s[3];
	struct topics_input in = input(&a, "Lithium goal", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[2]) - (-3 + 2 * log(2))) < 1e-9);
	CHECK(fabs(logit(s[1]) - (-1 + 1.5 * log(2))) < 1e-9); /* weights summed */

	/* the scoring view follows every file: "battery", only the first word of a phrase so
	 * far, gets weights of its own, and "lithium" a second topic after its first */
	CHECK(topics_add(m, write_file("extra2.tsv", "sports\tw:battery\t0.25\n"
							 "mining\tw:lithium\t0.125\n"), &e) == 0);
	in = input(&a, "Lithium battery supply goal", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[0]) - (-2 + 0.125 * log(2))) < 1e-9);
	CHECK(fabs(logit(s[1]) - (-1 + 1.75 * log(2))) < 1e-9);
	CHECK(fabs(logit(s[2]) - (-3 + 3 * log(2))) < 1e-9);

	/* a bad file leaves the model unchanged */
	CHECK(topics_add(m, write_file("bad.tsv", "new\tbias\t-1\nnew\tw:x\tnope\n"), &e) < 0);
	CHECK(e.line == 2);
	CHECK(topics_count(m) == 3);
	in = input(&a, "Lithium goal", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[2]) - (-3 + 2 * log(2))) < 1e-9);
	arena_clear(&a);
	topics_free(m);
}

static void test_explain(void)
{
	struct err e;
	const char *text = "t\tbias\t-1\n"
			   "t\tw:alpha\t1\n"
			   "t\tw:beta\t-3\n"
			   "t\tw:gamma\t1\n"
			   "t\tw:delta\t2\n"
			   "u\tbias\t0\n"
			   "u\tw:alpha\t0.5\n";
	struct topics_model *m = topics_load(write_file("explain.tsv", text), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	double s[2];
	struct topics_reason r[2 * 3];
	struct topics_input in = input(&a, "gamma alpha beta delta", &nt, &tl);
	topics_score(m, &in, &a, s, r, 3);
	/* by |contribution|: beta (-3 ln 2), delta (2 ln 2), then alpha and gamma tie: name */
	CHECK(r[0].feature && strcmp(r[0].feature, "w:beta") == 0);
	CHECK(fabs(r[0].contribution - -3 * log(2)) < 1e-9);
	CHECK(r[1].feature && strcmp(r[1].feature, "w:delta") == 0);
	CHECK(r[2].feature && strcmp(r[2].feature, "w:alpha") == 0);
	CHECK(r[3].feature && strcmp(r[3].feature, "w:alpha") == 0);
	CHECK(r[4].feature == NULL && r[5].feature == NULL);
	arena_clear(&a);
	topics_free(m);
}

static void test_train(void)
{
	static const char *docs[][2] = {
		{"the striker scored a goal in the match", "sport"},
		{"the team won the match after a late goal", "sport"},
		{"fans cheered the goal and the match ended", "sport"},
		{"the coach praised the team after the match", "sport"},
		{"the mine produced copper ore and the miners smelted it", "mine"},
		{"copper ore from the mine went to the smelter", "mine"},
		{"miners dug ore at the new copper mine", "mine"},
		{"the smelter bought ore from the mine", "mine"},
	};
	struct topics_trainer *t = topics_trainer_new();
	struct topics_train_opts o;
	topics_train_opts_default(&o);
	o.min_df = 1;
	o.top_k = 10;
	o.l2 = 0.1;
	topics_trainer_set_opts(t, &o);
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		struct norm_text nt;
		struct tok_list tl;
		struct topics_input in = input(&a, docs[i][0], &nt, &tl);
		const char *labels[1] = {docs[i][1]};
		topics_trainer_add(t, &in, labels, 1);
		arena_reset(&a);
	}
	char path[600];
	snprintf(path, sizeof path, "%s/trained.tsv", tmpdir);
	FILE *f = fopen(path, "w");
	struct err e;
	CHECK(f && topics_trainer_write(t, f, &e) == 0);
	if (f)
		fclose(f);
	topics_trainer_free(t);

	struct topics_model *m = topics_load(path, &e);
	CHECK(m != NULL);
	if (!m) {
		printf("  (%s:%ld: %s)\n", e.source, e.line, e.msg);
		arena_clear(&a);
		return;
	}
	CHECK(topics_count(m) == 2);
	CHECK(strcmp(topics_name(m, 0), "sport") == 0);
	double s[2];
	struct norm_text nt;
	struct tok_list tl;
	struct topics_input in = input(&a, "a goal in the last minute of the match", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(s[0] > 0.5 && s[1] < 0.5);
	in = input(&a, "the copper ore of the mine", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(s[1] > 0.5 && s[0] < 0.5);
	arena_clear(&a);
	topics_free(m);

	/* the same data gives the same bytes */
	t = topics_trainer_new();
	topics_trainer_set_opts(t, &o);
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		struct topics_input in2 = input(&a, docs[i][0], &nt, &tl);
		const char *labels[1] = {docs[i][1]};
		topics_trainer_add(t, &in2, labels, 1);
		arena_reset(&a);
	}
	char *buf1 = NULL, *buf2 = NULL;
	size_t n1 = 0, n2 = 0;
	FILE *m1 = open_memstream(&buf1, &n1);
	CHECK(topics_trainer_write(t, m1, &e) == 0);
	fclose(m1);
	topics_trainer_free(t);
	FILE *orig = fopen(path, "r");
	FILE *m2 = open_memstream(&buf2, &n2);
	int c;
	while (orig && (c = fgetc(orig)) != EOF)
		fputc(c, m2);
	if (orig)
		fclose(orig);
	fclose(m2);
	CHECK(n1 == n2 && memcmp(buf1, buf2, n1) == 0);
	free(buf1);
	free(buf2);
	arena_clear(&a);
}

/* Page furniture: lines of at most 3 words that do not end a sentence are skipped when
 * the text has a longer line; repeated lines count once; a text of short lines alone is
 * read in full. */
static void test_furniture(void)
{
	struct err e;
	struct topics_model *m = topics_load(write_file("furn.tsv", model_text), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	double s[2], s2[2];

	/* menu lines ("Mining", "Mining news") are not read: the score is the body's */
	struct topics_input in = input(&a, "Home\nMining\nMining news\nThe weather was fine and warm today.\n", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[0]) - -2) < 1e-9);

	/* a short line that ends a sentence is text */
	in = input(&a, "The weather was fine and warm.\nMining resumed.\n", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[0]) - (-2 + 1.5 * log(2))) < 1e-9);

	/* a text made of short lines only is read in full */
	in = input(&a, "Mining\nrare earth\n", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[0]) - (-2 + 1.5 * log(2) + 2 * log(2))) < 1e-9);

	/* a repeated line counts once */
	in = input(&a, "Mining output rose again this year.\nMining output rose again this year.\n", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	in = input(&a, "Mining output rose again this year.\n", &nt, &tl);
	topics_score(m, &in, &a, s2, NULL, 0);
	CHECK(fabs(s[0] - s2[0]) < 1e-12);
	CHECK(fabs(logit(s[0]) - (-2 + 1.5 * log(2))) < 1e-9);

	/* the headline (a first line of 3+ words that ends no sentence) counts three times:
	 * mining 3 times in 4 * 3 + 7 = 19 words -> x = ln(1 + 3) */
	in = input(&a, "Mining news today here\nThe weather was fine and warm today.\n", &nt, &tl);
	topics_score(m, &in, &a, s, NULL, 0);
	CHECK(fabs(logit(s[0]) - (-2 + 1.5 * log(4))) < 1e-9);

	arena_clear(&a);
	topics_free(m);
}

/* The index of the highest logit: the main topic, as `entopic eval` ranks it. */
static size_t main_topic(const struct topics_model *m, const struct topics_input *in,
			 struct arena *a)
{
	size_t n = topics_count(m);
	double *s = arena_alloc(a, n * sizeof *s), *z = arena_alloc(a, n * sizeof *z);
	topics_score_z(m, in, a, s, z, NULL, 0);
	size_t best = 0;
	for (size_t t = 1; t < n; t++)
		if (z[t] > z[best])
			best = t;
	return best;
}

/* The default model (models/topics.tsv, run from the top directory): a mineral named in a
 * story about export controls or talks between states is the object of that story, so
 * trade or diplomacy is the main topic; mining is the main topic when the story is about
 * mining itself. Texts written for this test; the mentions are those the matcher gives. */
static void test_default_main_topic(void)
{
	struct err e;
	struct topics_model *m = topics_load("models/topics.tsv", &e);
	CHECK(m != NULL);
	if (!m)
		return;
	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	const char *trade =
		"China tightens export rules on rare earths\n"
		"Exporters of rare earth metals, rare earth magnets, lithium and graphite will need "
		"export licences from December, and customs will check shipments of cobalt and "
		"nickel for dual-use items.";
	struct topics_mention tm[] = {
		{"COUNTRY", "country:CN", NULL},
		{"MINERAL", "mineral:rare-earth-elements", "rare-earth"},
		{"MINERAL", "mineral:rare-earth-elements", "rare-earth"},
		{"MINERAL", "mineral:rare-earth-elements", "rare-earth"},
		{"MINERAL", "mineral:lithium", "battery"},
		{"MINERAL", "mineral:graphite", NULL},
		{"MINERAL", "mineral:cobalt", "battery"},
		{"MINERAL", "mineral:nickel", "battery"},
	};
	const char *diplomacy =
		"Japan and Australia sign critical minerals pact\n"
		"The foreign ministers of Japan and Australia signed a memorandum on critical "
		"minerals cooperation, and said the two countries would coordinate investment in "
		"rare earths and lithium.";
	struct topics_mention dm[] = {
		{"COUNTRY", "country:JP", NULL},
		{"COUNTRY", "country:AU", NULL},
		{"COUNTRY", "country:JP", NULL},
		{"COUNTRY", "country:AU", NULL},
		{"MINERAL", "mineral:rare-earth-elements", "rare-earth"},
		{"MINERAL", "mineral:lithium", "battery"},
	};
	const char *mining =
		"Miners return to the copper belt\n"
		"The company will pump out its flooded copper mine, and ore from a new pit will "
		"feed the smelter; geologists are drilling the deposit to the north.";
	struct topics_mention mm[] = {
		{"MINERAL", "mineral:copper", "base"},
		{"MINERAL", "mineral:copper", "base"},
	};
	struct {
		const char *text;
		const struct topics_mention *ms;
		size_t nms;
		const char *want;
	} cases[] = {
		{trade, tm, sizeof tm / sizeof tm[0], "trade_export_controls"},
		{diplomacy, dm, sizeof dm / sizeof dm[0], "diplomacy"},
		{mining, mm, sizeof mm / sizeof mm[0], "mining_minerals"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct topics_input in = input(&a, cases[i].text, &nt, &tl);
		in.mentions = cases[i].ms;
		in.nmentions = cases[i].nms;
		const char *got = topics_name(m, main_topic(m, &in, &a));
		CHECK(strcmp(got, cases[i].want) == 0);
		if (strcmp(got, cases[i].want) != 0)
			printf("  main topic of \"%.40s...\": %s, want %s\n", cases[i].text, got,
			       cases[i].want);
	}
	arena_clear(&a);
	topics_free(m);
}

/* A model of bias lines alone has no feature index: text and mentions leave the bias. */
static void test_no_features(void)
{
	struct err e;
	struct topics_model *m = topics_load(write_file("bias.tsv", "a\tbias\t-1\nb\tbias\t0.5\n"), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	double s[2], z[2];
	struct topics_reason r[2];
	struct topics_mention me[] = {{"COUNTRY", "country:CN", NULL}, {"MINERAL", "mineral:lithium", "battery"}};
	struct topics_input in = input(&a, "Lithium mining in China.", &nt, &tl);
	in.mentions = me;
	in.nmentions = 2;
	CHECK(topics_score_z(m, &in, &a, s, z, r, 1) == 0);
	CHECK(z[0] == -1 && z[1] == 0.5);
	CHECK(r[0].feature == NULL && r[1].feature == NULL);
	/* no tokens, no mentions, no text at all */
	in = input(&a, "", &nt, &tl);
	CHECK(tl.n == 0);
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	CHECK(z[0] == -1 && z[1] == 0.5);
	struct topics_input none = {NULL, NULL, NULL, 0};
	topics_score_z(m, &none, &a, s, z, NULL, 0);
	CHECK(z[0] == -1 && z[1] == 0.5);
	arena_clear(&a);
	topics_free(m);
}

/* Many features: long probe chains in the feature index (keys kept in the slots), a
 * document hitting more features than the hit counter starts with, words whose key slot
 * is shared with others, and the feature value of counts below and above the per-document
 * cache of values. */
static void test_many_features(void)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "t\tbias\t-1\nu\tbias\t0\n");
	char line[128];
	for (int i = 0; i < 3000; i++) {
		snprintf(line, sizeof line, "t\tw:w%d\t%g\n", i, (i % 7 + 1) / 64.0);
		buf_adds(&b, line);
	}
	buf_adds(&b, "u\tp:w1 w2\t0.5\nu\tp:w1 w2 w3\t0.25\nu\tw:w2\t0.125\n");
	struct err e;
	struct topics_model *m = topics_load(write_file("many.tsv", b.p), &e);
	CHECK(m != NULL);
	if (!m) {
		buf_clear(&b);
		return;
	}
	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	double s[2], z[2];
	/* w0 .. w199 once each, w1 w2 w3 twenty times, w5 once more: 263 words */
	buf_clear(&b);
	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof line, "w%d ", i);
		buf_adds(&b, line);
	}
	for (int i = 0; i < 20; i++)
		buf_adds(&b, "w1 w2 w3. ");
	buf_adds(&b, "w5 unknown words");
	struct topics_input in = input(&a, b.p, &nt, &tl);
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	double want = -1;
	for (int i = 0; i < 200; i++) {
		int c = 1 + (i >= 1 && i <= 3) * 20 + (i == 5);
		want += (i % 7 + 1) / 64.0 * log1p(c);
	}
	CHECK(fabs(z[0] - want) < 1e-9);
	CHECK(fabs(z[1] - (0.5 * log1p(21) + 0.25 * log1p(21) + 0.125 * log1p(21))) < 1e-9);
	/* the same document scored twice gives the very same numbers */
	double z2[2];
	topics_score_z(m, &in, &a, s, z2, NULL, 0);
	CHECK(z2[0] == z[0] && z2[1] == z[1]);
	/* more lines than text_view() starts with room for; a repeated line counts once */
	buf_clear(&b);
	for (int i = 0; i < 41; i++) {
		snprintf(line, sizeof line, "w%d one two three four.\n", i == 36 ? 34 : i);
		buf_adds(&b, line);
	}
	struct topics_model *m1 = topics_load(write_file("one.tsv", "t\tbias\t-1\nt\tw:one\t1\n"), &e);
	CHECK(m1 != NULL);
	if (m1) {
		in = input(&a, b.p, &nt, &tl);
		topics_score_z(m1, &in, &a, s, z, NULL, 0);
		CHECK(fabs(z[0] - (-1 + log1p(40))) < 1e-12);
		topics_free(m1);
	}
	/* words that are not in the model, many distinct ones */
	buf_clear(&b);
	for (int i = 3000; i < 3400; i++) {
		snprintf(line, sizeof line, "w%d ", i);
		buf_adds(&b, line);
	}
	in = input(&a, b.p, &nt, &tl);
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	CHECK(z[0] == -1 && z[1] == 0);
	arena_clear(&a);
	topics_free(m);
	buf_clear(&b);
}

/* Repeated lines are found by their bytes: two long lines that differ only away from their
 * start, middle and end both count, and an exact repeat does not. */
static void test_repeated_lines(void)
{
	struct err e;
	struct topics_model *m = topics_load(write_file("lines.tsv", "t\tbias\t0\n"
							 "t\tw:two\t1\n"
							 "t\tw:owt\t2\n"), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	double s[1], z[1];
	struct topics_input in = input(&a,
				       "start one two three four five six seven eight nine ten end.\n"
				       "start one owt three four five six seven eight nine ten end.\n"
				       "start one two three four five six seven eight nine ten end.\n",
				       &nt, &tl);
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	CHECK(fabs(z[0] - 3 * M_LN2) < 1e-12);
	arena_clear(&a);
	topics_free(m);
}

/* Phrase chains: a word ends the phrases its previous one or two words start, hyphens
 * between them skipped; punctuation, a possessive or a line break ends them; a word may
 * start a phrase and end another. */
static void test_phrases(void)
{
	struct err e;
	struct topics_model *m = topics_load(write_file("phrases.tsv", "t\tbias\t0\n"
							 "t\tp:a b c\t1\n"
							 "t\tp:b c\t2\n"
							 "t\tw:c\t4\n"
							 "t\tp:c a\t8\n"), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	static const struct {
		const char *text;
		double want;
	} cases[] = {
		{"a b c", 7 * M_LN2},
		{"a - b - c", 7 * M_LN2},
		{"a b, c", 4 * M_LN2},
		{"a b's c", 4 * M_LN2},
		{"a b\nc", 4 * M_LN2},
		{"a a b c a", 15 * M_LN2},
		{"c c a b c", 4 * log(4) + 11 * M_LN2},
		{"a b a b", 0},
	};
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct norm_text nt;
		struct tok_list tl;
		double s[1], z[1];
		struct topics_input in = input(&a, cases[i].text, &nt, &tl);
		topics_score_z(m, &in, &a, s, z, NULL, 0);
		if (fabs(z[0] - cases[i].want) >= 1e-12)
			printf("phrases: '%s': %g, want %g\n", cases[i].text, z[0], cases[i].want);
		CHECK(fabs(z[0] - cases[i].want) < 1e-12);
	}
	arena_clear(&a);
	topics_free(m);
}

/* The logits are sums of doubles added in the order the features are first seen in the
 * text, to the last bit (the output prints them to 17 digits): a text naming the words of
 * the model backwards, more of them than the hit counter starts with room for. */
static void test_sum_order(void)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "t\tbias\t-1\n");
	double w[100];
	char line[128], num[64];
	for (int i = 0; i < 100; i++) {
		snprintf(num, sizeof num, "%.17g", (i % 2 ? 999.0 : -998.5) / (i + 3) + 0.001 * i);
		w[i] = strtod(num, NULL);
		snprintf(line, sizeof line, "t\tw:w%d\t%s\n", i, num);
		buf_adds(&b, line);
	}
	struct err e;
	struct topics_model *m = topics_load(write_file("order.tsv", b.p), &e);
	CHECK(m != NULL);
	buf_clear(&b);
	if (!m)
		return;
	for (int i = 99; i >= 0; i--) {
		snprintf(line, sizeof line, "w%d ", i);
		buf_adds(&b, line);
	}
	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	double s[1], z[1];
	struct topics_input in = input(&a, b.p, &nt, &tl);
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	double want = -1, other = -1;
	for (int i = 99; i >= 0; i--)
		want += w[i] * log1p(1);
	for (int i = 0; i < 100; i++)
		other += w[i] * log1p(1);
	CHECK(z[0] == want);
	CHECK(want != other); /* the check above tells the two orders apart */
	arena_clear(&a);
	topics_free(m);
	buf_clear(&b);
}

/* Entity features: the lookups cached per string pointer (the same pointer as a type and
 * as a group is two lookups), ids compared without ASCII case through different pointers,
 * types:T>=N with several thresholds and types, names longer than a small buffer. */
static void test_entity_counts(void)
{
	char longid[300];
	memset(longid, 'x', sizeof longid);
	memcpy(longid, "org:", 4);
	longid[sizeof longid - 1] = '\0';
	char text[1024];
	snprintf(text, sizeof text,
		 "t\tbias\t0\n"
		 "t\tgroup:battery\t0.5\n"
		 "t\ttypes:COUNTRY>=2\t1\n"
		 "t\ttypes:country>=3\t2\n"
		 "t\ttypes:Person>=1\t4\n"
		 "t\ttypes:city>=1\t8\n"
		 "t\tent:%s\t16\n"
		 "t\tent:country:cn\t32\n",
		 longid);
	struct err e;
	struct topics_model *m = topics_load(write_file("ents.tsv", text), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	struct arena a;
	arena_init(&a);
	double s[1], z[1];
	char cn1[] = "country:CN", cn2[] = "COUNTRY:cn", country[] = "Country", battery[] = "battery";
	char upper[300];
	for (size_t i = 0; i < sizeof longid; i++)
		upper[i] = (char)(longid[i] >= 'a' && longid[i] <= 'z' ? longid[i] - 32 : longid[i]);
	struct topics_mention me[] = {
		{"COUNTRY", cn1, NULL},
		{country, cn2, NULL},         /* the same id in other case: still one */
		{"COUNTRY", "country:us", NULL},
		{battery, "mineral:li", battery}, /* a type "battery" (no feature), a group */
		{"ORG", upper, NULL},
		{"PERSON", NULL, NULL},       /* no id: not counted for types: */
		{NULL, "person:x", NULL},
	};
	struct topics_input in = {NULL, NULL, me, sizeof me / sizeof *me};
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	/* group 0.5, countries cn and us: >=2 only (1), the long ent (16), country:cn (32);
	 * no person with an id, no city */
	CHECK(z[0] == 0.5 + 1 + 16 + 32);
	me[5].id = "person:y";
	me[2].id = "country:fr";
	me[6].type = "city";
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	CHECK(z[0] == 0.5 + 1 + 16 + 32 + 4 + 8);
	me[0].id = "country:de"; /* cn2 is still country:cn: three countries now */
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	CHECK(z[0] == 0.5 + 1 + 2 + 16 + 32 + 4 + 8);
	/* the reasons come from the same hits */
	struct topics_reason r[3];
	topics_score_z(m, &in, &a, s, z, r, 3);
	CHECK(r[0].feature && strcmp(r[0].feature, "ent:country:cn") == 0 && r[0].contribution == 32);
	CHECK(r[1].feature && strncmp(r[1].feature, "ent:org:xxx", 11) == 0 && r[1].contribution == 16);
	CHECK(r[2].feature && strcmp(r[2].feature, "types:city>=1") == 0 && r[2].contribution == 8);
	/* no mentions */
	in.nmentions = 0;
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	CHECK(z[0] == 0);
	arena_clear(&a);
	topics_free(m);
}

/* Ids are folded to lower case in ASCII only: the characters next to 'A' and 'Z' and the
 * bytes of UTF-8 (0xD0 is 'P' with the high bit) stay as they are, in ids shorter and
 * longer than 8 bytes. */
static void test_entity_case(void)
{
	struct err e;
	struct topics_model *m = topics_load(write_file("entcase.tsv", "t\tbias\t0\n"
							 "t\tent:org:x\xd0\xb4y@[`{z\t1\n"
							 "t\tent:a@z[\t2\n"
							 "t\tent:org:x\xd0\xb4y\t4\n"), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	struct topics_mention me[] = {
		{NULL, "ORG:X\xd0\xb4Y@[`{Z", NULL},
		{NULL, "A@Z[", NULL},
		{NULL, "ORG:X\xd0\x94Y", NULL}, /* no folding of U+0414 to U+0434 */
	};
	struct arena a;
	arena_init(&a);
	double s[1], z[1];
	struct topics_input in = {NULL, NULL, me, 3};
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	CHECK(z[0] == 3);
	arena_clear(&a);
	topics_free(m);
}

/* Many mentions: more strings than the per-document cache and the set of ids start with
 * room for, each id mentioned twice through one pointer and once through another in other
 * case, some with a feature of their own. */
static void test_many_mentions(void)
{
	struct err e;
	struct topics_model *m = topics_load(write_file("manyents.tsv", "t\tbias\t0\n"
							 "t\ttypes:country>=150\t1\n"
							 "t\ttypes:country>=151\t2\n"
							 "t\ttype:country\t4\n"
							 "t\tent:country:c7\t8\n"
							 "t\tent:country:c149\t16\n"
							 "t\tgroup:g3\t32\n"), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	enum { N = 150 };
	static char ids[N][16], upper[N][16], groups[N][8];
	struct topics_mention me[3 * N];
	for (unsigned i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "country:c%u", i);
		snprintf(upper[i], sizeof upper[i], "COUNTRY:C%u", i);
		snprintf(groups[i], sizeof groups[i], "g%u", i);
		me[i] = (struct topics_mention){"COUNTRY", ids[i], groups[i]};
		me[N + i] = (struct topics_mention){"Country", upper[i], NULL};
		me[2 * N + i] = (struct topics_mention){"COUNTRY", ids[i], groups[i]};
	}
	struct arena a;
	arena_init(&a);
	double s[1], z[1];
	struct topics_input in = {NULL, NULL, me, 3 * N};
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	/* 150 distinct countries (case folded), the type, both ids (c7 also as C7), g3 */
	CHECK(z[0] == 4 + 8 + 16 + 32 + 1);
	arena_clear(&a);
	topics_free(m);
}

/* Entity features are found through a filter of their values (kind, length, first bytes):
 * values of every length around 8 bytes, in other case, of all three kinds, and those of a
 * model added with topics_add(), each found; their neighbours (one byte more or less, another
 * kind) not. */
static void test_entity_filter(void)
{
	struct err e;
	struct topics_model *m = topics_load(write_file("filt.tsv", "t\tbias\t0\n"
						      "t\tent:country:cn\t1\n"
						      "t\tent:abcdefg\t2\n"
						      "t\tent:abcdefgh\t4\n"
						      "t\tent:abcdefghi\t8\n"), &e);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(topics_add(m, write_file("filt2.tsv", "t\tent:org:new\t16\n"
						 "t\tgroup:g2\t32\n"
						 "t\ttype:city\t64\n"), &e) == 0);
	struct arena a;
	arena_init(&a);
	static const struct {
		const char *type, *id, *group;
		double z;
	} cases[] = {
		{NULL, "COUNTRY:CN", NULL, 1}, {NULL, "abcdefg", NULL, 2}, {NULL, "ABCDEFGH", NULL, 4},
		{NULL, "abcdefghI", NULL, 8}, {NULL, "Org:New", NULL, 16}, {NULL, NULL, "G2", 32},
		{"City", NULL, NULL, 64}, {NULL, "abcdef", NULL, 0}, {NULL, "abcdefghij", NULL, 0},
		{NULL, "abcdefgx", NULL, 0}, {"g2", "city", "country:cn", 0}, {NULL, "org:ne", NULL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct topics_mention me = {cases[i].type, cases[i].id, cases[i].group};
		struct topics_input in = {NULL, NULL, &me, 1};
		double s[1], z[1];
		topics_score_z(m, &in, &a, s, z, NULL, 0);
		CHECK(z[0] == cases[i].z);
		arena_reset(&a);
	}
	arena_clear(&a);
	topics_free(m);
}

/* topics_strtod() against strtod(): value (to the bit), end and errno, on the weights of
 * model files and on strings of number characters of every kind. */
static void test_strtod(void)
{
	static const char alpha[] = "0123456789000999..--++eExXpPinfa \t";
	static const char *const fixed[] = {"", "-", "+", ".", "-.", "0", "-0", "-0.0000", "+1.5",
		"5.", ".5", "1e5", "1.5e-3", "0x1p3", "inf", "-nan", " 1", "1 ", "1..2",
		"123456789012345", "1234567890123456", "0.000000000000001", "0.0000000000000001",
		"999999999999999", "9007199254740993", "1000.0000", "-1000.0001", "1.2.3", "12a"};
	long bad = 0;
	char str[64];
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed + 300000; i++) {
		const char *s = str;
		if (i < sizeof fixed / sizeof *fixed) {
			s = fixed[i];
		} else if (i % 3 == 0) { /* weights as the trainer writes them */
			snprintf(str, sizeof str, "%.*f", (int)(rand() % 8),
				 ((double)rand() / RAND_MAX - 0.5) * (rand() % 2 ? 2 : 2000));
		} else { /* digits, points, signs, exponents and the like */
			size_t n = (size_t)rand() % (i % 3 == 1 ? 8 : 24);
			for (size_t k = 0; k < n; k++)
				str[k] = alpha[rand() % (int)(sizeof alpha - 1)];
			str[n] = '\0';
		}
		char *e1, *e2;
		errno = 0;
		double v1 = strtod(s, &e1);
		int errno1 = errno;
		errno = 0;
		double v2 = topics_strtod(s, &e2);
		int errno2 = errno;
		if (memcmp(&v1, &v2, sizeof v1) != 0 && !(isnan(v1) && isnan(v2)))
			bad++;
		else if (e1 != e2 || errno1 != errno2)
			bad++;
		else
			continue;
		if (bad <= 3)
			printf("  topics_strtod('%s') = %.17g (end +%d), strtod %.17g (end +%d)\n", s,
			       v2, (int)(e2 - s), v1, (int)(e1 - s));
	}
	CHECK(bad == 0);
}

/* log1p() at run time, as scoring computes it (the compiler's folding of a constant may
 * round the other way). */
static double run_log1p(double x)
{
	volatile double v = x;
	return log1p(v);
}

/* Features that weigh on one to six topics (scoring adds the first pairs of every feature
 * without a test, the missing ones padded for a topic after the last): each topic's logit
 * is its bias plus its weights in the order the words come, whether the tokens' tfeat is
 * looked up by the caller (the memo's way) or not, and after topics_add() adds a topic
 * (the padding's topic moves after it). */
static void test_many_topics(void)
{
	static const char *const names[] = {"t0", "t1", "t2", "t3", "t4", "t5"};
	struct buf b;
	buf_init(&b);
	char line[128];
	double w[6][6]; /* w[word][topic], 0: none */
	memset(w, 0, sizeof w);
	for (int t = 0; t < 6; t++) {
		snprintf(line, sizeof line, "%s\tbias\t%g\n", names[t], -0.5 * t);
		buf_adds(&b, line);
	}
	for (int k = 0; k < 6; k++) /* word k weighs on topics 0 .. k */
		for (int t = 0; t <= k; t++) {
			w[k][t] = (k + 1) * 0.37 - t * 0.11;
			snprintf(line, sizeof line, "%s\tw:v%d\t%.17g\n", names[t], k, w[k][t]);
			buf_adds(&b, line);
		}
	struct err e;
	struct topics_model *m = topics_load(write_file("topics6.tsv", b.p), &e);
	buf_clear(&b);
	CHECK(m != NULL);
	if (!m)
		return;
	struct arena a;
	arena_init(&a);
	struct norm_text nt;
	struct tok_list tl;
	const char *text = "v5, v0 - v3 v5 v1; v2 v4 v4 v0 v5 other words to make a long line.";
	int counts[6] = {2, 1, 1, 1, 2, 3}, order[6] = {5, 0, 3, 1, 2, 4}; /* first sight */
	double want[7];
	for (int t = 0; t < 6; t++) {
		want[t] = -0.5 * t;
		for (int i = 0; i < 6; i++)
			want[t] += w[order[i]][t] * run_log1p(counts[order[i]]);
	}
	for (int known = 0; known < 2; known++) {
		struct topics_input in = input(&a, text, &nt, &tl);
		if (known) {
			/* what the pipeline's memo gives: every token but hyphens looked up */
			for (size_t i = 0; i < tl.n; i++) {
				struct token *t = &tl.v[i];
				if (t->kind != TOK_HYPHEN)
					t->tfeat = topics_word(m, nt.s + t->nstart, t->nend - t->nstart,
							       t->hash);
			}
			tl.words_model = m;
		}
		double s[6], z[6];
		topics_score_z(m, &in, &a, s, z, NULL, 0);
		for (int t = 0; t < 6; t++)
			CHECK(z[t] == want[t]);
		arena_reset(&a);
	}
	/* a seventh topic: the padding goes to the topic after it */
	CHECK(topics_add(m, write_file("topic7.tsv", "t6\tbias\t2\nt6\tw:v0\t1\n"), &e) == 0);
	struct topics_input in = input(&a, text, &nt, &tl);
	double s[7], z[7];
	topics_score_z(m, &in, &a, s, z, NULL, 0);
	want[6] = 2 + 1 * run_log1p(counts[0]);
	for (int t = 0; t < 7; t++)
		CHECK(z[t] == want[t]);
	arena_clear(&a);
	topics_free(m);
}

/* The AVX2 ways (topics_wide()) and the others read the same lines and words and give the
 * same logits, with and without the tokens' tfeat looked up beforehand (as the pipeline's
 * memo does): documents of lines of every length, breaks at every place of the eight
 * tokens the AVX2 way reads at once, blank lines, headlines, repeated lines; models of 2
 * topics, of 16 (the most the rows of weights take) and of 17 (none). */
static void wide_same(struct topics_model *m, size_t ntopics)
{
	static const char *const words[] = {"one", "two", "three", "four", "big", "news", "story",
					    "Headline", "Words", "Here", "42", ",", ".", "-",
					    "'s", "\xe4\xb8\xad"};
	struct arena a;
	arena_init(&a);
	struct buf b;
	buf_init(&b);
	uint64_t r = 12345;
	bool wide = topics_wide(true);
	int same = 0, docs = 400;
	for (int d = 0; d < docs; d++) {
		buf_clear(&b);
		int lines = d < 40 ? 1 + d % 3 : 1 + d % 23;
		for (int l = 0; l < lines; l++) {
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			int ntok = (int)(r >> 59) % (d % 2 ? 12 : 30);
			for (int k = 0; k < ntok; k++) {
				r = r * 6364136223846793005ULL + 1442695040888963407ULL;
				buf_adds(&b, words[(r >> 40) % (sizeof words / sizeof *words)]);
				buf_adds(&b, " ");
			}
			buf_adds(&b, (r >> 33) % 5 ? "\n" : "\n\n");
			if (l == 3)
				buf_adds(&b, "Big Headline Words Here\n"); /* a repeated headline */
		}
		struct norm_text nt;
		struct tok_list tl;
		struct topics_input in = input(&a, b.p, &nt, &tl);
		double s[17], z[4][17];
		for (int k = 0; k < 4; k++) {
			if (k == 2) {
				/* the tfeat of every token but hyphens, as the pipeline's memo has it */
				for (size_t i = 0; i < tl.n; i++) {
					struct token *t = &tl.v[i];
					if (t->kind != TOK_HYPHEN)
						t->tfeat = topics_word(m, nt.s + t->nstart,
								       t->nend - t->nstart, t->hash);
				}
				tl.words_model = m;
			}
			topics_wide(k % 2 == 0);
			topics_score_z(m, &in, &a, s, z[k], NULL, 0);
		}
		size_t zs = ntopics * sizeof z[0][0];
		same += memcmp(z[0], z[1], zs) == 0 && memcmp(z[0], z[2], zs) == 0 &&
			memcmp(z[0], z[3], zs) == 0;
		arena_reset(&a);
	}
	CHECK(same == docs);
	topics_wide(wide);
	arena_clear(&a);
	buf_clear(&b);
}

static void test_wide(void)
{
	struct err e;
	struct topics_model *m = topics_load(write_file("wide.tsv", "t\tbias\t-1\n"
						      "t\tw:one\t1\n"
						      "t\tw:two\t0.5\n"
						      "t\tp:three four\t0.25\n"
						      "u\tbias\t0\n"
						      "u\tw:four\t2\n"
						      "u\tw:news\t-0.75\n"
						      "u\tp:big news story\t1.5\n"), &e);
	CHECK(m != NULL);
	if (m) {
		wide_same(m, 2);
		topics_free(m);
	}
	static const char *const feats[] = {"w:one", "w:two", "w:four", "w:news", "w:story",
					    "p:three four", "p:big news story", "w:42"};
	for (size_t nt = 16; nt <= 17; nt++) {
		struct buf b;
		buf_init(&b);
		for (size_t t = 0; t < nt; t++) {
			buf_printf(&b, "t%zu\tbias\t%g\n", t, 0.125 * (double)t - 1);
			for (size_t f = t % 3; f < sizeof feats / sizeof *feats; f += 1 + t % 4)
				buf_printf(&b, "t%zu\t%s\t%g\n", t, feats[f],
					   (double)(f + 1) / (double)(t + 3) - 0.3);
		}
		m = topics_load(write_file("wide-many.tsv", b.p), &e);
		CHECK(m != NULL && topics_count(m) == nt);
		if (m) {
			wide_same(m, nt);
			topics_free(m);
		}
		buf_clear(&b);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_load_and_score();
	test_errors();
	test_strtod();
	test_add();
	test_explain();
	test_train();
	test_furniture();
	test_default_main_topic();
	test_no_features();
	test_many_features();
	test_sum_order();
	test_phrases();
	test_repeated_lines();
	test_entity_counts();
	test_many_mentions();
	test_entity_case();
	test_entity_filter();
	test_many_topics();
	test_wide();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", tmpdir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
