/* emit: a direct JSON writer into a buffer (no DOM per record); the id and the passthrough
 * fields come from input as JSON text already. Offsets are converted from bytes in one
 * forward pass, since mentions are sorted and do not overlap. Numbers are formatted here,
 * not by printf, with the same characters printf's %zu and %.4f give. */
#include "emit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

/* For the small helpers of the per-mention path, which the compiler would otherwise call
 * (their calls cost more than their work). */
#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* buf_add() and buf_addc(), inline: the output is built from many small pieces. */
static inline void put(struct buf *b, const void *s, size_t n)
{
	if (b->cap - b->len <= n)
		buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void putch(struct buf *b, char c)
{
	if (b->cap - b->len <= 1)
		buf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

/* s[0..n) as a JSON string at o, which has room for STR_ROOM(n) bytes; returns the end of
 * what it wrote (no terminator). */
#define STR_ROOM(n) (6 * (n) + 10) /* \u00XX for every byte at most, and the word stores */

static char *string_at(char *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	*o++ = '"';
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Plain ASCII, the usual string, without calls: a string of 1 to 7 bytes in one word
	 * (two overlapping loads, then one store; the room reserved above holds it); a longer
	 * one eight bytes a copy, its last bytes by one load ending at end (rewriting bytes
	 * already copied). What is not plain goes on below. */
	if (n - 1 < 7) {
		uint64_t w;
		if (n >= 4) {
			uint32_t lo, hi;
			memcpy(&lo, p, 4);
			memcpy(&hi, end - 4, 4);
			w = lo | (uint64_t)hi << (8 * (n - 4));
		} else if (n >= 2) {
			uint16_t lo, hi;
			memcpy(&lo, p, 2);
			memcpy(&hi, end - 2, 2);
			w = lo | (uint64_t)hi << (8 * (n - 2));
		} else {
			w = *p;
		}
		if (!(str_not_plain8(w) & (~(uint64_t)0 >> (64 - 8 * n)))) {
			memcpy(o, &w, 8);
			o += n;
			p = end;
		}
	} else if (n >= 8) {
		while (end - p > 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (str_not_plain8(w))
				break;
			memcpy(o, &w, 8);
			o += 8;
			p += 8;
		}
		if (end - p <= 8) {
			uint64_t w;
			memcpy(&w, end - 8, 8);
			if (!str_not_plain8(w)) {
				memcpy(o + (end - p) - 8, &w, 8);
				o += end - p;
				p = end;
			}
		}
	}
#endif
	while (p < end) {
		size_t run = str_plain_len((const char *)p, (size_t)(end - p));
		if (run) {
			memcpy(o, p, run);
			o += run;
			p += run;
		}
		if (p == end)
			break;
		unsigned char c = *p;
		if (c >= 0x80) {
			int32_t cp;
			int l = norm_decode(p, (size_t)(end - p), &cp);
			if (cp == 0xFFFD && l == 1 && !(end - p >= 3 && memcmp(p, "\xEF\xBF\xBD", 3) == 0)) {
				memcpy(o, "\xEF\xBF\xBD", 3); /* an invalid byte */
				o += 3;
			} else {
				memcpy(o, p, (size_t)l);
				o += l;
			}
			p += l;
			continue;
		}
		p++;
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 15];
			o += 5;
		}
	}
	*o++ = '"';
	return o;
}

void emit_string(struct buf *out, const char *s, size_t n)
{
	if (out->cap - out->len <= STR_ROOM(n))
		buf_reserve(out, STR_ROOM(n));
	out->len = (size_t)(string_at(out->p + out->len, s, n) - out->p);
	out->p[out->len] = '\0';
}

/* string_at() inline for a string of 1 to 16 plain bytes (the types, ids, forms and most
 * mention texts): one or two overlapping loads, checked and stored whole (STR_ROOM(n) holds
 * the stores). Other strings go to string_at(). (Inline up to 32 bytes was tried: fewer
 * string_at() calls, more instructions in all.) */
ALWAYS_INLINE char *str_at(char *o, const char *s, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n - 1 < 16) {
		uint64_t a, b;
		if (n >= 8) {
			memcpy(&a, s, 8);
			memcpy(&b, s + n - 8, 8);
			if (str_not_plain8(a) | str_not_plain8(b))
				goto general;
			memcpy(o + 1 + n - 8, &b, 8);
		} else {
			if (n >= 4) {
				uint32_t lo, hi;
				memcpy(&lo, s, 4);
				memcpy(&hi, s + n - 4, 4);
				a = lo | (uint64_t)hi << (8 * (n - 4));
			} else if (n >= 2) {
				uint16_t lo, hi;
				memcpy(&lo, s, 2);
				memcpy(&hi, s + n - 2, 2);
				a = lo | (uint64_t)hi << (8 * (n - 2));
			} else {
				a = (unsigned char)*s;
			}
			if (str_not_plain8(a) & (~(uint64_t)0 >> (64 - 8 * n)))
				goto general;
		}
		memcpy(o + 1, &a, 8);
		o[0] = '"';
		o[n + 1] = '"';
		return o + n + 2;
	}
general:
#endif
	return string_at(o, s, n);
}

/* str_at() of a mention's text s[0..n), after which the record's text goes on for left
 * bytes from s: when those are 16 or more, a text of 1 to 16 plain bytes is one load of 16,
 * checked and stored whole (the room reserved for a mention holds them), without
 * str_at()'s tests of its length, which mention texts of every length made the processor
 * guess wrong. (A byte below 0x20 or from 0x80 is below ' ' as a signed char.) */
ALWAYS_INLINE char *text_at(char *o, const char *s, size_t n, size_t left)
{
#ifdef __SSE2__
	if ((n - 1 < 16) & (left >= 16)) {
		const __m128i x = _mm_loadu_si128((const __m128i *)s);
		const __m128i bad = _mm_or_si128(
			_mm_cmplt_epi8(x, _mm_set1_epi8(' ')),
			_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
				     _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
		if (!((unsigned)_mm_movemask_epi8(bad) & ((1u << n) - 1))) {
			o[0] = '"';
			_mm_storeu_si128((__m128i *)(o + 1), x);
			o[n + 1] = '"';
			return o + n + 2;
		}
	}
#else
	(void)left;
#endif
	return str_at(o, s, n);
}

/* str_at() of a string known to be plain (str_plain_len() is n), checked once where it is
 * written again and again (an entity's id, for its every mention): longer than 16 bytes,
 * copied a word at a time, its last word the one ending at its end; shorter, str_at(). */
ALWAYS_INLINE char *plain_at(char *o, const char *s, size_t n)
{
	if (n <= 16)
		return str_at(o, s, n);
	*o++ = '"';
	for (size_t k = 0; n - k > 8; k += 8)
		memcpy(o + k, s + k, 8);
	memcpy(o + n - 8, s + n - 8, 8);
	o[n] = '"';
	return o + n + 1;
}

/* Is s[0..n), n >= 8, plain (str_plain_len() n)? A word at a time, the last one the word
 * ending at its end. */
static inline bool plain8(const char *s, size_t n)
{
	uint64_t w, any = 0;
	for (size_t k = 0; n - k > 8; k += 8) {
		memcpy(&w, s + k, 8);
		any |= str_not_plain8(w);
	}
	memcpy(&w, s + n - 8, 8);
	return !(any | str_not_plain8(w));
}

/* emit_string(), with str_at() inline. */
ALWAYS_INLINE void put_str(struct buf *out, const char *s, size_t n)
{
	if (out->cap - out->len <= STR_ROOM(n))
		buf_reserve(out, STR_ROOM(n));
	out->len = (size_t)(str_at(out->p + out->len, s, n) - out->p);
	out->p[out->len] = '\0';
}

/* fmt_uint() at o, which has room for 20 bytes; returns the end. A number below 10^8 (every
 * offset and count of news) without a loop or a test of its length: its digits (with
 * leading zeros) made at once in one word, 4-digit halves split into 2-digit lanes, those
 * into digits, then written from the first digit not 0. fmt_uint()'s loop and its test of
 * the last pair were mispredicted for most offsets (whose number of digits varies); the
 * test here of four digits or more is not (a record's offsets grow). */
ALWAYS_INLINE char *uint_at(char *o, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (v < 10000) {
		/* t / 100 is t * 10486 >> 20 for t < 10^4; u / 10 is u * 103 >> 10 for u < 100 */
		uint32_t x = (uint32_t)v, q = x * 10486 >> 20;
		x = q | (x - q * 100) << 16;
		q = (x * 103 >> 10) & 0x000F000F;
		x = q | (x - q * 10) << 8;
		/* the leading zeros (all but the last digit of 0) are the low zero bytes */
		unsigned lead = (unsigned)__builtin_ctz(x | (uint32_t)1 << 24) / 8;
		x = (x | 0x30303030) >> (8 * lead);
		memcpy(o, &x, 4);
		return o + 4 - lead;
	}
	if (v < 100000000) {
		/* the same in 32-bit lanes: the high four digits, the low four */
		uint64_t x = v / 10000 | (v % 10000) << 32;
		uint64_t q = (x * 10486 >> 20) & 0x0000007F0000007FULL;
		x = q | (x - q * 100) << 16;
		q = (x * 103 >> 10) & 0x000F000F000F000FULL;
		x = q | (x - q * 10) << 8;
		unsigned lead = (unsigned)__builtin_ctzll(x | (uint64_t)1 << 56) / 8;
		x = (x | 0x3030303030303030ULL) >> (8 * lead);
		memcpy(o, &x, 8);
		return o + 8 - lead;
	}
#endif
	return o + fmt_uint(o, v);
}

/* The literal s (a string constant) at o; the end of it. */
#define LIT_AT(o, s) (memcpy(o, s, sizeof s - 1), (o) + sizeof s - 1)

/* Indentation for --pretty. */
static void nl(struct buf *out, const struct emit_opts *o, int depth)
{
	if (!o->pretty)
		return;
	putch(out, '\n');
	for (int i = 0; i < depth; i++)
		put(out, "  ", 2);
}

static void keyn(struct buf *out, const struct emit_opts *o, int depth, bool *first,
		 const char *k, size_t n)
{
	if (!*first)
		putch(out, ',');
	*first = false;
	nl(out, o, depth);
	put_str(out, k, n);
	put(out, o->pretty ? ": " : ":", o->pretty ? 2 : 1);
}

/* key() of the plain literal k at depth 1, quoted and with its colon at compile time for
 * the usual output (not --pretty). */
#define KEY_LIT(out, o, first, k) key_lit(out, o, first, "\"" k "\":", sizeof k + 2)

ALWAYS_INLINE void key_lit(struct buf *out, const struct emit_opts *o, bool *first,
			  const char *q, size_t n)
{
	if (o->pretty) {
		keyn(out, o, 1, first, q + 1, n - 3);
		return;
	}
	if (!*first)
		putch(out, ',');
	*first = false;
	put(out, q, n);
}

static bool key_is(const struct input_field *f, const char *s)
{
	return strncmp(f->key, s, f->key_len) == 0 && s[f->key_len] == '\0';
}

/* The separator before element k of an array or object at depth: with --pretty put here
 * with the line break; else left to the caller, which writes it into room reserved for
 * the element (1 returned when one is due). */
ALWAYS_INLINE size_t sep(struct buf *out, const struct emit_opts *o, bool pretty, int depth,
			 size_t k)
{
	if (!pretty)
		return k != 0;
	if (k)
		putch(out, ',');
	nl(out, o, depth);
	return 0;
}

/* Offset converter: bytes -> the requested unit, forward only. */
struct conv {
	const unsigned char *s;
	size_t len, byte, unit;
	enum emit_offsets mode;
	size_t ascii; /* s[0..ascii) is ASCII: offsets up to there are bytes */
};

/* The number of ASCII bytes s[i..lim) starts with (lim <= len, s[0..len) the text), a
 * block at a time. Without SSE2, a word at a time; a last part shorter than a word is read
 * as the word that ends at lim (its bytes before i shifted out). */
static inline size_t ascii_run(const unsigned char *s, size_t i, size_t lim, size_t len)
{
	const uint64_t highs = 0x8080808080808080ULL;
	size_t k = i;
	uint64_t w;
#ifdef __SSE2__
	/* 16 bytes a turn while s[0..len) holds them: the mask of their high bytes, and a bit
	 * at lim when lim is among them (or past them: bit 16), so that its first bit is the
	 * answer's end whatever ends it, without tests of what is left */
	for (; len - k >= 16; k += 16) {
		const size_t left = lim - k;
		const __m128i x = _mm_loadu_si128((const __m128i *)(s + k));
		const unsigned m = (unsigned)_mm_movemask_epi8(x) | 1u << (left < 16 ? left : 16);
		const unsigned z = (unsigned)__builtin_ctz(m);
		if (z < 16)
			return k - i + z;
	}
	(void)w;
	(void)highs;
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; lim - k >= 16; k += 16) {
		uint64_t w2;
		memcpy(&w, s + k, 8);
		memcpy(&w2, s + k + 8, 8);
		if ((w | w2) & highs)
			break;
	}
	for (; lim - k >= 8; k += 8) {
		memcpy(&w, s + k, 8);
		if (w & highs)
			return k - i + (size_t)__builtin_ctzll(w & highs) / 8;
	}
	if (k == lim)
		return lim - i;
	if (lim >= 8) {
		memcpy(&w, s + lim - 8, 8);
		w = (w >> (8 * (8 - (lim - k)))) & highs;
		return w ? k - i + (size_t)__builtin_ctzll(w) / 8 : lim - i;
	}
#else
	(void)w;
	(void)highs;
#endif
	while (k < lim && s[k] < 0x80)
		k++;
	return k - i;
}

ALWAYS_INLINE size_t conv_at(struct conv *c, size_t byte)
{
	if (c->mode == OFFSETS_BYTES || byte <= c->ascii)
		return byte;
	if (byte < c->byte) { /* never for sorted spans; restart to stay correct */
		c->byte = 0;
		c->unit = 0;
	}
	size_t lim = byte < c->len ? byte : c->len, i = c->byte, u = c->unit;
	while (i < lim) {
		size_t k = ascii_run(c->s, i, lim, c->len);
		i += k;
		u += k;
		if (i == lim)
			break;
		int32_t cp;
		i += (size_t)norm_decode(c->s + i, c->len - i, &cp);
		u += (c->mode == OFFSETS_UTF16 && cp >= 0x10000) ? 2 : 1;
	}
	c->byte = i;
	c->unit = u;
	return u;
}

static bool type_kept(const struct emit_opts *o, const char *type)
{
	if (!o->types)
		return true;
	for (const char *const *t = o->types; *t; t++)
		if (strcmp(*t, type) == 0)
			return true;
	return false;
}

/* Where a mention's ,"type":T,"id":I was first written for its entity (or, without an id,
 * its type): off bytes after the record's output began, n bytes long (0: not yet). Later
 * mentions copy it from there, without strlen() of the strings or their checks. */
struct frag {
	uint32_t off, n;
};

struct ent_count {
	const struct entity *e;
	size_t count, first;
	struct frag fr; /* e's (n 0 when not kept: then the strings are written again) */
	uint32_t tq;    /* the length of T in it, quotes and all */
};

static int cmp_ent(const void *a, const void *b)
{
	const struct ent_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Most mentioned first, ties by first mention: v[0..n) is in first-mention order, so an
 * insertion sort by count alone keeps it for the few entities of most records; qsort()
 * beyond, by both (a total order: any sort gives the same array). */
static void sort_ents(struct ent_count *v, size_t n)
{
	if (n > 16) {
		qsort(v, n, sizeof *v, cmp_ent);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct ent_count x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1].count < x.count; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The entities of a record's mentions, one per id, in first-mention order. Two hash tables
 * of mask + 1 slots each (a power of two, more than twice the distinct entities seen): one
 * by entity (most mentions of an id share one entity), one by id for an entity seen first.
 * Both start in the struct itself and move to the heap as they fill up; so does v, for a
 * record of more mentions than local_v holds (not cleared: filled as the groups come). */
struct ent_slot {
	const struct entity *e; /* by entity: the key; by id: the group's; NULL: empty */
	uint32_t ix;            /* into v */
	uint32_t h;             /* by id: the id's hash */
	uint32_t il;            /* by entity: strlen(e->id) */
	struct frag fr;         /* by entity: e's */
};

struct ent_groups {
	struct ent_count *v;
	size_t n, mask, seen;   /* seen: distinct entities */
	struct ent_slot *by_ent, *by_id;
	struct ent_slot local[2 * 32];
	struct ent_count local_v[64];
};

static void groups_init(struct ent_groups *g, size_t nmentions)
{
	g->v = nmentions < sizeof g->local_v / sizeof *g->local_v
		       ? g->local_v
		       : xmalloc((nmentions + 1) * sizeof *g->v);
	g->n = g->seen = 0;
	/* tables of 8 or 16 slots for a record of 3 or 7 mentions at most (no more distinct
	 * entities: the tables do not grow), fewer to clear */
	size_t slots = sizeof g->local / sizeof *g->local / 2;
	while (slots > 8 && 2 * nmentions <= slots / 2 - 1)
		slots /= 2;
	g->mask = slots - 1;
	/* an empty slot is one without e: only those cleared, four a turn (slots is a multiple
	 * of 4) */
	for (size_t i = 0; i < 2 * slots; i += 4) {
		g->local[i].e = NULL;
		g->local[i + 1].e = NULL;
		g->local[i + 2].e = NULL;
		g->local[i + 3].e = NULL;
	}
	g->by_ent = g->local;
	g->by_id = g->local + slots;
}

static void groups_clear(struct ent_groups *g)
{
	if (g->v != g->local_v)
		free(g->v);
	if (g->by_ent != g->local)
		free(g->by_ent);
}

static size_t ent_hash(const struct entity *e)
{
	return (size_t)(((uint64_t)(uintptr_t)e * 0x9E3779B97F4A7C15ULL) >> 32);
}

/* Twice the slots, the entries put again. */
static void groups_grow(struct ent_groups *g)
{
	size_t cap = 2 * (g->mask + 1), mask = cap - 1;
	struct ent_slot *t = xcalloc(2 * cap, sizeof *t), *by_id = t + cap;
	for (size_t i = 0; i <= g->mask; i++) {
		const struct ent_slot *se = &g->by_ent[i], *si = &g->by_id[i];
		if (se->e) {
			size_t h = ent_hash(se->e) & mask;
			while (t[h].e)
				h = (h + 1) & mask;
			t[h] = *se;
		}
		if (si->e) {
			size_t h = si->h & mask;
			while (by_id[h].e)
				h = (h + 1) & mask;
			by_id[h] = *si;
		}
	}
	if (g->by_ent != g->local)
		free(g->by_ent);
	g->by_ent = t;
	g->by_id = by_id;
	g->mask = mask;
}

/* groups_add() of an entity not seen before in the record; h is where the probe for it by
 * entity stopped. */
static struct ent_slot *groups_new(struct ent_groups *g, const struct entity *e,
					 size_t i, size_t h)
{
	if (2 * (g->seen + 1) > g->mask) {
		groups_grow(g);
		h = ent_hash(e) & g->mask;
		while (g->by_ent[h].e)
			h = (h + 1) & g->mask;
	}
	g->seen++;
	size_t il = strlen(e->id);
	/* the loader's hash of the id when it has one (0: an entity the matcher made) */
	uint32_t hid = (uint32_t)(e->id_hash ? e->id_hash : hash_bytes(e->id, il));
	size_t k = hid & g->mask;
	while (g->by_id[k].e && (g->by_id[k].h != hid || strcmp(g->by_id[k].e->id, e->id) != 0))
		k = (k + 1) & g->mask;
	struct ent_slot *si = &g->by_id[k];
	if (si->e) {
		g->v[si->ix].count++;
	} else {
		*si = (struct ent_slot){e, (uint32_t)g->n, hid, 0, {0, 0}};
		g->v[g->n++] = (struct ent_count){e, 1, i, {0, 0}, 0};
	}
	g->by_ent[h] = (struct ent_slot){e, si->ix, 0, (uint32_t)il, {0, 0}};
	return &g->by_ent[h];
}

/* Count mention i of e (e->id not NULL). Returns e's slot by entity, which keeps the
 * length of its id and where its mentions' strings were written. Inline: most mentions are
 * of an entity seen before. */
ALWAYS_INLINE struct ent_slot *groups_add(struct ent_groups *g, const struct entity *e,
						size_t i)
{
	size_t h = ent_hash(e) & g->mask;
	while (g->by_ent[h].e && g->by_ent[h].e != e)
		h = (h + 1) & g->mask;
	if (!g->by_ent[h].e)
		return groups_new(g, e, i, h);
	g->v[g->by_ent[h].ix].count++;
	return &g->by_ent[h];
}

/* A literal and its length, for struct tail. */
#define LIT(s) {s, sizeof s - 1}

_Static_assert(KIND_NKINDS == 5, "tail_lit[] has a literal for every kind");
_Static_assert(SRC_REGEX == 4, "tail_lit[] has a row for every source");

/* The end of a mention by its source and kind: the "form" member, gaz_kind_name() written
 * out (a test compares the two), or "pattern" for a pattern's own entity (SRC_REGEX);
 * then the "source" member of a person found by a title or an acronym's entity; then the
 * brace. One copy of 48 bytes (a constant size, into room that holds them), not tests of
 * the source. */
struct tail {
	char s[48];
	size_t n;
};

#define TAIL_ROW(src)                                                                        \
	{                                                                                    \
		[KIND_NAME] = LIT(",\"form\":\"name\"" src "}"),                              \
		[KIND_ABBREV] = LIT(",\"form\":\"abbreviation\"" src "}"),                    \
		[KIND_DEMONYM] = LIT(",\"form\":\"demonym\"" src "}"),                        \
		[KIND_ALIAS] = LIT(",\"form\":\"alias\"" src "}"),                            \
		[KIND_PARTIAL] = LIT(",\"form\":\"partial\"" src "}"),                        \
	}

static const struct tail tail_lit[SRC_REGEX + 1][KIND_NKINDS] = {
	[SRC_LEXICON] = TAIL_ROW(""),
	[SRC_PARTIAL] = TAIL_ROW(""),
	[SRC_PATTERN] = TAIL_ROW(",\"source\":\"pattern\""),
	[SRC_ACRONYM] = TAIL_ROW(",\"source\":\"acronym\""),
	[SRC_REGEX] = {LIT(",\"form\":\"pattern\"}"), LIT(",\"form\":\"pattern\"}"),
		       LIT(",\"form\":\"pattern\"}"), LIT(",\"form\":\"pattern\"}"),
		       LIT(",\"form\":\"pattern\"}")},
};

/* s[0..n) at o, s written before o in the same buffer (s + n <= o); the end. Up to 64
 * bytes (the usual case) as 64, all read before any is written (s + 64 may pass o): the
 * buffer holds 64 bytes from s and from o. */
ALWAYS_INLINE char *copy_at(char *o, const char *s, size_t n)
{
	if (n <= 64) {
		char t[64];
		memcpy(t, s, 64);
		memcpy(o, t, 64);
	} else {
		memcpy(o, s, n);
	}
	return o + n;
}

/* Is k (kl bytes) a member every entity has ("id", "type", "name", "count"), not written
 * again from its attributes? Its first two bytes and its length first (k[1] is there to
 * read, its terminator at least), in one test that is nearly always false: a test of k[0]
 * first was mispredicted for most attributes ("iso2", "iso3", "wikidata", ...). */
static inline bool own_key(const char *k, size_t kl)
{
	const unsigned two = (unsigned char)k[0] | (unsigned)(unsigned char)k[1] << 8;
#define TWO(a, b) ((unsigned)(a) | (unsigned)(b) << 8)
	if (!(((two == TWO('i', 'd')) & (kl == 2)) | ((two == TWO('t', 'y')) & (kl == 4)) |
	      ((two == TWO('n', 'a')) & (kl == 4)) | ((two == TWO('c', 'o')) & (kl == 5))))
		return false;
#undef TWO
	return strcmp(k, "id") == 0 || strcmp(k, "type") == 0 || strcmp(k, "name") == 0 ||
	       strcmp(k, "count") == 0;
}

/* v * 10^4 rounded as printf rounds it (from the exact binary value, half to even) into *q,
 * its sign into *neg; false when |v| >= 2^30 or v is not finite. */
ALWAYS_INLINE bool round4(double v, uint64_t *q, bool *neg)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	int ex = (int)(bits >> 52 & 0x7FF);
	if (ex >= 1023 + 30) /* 2^30 and more, inf, nan: never a score */
		return false;
	uint64_t m = bits & (((uint64_t)1 << 52) - 1);
	if (ex)
		m |= (uint64_t)1 << 52;
	else
		ex = 1;
	/* v = m * 2^(ex - 1075), so v * 10^4 = m * 625 * 2^(ex - 1071), m * 625 < 2^63 */
	uint64_t x = m * 625;
	int sh = 1071 - ex;
	if (sh <= 0) {
		*q = x << -sh;
	} else if (sh >= 64) {
		*q = 0; /* below 1/2 */
	} else {
		*q = x >> sh;
		uint64_t rem = x & (((uint64_t)1 << sh) - 1), half = (uint64_t)1 << (sh - 1);
		/* (no branch: which way it goes follows no pattern) */
		*q += (rem > half) | ((rem == half) & (*q & 1));
	}
	*neg = bits >> 63;
	return true;
}

size_t emit_fixed4(char *t, double v)
{
	uint64_t q;
	bool neg;
	if (!round4(v, &q, &neg))
		return 0;
	size_t n = 0;
	if (neg)
		t[n++] = '-';
	uint64_t ip = q / 10000;
	unsigned fp = (unsigned)(q % 10000);
	n += fmt_uint(t + n, ip);
	t[n++] = '.';
	t[n++] = (char)('0' + fp / 1000);
	t[n++] = (char)('0' + fp / 100 % 10);
	t[n++] = (char)('0' + fp / 10 % 10);
	t[n++] = (char)('0' + fp % 10);
	t[n] = '\0';
	return n;
}

/* A score: v clamped to [0, 1], four decimals, trailing zeros (and a bare point) trimmed:
 * stable and short. At o, which has room for 32 bytes; returns the end. */
static char *score_at(char *o, double v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	v = v < 0 ? 0 : v > 1 ? 1 : v;
	uint64_t q;
	bool neg;
	/* v * 10^4 as a double is within 2^-39 of the exact product (at most 10^4), so it
	 * rounds as the exact one does (as printf rounds) unless its fraction is near one half:
	 * those, and nan, are left to round4() */
	const double y = v >= 0 ? v * 10000.0 : 0; /* (not nan, for the conversion) */
	const int64_t t = (int64_t)y;
	const double f = y - (double)t - 0.5;
	if ((v >= 0) & (fabs(f) > 1e-6)) { /* (one test: the answer is nearly always yes) */
		uint64_t bits;
		memcpy(&bits, &v, sizeof bits);
		q = (uint64_t)t + (f > 0);
		neg = bits >> 63;
	} else if (!round4(v, &q, &neg)) { /* nan */
		char tmp[32];
		size_t l = (size_t)snprintf(tmp, sizeof tmp, "%.4f", v);
		memcpy(o, tmp, l);
		return o + l;
	}
	if (neg) /* -0 */
		*o++ = '-';
	/* q <= 10^4: its integer part is one digit */
	unsigned fp = (unsigned)(q % 10000);
	*o++ = (char)('0' + q / 10000);
	if (!fp)
		return o;
	*o = '.';
	memcpy(o + 1, pairs + 2 * (fp / 100), 2);
	memcpy(o + 3, pairs + 2 * (fp % 100), 2);
	/* the digits up to the last one not 0 */
	return o + (fp % 10 ? 5 : fp % 100 ? 4 : fp % 1000 ? 3 : 2);
}

void emit_record(struct buf *out, const struct emit_opts *o, const struct input_rec *rec,
		 const struct annotation *an)
{
	const char *text = rec->text;
	size_t len = rec->len;
	bool first = true;
	putch(out, '{');
	KEY_LIT(out, o, &first, "id");
	put(out, rec->id, rec->id_len);
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct input_field *f = &rec->fields[i];
		if (key_is(f, o->text_field) || key_is(f, o->id_field) || key_is(f, "id"))
			continue;
		keyn(out, o, 1, &first, f->key, f->key_len);
		put(out, f->val, f->val_len);
	}
	KEY_LIT(out, o, &first, "mentions");
	putch(out, '[');
	/* offsets in any unit of a text known to be ASCII are its bytes (and up to the point
	 * where it is known to be) */
	size_t ascii = rec->ascii_len < len ? rec->ascii_len : len;
	struct conv cv = {(const unsigned char *)text, len, ascii, ascii,
			  ascii == len ? OFFSETS_BYTES : o->offsets, ascii};
	struct ent_groups g;
	groups_init(&g, an->nmentions);
	/* the fragments of mentions without an id, by their type (a pointer: one string in
	 * the call), replaced when another type takes the slot */
	struct {
		const char *type;
		struct frag fr;
	} by_type[4] = {{NULL, {0, 0}}};
	const size_t base = out->len; /* where the record's output began */
	/* (read once: the loops' stores to the output might be to them, for all the compiler
	 * knows) */
	const bool pretty = o->pretty;
	const bool all_types = !o->types;
	const struct mention *const ms = an->mentions;
	const size_t nms = an->nmentions;
	size_t nout = 0;
	for (size_t i = 0; i < nms; i++) {
		const struct mention *m = &ms[i];
		if (!all_types && !type_kept(o, m->ent->type))
			continue;
		size_t comma = sep(out, o, pretty, 2, nout++);
		/* the whole mention written into room reserved once */
		const char *type = m->ent->type, *id = m->ent->id;
		size_t tl = m->oend - m->ostart, il = 0;
		struct frag *fr;
		struct ent_slot *sl = NULL;
		if (id) {
			sl = groups_add(&g, m->ent, i);
			fr = &sl->fr;
			il = sl->il;
		} else {
			size_t t = ((uintptr_t)type >> 4) % 4;
			if (by_type[t].type != type) {
				by_type[t].type = type;
				by_type[t].fr.n = 0;
			}
			fr = &by_type[t].fr;
		}
		size_t yl = fr->n ? 0 : strlen(type);
		const struct tail *tail = &tail_lit[m->src <= SRC_REGEX ? m->src : SRC_LEXICON]
						   [m->kind < KIND_NKINDS ? m->kind : KIND_NAME];
		size_t room = 100 + 64 + 40 + STR_ROOM(tl) + fr->n + STR_ROOM(yl) + STR_ROOM(il) +
			      sizeof tail->s;
		if (out->cap - out->len <= room)
			buf_reserve(out, room);
		char *p = out->p + out->len;
		*p = ',';
		p += comma;
		p = LIT_AT(p, "{\"start\":");
		p = uint_at(p, conv_at(&cv, m->ostart));
		p = LIT_AT(p, ",\"end\":");
		p = uint_at(p, conv_at(&cv, m->oend));
		p = LIT_AT(p, ",\"text\":");
		p = text_at(p, text + m->ostart, tl, len - m->ostart);
		char *const start = out->p + base;
		if (fr->n) {
			p = copy_at(p, start + fr->off, fr->n);
		} else {
			char *f = p;
			p = LIT_AT(p, ",\"type\":");
			p = str_at(p, type, yl);
			size_t tq = (size_t)(p - f) - 8;
			p = LIT_AT(p, ",\"id\":");
			if (!id)
				p = LIT_AT(p, "null");
			else if (il > 16 && plain8(id, il)) /* (shorter: str_at() checks) */
				p = plain_at(p, id, il);
			else
				p = str_at(p, id, il);
			if ((size_t)(p - start) < UINT32_MAX) {
				*fr = (struct frag){(uint32_t)(f - start), (uint32_t)(p - f)};
				/* the entity's first mention: the group's, when it is the group's
				 * entity */
				if (id && g.v[sl->ix].e == m->ent) {
					g.v[sl->ix].fr = *fr;
					g.v[sl->ix].tq = (uint32_t)tq;
				}
			}
		}
		memcpy(p, tail->s, sizeof tail->s);
		p += tail->n;
		out->len = (size_t)(p - out->p);
		out->p[out->len] = '\0';
	}
	if (nout)
		nl(out, o, 1);
	putch(out, ']');
	struct ent_count *ec = g.v;
	size_t nec = g.n;
	sort_ents(ec, nec);
	KEY_LIT(out, o, &first, "entities");
	putch(out, '[');
	for (size_t k = 0; k < nec; k++) {
		const struct entity *e = ec[k].e;
		const struct frag fr = ec[k].fr;
		size_t comma = sep(out, o, pretty, 2, k);
		/* the id and the type copied from the fragment of e's first mention (the id
		 * after the type and ,"id":) */
		size_t il = fr.n ? 0 : strlen(e->id), yl = fr.n ? 0 : strlen(e->type);
		size_t nml = strlen(e->name);
		size_t room = 40 + 20 + 64 + fr.n + STR_ROOM(il) + STR_ROOM(yl) + STR_ROOM(nml);
		if (out->cap - out->len <= room)
			buf_reserve(out, room);
		char *p = out->p + out->len;
		*p = ',';
		p += comma;
		p = LIT_AT(p, "{\"id\":");
		if (fr.n) {
			const char *f = out->p + base + fr.off;
			size_t tq = ec[k].tq;
			p = copy_at(p, f + 8 + tq + 6, fr.n - 8 - tq - 6);
			p = LIT_AT(p, ",\"type\":");
			p = copy_at(p, f + 8, tq);
		} else {
			p = str_at(p, e->id, il);
			p = LIT_AT(p, ",\"type\":");
			p = str_at(p, e->type, yl);
		}
		p = LIT_AT(p, ",\"name\":");
		p = str_at(p, e->name, nml);
		p = LIT_AT(p, ",\"count\":");
		p = uint_at(p, ec[k].count);
		out->len = (size_t)(p - out->p);
		for (size_t a = 0; a < e->nattrs; a++) {
			const char *ak = e->keys[a], *av = e->vals[a];
			size_t kl = strlen(ak);
			if (own_key(ak, kl))
				continue;
			size_t vl = strlen(av);
			if (out->cap - out->len <= 2 + STR_ROOM(kl) + STR_ROOM(vl))
				buf_reserve(out, 2 + STR_ROOM(kl) + STR_ROOM(vl));
			p = out->p + out->len;
			*p++ = ',';
			p = str_at(p, ak, kl);
			*p++ = ':';
			p = str_at(p, av, vl);
			out->len = (size_t)(p - out->p);
		}
		/* (no test of the room: what was reserved last, for the entity or its last
		 * attribute, holds the brace) */
		out->p[out->len++] = '}';
		out->p[out->len] = '\0';
	}
	if (nec)
		nl(out, o, 1);
	putch(out, ']');
	groups_clear(&g);
	if (o->model && an->scores) {
		size_t nt = topics_count(o->model);
		KEY_LIT(out, o, &first, "topics");
		putch(out, '{');
		for (size_t t = 0; t < nt; t++) {
			size_t comma = sep(out, o, pretty, 2, t);
			size_t nml = topics_name_len(o->model, t);
			size_t room = 1 + STR_ROOM(nml) + 1 + 32;
			if (out->cap - out->len <= room)
				buf_reserve(out, room);
			char *p = out->p + out->len;
			*p = ',';
			p = str_at(p + comma, topics_name(o->model, t), nml);
			*p++ = ':';
			p = score_at(p, an->scores[t]);
			out->len = (size_t)(p - out->p);
			out->p[out->len] = '\0';
		}
		if (nt)
			nl(out, o, 1);
		putch(out, '}');
		if (o->nreasons && an->reasons) {
			KEY_LIT(out, o, &first, "explain");
			putch(out, '{');
			for (size_t t = 0; t < nt; t++) {
				if (t)
					putch(out, ',');
				nl(out, o, 2);
				put_str(out, topics_name(o->model, t), topics_name_len(o->model, t));
				put(out, ":[", 2);
				size_t w = 0;
				for (size_t r = 0; r < o->nreasons; r++) {
					const struct topics_reason *re = &an->reasons[t * o->nreasons + r];
					if (!re->feature)
						continue;
					if (w++)
						putch(out, ',');
					put(out, "{\"feature\":", 11);
					put_str(out, re->feature, strlen(re->feature));
					char num[32];
					size_t numlen = emit_fixed4(num, re->contribution);
					put(out, ",\"contribution\":", 16);
					if (numlen)
						put(out, num, numlen);
					else
						buf_printf(out, "%.4f", re->contribution);
					putch(out, '}');
				}
				putch(out, ']');
			}
			if (nt)
				nl(out, o, 1);
			putch(out, '}');
		}
	}
	if (!first)
		nl(out, o, 0);
	put(out, "}\n", 2);
}

void emit_error(struct buf *out, const struct emit_opts *o, const char *id, size_t id_len,
		const char *msg)
{
	bool first = true;
	putch(out, '{');
	KEY_LIT(out, o, &first, "id");
	put(out, id, id_len);
	KEY_LIT(out, o, &first, "error");
	emit_string(out, msg, strlen(msg));
	nl(out, o, 0);
	put(out, "}\n", 2);
}
