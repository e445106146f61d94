/* input: records from plain text files, stdin, lines or JSON Lines. Consumes files and
 * streams; produces one record at a time with its text, its id and, for JSON Lines, its
 * fields, all as JSON text ready to copy to the output. A record that cannot be read
 * (invalid JSON, no text) is still produced, marked as an error, so every input record gives
 * exactly one output record. Tracks the file name and line of every record. */
#ifndef ENTOPIC_INPUT_H
#define ENTOPIC_INPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "util.h"

enum input_mode { INPUT_DOC, INPUT_LINES, INPUT_JSONL };

struct input_opts {
	enum input_mode mode;
	const char *text_field; /* JSONL: field with the text ("text") */
	const char *id_field;   /* JSONL: field with the id ("id") */
	bool raw;               /* JSONL: return each line unparsed (input_parse_jsonl() later) */
	bool doc;               /* JSONL: also give each record's parsed object (rec->doc) */
};

/* A field of a JSON Lines record: its key (decoded; never holds a NUL byte) and its value
 * as canonical JSON text, the bytes json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY |
 * JSON_PRESERVE_ORDER) gives. Neither is NUL-terminated. */
struct input_field {
	const char *key;
	size_t key_len;
	const char *val;
	size_t val_len;
};

struct input_rec {
	const char *source; /* file name as given ("-" for stdin); borrowed */
	long line;          /* 1-based line of the record (1 for whole documents) */
	const char *text;   /* NUL-terminated (it may hold NULs); NULL for an error record */
	size_t len;
	const char *id;     /* the id as JSON text: the record's own (a string or a number, in
			     * canonical form as fields are), else its line number, or for a
			     * whole document its file name (input_path_id()) */
	size_t id_len;
	const struct input_field *fields; /* JSONL: the record's fields in input order but
					   * the text field (the id field included); else NULL */
	size_t nfields;
	json_t *doc;        /* JSONL with opts->doc: the record's object, else NULL */
	bool scanned;       /* JSONL: read by the own scanner (false: by jansson) */
	size_t ascii_len;   /* read by the own scanner: the text's first ascii_len bytes are
			     * below 0x80 (len: all of them), so offsets in characters up to
			     * there are bytes; 0 when not known */
	char error[512];    /* non-empty: the record could not be processed, this is why */
};
/* Everything a record points to (text, id, fields, doc) is borrowed: from the reader until
 * the next input_next(), or from the scratch of input_parse_jsonl() until its next use. */

/* Where input_parse_jsonl() puts a record's parts; reused from record to record, so that a
 * steady stream of records allocates nothing. */
struct input_scratch {
	struct buf b;           /* the text, the id and the fields' keys and values */
	struct input_field *f;
	size_t nf, cap;
	size_t *off;            /* 2 * cap offsets into b while a record is built */
	json_t *doc;            /* opts->doc: the last record's object */
};
/* Make *s empty; input_scratch_clear() frees what it holds (and makes it empty again). */
void input_scratch_init(struct input_scratch *s);
void input_scratch_clear(struct input_scratch *s);

typedef struct input input;

/* Open path ("-" for stdin). Returns a reader owned by the caller (input_free()), or NULL
 * with *err filled in (for example a missing file or a directory). */
input *input_open(const char *path, const struct input_opts *opts, struct err *err);

/* Read the next record into *rec. Returns 1 for a record (possibly an error record), 0 at
 * the end, or -ERR_IO with *err filled in when reading failed. */
int input_next(input *in, struct input_rec *rec, struct err *err);

/* Would input_next() return without waiting for a writer? True when the reader holds
 * buffered bytes, its descriptor has data or is at its end, or this cannot be known; false
 * when the next read would wait (a pipe from a producer that has nothing to say yet), so
 * the caller can write out what it has before it blocks. */
bool input_pending(const input *in);

void input_free(input *in);

/* Parse one JSON Lines record (line[0..len)) into rec, as input_next() does; usable from any
 * thread, each with its own scratch s (initialized). rec->id must hold the default id (JSON
 * text, borrowed): when the record has an id of its own (a string or a number) rec->id
 * points to it instead. The parts of rec are borrowed from s until its next use. rec->error
 * is set when the record cannot be processed. Valid records are read by an own scanner;
 * jansson reads every other record (and every record with opts->doc), so that error
 * messages are jansson's, and the result is the same either way. */
void input_parse_jsonl(const struct input_opts *opts, const char *line, size_t len,
		       struct input_scratch *s, struct input_rec *rec);

/* The id of a whole document read from path: path as a JSON string (null when path is not
 * UTF-8). Returns JSON text owned by the caller (free()). */
char *input_path_id(const char *path);

#endif
