/* Unit tests of tokenize: categories, possessives, hyphens, abbreviations, CJK, flags. */
#include <string.h>

#include "check.h"
#include "reference.h"
#include "tokenize.h"

static struct arena a;

/* Tokens of s joined by '|' (normalized text), e.g. "china|'s". */
static const char *toks(const char *s, struct tok_list *tl)
{
	static char buf[1024];
	struct norm_text nt;
	arena_reset(&a);
	norm_text(&a, s, strlen(s), &nt);
	tok_split(&a, &nt, s, tl);
	size_t o = 0;
	for (size_t i = 0; i < tl->n; i++) {
		if (i)
			buf[o++] = '|';
		size_t l = tl->v[i].nend - tl->v[i].nstart;
		memcpy(buf + o, nt.s + tl->v[i].nstart, l);
		o += l;
	}
	buf[o] = '\0';
	return buf;
}


/* The tokenizer against the reference (the code before the fast paths), over the
 * reference normalization of the same text: every field of every token. */
static int same_tokens(const char *in, size_t n)
{
	struct norm_text nt, nt2;
	struct tok_list want, got;
	arena_reset(&a);
	if (ref_norm_text(&a, in, n, &nt) != 0 || norm_text(&a, in, n, &nt2) != 0)
		return 0;
	if (nt2.len != nt.len || memcmp(nt2.s, nt.s, nt.len) != 0)
		return 0;
	ref_tok_split(&a, &nt, in, &want);
	tok_split(&a, &nt2, in, &got);
	if (got.n != want.n)
		return 0;
	for (size_t i = 0; i < got.n; i++) {
		const struct token *g = &got.v[i], *w = &want.v[i];
		if (g->nstart != w->nstart || g->nend != w->nend || g->ostart != w->ostart ||
		    g->oend != w->oend || g->kind != w->kind || g->flags != w->flags ||
		    g->lists != w->lists || g->hash != w->hash ||
		    g->hash != hash_bytes(nt.s + g->nstart, g->nend - g->nstart))
			return 0;
	}
	return 1;
}

static void differential(void)
{
	static char buf[20000];
	uint64_t st = 0x2545F4914F6CDD1DULL;
	int bad = 0;
	for (int k = 0; k < 30000 && bad < 5; k++) {
		size_t n = ref_random_text(&st, buf, k % 100 == 0 ? sizeof buf : 1000);
		if (!same_tokens(buf, n)) {
			bad++;
			fprintf(stderr, "%s:%d: text %d (%zu bytes) tokenized apart from the reference\n",
				__FILE__, __LINE__, k, n);
		}
	}
	CHECK(bad == 0);
	/* every ASCII triple: apostrophes, dots and hyphens next to everything */
	for (int b = 0; b < 128; b++)
		for (int c = 0; c < 128; c++)
			for (int d = 0; d < 128; d += 1 + (d > 'z'))
				if (b != '\n' || c != '\n') {
					char t[5] = {'a', (char)b, (char)c, (char)d, 's'};
					if (!same_tokens(t, 5)) {
						CHECK(!"ascii");
						fprintf(stderr, "  a %02x %02x %02x s\n", b, c, d);
					}
				}
	/* ASCII words of 1 to 20 bytes in every case pattern, then 0 to 19 bytes of text:
	 * the eight-byte loads of the case flags, at the end of the text and away from it */
	static const char *const shapes[] = {"Abcdefghijklmnopqrst", "ABCDEFGHIJKLMNOPQRST",
					     "abcdefghijklmnopqrsT", "12345678901234567Abc",
					     "O'Briendon'tAbCdEfGh", "1234567890123456789a"};
	for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++)
		for (size_t wl = 1; wl <= 20; wl++)
			for (size_t tail = 0; tail < 20; tail++) {
				char t[48];
				memcpy(t, shapes[sh], wl);
				memcpy(t + wl, " x\xC3\x89y Zz. 1 ab cD efgh", tail);
				if (!same_tokens(t, wl + tail)) {
					CHECK(!"ascii word");
					fprintf(stderr, "  %s %zu %zu\n", shapes[sh], wl, tail);
				}
			}
	/* the eight-byte loads of the word scan: words of 1 to 20 bytes after prefixes that
	 * shift them against the normalized and the original text, ended by every kind of
	 * byte (those that end the word and those that continue it: apostrophes, the dot of
	 * "u.s.", letters that fold to ASCII, a dropped zero-width space, accents), possessive
	 * endings and apostrophes followed by ASCII and by other bytes, then 0 to 17 more
	 * bytes before the end of the text */
	static const char *const pre[] = {"", "x ", "\xC3\xA9 ", "\xEF\xAC\x81 ", "ab-",
					  "\xEF\xBC\xA3", "\xE2\x80\x8B", "1234567 "};
	static const char *const words[] = {"abcdefghijklmnopqrst", "ABCDEFGHIJKLMNOPQRST",
					    "a1B2c3D4e5F6g7H8i9J0", "1234567890123456789z",
					    "Zabcdefghijklmnopqrs", "sSsSsSsSsSsSsSsSsSsS"};
	static const char *const ends[] = {"", " ", "  ", "\n", "\n\n", "'", "'s", "'s ", "'t",
					   "s' ", ".", ".x", ".x.", ",", "-", "\xC3\xA9",
					   "\xE2\x80\x99", "\xE2\x80\x99s", "\xCC\x81",
					   "\xEF\xBC\xA1", "\xE2\x80\x8B" "b", "\xEF\xAC\x81",
					   "\xE6\x9E\x97", "\xFF", "\x01", "A", "'s\xC3\xA9",
					   "'\xC3\xA9", "'S", "'sa", "'1", "''", "'s'", "'d", "'ll ",
					   "' s", "'-", ".5", "'\xE2\x80\x99s"};
	static const char *const tails[] = {"", "z", " Ab 12 cd.", " Abcdefghijklmnopq"};
	for (size_t p = 0; p < sizeof pre / sizeof pre[0]; p++)
		for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
			for (size_t wl = 1; wl <= 20; wl++)
				for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++)
					for (size_t tl = 0; tl < sizeof tails / sizeof tails[0];
					     tl++) {
						char t[80];
						int n = snprintf(t, sizeof t, "%s%.*s%s%s", pre[p],
								 (int)wl, words[w], ends[e],
								 tails[tl]);
						if (!same_tokens(t, (size_t)n)) {
							CHECK(!"word end");
							fprintf(stderr, "  '%s'\n", t);
						}
					}
	/* a text of more tokens than the first array holds */
	memset(buf, '.', 5000);
	CHECK(same_tokens(buf, 5000));
	for (int k = 0; k < 5000; k++) /* words, spaces and punctuation: "a B,c d.E f" */
		buf[k] = "aB,c d.E f\n1"[k % 13];
	CHECK(same_tokens(buf, 5000));
	for (int k = 0; k < 5000; k++)
		buf[k] = k % 2 ? ' ' : 'x';
	CHECK(same_tokens(buf, 5000));
}

int main(void)
{
	struct tok_list tl;
	arena_init(&a);
	differential();
	CHECK_STR(toks("China\xE2\x80\x99s exports", &tl), "china|'s|exports");
	CHECK(tl.v[1].kind == TOK_POSS);
	CHECK_STR(toks("the Philippines' ports", &tl), "the|philippines|'|ports");
	CHECK(tl.v[2].kind == TOK_POSS);
	CHECK_STR(toks("Pakistan\xE2\x80\x93US ties", &tl), "pakistan|-|us|ties");
	CHECK(tl.v[1].kind == TOK_HYPHEN);
	CHECK_STR(toks("China-Pakistan rare-earth", &tl), "china|-|pakistan|rare|-|earth");
	CHECK_STR(toks("the U.S. and U.K.", &tl), "the|u.s.|and|u.k.");
	CHECK(tl.v[1].flags & TOKF_DOTTED);
	CHECK_STR(toks("George H.W. Bush", &tl), "george|h.w.|bush");
	CHECK_STR(toks("ends here. Next", &tl), "ends|here|.|next");
	CHECK_STR(toks("C\xC3\xB4te d'Ivoire and O'Brien don't", &tl),
		  "cote|d'ivoire|and|o'brien|don't");
	CHECK_STR(toks("'Iron brotherhood'China", &tl), "'|iron|brotherhood|'|china");
	CHECK_STR(toks("\xE6\x9E\x97\xE5\x89\x91\xE8\xAF\xB4", &tl), "\xE6\x9E\x97|\xE5\x89\x91|\xE8\xAF\xB4");
	CHECK(tl.v[0].kind == TOK_CJK);
	CHECK_STR(toks("\xD9\xBE\xD8\xA7\xDA\xA9\xD8\xB3\xD8\xAA\xD8\xA7\xD9\x86 \xD0\xA0\xD0\xBE\xD1\x81\xD1\x81\xD0\xB8\xD1\x8F", &tl),
		  "\xD9\xBE\xD8\xA7\xDA\xA9\xD8\xB3\xD8\xAA\xD8\xA7\xD9\x86|\xD1\x80\xD0\xBE\xD1\x81\xD1\x81\xD0\xB8\xD1\x8F");
	CHECK_STR(toks("27th 2,000", &tl), "27th|2|,|000");
	CHECK(tl.v[1].kind == TOK_NUM && tl.v[0].kind == TOK_WORD);
	CHECK_STR(toks("$500", &tl), "$|500");

	/* flags */
	toks("CHINA China china", &tl);
	CHECK(tl.v[0].flags & TOKF_ALL_UPPER);
	CHECK((tl.v[1].flags & TOKF_INIT_UPPER) && !(tl.v[1].flags & TOKF_ALL_UPPER));
	CHECK(!(tl.v[2].flags & TOKF_INIT_UPPER) && (tl.v[2].flags & TOKF_HAS_LOWER));
	toks("a\nb\n\nc", &tl);
	CHECK((tl.v[1].flags & TOKF_LINE_BEFORE) && !(tl.v[1].flags & TOKF_PARA_BEFORE));
	CHECK(tl.v[2].flags & TOKF_PARA_BEFORE);

	/* original offsets survive normalization */
	const char *s = "\xEF\xBB\xBF\xC3\x89t\xC3\xA9 Z\xC3\xBC" "rich";
	toks(s, &tl);
	CHECK(tl.n == 2);
	CHECK(tl.v[0].ostart == 3 && tl.v[0].oend == 8);
	CHECK(tl.v[1].ostart == 9 && tl.v[1].oend == strlen(s));
	/* a bad byte inside a word: the word is split there, offsets exact */
	toks("Pak\xFFistan", &tl);
	CHECK(tl.n == 3 && tl.v[1].ostart == 3 && tl.v[1].oend == 4 && tl.v[2].ostart == 4);

	arena_clear(&a);
	return CHECK_DONE();
}
