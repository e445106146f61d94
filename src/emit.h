/* emit: one JSON line per record. Consumes an input record and its annotation; produces
 * the output record of OUTPUT.md (id, passthrough fields, mentions, entities, topics) or an
 * error record, appended to a caller's buffer. Keys come in a fixed order and numbers in a
 * fixed format: the same input gives the same bytes. */
#ifndef ENTOPIC_EMIT_H
#define ENTOPIC_EMIT_H

#include <stdbool.h>

#include "input.h"
#include "pipeline.h"
#include "util.h"

enum emit_offsets { OFFSETS_CODEPOINTS, OFFSETS_BYTES, OFFSETS_UTF16 };

struct emit_opts {
	enum emit_offsets offsets;
	bool pretty;
	const char *text_field;         /* not copied through */
	const char *id_field;           /* not copied through (it leads as "id") */
	const char *const *types;       /* NULL, or a NULL-terminated list of types to keep */
	const struct topics_model *model; /* names of the scores; NULL: no "topics" */
	size_t nreasons;                /* --explain: reasons per topic (0: no "explain") */
};

/* Append the output record of one annotated record to out (a complete line with '\n'):
 * rec's id, its fields (but the text and id fields, and "id"), and the annotation of its
 * text rec->text[0..rec->len). */
void emit_record(struct buf *out, const struct emit_opts *o, const struct input_rec *rec,
		 const struct annotation *an);

/* Append an error record {"id": id, "error": msg}; id[0..id_len) is JSON text. */
void emit_error(struct buf *out, const struct emit_opts *o, const char *id, size_t id_len,
		const char *msg);

/* Append s[0..n) as a JSON string (invalid UTF-8 becomes U+FFFD). Exposed for eval. */
void emit_string(struct buf *out, const char *s, size_t n);

/* Write v with four decimals into t (32 bytes, NUL-terminated) exactly as snprintf's "%.4f"
 * does: rounded from the exact binary value, half to even. Returns the length, or 0 (t
 * untouched) when |v| >= 2^30 or v is not finite: those are printf's. Exposed for the
 * tests. */
size_t emit_fixed4(char *t, double v);

#endif
