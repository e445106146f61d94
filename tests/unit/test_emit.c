/* Unit tests of emit: numbers formatted without printf give printf's characters; strings
 * escaped as byte by byte; whole records as written by a plain reference writer. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "emit.h"
#include "normalize.h"
#include "topics.h"

static long differ;

static void same_as_printf(double v, int line)
{
	char want[400], got[32];
	snprintf(want, sizeof want, "%.4f", v);
	size_t n = emit_fixed4(got, v);
	if (n == 0 && (!isfinite(v) || fabs(v) >= 1073741824.0)) {
		check_pass++; /* left to printf */
	} else if (n == strlen(want) && strcmp(got, want) == 0) {
		check_pass++;
	} else if (differ++ < 20) {
		check_fail++;
		fprintf(stderr, "%s:%d: %.17g: '%.*s', printf '%s'\n", __FILE__, line, v, (int)n, got,
			want);
	} else {
		check_fail++;
	}
}
#define SAME(v) same_as_printf(v, __LINE__)

/* emit_string() one byte at a time, as it was before its word-at-a-time paths. */
static void ref_string(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	buf_addc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c >= 0x80) {
			int32_t cp;
			int l = norm_decode(p + i, n - i, &cp);
			if (cp == 0xFFFD && l == 1 && !(n - i >= 3 && memcmp(p + i, "\xEF\xBF\xBD", 3) == 0))
				buf_add(b, "\xEF\xBF\xBD", 3);
			else
				buf_add(b, p + i, (size_t)l);
			i += (size_t)l;
			continue;
		}
		i++;
		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c == '\n') {
			buf_add(b, "\\n", 2);
		} else if (c == '\r') {
			buf_add(b, "\\r", 2);
		} else if (c == '\t') {
			buf_add(b, "\\t", 2);
		} else if (c < 0x20) {
			char t[8];
			snprintf(t, sizeof t, "\\u%04x", c);
			buf_add(b, t, 6);
		} else {
			buf_addc(b, (char)c);
		}
	}
	buf_addc(b, '"');
}

/* Random strings of 0 to 40 bytes, each in a block of its own size (so that ASan sees a
 * read past it), mostly plain ASCII with now and then a byte to escape or a character of
 * several bytes, appended to output buffers of every fill. */
static void strings_as_reference(void)
{
	static const char *const odd[] = {"\"", "\\", "\n", "\r", "\t", "\x01", "\x1F", "\x7F",
					  "\xC3\xA9", "\xE2\x80\x99", "\xF0\x9F\x98\x80", "\xEF\xBF\xBD",
					  "\xFF", "\x80", "\xC3", "\xE2\x82", "\0"};
	struct buf got, want;
	buf_init(&got);
	buf_init(&want);
	long bad = 0;
	for (int k = 0; k < 200000; k++) {
		uint64_t r = check_rand64();
		size_t n = r % 41, m = 0;
		r >>= 6;
		char *s = malloc(n ? n : 1);
		while (m < n) {
			uint64_t q = check_rand64();
			const char *piece = q % 23 == 0 ? odd[(q >> 8) % (sizeof odd / sizeof *odd)] : NULL;
			size_t l = piece ? (*piece ? strlen(piece) : 1) : 1;
			if (m + l > n)
				l = n - m;
			if (piece)
				memcpy(s + m, piece, l);
			else
				s[m] = (char)(' ' + (q >> 8) % 95);
			m += l;
		}
		if (r % 64 == 0) { /* start again: small buffers, every fill */
			buf_clear(&got);
			buf_clear(&want);
		}
		size_t before = got.len;
		emit_string(&got, s, n);
		ref_string(&want, s, n);
		if (got.len != want.len || memcmp(got.p, want.p, got.len) != 0 ||
		    got.p[got.len] != '\0') {
			if (bad++ < 5)
				fprintf(stderr, "%s:%d: emit_string of %zu bytes: '%s'\n", __FILE__,
					__LINE__, n, got.p + before);
			buf_clear(&got);
			buf_clear(&want);
		}
		free(s);
	}
	CHECK(bad == 0);
	buf_clear(&got);
	buf_clear(&want);
}

/* The offset of byte b of s[0..n) in unit mode, counted from the start. */
static size_t ref_offset(const unsigned char *s, size_t n, size_t b, enum emit_offsets mode)
{
	if (mode == OFFSETS_BYTES)
		return b;
	size_t i = 0, u = 0;
	while (i < b && i < n) {
		int32_t cp;
		i += (size_t)norm_decode(s + i, n - i, &cp);
		u += mode == OFFSETS_UTF16 && cp >= 0x10000 ? 2 : 1;
	}
	return u;
}

static void ref_size(struct buf *b, size_t v)
{
	buf_printf(b, "%zu", v);
}

static bool ref_kept(const char *const *types, const char *type)
{
	if (!types)
		return true;
	for (; *types; types++)
		if (strcmp(*types, type) == 0)
			return true;
	return false;
}

/* emit_record() without a model, as OUTPUT.md says: offsets counted from the start of the
 * text for every mention, entities grouped by id with a scan of those seen before, then
 * ordered by count (most first), ties by first mention, with a stable insertion sort. */
static void ref_record(struct buf *b, const struct emit_opts *o, const struct input_rec *rec,
		       const struct mention *ms, size_t n)
{
	const unsigned char *t = (const unsigned char *)rec->text;
	buf_add(b, "{\"id\":", 6);
	buf_add(b, rec->id, rec->id_len);
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct input_field *f = &rec->fields[i];
		char key[64];
		snprintf(key, sizeof key, "%.*s", (int)f->key_len, f->key);
		if (strcmp(key, o->text_field) == 0 || strcmp(key, o->id_field) == 0 ||
		    strcmp(key, "id") == 0)
			continue;
		buf_addc(b, ',');
		ref_string(b, f->key, f->key_len);
		buf_addc(b, ':');
		buf_add(b, f->val, f->val_len);
	}
	buf_adds(b, ",\"mentions\":[");
	const struct entity **ents = malloc((n + 1) * sizeof *ents);
	size_t *count = malloc((n + 1) * sizeof *count), nent = 0, nout = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mention *m = &ms[i];
		if (!ref_kept(o->types, m->ent->type))
			continue;
		if (nout++)
			buf_addc(b, ',');
		buf_adds(b, "{\"start\":");
		ref_size(b, ref_offset(t, rec->len, m->ostart, o->offsets));
		buf_adds(b, ",\"end\":");
		ref_size(b, ref_offset(t, rec->len, m->oend, o->offsets));
		buf_adds(b, ",\"text\":");
		ref_string(b, rec->text + m->ostart, m->oend - m->ostart);
		buf_adds(b, ",\"type\":");
		ref_string(b, m->ent->type, strlen(m->ent->type));
		buf_adds(b, ",\"id\":");
		if (m->ent->id)
			ref_string(b, m->ent->id, strlen(m->ent->id));
		else
			buf_adds(b, "null");
		buf_adds(b, ",\"form\":");
		const char *form = m->src == SRC_REGEX ? "pattern" : gaz_kind_name(m->kind);
		ref_string(b, form, strlen(form));
		if (m->src == SRC_PATTERN)
			buf_adds(b, ",\"source\":\"pattern\"");
		else if (m->src == SRC_ACRONYM)
			buf_adds(b, ",\"source\":\"acronym\"");
		buf_addc(b, '}');
		if (!m->ent->id)
			continue;
		size_t k = 0;
		while (k < nent && strcmp(ents[k]->id, m->ent->id) != 0)
			k++;
		if (k == nent) {
			ents[nent] = m->ent;
			count[nent++] = 0;
		}
		count[k]++;
	}
	buf_adds(b, "],\"entities\":[");
	for (size_t i = 1; i < nent; i++) /* by count; first mentions are in order already */
		for (size_t j = i; j > 0 && count[j - 1] < count[j]; j--) {
			const struct entity *e = ents[j];
			size_t c = count[j];
			ents[j] = ents[j - 1];
			count[j] = count[j - 1];
			ents[j - 1] = e;
			count[j - 1] = c;
		}
	for (size_t k = 0; k < nent; k++) {
		const struct entity *e = ents[k];
		if (k)
			buf_addc(b, ',');
		buf_adds(b, "{\"id\":");
		ref_string(b, e->id, strlen(e->id));
		buf_adds(b, ",\"type\":");
		ref_string(b, e->type, strlen(e->type));
		buf_adds(b, ",\"name\":");
		ref_string(b, e->name, strlen(e->name));
		buf_adds(b, ",\"count\":");
		ref_size(b, count[k]);
		for (size_t a = 0; a < e->nattrs; a++) {
			const char *key = e->keys[a];
			if (strcmp(key, "id") == 0 || strcmp(key, "type") == 0 ||
			    strcmp(key, "name") == 0 || strcmp(key, "count") == 0)
				continue;
			buf_addc(b, ',');
			ref_string(b, key, strlen(key));
			buf_addc(b, ':');
			ref_string(b, e->vals[a], strlen(e->vals[a]));
		}
		buf_addc(b, '}');
	}
	buf_adds(b, "]}\n");
	free(ents);
	free(count);
}

/* Random records: texts of plain words, characters of two to four bytes and invalid bytes;
 * mentions on character boundaries (adjacent now and then) of entities whose ids repeat
 * across distinct entities (and one without id), in every offset unit, with and without
 * a type filter; then records with hundreds of mentions, past the small-record paths. */
static void records_as_reference(void)
{
	static const char *const pieces[] = {"China", "Lin Jian", " ", " ", ", ", "the ",
		"\xC3\xA9", "\xE2\x80\x99", "\xF0\x9F\x98\x80", "\xFF", "\x80", "\xE2\x82", "\n",
		"\"", "\\", "antimony", "US", "abcdefghijklmnopqrstuvwxyz"};
	static const char *const ids[] = {"country:CN", "person:lin-jian", "mineral:antimony",
		"country:US", "org:\"q\"", "person:x\xC3\xA9",
		/* ids longer than 16 bytes, whose plainness is known per entity: plain (by
		 * whole words or not), or not in their first, a middle or their last word */
		"person:seventeen1", "person:twenty-four-bytes", "person:twenty-five-bytes!",
		"org:thirty-three-bytes-of-an-id-x", "person:\"quoted\"-in-the-id",
		"person:the-last-byte-is-a-quote\"", "person:h\xC3\xA9l\xC3\xA8ne-dupont-x",
		"person:tab\tin-the-middle-of-it", "person:sixteen-b", "c:1", "c:2", "c:3", "c:4", "c:5",
		"c:6", "c:7", "c:8", "c:9", "c:10", "c:11", "c:12", "c:13", "c:14", "c:15",
		"c:16", "c:17", "c:18", "c:19", "c:20", "c:21"};
	static const char *const types[] = {"COUNTRY", "PERSON", "MINERAL", "MONEY"};
	static const char *const keys[] = {"country", "id", "iso3", "type", "name", "count",
		"role", "wiki\"data", "a-key-of-eighteen!", "plain"};
	static const char *const vals[] = {"CN", "x", "CHN", "y", "z", "7", "Spokes\\person",
		"Q\n148", "https://example.org/entity/Q148", "a value of twenty-nine bytes."};
	static const char *const keep[] = {"PERSON", "COUNTRY", NULL};
	/* names of 4 to 40 bytes, plain or not, around the lengths str_at() takes inline */
	static const char *const names[] = {"N\"a\xC3\xA9me", "Name", "Seventeen letters",
		"A Rather Longer Entity Name", "Thirty-two bytes of entity name!",
		"Thirty-three bytes: one too many.", "Twenty-five \"bytes\" long",
		"Twenty bytes, a tab\t", "\xC3\x89ighteen bytes  ok", "Sixteen   bytes.",
		"Thirty-two b\"tes of entity name!"};
	enum { NNAMES = sizeof names / sizeof *names };
	enum { NENT = 2 * sizeof ids / sizeof *ids + 1 };
	struct entity ents[NENT];
	char *idcopy[NENT];
	for (size_t k = 0; k < NENT; k++) { /* two distinct entities for each id */
		size_t i = k % (sizeof ids / sizeof *ids);
		idcopy[k] = k + 1 == NENT ? NULL : malloc(strlen(ids[i]) + 1);
		if (idcopy[k])
			strcpy(idcopy[k], ids[i]);
		ents[k] = (struct entity){.id = idcopy[k], .type = types[k % 4],
			.name = names[k % NNAMES], .keys = (const char **)keys + k % 6,
			.vals = (const char **)vals + k % 6, .nattrs = k % 5};
		/* the loader's id hash on some entities, 0 (not known) on the others */
		if (idcopy[k] && k % 2)
			ents[k].id_hash = hash_bytes(idcopy[k], strlen(idcopy[k]));
	}
	struct buf got, want, text;
	buf_init(&got);
	buf_init(&want);
	buf_init(&text);
	long bad = 0;
	for (int r = 0; r < 6000; r++) {
		bool big = r >= 5990;
		size_t npieces = big ? 2000 : check_rand(60);
		buf_clear(&text);
		buf_reserve(&text, 1);
		for (size_t i = 0; i < npieces; i++)
			buf_adds(&text, pieces[check_rand(sizeof pieces / sizeof *pieces)]);
		const unsigned char *t = (const unsigned char *)text.p;
		size_t len = text.len, nb = 0;
		size_t *bound = malloc((len + 1) * sizeof *bound);
		for (size_t i = 0; i < len;) {
			bound[nb++] = i;
			int32_t cp;
			i += (size_t)norm_decode(t + i, len - i, &cp);
		}
		bound[nb++] = len;
		struct mention *ms = malloc((nb + 1) * sizeof *ms);
		size_t n = 0;
		size_t nid = big ? sizeof ids / sizeof *ids : 15; /* (the ids before "c:1") */
		for (size_t i = 0; i + 1 < nb; i++) {
			if (check_rand(3))
				continue;
			size_t j = i + 1 + check_rand(3);
			if (j >= nb)
				break;
			size_t e = check_rand(nid) + (check_rand(2) ? sizeof ids / sizeof *ids : 0);
			if (check_rand(40) == 0)
				e = NENT - 1;
			ms[n++] = (struct mention){.ostart = (uint32_t)bound[i],
				.oend = (uint32_t)bound[j], .ent = &ents[e],
				.kind = (uint8_t)check_rand(KIND_NKINDS + 2), .src = (uint8_t)check_rand(5)};
			i = j - (check_rand(2) ? 1 : 0);
		}
		struct input_field fields[2] = {{"url", 3, "\"u\"", 3}, {"text", 4, "\"t\"", 3}};
		struct input_rec rec = {.source = "-", .line = 1, .text = text.p, .len = len,
			.id = "\"a1\"", .id_len = 4, .fields = fields, .nfields = r % 3 ? 2 : 1};
		/* the scanner's ASCII prefix, on half of the records (or a part of it) */
		size_t ascii = 0;
		while (ascii < len && t[ascii] < 0x80)
			ascii++;
		rec.ascii_len = r % 2 ? 0 : r % 4 == 2 ? ascii : check_rand(ascii + 1);
		struct annotation an;
		memset(&an, 0, sizeof an);
		an.mentions = ms;
		an.nmentions = n;
		struct emit_opts o = {.offsets = (enum emit_offsets)(r % 3), .text_field = "text",
			.id_field = "id", .types = r % 5 == 4 ? keep : NULL};
		buf_clear(&got);
		buf_clear(&want);
		emit_record(&got, &o, &rec, &an);
		ref_record(&want, &o, &rec, ms, n);
		if (got.len != want.len || memcmp(got.p, want.p, got.len) != 0) {
			if (bad++ < 3)
				fprintf(stderr, "%s:%d: record %d:\n  got  %s  want %s", __FILE__,
					__LINE__, r, got.p, want.p);
		}
		free(ms);
		free(bound);
	}
	CHECK(bad == 0);
	for (size_t k = 0; k < NENT; k++)
		free(idcopy[k]);
	buf_clear(&got);
	buf_clear(&want);
	buf_clear(&text);
}

/* The "topics" member: each score clamped to [0, 1] and written as printf's "%.4f" with
 * the trailing zeros and a bare point trimmed, after a name of every length class. */
static void scores_as_reference(void)
{
	char path[] = "/tmp/entopic-test-emit-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	static const char *const names[] = {"a", "sports", "trade_export_controls",
		"a-very-long-topic-name-beyond-sixteen.bytes"};
	enum { NT = sizeof names / sizeof *names };
	for (size_t t = 0; t < NT; t++)
		fprintf(fp, "%s\tbias\t0.5\n", names[t]);
	fclose(fp);
	struct err err;
	struct topics_model *m = topics_load(path, &err);
	remove(path);
	CHECK(m && topics_count(m) == NT);
	if (!m)
		return;
	struct buf got, want;
	buf_init(&got);
	buf_init(&want);
	struct input_rec rec = {.source = "-", .line = 1, .text = "", .len = 0, .id = "1",
		.id_len = 1};
	struct emit_opts o = {.text_field = "text", .id_field = "id", .model = m};
	long bad = 0;
	for (int r = 0; r < 40000; r++) {
		double sc[NT];
		for (size_t t = 0; t < NT; t++) {
			uint64_t x = check_rand64();
			switch (x % 6) {
			case 0: sc[t] = (double)(x >> 20 & 16383) / 10000.0; break; /* k / 10^4 */
			case 1: sc[t] = ((double)(x >> 20 & 16383) + 0.5) / 10000.0; break; /* ties */
			case 2: sc[t] = (double)(x >> 11) / 9007199254740992.0; break;
			case 3: sc[t] = nextafter((double)(x >> 20 & 16383) / 10000.0, x >> 40 & 1 ? 2 : -2); break;
			case 4: {
				static const double odd[] = {0, -0.0, 1, -1, 2, 1e-300, -1e-300, 0.99995,
					0.999949999, 0.00005, 0.00004999, INFINITY, -INFINITY, NAN};
				sc[t] = odd[(x >> 20) % (sizeof odd / sizeof *odd)];
				break;
			}
			default: memcpy(&sc[t], &x, sizeof x); /* any bit pattern */
			}
		}
		struct annotation an;
		memset(&an, 0, sizeof an);
		an.scores = sc;
		buf_clear(&got);
		buf_clear(&want);
		emit_record(&got, &o, &rec, &an);
		buf_adds(&want, "{\"id\":1,\"mentions\":[],\"entities\":[],\"topics\":{");
		for (size_t t = 0; t < NT; t++) {
			double v = sc[t] < 0 ? 0 : sc[t] > 1 ? 1 : sc[t];
			char num[400];
			size_t l = (size_t)snprintf(num, sizeof num, "%.4f", v);
			while (l > 1 && num[l - 1] == '0')
				l--;
			if (num[l - 1] == '.')
				l--;
			buf_printf(&want, "%s\"%s\":%.*s", t ? "," : "", names[t], (int)l, num);
		}
		buf_adds(&want, "}}\n");
		if (got.len != want.len || memcmp(got.p, want.p, got.len) != 0) {
			if (bad++ < 3)
				fprintf(stderr, "%s:%d: got  %s  want %s", __FILE__, __LINE__, got.p,
					want.p);
		}
	}
	CHECK(bad == 0);
	buf_clear(&got);
	buf_clear(&want);
	topics_free(m);
}

int main(void)
{
	static const double fixed[] = {0, -0.0, 1, -1, 0.5, 0.00005, 0.00004999, 0.00015, 0.99995,
		0.999949999, 0.03125, 0.09375, 0.15625, -0.03125, 1.03125, 2.5e-5, 1e-300, 5e-324,
		-5e-324, 0.1, 0.2, 0.3, 0.7, 12345.6789, -98765.43215, 1073741823.99995,
		1073741824.0, 1e15, -1e20, 123456789.00005};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		SAME(fixed[i]);
	SAME(INFINITY);
	SAME(-INFINITY);
	SAME(NAN);
	/* exact ties at the fourth decimal: k/20000 with 625 | k, and k/2^m */
	for (int k = -100000; k <= 100000; k += 625)
		SAME(k / 20000.0);
	for (int m = 1; m <= 20; m++)
		for (int k = 0; k < 64; k++)
			SAME((double)k / (double)(1 << m));
	/* every four-decimal value of [0, 1] and its neighbours */
	for (int k = 0; k <= 10000; k++) {
		double v = k / 10000.0;
		SAME(v);
		SAME(nextafter(v, 2));
		SAME(nextafter(v, -2));
		double h = (k + 0.5) / 10000.0;
		SAME(h);
		SAME(nextafter(h, 2));
		SAME(nextafter(h, -2));
	}
	/* random doubles: in [0, 1], in [-1000, 1000], and any bit pattern */
	for (int i = 0; i < 50000; i++) {
		uint64_t r = check_rand64();
		SAME((double)(r >> 11) / 9007199254740992.0);
		SAME(((double)(r >> 11) / 9007199254740992.0 - 0.5) * 2000);
		double v;
		memcpy(&v, &r, sizeof v);
		SAME(v);
	}
	strings_as_reference();
	records_as_reference();
	scores_as_reference();
	return CHECK_DONE();
}
