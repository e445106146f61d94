/* input: records from plain text files, stdin, lines or JSON Lines. Consumes files and
 * streams; produces one record at a time with its text, its id (as JSON) and, for JSON
 * Lines, the other fields to copy to the output. A record that cannot be read (invalid
 * JSON, no text) is still produced, marked as an error, so every input record gives
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
};

struct input_rec {
	const char *source; /* file name as given ("-" for stdin); borrowed */
	long line;          /* 1-based line of the record (1 for whole documents) */
	const char *text;   /* borrowed until the next input_next(); NULL for an error record */
	size_t len;
	json_t *id;         /* the id (string or number); owned by the reader until next call */
	json_t *fields;     /* JSONL: the record's object (text and id included), else NULL */
	char error[512];    /* non-empty: the record could not be processed, this is why */
};

typedef struct input input;

/* Open path ("-" for stdin). Returns a reader owned by the caller (input_free()), or NULL
 * with *err filled in (for example a missing file or a directory). */
input *input_open(const char *path, const struct input_opts *opts, struct err *err);

/* Read the next record into *rec. Returns 1 for a record (possibly an error record), 0 at
 * the end, or -ERR_IO with *err filled in when reading failed. */
int input_next(input *in, struct input_rec *rec, struct err *err);

void input_free(input *in);

/* Parse one JSON Lines record (line[0..len)) into rec, as input_next() does; usable from any
 * thread. rec->id must hold the default id (a reference the caller owns): when the record
 * has an id of its own it replaces it (the default is released). rec->fields gets a new
 * reference, also the caller's. rec->error is set when the record cannot be processed. */
void input_parse_jsonl(const struct input_opts *opts, const char *line, size_t len,
		       struct input_rec *rec);

#endif
