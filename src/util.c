/* util: allocation, arena, buffers, hashing. The arena keeps its blocks across resets so
 * that a stream of records of similar size reaches a steady state with no allocation. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int err_set(struct err *e, int code, const char *source, long line, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		snprintf(e->source, sizeof e->source, "%s", source ? source : "");
		e->line = line;
		e->col = 0;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return -code;
}

static void oom(void)
{
	fputs("entopic: out of memory\n", stderr);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

#define ARENA_MIN (64 * 1024)

void arena_init(struct arena *a)
{
	a->head = a->cur = NULL;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->cur;
	n = (n + 15) & ~(size_t)15;
	while (b && b->size - b->used < n) {
		/* try the blocks kept from earlier records */
		b = b->next;
		if (b)
			b->used = 0;
		a->cur = b ? b : a->cur;
	}
	if (!b) {
		size_t size = n > ARENA_MIN ? n : ARENA_MIN;
		if (a->cur && a->cur->size * 2 > size && a->cur->size * 2 < (size_t)1 << 30)
			size = a->cur->size * 2;
		b = xmalloc(sizeof *b + size);
		b->size = size;
		b->used = 0;
		b->next = NULL;
		if (a->cur) {
			b->next = a->cur->next;
			a->cur->next = b;
		} else {
			a->head = b;
		}
		a->cur = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

void *arena_grow(struct arena *a, const void *v, size_t n, size_t *cap, size_t size,
		 size_t first)
{
	size_t ncap = *cap ? *cap * 2 : first;
	void *nv = arena_alloc(a, ncap * size);
	if (n)
		memcpy(nv, v, n * size);
	*cap = ncap;
	return nv;
}

void arena_reset(struct arena *a)
{
	/* Keep at most the first block and any block larger than 16 MiB is freed, so one huge
	 * record does not pin its memory for the rest of the run. */
	struct arena_block **pp = &a->head;
	while (*pp) {
		struct arena_block *b = *pp;
		if (b->size > ((size_t)16 << 20)) {
			*pp = b->next;
			free(b);
			continue;
		}
		b->used = 0;
		pp = &b->next;
	}
	a->cur = a->head;
}

void arena_clear(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = a->cur = NULL;
}

int read_lines(const char *path, line_fn fn, void *ctx, struct err *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return err_set(err, ERR_IO, path, 0, "%s", strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int rc = 0;
	errno = 0;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		char *p = line;
		if (lineno == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
			p += 3;
			len -= 3;
		}
		if (len == 0 || p[0] == '#')
			continue;
		if (memchr(p, '\0', (size_t)len)) {
			rc = err_set(err, ERR_SYNTAX, path, lineno, "NUL byte in line");
			break;
		}
		rc = fn(ctx, p, (size_t)len, path, lineno, err);
		if (rc < 0)
			break;
		rc = 0;
	}
	if (!rc && ferror(fp))
		rc = err_set(err, ERR_IO, path, 0, "read error: %s", strerror(errno));
	free(line);
	fclose(fp);
	return rc;
}

void buf_init(struct buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void buf_clear(struct buf *b)
{
	free(b->p);
	buf_init(b);
}

void buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Eight bytes at a time: each word is mixed by a multiply and folded in; the tail is read
 * as a shorter word. The finalizer spreads the bits (lookups use the low bits). */
bool cpu_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	return __builtin_cpu_supports("avx2");
#else
	return false;
#endif
}

bool cpu_avx2_bmi(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
	       __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
#else
	return false;
#endif
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = hash_start(n);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = hash_step(h, w);
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, s, n);
		h = hash_step(h, w);
	}
	return hash_end(h);
}

size_t str_plain_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
#ifdef __SSE2__
	/* 32 bytes a step */
	for (; n - i >= 32; i += 32) {
		const unsigned m = str_not_plain32(p + i);
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w, m;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if ((m = str_not_plain8(w)) != 0)
			return i + (size_t)__builtin_ctzll(m) / 8;
	}
	if (i == n)
		return n;
	w = 0; /* the zero bytes after the end are not plain */
	memcpy(&w, p + i, n - i);
	return i + (size_t)__builtin_ctzll(str_not_plain8(w)) / 8;
#else
	while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
		i++;
	return i;
#endif
}
