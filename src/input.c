/* input: line readers use getline(), so a line has no length limit but memory; a whole
 * document is read into one buffer. A UTF-8 BOM at the start of a stream is skipped (offsets
 * count from the first character after it); CR before LF is dropped in line modes. */
#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct input {
	FILE *fp;
	bool own;
	char *path;
	struct input_opts opts;
	char *line;
	size_t cap;
	long lineno;
	bool done;
	json_t *id, *fields;
};

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
	in->fp = fp;
	in->own = own;
	in->path = xstrdup(path);
	in->opts = *opts;
	return in;
}

void input_free(input *in)
{
	if (!in)
		return;
	if (in->own)
		fclose(in->fp);
	json_decref(in->id);
	json_decref(in->fields);
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
	in->id = json_string(in->path);
	if (!in->id) /* a file name that is not UTF-8 */
		in->id = json_stringn_nocheck(in->path, strlen(in->path));
	rec->id = in->id;
	return 1;
}

static void set_error(struct input_rec *rec, const char *fmt, const char *a, const char *b)
{
	snprintf(rec->error, sizeof rec->error, fmt, a, b);
}

void input_parse_jsonl(const struct input_opts *opts, const char *line, size_t len,
		       struct input_rec *rec)
{
	json_error_t je;
	rec->text = NULL;
	rec->len = 0;
	rec->fields = NULL;
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
	rec->fields = o;
	json_t *id = json_object_get(o, opts->id_field);
	if (id && (json_is_string(id) || json_is_integer(id) || json_is_real(id))) {
		json_decref(rec->id);
		rec->id = json_incref(id);
	}
	json_t *t = json_object_get(o, opts->text_field);
	if (!t) {
		set_error(rec, "no \"%s\" field%s", opts->text_field, "");
		return;
	}
	if (!json_is_string(t)) {
		set_error(rec, "field \"%s\" is not a string%s", opts->text_field, "");
		return;
	}
	rec->text = json_string_value(t);
	rec->len = json_string_length(t);
}

int input_next(input *in, struct input_rec *rec, struct err *err)
{
	memset(rec, 0, sizeof *rec);
	json_decref(in->id);
	json_decref(in->fields);
	in->id = in->fields = NULL;
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
	in->id = json_integer(in->lineno);
	rec->id = in->id;
	if (in->opts.mode == INPUT_LINES || in->opts.raw) {
		rec->text = p;
		rec->len = len;
		return 1;
	}
	input_parse_jsonl(&in->opts, p, len, rec);
	in->id = rec->id; /* the reader owns both until the next call */
	in->fields = rec->fields;
	return 1;
}
