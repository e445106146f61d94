/* Unit tests of input: the JSON Lines scanner against jansson as the reference (both read
 * every record, the scanner's result must be jansson's byte for byte), on hand-written and
 * on generated records, valid and invalid; the canonical forms it writes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "input.h"

static struct input_scratch fast, ref;
static long compared, scanned;

/* Parse line with the scanner and with jansson alone; check that both give the same record.
 * Returns the scanner's record (valid until the next call). */
static const struct input_rec *same(const char *text_field, const char *id_field, const char *line,
				    size_t len, int at)
{
	static struct input_rec a, b;
	struct input_opts o = {INPUT_JSONL, text_field, id_field, false, false};
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.id = b.id = "7";
	a.id_len = b.id_len = 1;
	input_parse_jsonl(&o, line, len, &fast, &a);
	o.doc = true;
	input_parse_jsonl(&o, line, len, &ref, &b);
	compared++;
	scanned += a.scanned;
	bool ok = strcmp(a.error, b.error) == 0 && a.id_len == b.id_len &&
		  memcmp(a.id, b.id, a.id_len) == 0 && !a.text == !b.text && a.len == b.len &&
		  (!a.text || (memcmp(a.text, b.text, a.len) == 0 && a.text[a.len] == '\0')) &&
		  a.nfields == b.nfields && !b.scanned && (!a.scanned || !a.error[0]);
	/* ascii_len: the text's bytes before the first from 0x80, when the scanner read it */
	size_t ascii = 0;
	while (a.text && ascii < a.len && (unsigned char)a.text[ascii] < 0x80)
		ascii++;
	ok = ok && a.ascii_len == (a.scanned ? ascii : 0) && b.ascii_len == 0;
	for (size_t i = 0; ok && i < a.nfields; i++) {
		const struct input_field *x = &a.fields[i], *y = &b.fields[i];
		ok = x->key_len == y->key_len && memcmp(x->key, y->key, x->key_len) == 0 &&
		     x->val_len == y->val_len && memcmp(x->val, y->val, x->val_len) == 0 &&
		     !memchr(x->key, '\0', x->key_len);
	}
	if (ok) {
		check_pass++;
	} else {
		check_fail++;
		fprintf(stderr, "%s:%d: scanner and jansson differ on '%.*s'\n", __FILE__, at,
			(int)(len > 300 ? 300 : len), line);
		fprintf(stderr, "    error '%s' / '%s', id '%.*s' / '%.*s', %zu / %zu fields\n",
			a.error, b.error, (int)a.id_len, a.id, (int)b.id_len, b.id, a.nfields,
			b.nfields);
		for (size_t i = 0; i < a.nfields && i < b.nfields; i++)
			fprintf(stderr, "    '%.*s': '%.*s' / '%.*s': '%.*s'\n",
				(int)a.fields[i].key_len, a.fields[i].key, (int)a.fields[i].val_len,
				a.fields[i].val, (int)b.fields[i].key_len, b.fields[i].key,
				(int)b.fields[i].val_len, b.fields[i].val);
	}
	return &a;
}

#define SAME(s) same("text", "id", s, strlen(s), __LINE__)

/* The scanner reads s itself (no jansson) and agrees with jansson. */
#define SCANS(s) CHECK(SAME(s)->scanned)
/* The scanner leaves s to jansson (and the result is still the same). */
#define FALLS(s) CHECK(!SAME(s)->scanned)

/* The value of field k of the record s, as the scanner gives it. */
static const char *field(const char *s, const char *k)
{
	static char v[256];
	const struct input_rec *r = same("text", "id", s, strlen(s), __LINE__);
	for (size_t i = 0; i < r->nfields; i++)
		if (r->fields[i].key_len == strlen(k) && memcmp(r->fields[i].key, k, strlen(k)) == 0) {
			snprintf(v, sizeof v, "%.*s", (int)r->fields[i].val_len, r->fields[i].val);
			return v;
		}
	return "(none)";
}

/* ---- generated records ---- */

static const char *const pieces[] = {
	"a", "China", " ", "\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\t", "\\u0000",
	"\\u001f", "\\u001F", "\\u0020", "\\u007f", "\\u00e9", "\\u00C9", "\\u2028", "\\uFFFF",
	"\\uD83D\\uDE00", "\\ud83d\\ude00", "\\uDBFF\\uDFFF", "\\uD800", "\\uDC00", "\\uD800x",
	"\\uD800\\u0041", "\\u12", "\\x", "\\", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
	"\x7F", "/", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\xE2\x82", "\t",
	"\x01", "'", "text", "id",
};

static bool long_strings; /* strings of up to 30 pieces, with plain runs between them */

static void gen_string(struct buf *b, bool clean)
{
	buf_addc(b, '"');
	int n = (int)check_rand(long_strings ? 30 : 6);
	for (int i = 0; i < n; i++) {
		if (long_strings) /* 0 to 39 plain bytes: the pieces fall in every lane of the
				   * scanner's 32-byte blocks */
			for (unsigned r = check_rand(40); r; r--)
				buf_addc(b, (char)('a' + r % 26));
		unsigned k = check_rand(sizeof pieces / sizeof *pieces);
		if (clean && k >= 23) /* only valid pieces */
			k = check_rand(23);
		buf_adds(b, pieces[k]);
	}
	buf_addc(b, '"');
}

static bool clean_ws; /* no invalid whitespace */

static void ws(struct buf *b)
{
	static const char *const w[] = {"", "", "", "", "", "", " ", "\t", "\r", "\n", "  ", "\f"};
	buf_adds(b, w[check_rand(clean_ws ? 11 : 12)]);
}

static void gen_value(struct buf *b, int depth, bool clean)
{
	static const char *const nums[] = {"0", "-0", "1", "-1", "42", "123456789012345678",
		"-123456789012345678", "1234567890123456789", "9223372036854775807",
		"-9223372036854775808", "9223372036854775808", "1.5", "-0.0", "1e3", "1E-2", "0.1",
		"01", "-", "1.", ".5", "+1", "1e", "2.5e+300", "1e999", "00", "-01"};
	static const char *const words[] = {"true", "false", "null", "tru", "nulll", "True", "nan"};
	switch (check_rand(depth > 4 ? 3 : 5)) {
	case 0: gen_string(b, clean); break;
	case 1: buf_adds(b, nums[check_rand(clean ? 7 : sizeof nums / sizeof *nums)]); break;
	case 2: buf_adds(b, words[check_rand(clean ? 3 : sizeof words / sizeof *words)]); break;
	case 3: {
		buf_addc(b, '[');
		int n = (int)check_rand(4);
		for (int i = 0; i < n; i++) {
			if (i)
				buf_addc(b, ',');
			ws(b);
			gen_value(b, depth + 1, clean);
			ws(b);
		}
		buf_addc(b, ']');
		break;
	}
	default: {
		buf_addc(b, '{');
		int n = (int)check_rand(4);
		for (int i = 0; i < n; i++) {
			if (i)
				buf_addc(b, ',');
			ws(b);
			static const char *const keys[] = {"\"a\"", "\"b\"", "\"c\"", "\"\\u0061\""};
			if (clean) /* distinct keys */
				buf_printf(b, "\"k%d\"", i);
			else if (check_rand(3))
				buf_adds(b, keys[check_rand(4)]);
			else
				gen_string(b, clean);
			ws(b);
			buf_addc(b, ':');
			ws(b);
			gen_value(b, depth + 1, clean);
		}
		buf_addc(b, '}');
	}
	}
}

/* A record: mostly an object with text, id and other fields; clean ones are valid JSON. */
static void gen_record(struct buf *b, bool clean)
{
	static const char *const keys[] = {"\"text\"", "\"id\"", "\"title\"", "\"n\"",
		"\"t\\u0065xt\"", "\"\\u0000k\"", "\"i\\u0064\"", "\"\""};
	b->len = 0;
	clean_ws = clean;
	ws(b);
	if (!clean && !check_rand(20)) {
		gen_value(b, 0, clean);
		return;
	}
	buf_addc(b, '{');
	int n = (int)check_rand(6);
	int text_at = (int)check_rand((unsigned)n + 1);
	for (int i = 0; i <= n; i++) {
		if (i)
			buf_addc(b, ',');
		ws(b);
		if (i == text_at)
			buf_adds(b, "\"text\"");
		else if (clean)
			buf_printf(b, "\"%s%d\"", i & 1 ? "id" : "f", i);
		else
			buf_adds(b, keys[check_rand(8)]);
		ws(b);
		buf_addc(b, ':');
		ws(b);
		if (i == text_at && (clean || check_rand(8)))
			gen_string(b, clean);
		else
			gen_value(b, 1, clean);
		ws(b);
	}
	buf_addc(b, '}');
	ws(b);
	if (!clean) { /* a few bytes changed, inserted or cut */
		int m = (int)check_rand(3);
		for (int i = 0; i < m && b->len; i++) {
			size_t at = check_rand((unsigned)b->len);
			static const char ch[] = "{}[]\",:\\ 0-e.\x80\xC3\x00u";
			switch (check_rand(3)) {
			case 0: b->p[at] = ch[check_rand(sizeof ch - 1)]; break;
			case 1: b->len = at; break;
			default:
				buf_reserve(b, 1);
				memmove(b->p + at + 1, b->p + at, b->len - at);
				b->len++;
				b->p[at] = ch[check_rand(sizeof ch - 1)];
			}
		}
	}
}

int main(void)
{
	check_rng = 88172645463325252u; /* the sequence these cases were written with */
	input_scratch_init(&fast);
	input_scratch_init(&ref);

	/* ordinary records: the scanner reads them */
	SCANS("{\"id\":\"a1\",\"text\":\"China and India\"}");
	SCANS("{\"text\":\"x\"}");
	SCANS("  {  \"id\" : 12 , \"text\" : \"x\" , \"tags\" : [ 1 , \"b\" , null , true ] }  ");
	SCANS("{\"id\":-5,\"text\":\"\",\"o\":{\"a\":{\"b\":[[],{}]},\"c\":false}}");
	SCANS("{\"text\":\"caf\\u00e9 \\ud83d\\ude00 \\/ \\\" \\\\ \\b\\f\\n\\r\\t \\u0000 end\"}");
	SCANS("{\"text\":\"x\",\"s\":\"\\u001f\\u007f\\u0080\\/\\u0022\\u005c\\u000B\"}");
	SCANS("{\"text\":\"x\",\"\\u00e9\\n\":1,\"a\\\"b\":2}");
	SCANS("{\"text\":\"x\",\"id\":null}");
	SCANS("{\"text\":\"x\",\"id\":[1]}");
	SCANS("{\"text\":\"x\",\"id\":{\"a\":1}}");
	SCANS("{\"text\":\"x\",\"n\":123456789012345678,\"m\":-123456789012345678}");
	SCANS("{\"text\":\"x\",\"n\":-0,\"a\":[-0,0]}");
	SCANS("{\"text\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\x7F\"}");
	SCANS("{\"text\":\"x\",\"o\":{\"a\":1,\"b\":{\"a\":2}},\"p\":{\"a\":3}}");
	SCANS("{\"text\":\"x\",\"id\":\"\\u00e9\"}");
	SCANS("\t{\"text\":\"x\"}\r\n");

	/* canonical forms: what json_dumps() writes */
	CHECK_STR(field("{\"text\":\"x\",\"s\":\"\\/\\u00e9\\u00E9\"}", "s"), "\"/\xC3\xA9\xC3\xA9\"");
	CHECK_STR(field("{\"text\":\"x\",\"s\":\"\\u001f\\u0001\\u0008\\u000c\"}", "s"),
		  "\"\\u001F\\u0001\\b\\f\"");
	CHECK_STR(field("{\"text\":\"x\",\"s\":\"\\u007F\\u0022\\u005C\"}", "s"),
		  "\"\x7F\\\"\\\\\"");
	CHECK_STR(field("{\"text\":\"x\",\"s\":\"\\uD83D\\uDE00\"}", "s"), "\"\xF0\x9F\x98\x80\"");
	CHECK_STR(field("{\"text\":\"x\",\"s\":\"a\\u0000b\"}", "s"), "\"a\\u0000b\"");
	CHECK_STR(field("{\"text\":\"x\",\"n\":-0}", "n"), "0");
	CHECK_STR(field("{\"text\":\"x\",\"a\" : [ 1 , { \"b\" : null } ]}", "a"), "[1,{\"b\":null}]");
	CHECK_STR(field("{\"text\":\"x\",\"\\u0065\":true}", "e"), "true");
	CHECK_STR(field("{\"text\":\"x\",\"n\":1.5}", "n"), "1.5");
	CHECK_STR(field("{\"text\":\"x\",\"n\":1e2}", "n"), "100.0");

	/* the text: decoded, NUL-terminated, NULs kept */
	const struct input_rec *r = SAME("{\"text\":\"a\\u0000b\\n\\u00e9\"}");
	CHECK(r->scanned && r->len == 6 && memcmp(r->text, "a\0b\n\xC3\xA9", 7) == 0);
	r = SAME("{\"id\":\"k\",\"text\":\"x\",\"id\":1}");
	CHECK(!r->scanned && r->id_len == 1 && r->id[0] == '1'); /* the last one counts */

	/* unusual or invalid: jansson reads them, its errors stand */
	FALLS("{\"text\":\"x\",\"n\":1.0}");
	FALLS("{\"text\":\"x\",\"id\":2.5}");
	FALLS("{\"text\":\"x\",\"n\":1234567890123456789}");
	FALLS("{\"text\":\"x\",\"n\":9223372036854775808}");
	FALLS("{\"text\":\"x\",\"n\":-9223372036854775809}");
	FALLS("{\"text\":\"x\",\"text\":\"y\"}");
	FALLS("{\"text\":\"x\",\"o\":{\"a\":1,\"a\":2}}");
	FALLS("{\"text\":\"x\",\"o\":{\"a\":1,\"\\u0061\":2}}");
	FALLS("{\"text\":\"x\",\"a\\u0000\":1}");
	FALLS("{\"text\":\"x\",\"o\":{\"a\\u0000\":1}}");
	FALLS("{\"text\":5}");
	FALLS("{\"text\":null}");
	FALLS("{\"id\":\"m\"}");
	FALLS("{}");
	FALLS("[1,2]");
	FALLS("\"a string\"");
	FALLS("42");
	FALLS("");
	FALLS("   ");
	FALLS("{\"text\":\"x\"");
	FALLS("{\"text\":\"x\"} x");
	FALLS("{\"text\":\"x\"}{}");
	FALLS("{\"text\":\"x\",}");
	FALLS("{\"text\":\"x\",\"a\":[1,]}");
	FALLS("{\"text\":\"x\",\"a\":[,1]}");
	FALLS("{\"text\":\"x\",\"a\":01}");
	FALLS("{\"text\":\"x\",\"a\":+1}");
	FALLS("{\"text\":\"x\",\"a\":.5}");
	FALLS("{\"text\":\"x\",\"a\":1.}");
	FALLS("{\"text\":\"x\",\"a\":-}");
	FALLS("{\"text\":\"x\",\"a\":tru}");
	FALLS("{\"text\":\"x\",\"a\":truex}");
	FALLS("{\"text\":\"x\",\"a\":nulll}");
	FALLS("{\"text\":\"x\",\"a\":True}");
	FALLS("{\"text\":\"x\",a:1}");
	FALLS("{'text':'x'}");
	FALLS("{\"text\":\"\\uD800\"}");
	FALLS("{\"text\":\"\\uDC00\"}");
	FALLS("{\"text\":\"\\uD800\\u0041\"}");
	FALLS("{\"text\":\"\\uD800\\n\"}");
	FALLS("{\"text\":\"\\u12\"}");
	FALLS("{\"text\":\"\\u12G4\"}");
	FALLS("{\"text\":\"\\x\"}");
	FALLS("{\"text\":\"\\'\"}");
	FALLS("{\"text\":\"a\tb\"}");
	FALLS("{\"text\":\"\xFF\"}");
	FALLS("{\"text\":\"\xC0\xAF\"}");
	FALLS("{\"text\":\"\xED\xA0\x80\"}");
	FALLS("{\"text\":\"\xF4\x90\x80\x80\"}");
	FALLS("{\"text\":\"\xE2\x82\"}");
	FALLS("{\"text\":\"x\"}\xC3\xA9");
	FALLS("\xEF\xBB\xBF{\"text\":\"x\"}");
	FALLS("{\"text\":\"x\"}\f");
	FALLS("{\"text\":\"x\",\"\\u00e9\":1,\"\xC3\xA9\":2}");
	same("text", "text", "{\"text\":\"x\"}", 12, __LINE__); /* the id is the text: jansson */
	same("text", "text", "{\"text\":5}", 10, __LINE__);
	{
		/* a NUL byte in the line */
		static const char nul[] = "{\"text\":\"x\",\"a\":1}\0";
		same("text", "id", nul, sizeof nul - 1, __LINE__);
		static const char nul2[] = "{\"text\":\"x\0\"}";
		same("text", "id", nul2, sizeof nul2 - 1, __LINE__);
	}
	{
		/* deep nesting: the scanner stops at its limit, jansson at its own */
		struct buf b;
		buf_init(&b);
		for (int depth = 60; depth <= 70; depth++) {
			b.len = 0;
			buf_adds(&b, "{\"text\":\"x\",\"a\":");
			for (int i = 0; i < depth; i++)
				buf_adds(&b, i & 1 ? "{\"k\":" : "[");
			buf_adds(&b, "1");
			for (int i = depth - 1; i >= 0; i--)
				buf_adds(&b, i & 1 ? "}" : "]");
			buf_addc(&b, '}');
			same("text", "id", b.p, b.len, __LINE__);
		}
		b.len = 0;
		for (int i = 0; i < 3000; i++)
			buf_addc(&b, '[');
		same("text", "id", b.p, b.len, __LINE__);
		/* many keys in one object */
		for (int n = 500; n <= 520; n += 20) {
			b.len = 0;
			buf_adds(&b, "{\"text\":\"x\"");
			for (int i = 0; i < n; i++)
				buf_printf(&b, ",\"k%d\":%d", i, i);
			buf_addc(&b, '}');
			same("text", "id", b.p, b.len, __LINE__);
		}
		buf_clear(&b);
	}

	/* other text and id fields */
	const char *rec = "{\"body\":\"x\",\"key\":\"k1\",\"text\":1,\"id\":[2]}";
	CHECK(same("body", "key", rec, strlen(rec), __LINE__)->scanned);
	rec = "{\"body\":\"x\",\"key\":3.5}";
	CHECK(!same("body", "key", rec, strlen(rec), __LINE__)->scanned);
	rec = "{\"b\\u00f6dy\":\"x\",\"k\\u0000\":1}";
	same("b\xC3\xB6" "dy", "k", rec, strlen(rec), __LINE__);
	rec = "{\"\":\"x\",\"id\":1}";
	CHECK(same("", "id", rec, strlen(rec), __LINE__)->scanned);

	/* generated records: valid ones, then anything */
	struct buf b;
	buf_init(&b);
	long before = scanned;
	for (int i = 0; i < 20000; i++) {
		gen_record(&b, true);
		same("text", "id", b.p, b.len, __LINE__);
	}
	CHECK(scanned - before > 15000); /* the scanner took most valid records */
	for (int i = 0; i < 60000; i++) {
		gen_record(&b, false);
		same("text", check_rand(4) ? "id" : "title", b.p, b.len, __LINE__);
	}
	for (int i = 0; i < 10000; i++) { /* ids of every kind */
		gen_record(&b, true);
		same("text", "id1", b.p, b.len, __LINE__);
	}
	long_strings = true; /* long strings, ending at every distance from the line's end */
	for (int i = 0; i < 20000; i++) {
		gen_record(&b, i & 1);
		same("text", "id", b.p, b.len, __LINE__);
	}
	buf_clear(&b);
	printf("%s: %ld records compared, %ld read by the scanner\n", __FILE__, compared, scanned);

	input_scratch_clear(&fast);
	input_scratch_clear(&ref);
	return CHECK_DONE();
}
