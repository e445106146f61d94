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

/* The 64-byte windows of tok_split(): texts long enough for several, with a probe (a byte
 * or a piece the windows stop at, leave to the other ways or take) at every offset, so
 * that it falls in every lane of a window and next to every window end; words of 1 to 34
 * bytes, so that word ends fall in every lane too and words cross window ends; prefixes
 * that move the original offsets forwards and backwards against the normalized ones (and
 * make the original shorter or longer than the normalized text, so that the last windows
 * read copies of the end of one text and not of the other); and every length of each
 * text, so that the text ends in every lane of the last windows. */
static void window_cases(void)
{
	static const char *const base[] = {
		"The quick brown Fox, jumps over 12 lazy DOGS - and cats; again and again. ",
		"a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 A Z ",
		"Supercalifragilisticexpialidocious antidisestablishmentarianism GOVERNMENTALLY x ",
		".,;!?-\"()[]{}*&^%$#@ \n\n..--  a1 B2 c3D  \n x \n\n\n y ",
		"ab abc abcd Abcde ABCDEF abcdefg abcdefgh Abcdefghi abcdefghij abcdefghijklmnop ",
		"China's bank's it's 1990's A's x's's JONES'S Jones' b's, c's. d'se d'sa 's ok's\n",
	};
	static const char *const pre[] = {"", "\xC3\xA9 ", "\xEF\xAC\x81 ", "\xE3\x8C\x80 ",
					  "\xE3\x8C\x80\xE3\x8C\x80\xE3\x8C\x80 "};
	static const char *const probe[] = {
		"", "'", "'s", "s'", "'t", "\xC3\xA9", "\xC3\x89", "\xE2\x80\x99", "\xE2\x80\x99s",
		"\n", "\n\n", "\n \n", "\t", "\r\n", ".", "u.s.", "A.", "a.b", "Q", "-", "\x7F",
		"\xFF", "\xC3\x9F", "\xEF\xAC\x81", "\xC2\xA0", "\xE2\x80\x8B", "\xE6\x9E\x97", "1",
		"99.5", "x'y", "  ", "ABCDEFGHIJKLMNOPQ", "\xCC\x81", "\x01",
		/* possessives, which the windows take, and their near misses */
		"a's", "a's,", "a'S", "a's'", "1's", "a'ss", "a's1", "s's's", "\xC3\xA9's", "a's\xC3\xA9",
		"a\xE2\x80\x99s", "a'\xC5\xBF", "a's-", "A's\n", "u.s.'s",
		/* the case flags and kinds the windows find by carries and tables: digits
		 * before the first letter, one-letter words before a dot or a space */
		"3D", "3Ds", "3dS", "12ab", "a1B", "Ab1", "x.", "I.", "e.g.", "U.S.A.", "1.", "-x-",
		"(a)", " 1 ", "A-B", "'s", "s's",
	};
	static char text[512];
	int bad = 0;
	for (size_t b = 0; b < sizeof base / sizeof base[0]; b++) {
		/* the base text, repeated: 300 bytes */
		char body[320];
		size_t bl = strlen(base[b]);
		for (size_t k = 0; k < 300; k++)
			body[k] = base[b][k % bl];
		for (size_t p = 0; p < sizeof pre / sizeof pre[0]; p++) {
			size_t pl = strlen(pre[p]);
			/* every length */
			memcpy(text, pre[p], pl);
			memcpy(text + pl, body, 300);
			for (size_t n = 0; n <= 300; n++)
				if (!same_tokens(text, pl + n) && bad++ < 5)
					fprintf(stderr, "  length %zu of base %zu, prefix %zu\n", n, b, p);
			/* every probe at every offset, and the NUL byte (one byte long) */
			for (size_t q = 0; q <= sizeof probe / sizeof probe[0]; q++) {
				const char *pr = q < sizeof probe / sizeof probe[0] ? probe[q] : "";
				size_t ql = q < sizeof probe / sizeof probe[0] ? strlen(pr) : 1;
				for (size_t off = 0; off <= 150; off++) {
					memcpy(text + pl, body, off);
					memcpy(text + pl + off, pr, ql);
					memcpy(text + pl + off + ql, body + off, 300 - off);
					if (!same_tokens(text, pl + ql + 300) && bad++ < 5)
						fprintf(stderr, "  probe %zu at %zu of base %zu, prefix %zu\n",
							q, off, b, p);
				}
			}
		}
		/* every byte value in every lane of the first windows */
		for (int c = 0; c < 256; c++)
			for (size_t off = 0; off < 140; off++) {
				memcpy(text, body, 200);
				text[off] = (char)c;
				if (!same_tokens(text, 200) && bad++ < 5)
					fprintf(stderr, "  byte %02x at %zu of base %zu\n", c, off, b);
			}
	}
	/* words of every length from 1 to 34, one after another, so that their ends and starts
	 * fall in every lane and across every window end; in lower, upper and mixed case, and
	 * digits */
	static const char *const wordsets[] = {"abcdefghijklmnopqrstuvwxyzabcdefgh",
					       "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH",
					       "Abcdefghijklmnopqrstuvwxyzabcdefgh",
					       "aBCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH",
					       "1234567890123456789012345678901234",
					       "12a4567890123456789012345678901234",
					       "123D567890123456789012345678901234",
					       "1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q"};
	for (size_t w = 0; w < sizeof wordsets / sizeof wordsets[0]; w++)
		for (size_t first = 1; first <= 34; first++) {
			size_t n = 0;
			for (size_t l = first; n + l + 1 < sizeof text; l = l % 34 + 1) {
				memcpy(text + n, wordsets[w], l);
				n += l;
				text[n++] = (l % 5 == 0) ? ',' : (l % 7 == 0) ? '\n' : ' ';
			}
			if (!same_tokens(text, n) && bad++ < 5)
				fprintf(stderr, "  words of set %zu from length %zu\n", w, first);
		}
	CHECK(bad == 0);
}

int main(void)
{
	struct tok_list tl;
	arena_init(&a);
	/* the AVX2 windows where the CPU has them, then the SSE2 ones on the same texts */
	bool wide = tok_wide(true);
	differential();
	window_cases();
	if (wide) {
		tok_wide(false);
		differential();
		window_cases();
		tok_wide(true);
	}
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
