/* rules: targets and decisions. An entity's id_hash and type_hash stand for its strings in
 * the index of the rules: with them or without them (0: hashed by rules_decide()), the same
 * rules decide; a form target matches the span's words exactly, never a prefix. With a
 * memo of the record (struct rule_memo), the same decisions as without. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "rules.h"

static char path[] = "/tmp/entopic-test-rules-XXXXXX";

static struct arena arena;

/* The decision on the tokens [t0, t1) of text for e (NULL *link when not a link). */
static enum rule_action decide(const rules *r, const char *text, uint32_t t0, uint32_t t1,
			       const struct entity *e, bool ambiguous, const char **link)
{
	struct norm_text nt;
	struct tok_list tl;
	arena_reset(&arena);
	norm_text(&arena, text, strlen(text), &nt);
	tok_split(&arena, &nt, text, &tl);
	struct rule_ctx c = {text, &nt, &tl, t0, t1, e, ambiguous, KIND_NAME, NULL, NULL};
	*link = NULL;
	return rules_decide(r, &c, link);
}

/* e with its hashes (known) or without (0: the strings are hashed). */
static struct entity ent(const char *id, const char *type, bool hashed)
{
	struct entity e = {.id = id, .type = type, .name = id};
	if (hashed) {
		e.id_hash = hash_bytes(id, strlen(id));
		e.type_hash = hash_bytes(type, strlen(type));
	}
	return e;
}

/* The memo of a record keeps what the tests of the whole record (doc=) and of the whole
 * line (lineupper) found: on generated texts of lines in capitals and in lower case, with
 * and without the doc= words, every word decided on in text order and then in another
 * order with one memo per text, the decisions without a memo. */
static void check_memo(void)
{
	char mpath[] = "/tmp/entopic-test-rules-memo-XXXXXX";
	int fd = mkstemp(mpath);
	const char *text = "rule\tcountry:GE\tkeep\tdoc=tbilisi,batumi\n"
			   "rule\tcountry:GE\tdrop\tdoc=atlanta,peach\n"
			   "rule\tcountry:US\tdrop\tlineupper prev=tell\n"
			   "rule\tcountry:US\tkeep\tlineupper\n"
			   "rule\ttype:COUNTRY\tlink:country:XX\tdoc=zinc next=lead\n";
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	if (fd >= 0)
		close(fd);
	rules *r = rules_new();
	struct err e = {0};
	CHECK(rules_load(r, mpath, NULL, &e) == 0);
	unlink(mpath);
	static const char *const words[] = {"Georgia", "tbilisi", "Atlanta", "peach", "US",
					    "tell", "TELL", "zinc", "lead", "LEAD", "the", "THE",
					    "said", "\n", "\n", ".", ","};
	const size_t nw = sizeof words / sizeof *words;
	const struct entity ents[] = {ent("country:GE", "COUNTRY", true),
				      ent("country:US", "COUNTRY", true)};
	check_rng = 0xC0FFEE;
	int differ = 0, decided = 0;
	for (int k = 0; k < 300; k++) {
		char buf[4096];
		size_t o = 0, n = 1 + check_rand(k % 10 == 9 ? 600 : 40);
		for (size_t i = 0; i < n && o < sizeof buf - 16; i++)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s ", words[check_rand((unsigned)nw)]);
		struct norm_text nt;
		struct tok_list tl;
		arena_reset(&arena);
		norm_text(&arena, buf, o, &nt);
		tok_split(&arena, &nt, buf, &tl);
		struct rule_memo memo = {.doc = calloc(rules_memo_size(r) + 1, 1)};
		for (int pass = 0; pass < 2; pass++)
			for (size_t q = 0; q < tl.n; q++) {
				/* the second pass goes through the words in another order */
				uint32_t i = (uint32_t)(pass ? (q * 7919 + 13) % tl.n : q);
				for (size_t x = 0; x < sizeof ents / sizeof *ents; x++) {
					struct rule_ctx c = {buf, &nt, &tl, i, i + 1, &ents[x], false,
							     KIND_ABBREV, NULL, NULL};
					const char *l1 = NULL, *l2 = NULL;
					enum rule_action a1 = rules_decide(r, &c, &l1);
					c.memo = &memo;
					enum rule_action a2 = rules_decide(r, &c, &l2);
					differ += a1 != a2 || l1 != l2;
					decided += a1 != RULE_NONE;
				}
			}
		free(memo.doc);
	}
	CHECK(differ == 0);
	CHECK(decided > 1000);
	rules_free(r);
}

int main(void)
{
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	const char *text = "list\ttitle\tpresident minister\n"
			   "rule\tcountry:JO\tdrop\tnext=river\n"
			   "rule\tcountry:CL\tdrop\tdoc=andes next=river\n"
			   "rule\ttype:COUNTRY\tkeep\tprev=in\n"
			   "rule\ttype:CITY\tdrop\t*\n"
			   "rule\tform:new york\tlink:city:nyc\t*\n"
			   "rule\tambiguous\tdrop\tlower\n";
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return 1;
	close(fd);
	rules *r = rules_new();
	struct err e = {0};
	CHECK(rules_load(r, path, NULL, &e) == 0);
	arena_init(&arena);
	const char *link;
	for (int hashed = 0; hashed < 2; hashed++) {
		struct entity jo = ent("country:JO", "COUNTRY", hashed);
		struct entity cl = ent("country:CL", "COUNTRY", hashed);
		struct entity ny = ent("city:ny", "CITY", hashed);
		struct entity pe = ent("person:jordan", "PERSON", hashed);
		/* an id target, then the type's */
		CHECK(decide(r, "the Jordan river", 1, 2, &jo, false, &link) == RULE_DROP);
		CHECK(decide(r, "in Jordan today", 1, 2, &jo, false, &link) == RULE_KEEP);
		CHECK(decide(r, "in Chile river", 1, 2, &cl, false, &link) == RULE_KEEP);
		CHECK(decide(r, "the Chile river", 1, 2, &cl, false, &link) == RULE_NONE);
		/* every test of a rule holds, whatever the order they are asked in */
		CHECK(decide(r, "the Andes and Chile river", 3, 4, &cl, false, &link) == RULE_DROP);
		CHECK(decide(r, "the Andes and Chile today", 3, 4, &cl, false, &link) == RULE_NONE);
		CHECK(decide(r, "the Alps and Chile river", 3, 4, &cl, false, &link) == RULE_NONE);
		/* a type target before a form target (file order) */
		CHECK(decide(r, "in New York", 1, 3, &ny, false, &link) == RULE_DROP);
		/* a form target: the whole span, not a prefix of it nor a longer one */
		CHECK(decide(r, "in New York", 1, 3, &pe, false, &link) == RULE_LINK);
		CHECK_STR(link, "city:nyc");
		CHECK(decide(r, "in New Yorker", 1, 3, &pe, false, &link) == RULE_NONE);
		CHECK(decide(r, "in New York", 1, 2, &pe, false, &link) == RULE_NONE);
		CHECK(decide(r, "in New-York", 1, 4, &pe, false, &link) == RULE_NONE);
		CHECK(decide(r, "in Mew York", 1, 3, &pe, false, &link) == RULE_NONE);
		CHECK(decide(r, "in New Pork", 1, 3, &pe, false, &link) == RULE_NONE);
		/* the ambiguous target */
		CHECK(decide(r, "the jordan said", 1, 2, &pe, true, &link) == RULE_DROP);
		CHECK(decide(r, "the Jordan said", 1, 2, &pe, true, &link) == RULE_NONE);
	}
	/* the hashes are what the index is searched by: a wrong one finds no rule of the id */
	struct entity wrong = ent("country:JO", "COUNTRY", true);
	wrong.id_hash ^= 1;
	CHECK(decide(r, "the Jordan river", 1, 2, &wrong, false, &link) == RULE_NONE);
	/* and the strings what it is keyed by: another id or type with the hash of one that
	 * has rules gets none of them */
	struct entity other = ent("country:ZZ", "COUNTRY", true), jo = other;
	jo.id = "country:JO";
	other.id_hash = hash_bytes(jo.id, strlen(jo.id));
	CHECK(decide(r, "the Jordan river", 1, 2, &other, false, &link) == RULE_NONE);
	struct entity city = ent("city:ny", "CITY", true);
	city.type_hash = hash_bytes("COUNTRY", 7);
	CHECK(decide(r, "in Paris today", 1, 2, &city, false, &link) == RULE_NONE);
	rules_free(r);
	check_memo();
	arena_clear(&arena);
	unlink(path);
	return CHECK_DONE();
}
