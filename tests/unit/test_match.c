/* match: the passes after the lexicon's, through the shipped lexicons, rules and patterns:
 * people found by pattern and their ids (slugs of any script), partial names, acronyms.
 * Every text is annotated with and without a memo of the words: the same mentions. Run
 * from the repository root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gazetteer.h"
#include "match.h"
#include "pipeline.h"

static struct pipeline pipe_;
static struct pipe_memo *memo;
static struct arena arena;

/* "text=id;" for every mention of text by p, with and without memo pm, or "memo differs"
 * when the memo changes them. */
static const char *annotate_with(const struct pipeline *p, struct pipe_memo *pm, const char *text)
{
	static char out[4096], again[4096];
	char *bufs[2] = {out, again};
	for (int k = 0; k < 2; k++) {
		struct annotation an;
		struct err e = {0};
		arena_reset(&arena);
		pipe_annotate_memo(p, k ? pm : NULL, &arena, text, strlen(text), &an, &e);
		size_t o = 0;
		bufs[k][0] = '\0';
		for (size_t i = 0; i < an.nmentions && o < sizeof out - 300; i++) {
			const struct mention *m = &an.mentions[i];
			o += (size_t)snprintf(bufs[k] + o, sizeof out - o, "%.*s=%s;",
					      (int)(m->oend - m->ostart), text + m->ostart,
					      m->ent->id ? m->ent->id : m->ent->type);
		}
	}
	return strcmp(out, again) == 0 ? out : "memo differs";
}

static const char *annotate(const char *text)
{
	return annotate_with(&pipe_, memo, text);
}

/* "name;" for every mention of text that has an entity made for the record (a name). */
static const char *names(const char *text)
{
	static char out[4096];
	struct annotation an;
	struct err e = {0};
	arena_reset(&arena);
	pipe_annotate_memo(&pipe_, NULL, &arena, text, strlen(text), &an, &e);
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < an.nmentions && o < sizeof out - 300; i++)
		if (an.mentions[i].ent->name && an.mentions[i].src == SRC_PATTERN)
			o += (size_t)snprintf(out + o, sizeof out - o, "%s;", an.mentions[i].ent->name);
	return out;
}

/* The texts annotated alike by matchers whose rules number their lists differently. */
static const char *const texts[] = {
	"President \xC5\x81ukasz \xC3\x98ster-Bj\xC3\xB8rn said on Monday.",
	"The minister, Jean O'Neill, met Prime Minister Zo\xC3\xAB \xC3\x90uric.",
	"The Frontier Works Organisation (FWO) said FWO would help (a lot).",
	"President Kwame Mensah met Prime Minister Jean Dupont in Accra. Later Mensah said Dupont "
	"and Kwame agreed, Reuters reported. Jean left.",
	"Chinese Gallium Curbs Hit Western Chip Makers With Rising Prices\nBy Reporting by Maryam "
	"Shah and Tariq Mehmood\nThe Bank of China and Voice of America in Pakistan said.",
	"CHINA AND PAKISTAN SIGN MINERALS DEAL WITH THE U.S.\n5. Marko Koers (Netherlands) 3:53.47",
	"Pakistan Gold Deal with Chinese Firms Expands Sharply\nThe deal was signed in Pakistan.",
	"Should Michael Jordan play in Chad? Jordan's King Abdullah met Le Clos and de Gaulle "
	"Jr. in Air France lounges, the Ministry of Interior said.",
	"It was said by the chairman Zoltq Brmak on Monday.",
};

/* A matcher whose rules file holds dummy lists and then models/rules.tsv: with 16 or more
 * (the matcher's lists then numbered 16 and up, asked of the rules word by word) or fewer
 * (numbered otherwise than in the shipped file), the same mentions as the shipped rules. */
static void check_numbering(gazetteer *gaz, int dummies)
{
	char path[] = "/tmp/entopic-test-rules-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	FILE *in = fopen("models/rules.tsv", "r");
	CHECK(f && in);
	if (!f || !in)
		return;
	for (int i = 0; i < dummies; i++)
		fprintf(f, "list\tdummy%d\tzzq%d\n", i, i);
	/* headline-lower before the others: its number is no longer the shipped one */
	fprintf(f, "list\theadline-lower\tacross\n");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, f);
	fclose(in);
	fclose(f);
	struct err err = {0};
	matcher *mat = match_new(gaz, path, "models/patterns.tsv", &err);
	remove(path);
	CHECK(mat != NULL);
	if (!mat)
		return;
	struct pipeline p = pipe_;
	p.match = mat;
	struct pipe_memo *m = pipe_memo_new(&p, 0);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char want[4096];
		snprintf(want, sizeof want, "%s", annotate(texts[i]));
		CHECK_STR(annotate_with(&p, m, texts[i]), want);
	}
	pipe_memo_free(m);
	match_free(mat);
}

/* The second people pass takes the outcome of the first pass's visits that found no one
 * where nothing they read can have changed: on many generated texts of names, titles,
 * lists, possessives, initials and line breaks, the same mentions as visiting every run
 * in full (match_set_people_full()). */
static void check_people_replay(matcher *mat)
{
	static const char *const words[] = {
		"President", "Minister", "Prime", "Ambassador", "to", "of", "the", "said", "and",
		"and", ",", ",", ",", "'s", ".", "M.", "J.", "Mr", "Kwame", "Mensah", "Jean",
		"Dupont", "Efua", "Owusu", "Tariq", "Mehmood", "Maryam", "Shah", "Zhou", "Ming",
		"Pakistan", "China", "Chad", "Jordan", "Kenya", "Faith", "Kipyegon", "Bank",
		"Reuters", "(", ")", "Netherlands", "an", "engineer", "by", "Reporting", ":",
		"\n", "\n\n", "gold", "copper", "met", "with", "de", "van", "Le", "Clos", "Jr",
		"Talal", "Chaudhry", "Verdict", "Hungary", "Bence", "Halasz", "Secretary", "General",
		"Song-ho", "Park", "Lee", "Ali", "Khan", "Imran", "on", "Monday", "Abdullah", "King"};
	const size_t nw = sizeof words / sizeof *words;
	uint64_t x = 0x2545F4914F6CDD1DULL;
	int differ = 0, people = 0;
	for (int k = 0; k < 3000; k++) {
		char text[2048];
		size_t o = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t n = 5 + (size_t)(x % 120);
		for (size_t i = 0; i < n && o < sizeof text - 64; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			const char *w = words[x % nw];
			o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", i ? " " : "", w);
		}
		static char full[4096];
		match_set_people_full(mat, true);
		snprintf(full, sizeof full, "%s", annotate(text));
		match_set_people_full(mat, false);
		const char *replayed = annotate(text);
		if (strcmp(full, replayed) != 0 && differ++ < 3)
			fprintf(stderr, "people replay differs on: %s\n  full: %s\n  replay: %s\n", text,
				full, replayed);
		people += strstr(full, "=person:") != NULL;
	}
	CHECK(differ == 0);
	CHECK(people > 1000); /* the texts do name people */
}

/* Every mention of text[0..len) by p, as "start-end=id/src/kind;", into b. */
static void mentions_of(const struct pipeline *p, const char *text, size_t len, struct buf *b)
{
	struct annotation an;
	struct err e = {0};
	arena_reset(&arena);
	pipe_annotate_memo(p, NULL, &arena, text, len, &an, &e);
	b->len = 0;
	buf_adds(b, "");
	for (size_t i = 0; i < an.nmentions; i++) {
		const struct mention *m = &an.mentions[i];
		buf_printf(b, "%u-%u=%s/%d/%d;", m->ostart, m->oend,
			   m->ent->id ? m->ent->id : m->ent->type, m->src, m->kind);
	}
}

/* The indexes the passes use on a large record (the surnames of the people found, the later
 * uses of the acronyms defined, the longer names that shorter ones begin; the mentions put
 * in order once a pass rather than at each insertion; the rules' memo of the record)
 * against the plain loops (MATCH_INDEX_NONE): on generated texts of people, families,
 * titles, acronyms defined again and again, weak mentions, money, dates, words the rules
 * look for in the record or line, from a few words to records of 40 KB,
 * the same mentions with the indexes from the start (MATCH_INDEX_ALL) and as the matcher
 * chooses (MATCH_INDEX_AUTO). The lexicons hold the form "Xb (QX) Fa Wb Oc (FWO", whose
 * mention a later definition ("Qa Xb (QX)") replaces, uncovering a use of FWO that a
 * definition after that must still find. */
static void check_index(matcher *mat)
{
	static const char *const phrases[] = {
		"President Kwame Mensah", "Prime Minister Jean Dupont", "Efua Mensah", "Kofi Mensah",
		"Mensah", "Dupont", "Ama Dupont", "Tariq Mehmood", "Tariq Mehmood Jahangiri",
		"President Tariq Mehmood", "Minister Zoltq Brmak Qwyx", "Zoltq Brmak", "Qwyx Brmak",
		"Chairman Zoltq Brmak", "M. Zoltq", "Talal Chaudhry", "Ayesha Chaudhry", "Kenya's",
		"Faith Kipyegon", "Chad", "Jordan", "Michael Jordan", "Le Clos", "de Gaulle Jr.",
		"The Frontier Works Organisation (FWO)", "FWO", "FWO", "the Works Agency (WA)", "WA",
		"Qa Xb (QX) Fa Wb Oc (FWO)", "QX", "Qa Xb (QX)", "Fa Wb Oc (FWO)", "Bank of China",
		"Central Bank Org (CBO)", "CBO", "US", "US$2 million", "5%", "12 May 2024", "$3bn",
		"(", ")", "and", "and", ",", ",", ".", ".", "said", "met", "the", "of", "an engineer",
		"on Monday", "in Accra", "\n", "\n\n", "Reporting by", ":", "Pakistan", "Gold",
		"Georgia", "Tbilisi", "Atlanta", "the lead", "zinc", "tell US.", "TELL US.",
		"\nCHINA AND US SIGN DEAL\n"};
	const size_t np = sizeof phrases / sizeof *phrases;
	struct buf text, plain, other;
	buf_init(&text);
	buf_init(&plain);
	buf_init(&other);
	check_rng = 0x5DEECE66DULL;
	int differ = 0, reopened = 0;
	for (int k = 0; k < 200; k++) {
		/* mostly short texts, and some records of many definitions and people */
		size_t n = k % 50 == 49 ? 3000 + check_rand(3000) : 3 + check_rand(150);
		text.len = 0;
		buf_adds(&text, "");
		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_addc(&text, ' ');
			buf_adds(&text, phrases[check_rand((unsigned)np)]);
		}
		match_set_index(mat, MATCH_INDEX_NONE);
		mentions_of(&pipe_, text.p, text.len, &plain);
		reopened += strstr(plain.p, "=org:fa-wb-oc/3/1;") != NULL;
		for (int how = MATCH_INDEX_AUTO; how <= MATCH_INDEX_ALL; how += 2) {
			match_set_index(mat, (enum match_index)how);
			mentions_of(&pipe_, text.p, text.len, &other);
			if (strcmp(plain.p, other.p) != 0 && differ++ < 3)
				fprintf(stderr, "index %d differs on a text of %zu bytes: %.300s\n", how,
					text.len, text.p);
		}
	}
	match_set_index(mat, MATCH_INDEX_AUTO);
	CHECK(differ == 0);
	CHECK(reopened > 5); /* the uses of FWO inside the mention replaced were found */
	buf_clear(&text);
	buf_clear(&plain);
	buf_clear(&other);
}

int main(void)
{
	gazetteer *gaz = gaz_new();
	struct err err = {0};
	if (gaz_load_dir(gaz, "lexicons", NULL, &err) < 0) {
		fprintf(stderr, "%s:%ld: %s\n", err.source, err.line, err.msg);
		return 1;
	}
	/* and a form with brackets inside, for check_index() (no other text holds it) */
	char lex[] = "/tmp/entopic-test-lex-XXXXXX";
	int fd = mkstemp(lex);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	CHECK(f != NULL);
	if (f) {
		fputs("Xb (QX) Fa Wb Oc (FWO\torg:test-reopen\tORG\tTest Reopen\tname\texact\t-\t-\n",
		      f);
		fclose(f);
		CHECK(gaz_load(gaz, lex, NULL, &err) == 0);
		remove(lex);
	}
	matcher *mat = match_new(gaz, "models/rules.tsv", "models/patterns.tsv", &err);
	if (!mat) {
		fprintf(stderr, "%s:%ld: %s\n", err.source, err.line, err.msg);
		return 1;
	}
	pipe_.gaz = gaz;
	pipe_.match = mat;
	memo = pipe_memo_new(&pipe_, 0);
	arena_init(&arena);
	check_people_replay(mat);

	/* people after a title: their ids are slugs of their names, in any script */
	CHECK_STR(annotate("President \xC5\x81ukasz \xC3\x98ster-Bj\xC3\xB8rn said on Monday."),
		  "\xC5\x81ukasz \xC3\x98ster-Bj\xC3\xB8rn=person:lukasz-oster-bjorn;");
	CHECK_STR(annotate("The minister, Jean O'Neill, met Prime Minister Zo\xC3\xAB \xC3\x90uric."),
		  "Jean O'Neill=person:jean-oneill;Zo\xC3\xAB \xC3\x90uric=person:zoe-duric;");
	CHECK_STR(annotate("Chairman Kwame \t Mensah-Bonsu spoke."),
		  "Kwame \t Mensah-Bonsu=person:kwame-mensah-bonsu;");
	/* a person's name: the text with its white space made one space, names of every length
	 * and with the spaces on either side of every eighth byte */
	CHECK_STR(names("Chairman Kwame \t Mensah-Bonsu spoke."), "Kwame Mensah-Bonsu;");
	CHECK_STR(names("Chairman Yaw Badu spoke. Chairman Ab Cd spoke."), "Yaw Badu;Ab Cd;");
	CHECK_STR(names("Chairman Yaw  Badu spoke. Chairman Kwame\tMensah spoke."),
		  "Yaw Badu;Kwame Mensah;");
	CHECK_STR(names("Chairman Kwamena Mensah spoke. Chairman Kwamena  Mensah spoke."),
		  "Kwamena Mensah;Kwamena Mensah;");
	CHECK_STR(names("Chairman Kwamen Abenaaa Mensahhhh spoke. Chairman Kwamen  Abenaaa "
			"Mensahhhh spoke. Chairman Kwamen Abenaaa  Mensahhhh spoke."),
		  "Kwamen Abenaaa Mensahhhh;Kwamen Abenaaa Mensahhhh;Kwamen Abenaaa Mensahhhh;");
	CHECK_STR(names("Chairman Kwamenaa Abenaaa  Mensahhhh spoke. Chairman Kwamenaa\t\tMensah "
			"spoke."),
		  "Kwamenaa Abenaaa Mensahhhh;Kwamenaa Mensah;");
	/* and its id, eight bytes at a time: a space or an apostrophe on either side of every
	 * eighth byte, names of eight bytes and more */
	CHECK_STR(annotate("Chairman Kwamena Ofori spoke."), "Kwamena Ofori=person:kwamena-ofori;");
	CHECK_STR(annotate("Chairman Kwamenaa Ofori spoke."),
		  "Kwamenaa Ofori=person:kwamenaa-ofori;");
	CHECK_STR(annotate("Chairman Kwamen Ofori spoke."), "Kwamen Ofori=person:kwamen-ofori;");
	CHECK_STR(annotate("Chairman Kwamen O'Fori spoke."), "Kwamen O'Fori=person:kwamen-ofori;");
	CHECK_STR(annotate("Chairman Kwamenaa O'Neill Fori spoke."),
		  "Kwamenaa O'Neill Fori=person:kwamenaa-oneill-fori;");
	CHECK_STR(annotate("Chairman Yaw Ofori2 spoke."), "Yaw Ofori2=person:yaw-ofori2;");
	/* an acronym defined in the text, and its later uses */
	CHECK_STR(annotate("The Frontier Works Organisation (FWO) said FWO would help."),
		  "Frontier Works Organisation=org:frontier-works-organisation;"
		  "FWO=org:frontier-works-organisation;FWO=org:frontier-works-organisation;");

	/* partial names: any part of a person named in full, the last part preferred; the
	 * other capitalized words are no part */
	CHECK_STR(annotate("President Kwame Mensah met Prime Minister Jean Dupont in Accra. Later "
			   "Mensah said Dupont and Kwame agreed, Reuters reported. Jean left."),
		  "Kwame Mensah=person:kwame-mensah;Jean Dupont=person:jean-dupont;"
		  "Accra=city:accra;Mensah=person:kwame-mensah;Dupont=person:jean-dupont;"
		  "Kwame=person:kwame-mensah;Reuters=org:reuters;Jean=person:jean-dupont;");
	/* many people, many parts (their table of hashes is full of neighbours): each found */
	CHECK_STR(annotate("President Kwame Mensah arrived. President Efua Owusu arrived. President "
			   "Kofi Boateng arrived. President Ama Asante arrived. President Yaw Appiah "
			   "arrived. President Akua Darko arrived. President Kojo Badu arrived. "
			   "President Abena Agyei arrived. President Esi Ofori arrived. Later Mensah, "
			   "Owusu, Boateng, Asante, Appiah, Darko, Badu, Agyei and Ofori spoke; Kwame, "
			   "Efua, Kofi, Akua, Kojo, Abena and Esi too."),
		  "Kwame Mensah=person:kwame-mensah;Efua Owusu=person:efua-owusu;"
		  "Kofi Boateng=person:kofi-boateng;Ama Asante=person:ama-asante;"
		  "Yaw Appiah=person:yaw-appiah;Akua Darko=person:akua-darko;"
		  "Kojo Badu=person:kojo-badu;Abena Agyei=person:abena-agyei;"
		  "Esi Ofori=person:esi-ofori;Mensah=person:kwame-mensah;Owusu=person:efua-owusu;"
		  "Boateng=person:kofi-boateng;Asante=person:ama-asante;Appiah=person:yaw-appiah;"
		  "Darko=person:akua-darko;Badu=person:kojo-badu;Agyei=person:abena-agyei;"
		  "Ofori=person:esi-ofori;Kwame=person:kwame-mensah;Efua=person:efua-owusu;"
		  "Kofi=person:kofi-boateng;Akua=person:akua-darko;Kojo=person:kojo-badu;"
		  "Abena=person:abena-agyei;Esi=person:esi-ofori;");
	/* a part on a weak mention takes its place; a part on no mention goes in before the
	 * later mentions, which later passes still find where they lie */
	CHECK_STR(annotate("Michael Jordan scored. Later Jordan said he was tired."),
		  "Michael Jordan=person:michael-jordan;Jordan=person:michael-jordan;");
	CHECK_STR(annotate("President Kwame Mensah arrived. Later Mensah paid US$5 million."),
		  "Kwame Mensah=person:kwame-mensah;Mensah=person:kwame-mensah;US$5 million=MONEY;");
	/* family members: a run that ends with the surname of a person found before it or
	 * in the same pass, and not without one */
	CHECK_STR(annotate("President Kwame Mensah arrived. He met Efua Mensah there."),
		  "Kwame Mensah=person:kwame-mensah;Efua Mensah=person:efua-mensah;");
	CHECK_STR(annotate("President Kwame Mensah arrived. He met Efua Mensah and Kofi Owusu."),
		  "Kwame Mensah=person:kwame-mensah;Efua Mensah=person:efua-mensah;"
		  "Kofi Owusu=person:kofi-owusu;");
	/* a chain in one pass: a family member, the list after them, the list's own family */
	CHECK_STR(annotate("President Kwame Mensah arrived. He met Efua Mensah and Zoltq Brmak "
			   "there. On Monday, Qwyx Brmak spoke of it."),
		  "Kwame Mensah=person:kwame-mensah;Efua Mensah=person:efua-mensah;"
		  "Zoltq Brmak=person:zoltq-brmak;Qwyx Brmak=person:qwyx-brmak;");
	CHECK_STR(annotate("Shehbaz Sharif arrived. He met Ayesha Sharif there."),
		  "Shehbaz Sharif=person:shehbaz-sharif;Ayesha Sharif=person:ayesha-sharif;");
	CHECK_STR(annotate("He met Efua Mensah there."), "");
	/* a family member named before the person in full: the second pass over the record
	 * finds them, and the list that goes on after them */
	CHECK_STR(annotate("He met Efua Mensah there. Later President Kwame Mensah arrived."),
		  "Efua Mensah=person:efua-mensah;Kwame Mensah=person:kwame-mensah;");
	CHECK_STR(annotate("Pop stars Robbie Williams and Kylie Minogue provide voices in The Magic "
			   "Roundabout. Without the late Kenneth Williams doing the voices it "
			   "wouldnt be the same."),
		  "Robbie Williams=person:robbie-williams;Kylie Minogue=person:kylie-minogue;"
		  "Kenneth Williams=person:kenneth-williams;");
	/* no first name in the rules' not-name list: "Park" ends a longer name here */
	CHECK_STR(annotate("The club is finalising funding for its new stadium in Stanley Park, "
			   "which is set to open in 2007."),
		  "");
	/* a list of people goes on after a surname a lexicon knows alone */
	CHECK_STR(annotate("On Monday, Trump and Zoltq Brmak visited the mine."),
		  "Trump=person:donald-trump;Zoltq Brmak=person:zoltq-brmak;");
	/* on a headline-style line capitals make no name, below it they do */
	CHECK_STR(annotate("President Zoltq Brmak Visits Gold Mines\nThe deal was signed in May."),
		  "Gold=mineral:gold;");
	CHECK_STR(annotate("President Zoltq Brmak Visits Mines\nThe deal was signed by President "
			   "Zoltq Brmak in May."),
		  "Zoltq=person:zoltq-brmak;Brmak=person:zoltq-brmak;"
		  "Zoltq Brmak=person:zoltq-brmak;");
	/* a name whose first word is no name alone, a hyphen after it */
	CHECK_STR(annotate("Loans from the Inter-American Development Bank rose; Anglo-American fell."),
		  "Inter-American Development Bank=org:inter-american-development-bank;"
		  "Anglo-American=org:anglo-american;");
	/* a mention inside a longer name ("Air France") goes before the people are sought: the
	 * mentions after it are still known where they lie ("Hungary's" before a name) */
	CHECK_STR(annotate("He flew Air France, then Hungary's Zoltq Brmak won in Chad."),
		  "Hungary=country:HU;Zoltq Brmak=person:zoltq-brmak;Chad=country:TD;");
	/* a run of one capitalized word is no person, but an initial or a hyphen may go on */
	CHECK_STR(annotate("On Monday he met M. Zoltq and others."), "M. Zoltq=person:m-zoltq;");
	CHECK_STR(annotate("On Monday he met Brmak-Zoltq Qwerty, an engineer, there."),
		  "Brmak-Zoltq Qwerty=person:brmak-zoltq-qwerty;");
	/* a list of people goes on over "and", not over a word alone that reads "and" */
	CHECK_STR(annotate("It was said by President Kwame Mensah and\nZoltq Brmak spoke of it."),
		  "Kwame Mensah=person:kwame-mensah;Zoltq Brmak=person:zoltq-brmak;");
	CHECK_STR(annotate("It was said by President Kwame Mensah, And\nZoltq Brmak spoke of it."),
		  "Kwame Mensah=person:kwame-mensah;");
	/* a shorter name found by pattern links to a longer person it begins, before or after
	 * it, not to one it does not begin */
	CHECK_STR(annotate("President Zoltq Brmak arrived. Later President Zoltq Brmak Qwyx "
			   "arrived, then President Qwyx Zoltq Brmak arrived."),
		  "Zoltq Brmak=person:zoltq-brmak-qwyx;Zoltq Brmak Qwyx=person:zoltq-brmak-qwyx;"
		  "Qwyx Zoltq Brmak=person:qwyx-zoltq-brmak;");
	CHECK_STR(annotate("President Zoltq Brmak Qwyx arrived. Later President Zoltq Brmak "
			   "arrived."),
		  "Zoltq Brmak Qwyx=person:zoltq-brmak-qwyx;Zoltq Brmak=person:zoltq-brmak-qwyx;");
	/* a title in lower case: a name may start there too */
	CHECK_STR(annotate("It was said by the chairman Zoltq Brmak on Monday."),
		  "Zoltq Brmak=person:zoltq-brmak;");
	/* a form whose case counts: the text as the form is written, or in capitals where the
	 * form has them, and not the same letters in lower case (the same length) */
	CHECK_STR(annotate("Tell us about the US and Chad, not chad."),
		  "US=country:US;Chad=country:TD;");
	CHECK_STR(annotate("He flew to CHAD on Monday."), "CHAD=country:TD;");
	/* pattern entities, of the patterns' types, beside lexicon mentions ("US$") */
	CHECK_STR(annotate("$3.5 billion and 7% on 12 May 2024, then US$2 million."),
		  "$3.5 billion=MONEY;7%=PERCENT;12 May 2024=DATE;US$2 million=MONEY;");

	/* hits that swallow a country's abbreviation, that overlap (the earlier, longer one
	 * wins) and that lie beside other mentions, each in its place */
	CHECK_STR(annotate("US$2.2 billion, or 5%, went to the US in May 2024; the US 3% rise and "
			   "UK\xC2\xA3" "4 million on 3 May 2024 to 5 May 2024 in Chad (USD 7 million) "
			   "beat 40% of 2023's US$ 1bn."),
		  "US$2.2 billion=MONEY;5%=PERCENT;US=country:US;US=country:US;3%=PERCENT;"
		  "UK=country:GB;\xC2\xA3" "4 million=MONEY;3 May 2024=DATE;5 May 2024=DATE;"
		  "Chad=country:TD;USD 7 million=MONEY;40%=PERCENT;US$ 1bn=MONEY;");
	CHECK_STR(annotate("It cost $5 billion dollars and 7 million dollars, or 12.5 per cent on "
			   "May 3, 2024."),
		  "$5 billion=MONEY;7 million dollars=MONEY;12.5 per cent=PERCENT;May 3, 2024=DATE;");

	check_index(mat);

	check_numbering(gaz, 3);
	check_numbering(gaz, 16);
	check_numbering(gaz, 40);

	pipe_memo_free(memo);
	match_free(mat);
	gaz_free(gaz);
	arena_clear(&arena);
	return CHECK_DONE();
}
