/* input: line readers use getline(), so a line has no length limit but memory; a whole
 * document is read into one buffer. A UTF-8 BOM at the start of a stream is skipped (offsets
 * count from the first character after it); CR before LF is dropped in line modes.
 *
 * A JSON Lines record is read by a scanner of our own, in one pass over the line: it checks
 * the JSON as jansson's parser does (RFC 8259, UTF-8 checked everywhere), decodes the text
 * field and writes every other field in jansson's canonical form, the one json_dumps() with
 * JSON_COMPACT gives: no whitespace; in strings \" \\ \b \f \n \r \t, other control
 * characters as \u00XX (upper-case hex), everything else (also '/' and DEL) as UTF-8;
 * integers as written, but -0 as 0. The scanner gives up on anything unusual: invalid JSON,
 * reals (their canonical form is jansson's %.17g rendering), integers of more than 18
 * digits, duplicate keys (jansson keeps the last value in the first place), a NUL in a key,
 * deep nesting, many keys in one object, a missing or non-string text. jansson then reads
 * the record again, and its result is turned into the same form: so error messages are
 * jansson's, and jansson stays the reference the tests compare the scanner with. The
 * canonical or decoded text is never longer than its source, so the scanner writes into a
 * buffer reserved once per record, without checks. */
#include "input.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct input {
	FILE *fp;
	bool own;
	char *path;
	struct input_opts opts;
	char *buf;       /* stdio's buffer of a file of its own */
	char *line;
	size_t cap;
	long lineno;
	bool done;
	char *path_id;   /* the id of a whole document */
	char lineno_id[24];
	struct input_scratch scratch;
};

#define READ_BUF ((size_t)64 << 10)

input *input_open(const char *path, const struct input_opts *opts, struct err *err)
{
	FILE *fp;
	bool own = false;
	if (strcmp(path, "-") == 0) {
		fp = stdin;
	} else {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			err_set(err, ERR_IO, path, 0, "is a directory");
			return NULL;
		}
		fp = fopen(path, "rb");
		if (!fp) {
			err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
			return NULL;
		}
		own = true;
	}
	input *in = xcalloc(1, sizeof *in);
	/* reads of 64 KB instead of stdio's 4 KB (a pipe's read still returns what is there);
	 * stdin's buffer is set before its first use, and stays */
	static char stdin_buf[READ_BUF];
	static bool stdin_set;
	if (own) {
		in->buf = xmalloc(READ_BUF);
		setvbuf(fp, in->buf, _IOFBF, READ_BUF);
	} else if (!stdin_set) {
		setvbuf(fp, stdin_buf, _IOFBF, READ_BUF);
		stdin_set = true;
	}
	in->fp = fp;
	in->own = own;
	in->path = xstrdup(path);
	in->opts = *opts;
	input_scratch_init(&in->scratch);
	return in;
}

bool input_pending(const input *in)
{
	if (in->done || in->opts.mode == INPUT_DOC)
		return true;
#ifdef __GLIBC__
	if (in->fp->_IO_read_ptr < in->fp->_IO_read_end) /* bytes left in stdio's buffer */
		return true;
	struct pollfd pfd = {fileno(in->fp), POLLIN, 0};
	return poll(&pfd, 1, 0) != 0; /* data, end of file, an error, or EINTR: read it */
#else
	return true;
#endif
}

void input_free(input *in)
{
	if (!in)
		return;
	if (in->own)
		fclose(in->fp);
	free(in->buf);
	input_scratch_clear(&in->scratch);
	free(in->path_id);
	free(in->line);
	free(in->path);
	free(in);
}

static void strip_bom(char **p, size_t *len)
{
	if (*len >= 3 && memcmp(*p, "\xEF\xBB\xBF", 3) == 0) {
		*p += 3;
		*len -= 3;
	}
}

static int read_all(input *in, struct input_rec *rec, struct err *err)
{
	size_t len = 0;
	for (;;) {
		if (len + 65536 + 1 > in->cap) {
			in->cap = in->cap ? in->cap * 2 : 1 << 16;
			while (in->cap < len + 65536 + 1)
				in->cap *= 2;
			in->line = xrealloc(in->line, in->cap);
		}
		size_t r = fread(in->line + len, 1, in->cap - len - 1, in->fp);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(in->fp))
		return err_set(err, ERR_IO, in->path, 0, "%s", strerror(errno));
	in->line[len] = '\0';
	char *p = in->line;
	strip_bom(&p, &len);
	rec->text = p;
	rec->len = len;
	in->path_id = input_path_id(in->path);
	rec->id = in->path_id;
	rec->id_len = strlen(in->path_id);
	return 1;
}

char *input_path_id(const char *path)
{
	json_t *j = json_string(path);
	if (!j) /* a file name that is not UTF-8 */
		j = json_stringn_nocheck(path, strlen(path));
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	char *id = xstrdup(s ? s : "null");
	free(s);
	return id;
}



void input_scratch_init(struct input_scratch *s)
{
	memset(s, 0, sizeof *s);
	buf_init(&s->b);
}

void input_scratch_clear(struct input_scratch *s)
{
	buf_clear(&s->b);
	free(s->f);
	free(s->off);
	json_decref(s->doc);
	memset(s, 0, sizeof *s);
}

/* A new field whose key and value start at the given offsets of s->b. */
static struct input_field *add_field(struct input_scratch *s, size_t key, size_t val)
{
	if (s->nf == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->f = xrealloc(s->f, s->cap * sizeof *s->f);
		s->off = xrealloc(s->off, 2 * s->cap * sizeof *s->off);
	}
	s->off[2 * s->nf] = key;
	s->off[2 * s->nf + 1] = val;
	return &s->f[s->nf++];
}

/* The fields' pointers, once s->b stops moving. */
static void fix_fields(struct input_scratch *s, struct input_rec *rec)
{
	for (size_t i = 0; i < s->nf; i++) {
		s->f[i].key = s->b.p + s->off[2 * i];
		s->f[i].val = s->b.p + s->off[2 * i + 1];
	}
	rec->fields = s->f;
	rec->nfields = s->nf;
}

/* ---- the scanner ---- */

#define SCAN_MAX_DEPTH 64 /* deeper records go to jansson (its limit is 2048) */
#define SCAN_MAX_KEYS 512 /* keys of the open objects, for the duplicate check */

struct scan {
	const unsigned char *p, *end;
	char *o; /* output cursor */
	bool high;   /* a byte from 0x80 was written (by any string since it was cleared) */
	char *high_at; /* where the first of them went */
	size_t nkeys;
	struct {
		const char *s;
		size_t len;
	} keys[SCAN_MAX_KEYS];
};

static bool is_ws(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && is_ws(*sc->p))
		sc->p++;
}

static bool at(struct scan *sc, unsigned char c)
{
	return sc->p < sc->end && *sc->p == c;
}

/* Length of the valid UTF-8 sequence at p[0..n) (a lead byte >= 0x80), 0 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF are). */
static int utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	if (c < 0xC2 || c > 0xF4)
		return 0;
	if (c < 0xE0)
		return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		uint32_t cp = (c & 0x0F) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
		return cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : 3;
	}
	if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
		return 0;
	uint32_t cp = (c & 0x07) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
	return cp < 0x10000 || cp > 0x10FFFF ? 0 : 4;
}

/* The four hex digits at p[0..4) (n bytes available), or -1. */
static int32_t hex4(const unsigned char *p, size_t n)
{
	if (n < 4)
		return -1;
	int32_t v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v += (int32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v += (int32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v += (int32_t)(c - 'A' + 10);
		else
			return -1;
	}
	return v;
}

static char *put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3F));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* cp as jansson writes it in a string. */
static char *put_canon(char *o, uint32_t cp)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char esc[32] = {[8] = 'b', [9] = 't', [10] = 'n', [12] = 'f', [13] = 'r'};
	if (cp < 0x20) {
		*o++ = '\\';
		if (esc[cp]) {
			*o++ = esc[cp];
		} else {
			memcpy(o, "u00", 3);
			o[3] = hex[cp >> 4];
			o[4] = hex[cp & 15];
			o += 5;
		}
		return o;
	}
	if (cp == '"' || cp == '\\') {
		*o++ = '\\';
		*o++ = (char)cp;
		return o;
	}
	return put_utf8(o, cp);
}

/* The character a JSON escape \c stands for, by c: 'u' for \u (four hex digits follow), 0
 * for none. One lookup, where a switch would be a chain of branches on the text. */
static const char unescape[256] = {
	['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f', ['n'] = '\n',
	['r'] = '\r', ['t'] = '\t', ['u'] = 'u',
};

#ifdef __SSE2__
/* The 32 bytes at p copied to o, and the bits of those of them that are not plain
 * (str_not_plain32()): a step of scan_string(), with its constants k (or NULL). */
typedef unsigned plain32_fn(const unsigned char *p, char *o, const void *k);

static inline __attribute__((always_inline)) unsigned plain32(const unsigned char *p, char *o,
							      const void *k)
{
	(void)k;
	memcpy(o, p, 32);
	return str_not_plain32(p);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(INPUT_SSE2)
/* scan_decoded_avx2() beside scan_decoded(), taken where the CPU has AVX2 (INPUT_SSE2: never,
 * for a unit test of the other way on such a CPU) */
#define INPUT_AVX2 1
#include <immintrin.h>

/* The constants of plain32_avx2(): ' ', '"' and '\\' in every byte. Made once a call of
 * scan_decoded_avx2() and hidden from GCC (an empty asm), which would otherwise make some
 * again in every step, from a general register. */
struct plain32_consts {
	__m256i sp, qu, bs;
};

/* plain32() with AVX2: one load of the 32 bytes, the copy and the test made from it. */
static inline __attribute__((always_inline, target("avx2"))) unsigned
plain32_avx2(const unsigned char *p, char *o, const void *k)
{
	const struct plain32_consts *c = k;
	const __m256i v = _mm256_loadu_si256((const __m256i *)p);
	_mm256_storeu_si256((__m256i *)o, v);
	/* a byte below 0x20 or from 0x80 is below ' ' as a signed char */
	const __m256i bad = _mm256_or_si256(_mm256_cmpgt_epi8(c->sp, v),
					    _mm256_or_si256(_mm256_cmpeq_epi8(v, c->qu),
							    _mm256_cmpeq_epi8(v, c->bs)));
	return (unsigned)_mm256_movemask_epi8(bad);
}
#endif
#endif

/* The string at sc->p (its opening quote): written canonically, quotes included, or
 * decoded (canon false). A key may not hold U+0000. The plain bytes (str_plain_len()) go
 * 32 at a time with SSE2 (by step, with its constants consts: plain32(), or plain32_avx2()
 * in a function that may take AVX2, which a function that may not cannot inline; the
 * compiler puts the constant step in place): copied whole, before the test, so that a run
 * needs no memcpy() of its own length, with its branches; the bytes copied past the run's
 * end are written over next (the output is never longer than the source, so the copy
 * stays inside the buffer while 32 source bytes remain). */
#ifdef __SSE2__
#define PLAIN32_PARAM , plain32_fn *step, const void *consts
#else
#define PLAIN32_PARAM
#endif
static inline __attribute__((always_inline)) bool scan_string(struct scan *sc, bool canon,
								bool key PLAIN32_PARAM)
{
	const unsigned char *p = sc->p + 1, *end = sc->end;
	char *o = sc->o;
	if (canon)
		*o++ = '"';
	for (;;) {
#ifdef __SSE2__
		for (;;) {
			if (end - p < 32)
				goto tail;
			const unsigned m = step(p, o, consts);
			if (m) {
				unsigned k = (unsigned)__builtin_ctz(m);
				o += k;
				p += k;
				goto special;
			}
			o += 32;
			p += 32;
		}
	tail:;
#endif
		size_t run = str_plain_len((const char *)p, (size_t)(end - p));
		memcpy(o, p, run);
		o += run;
		p += run;
		if (p == end)
			return false;
#ifdef __SSE2__
	special:;
#endif
		unsigned c = *p;
		if (c == '"') {
			p++;
			break;
		}
		if (c >= 0x80) {
			if (!sc->high) {
				sc->high = true;
				sc->high_at = o;
			}
			int n = utf8_seq(p, (size_t)(end - p));
			if (!n)
				return false;
			memcpy(o, p, (size_t)n);
			o += n;
			p += n;
			continue;
		}
		if (c != '\\' || end - p < 2)
			return false; /* a control character */
		c = p[1];
		const char d = unescape[c];
		if (d == 'u') {
			int32_t cp = hex4(p + 2, (size_t)(end - p - 2));
			if (cp < 0)
				return false;
			p += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
					return false;
				int32_t lo = hex4(p + 2, (size_t)(end - p - 2));
				if (lo < 0xDC00 || lo > 0xDFFF)
					return false;
				p += 6;
				cp = ((cp - 0xD800) << 10) + (lo - 0xDC00) + 0x10000;
			} else if ((cp >= 0xDC00 && cp <= 0xDFFF) || (cp == 0 && key)) {
				return false;
			}
			if (cp >= 0x80 && !sc->high) {
				sc->high = true;
				sc->high_at = o;
			}
			o = canon ? put_canon(o, (uint32_t)cp) : put_utf8(o, (uint32_t)cp);
			continue;
		}
		if (!d)
			return false;
		if (canon && d != '/') { /* the canonical escape is the same two characters */
			*o++ = '\\';
			*o++ = (char)c;
		} else {
			*o++ = d;
		}
		p += 2;
	}
	if (canon)
		*o++ = '"';
	sc->p = p;
	sc->o = o;
	return true;
}

#ifdef __SSE2__
#define PLAIN32_ARG(f) , f, NULL
#else
#define PLAIN32_ARG(f)
#endif

/* scan_string() with canon known: two copies, without the tests of canon. */
static bool scan_canon(struct scan *sc, bool key)
{
	return scan_string(sc, true, key PLAIN32_ARG(plain32));
}

#ifdef INPUT_AVX2
/* scan_decoded() on a CPU with AVX2: the texts of the records, the most of the bytes read */
__attribute__((noinline, target("avx2"))) static bool scan_decoded_avx2(struct scan *sc,
									  bool key)
{
	struct plain32_consts c = {_mm256_set1_epi8(' '), _mm256_set1_epi8('"'),
				   _mm256_set1_epi8('\\')};
	__asm__("" : "+x"(c.sp), "+x"(c.qu), "+x"(c.bs));
	return scan_string(sc, false, key, plain32_avx2, &c);
}
#endif

static bool scan_decoded(struct scan *sc, bool key)
{
#ifdef INPUT_AVX2
	if (cpu_avx2())
		return scan_decoded_avx2(sc, key);
#endif
	return scan_string(sc, false, key PLAIN32_ARG(plain32));
}

/* An integer (a real, or more than 18 digits, is for jansson). */
static bool scan_number(struct scan *sc)
{
	const unsigned char *p = sc->p, *end = sc->end, *start = p;
	if (*p == '-')
		p++;
	const unsigned char *d = p;
	if (p < end && *p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	size_t nd = (size_t)(p - d);
	if (nd == 0 || nd > 18 || (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
		return false;
	if (d != start && nd == 1 && *d == '0') { /* -0 */
		*sc->o++ = '0';
	} else {
		memcpy(sc->o, start, (size_t)(p - start));
		sc->o += p - start;
	}
	sc->p = p;
	return true;
}

static bool scan_word(struct scan *sc, const char *w, size_t n)
{
	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, w, n) != 0)
		return false;
	memcpy(sc->o, w, n);
	sc->o += n;
	sc->p += n;
	return true;
}

/* Record the key k[0..len) of the object whose keys start at sc->keys[first]; false when it
 * is there already (or too many keys are open). Keys are compared in one form, decoded or
 * canonical: either maps strings one to one. */
static bool new_key(struct scan *sc, size_t first, const char *k, size_t len)
{
	for (size_t i = first; i < sc->nkeys; i++)
		if (sc->keys[i].len == len && memcmp(sc->keys[i].s, k, len) == 0)
			return false;
	if (sc->nkeys == SCAN_MAX_KEYS)
		return false;
	sc->keys[sc->nkeys].s = k;
	sc->keys[sc->nkeys].len = len;
	sc->nkeys++;
	return true;
}

static bool scan_value(struct scan *sc, int depth);

static bool scan_object(struct scan *sc, int depth)
{
	size_t first = sc->nkeys;
	sc->p++;
	*sc->o++ = '{';
	skip_ws(sc);
	if (!at(sc, '}')) {
		for (;;) {
			if (!at(sc, '"'))
				return false;
			char *k = sc->o;
			if (!scan_canon(sc, true) || !new_key(sc, first, k, (size_t)(sc->o - k)))
				return false;
			skip_ws(sc);
			if (!at(sc, ':'))
				return false;
			sc->p++;
			*sc->o++ = ':';
			if (!scan_value(sc, depth))
				return false;
			skip_ws(sc);
			if (!at(sc, ','))
				break;
			sc->p++;
			*sc->o++ = ',';
			skip_ws(sc);
		}
		if (!at(sc, '}'))
			return false;
	}
	sc->p++;
	*sc->o++ = '}';
	sc->nkeys = first;
	return true;
}

static bool scan_array(struct scan *sc, int depth)
{
	sc->p++;
	*sc->o++ = '[';
	skip_ws(sc);
	if (!at(sc, ']')) {
		for (;;) {
			if (!scan_value(sc, depth))
				return false;
			skip_ws(sc);
			if (!at(sc, ','))
				break;
			sc->p++;
			*sc->o++ = ',';
		}
		if (!at(sc, ']'))
			return false;
	}
	sc->p++;
	*sc->o++ = ']';
	return true;
}

/* The value after optional whitespace, at nesting depth (the record's own fields are at 1). */
static bool scan_value(struct scan *sc, int depth)
{
	skip_ws(sc);
	if (sc->p == sc->end)
		return false;
	switch (*sc->p) {
	case '"': return scan_canon(sc, false);
	case '{': return depth < SCAN_MAX_DEPTH && scan_object(sc, depth + 1);
	case '[': return depth < SCAN_MAX_DEPTH && scan_array(sc, depth + 1);
	case 't': return scan_word(sc, "true", 4);
	case 'f': return scan_word(sc, "false", 5);
	case 'n': return scan_word(sc, "null", 4);
	default:
		if (*sc->p == '-' || (*sc->p >= '0' && *sc->p <= '9'))
			return scan_number(sc);
		return false;
	}
}

/* Read a valid, ordinary record into s and rec; false leaves it to jansson (rec untouched,
 * s to be reset). */
static bool scan_record(const struct input_opts *opts, const char *line, size_t len,
			struct input_scratch *s, struct input_rec *rec)
{
	struct scan sc;
	sc.p = (const unsigned char *)line;
	sc.end = sc.p + len;
	sc.nkeys = 0;
	sc.high = false;
	buf_reserve(&s->b, len + 1);
	char *base = s->b.p;
	sc.o = base;
	size_t tl = strlen(opts->text_field), il = strlen(opts->id_field);
	const char *text = NULL, *id = NULL;
	size_t text_len = 0, id_len = 0;
	size_t ascii_len = 0;
	skip_ws(&sc);
	if (!at(&sc, '{'))
		return false;
	sc.p++;
	skip_ws(&sc);
	for (;;) {
		if (!at(&sc, '"'))
			return false;
		char *k = sc.o;
		if (!scan_decoded(&sc, true))
			return false;
		size_t kl = (size_t)(sc.o - k);
		if (!new_key(&sc, 0, k, kl))
			return false;
		bool is_text = kl == tl && memcmp(k, opts->text_field, tl) == 0;
		bool is_id = kl == il && memcmp(k, opts->id_field, il) == 0;
		skip_ws(&sc);
		if (!at(&sc, ':'))
			return false;
		sc.p++;
		skip_ws(&sc);
		if (is_text) {
			if (is_id || !at(&sc, '"'))
				return false;
			text = sc.o;
			sc.high = false;
			if (!scan_decoded(&sc, false))
				return false;
			text_len = (size_t)(sc.o - text);
			ascii_len = sc.high ? (size_t)(sc.high_at - text) : text_len;
			*sc.o++ = '\0';
		} else {
			char *v = sc.o;
			if (!scan_value(&sc, 1))
				return false;
			struct input_field *f = add_field(s, (size_t)(k - base), (size_t)(v - base));
			f->key_len = kl;
			f->val_len = (size_t)(sc.o - v);
			if (is_id && *v != 't' && *v != 'f' && *v != 'n' && *v != '[' && *v != '{') {
				id = v; /* a string or an integer */
				id_len = f->val_len;
			}
		}
		skip_ws(&sc);
		if (!at(&sc, ','))
			break;
		sc.p++;
		skip_ws(&sc);
	}
	if (!at(&sc, '}'))
		return false;
	sc.p++;
	skip_ws(&sc);
	if (sc.p != sc.end || !text)
		return false;
	s->b.len = (size_t)(sc.o - base);
	fix_fields(s, rec);
	rec->text = text;
	rec->len = text_len;
	if (id) {
		rec->id = id;
		rec->id_len = id_len;
	}
	rec->scanned = true;
	rec->ascii_len = ascii_len;
	return true;
}

/* ---- jansson, for every other record ---- */

static void set_error(struct input_rec *rec, const char *fmt, const char *a, const char *b)
{
	snprintf(rec->error, sizeof rec->error, fmt, a, b);
}

/* v serialized into s->b as the output copies it; returns its offset. */
static size_t add_json(struct input_scratch *s, json_t *v)
{
	size_t off = s->b.len;
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	buf_adds(&s->b, t ? t : "null");
	free(t);
	return off;
}

static void parse_jansson(const struct input_opts *opts, const char *line, size_t len,
			  struct input_scratch *s, struct input_rec *rec)
{
	json_error_t je;
	json_t *o = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!o) {
		set_error(rec, "invalid JSON: %s%s", je.text, "");
		return;
	}
	if (!json_is_object(o)) {
		set_error(rec, "a record is a JSON object, not %s%s",
			  json_is_array(o) ? "an array" : "a scalar", "");
		json_decref(o);
		return;
	}
	size_t id_off = 0, id_len = 0, text_off = 0;
	json_t *id = json_object_get(o, opts->id_field);
	if (id && (json_is_string(id) || json_is_integer(id) || json_is_real(id))) {
		id_off = add_json(s, id);
		id_len = s->b.len - id_off;
	}
	json_t *t = json_object_get(o, opts->text_field);
	if (!t) {
		set_error(rec, "no \"%s\" field%s", opts->text_field, "");
	} else if (!json_is_string(t)) {
		set_error(rec, "field \"%s\" is not a string%s", opts->text_field, "");
	} else {
		const char *k;
		json_t *v;
		json_object_foreach(o, k, v) {
			if (strcmp(k, opts->text_field) == 0)
				continue;
			size_t key = s->b.len, kl = strlen(k);
			buf_add(&s->b, k, kl);
			size_t val = add_json(s, v);
			struct input_field *f = add_field(s, key, val);
			f->key_len = kl;
			f->val_len = s->b.len - val;
		}
		text_off = s->b.len;
		buf_add(&s->b, json_string_value(t), json_string_length(t));
		buf_addc(&s->b, '\0');
		rec->len = json_string_length(t);
	}
	/* s->b stays as it is from here on */
	if (id_len) {
		rec->id = s->b.p + id_off;
		rec->id_len = id_len;
	}
	if (!rec->error[0]) {
		rec->text = s->b.p + text_off;
		fix_fields(s, rec);
	}
	if (opts->doc) {
		s->doc = o;
		rec->doc = o;
	} else {
		json_decref(o);
	}
}

void input_parse_jsonl(const struct input_opts *opts, const char *line, size_t len,
		       struct input_scratch *s, struct input_rec *rec)
{
	rec->text = NULL;
	rec->len = 0;
	rec->fields = NULL;
	rec->nfields = 0;
	rec->doc = NULL;
	rec->scanned = false;
	rec->error[0] = '\0';
	json_decref(s->doc);
	s->doc = NULL;
	s->b.len = 0;
	s->nf = 0;
	if (!opts->doc && scan_record(opts, line, len, s, rec))
		return;
	s->b.len = 0;
	s->nf = 0;
	parse_jansson(opts, line, len, s, rec);
}

int input_next(input *in, struct input_rec *rec, struct err *err)
{
	memset(rec, 0, sizeof *rec);
	rec->source = in->path;
	if (in->done)
		return 0;
	if (in->opts.mode == INPUT_DOC) {
		in->done = true;
		rec->line = 1;
		return read_all(in, rec, err);
	}
	ssize_t n;
again:
	errno = 0;
	n = getline(&in->line, &in->cap, in->fp);
	if (n < 0) {
		in->done = true;
		if (ferror(in->fp))
			return err_set(err, ERR_IO, in->path, in->lineno + 1, "%s", strerror(errno));
		return 0;
	}
	in->lineno++;
	rec->line = in->lineno;
	char *p = in->line;
	size_t len = (size_t)n;
	if (len && p[len - 1] == '\n')
		len--;
	if (len && p[len - 1] == '\r')
		len--;
	p[len] = '\0';
	if (in->lineno == 1)
		strip_bom(&p, &len);
	if (in->opts.mode == INPUT_JSONL && len == strspn(p, " \t\r"))
		goto again; /* a blank line is no record */
	rec->id = in->lineno_id;
	rec->id_len = fmt_uint(in->lineno_id, (uint64_t)in->lineno);
	in->lineno_id[rec->id_len] = '\0';
	if (in->opts.mode == INPUT_LINES || in->opts.raw) {
		rec->text = p;
		rec->len = len;
		return 1;
	}
	input_parse_jsonl(&in->opts, p, len, &in->scratch, rec);
	return 1;
}
