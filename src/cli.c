/* cli: main(), argv -> configuration, loading of lexicons and models, the record loop,
 * every message and the exit status. The stages below never print; this file does.
 *
 * Exit status: 0 every record processed; 1 some records became error records (or an input
 * file could not be opened or read to its end: an error record too); 2 usage, setup
 * (lexicon, model, rules) or output error;
 * 130 interrupted (the lines written are complete). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "eval.h"
#include "gazetteer.h"
#include "input.h"
#include "match.h"
#include "pipeline.h"
#include "topics.h"
#include "util.h"
#include "version.h"

#include "datadir.h" /* DATADIR, written by the Makefile into build/ */

enum { EXIT_RECORDS = 1, EXIT_SETUP = 2, EXIT_INTERRUPTED = 130 };

struct config {
	struct input_opts in;
	const char **lexicons;
	size_t nlexicons;
	const char *lexicon_dir;
	const char *image;
	const char *model;
	const char **add_models;
	size_t nadd_models;
	const char **user_rules;
	size_t nuser_rules;
	const char **user_patterns;
	size_t nuser_patterns;
	char **types;
	bool pretty;
	enum emit_offsets offsets;
	size_t explain;
	bool no_topics;
	bool json_report;
	bool topics_only;
	const char *errors_file;
	const char *out_file;
	const char *train_base;
	size_t jobs;
	struct topics_train_opts train;
	char datadir[PATH_MAX];
};

static atomic_int interrupted; /* set by the handler of SIGINT and SIGTERM */

/* The processors this process may run on (its affinity mask: a cpuset of a container
 * counts, all of the machine's otherwise), 1 to 64. */
static size_t processors(void)
{
	cpu_set_t set;
	long n = 0;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (size_t)n;
}

/* Append e's message line to out. */
static void err_text(struct buf *out, const struct err *e)
{
	if (e->source[0] && e->line && e->col)
		buf_printf(out, "entopic: %s:%ld:%ld: %s\n", e->source, e->line, e->col, e->msg);
	else if (e->source[0] && e->line)
		buf_printf(out, "entopic: %s:%ld: %s\n", e->source, e->line, e->msg);
	else if (e->source[0])
		buf_printf(out, "entopic: %s: %s\n", e->source, e->msg);
	else
		buf_printf(out, "entopic: %s\n", e->msg);
}

static void print_err(const struct err *e)
{
	struct buf m;
	buf_init(&m);
	err_text(&m, e);
	fputs(m.p, stderr);
	buf_clear(&m);
}

static void die_err(const struct err *e)
{
	print_err(e);
	exit(EXIT_SETUP);
}

static void usage_error(const char *fmt, const char *arg)
{
	fputs("entopic: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'entopic --help' for more information.\n", stderr);
	exit(EXIT_SETUP);
}

static void help(void)
{
	fputs(
"Usage: entopic [OPTION]... [FILE]...\n"
"       entopic eval [OPTION]... GOLD.jsonl\n"
"       entopic train [OPTION]... [-o MODEL] TRAIN.jsonl\n"
"       entopic lexicon check [FILE]...\n"
"       entopic compile [--lexicon-dir DIR] [-L FILE]... [-o IMAGE]\n"
"Find the people, countries, minerals, cities and organisations a news text is about,\n"
"link every mention to a canonical entity, score the text against topics, and write\n"
"one JSON object per document (JSON Lines). With no FILE, or FILE '-', read stdin.\n"
"\n"
"Input:\n"
"      --jsonl              each line is a JSON object; the text is in field \"text\"\n"
"      --lines              each line is a document (id = line number)\n"
"      --text-field NAME    JSONL field with the text (default text)\n"
"      --id-field NAME      JSONL field with the id (default id; else the line number)\n"
"Resources:\n"
"  -L, --lexicon FILE       add a lexicon (TSV, see lexicons/README.md); repeatable\n"
"      --lexicon-dir DIR    use the *.tsv lexicons of DIR instead of the defaults\n"
"      --image FILE         use a compiled image (entopic compile) instead of the defaults\n"
"  -m, --model FILE         use this topic model instead of the default\n"
"      --add-model FILE     add the topics of FILE to the model; repeatable\n"
"      --rules FILE         add disambiguation rules (models/README.md); repeatable\n"
"      --patterns FILE      add pattern entities (TYPE NAME REGEX); repeatable\n"
"      --no-topics          do not score topics\n"
"Output:\n"
"      --types LIST         keep only mentions of these types (PERSON,COUNTRY,...)\n"
"      --offsets=UNIT       codepoints (default), bytes or utf16\n"
"      --explain[=N]        add the N (default 3) strongest features of each topic\n"
"      --pretty             indent the JSON\n"
"  -j, --jobs N             annotate on N threads (output order is kept); 0: one per\n"
"                           processor this process may run on; default: that, up to 8\n"
"eval:\n"
"      --json               machine-readable report\n"
"      --topics-only        evaluate topics only (gold without mentions)\n"
"      --errors FILE        write every false positive and negative to FILE\n"
"train:\n"
"  -o, --out FILE           where to write the model (default stdout)\n"
"      --base FILE          curated model that training adds to (its weights stay)\n"
"      --top-k N            features kept per topic (default 250)\n"
"      --l2 X               L2 penalty (default 3)\n"
"      --min-df N           records a feature must occur in (default 3)\n"
"\n"
"      --help               show this help and exit\n"
"      --version            show the version and exit\n"
"\n"
"Exit status: 0 all records processed; 1 some records became error records or an\n"
"input file could not be read; 2 usage, lexicon, model or output error;\n"
"130 interrupted (every line written is complete).\n",
		stdout);
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Lexicons and models: $ENTOPIC_DATA, else beside the binary (a source tree), else the
 * installed DATADIR. */
static void find_datadir(struct config *c)
{
	const char *env = getenv("ENTOPIC_DATA");
	if (env && *env) {
		snprintf(c->datadir, sizeof c->datadir, "%s", env);
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char probe[PATH_MAX + 16];
			snprintf(probe, sizeof probe, "%s/lexicons", exe);
			if (is_dir(probe)) {
				snprintf(c->datadir, sizeof c->datadir, "%s", exe);
				return;
			}
		}
	}
	snprintf(c->datadir, sizeof c->datadir, "%s", DATADIR);
}

static char *data_path(const struct config *c, const char *rel)
{
	size_t l = strlen(c->datadir) + strlen(rel) + 2;
	char *p = xmalloc(l);
	snprintf(p, l, "%s/%s", c->datadir, rel);
	return p;
}

static char **split_types(const char *s)
{
	char *copy = xstrdup(s);
	size_t n = 0;
	char **v = xcalloc(strlen(s) + 2, sizeof *v);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		v[n] = xstrdup(t);
		for (char *p = v[n]; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p -= 32;
		n++;
	}
	free(copy);
	if (!n)
		usage_error("--types needs at least one type%s", "");
	return v;
}

enum {
	OPT_JSONL = 256, OPT_LINES, OPT_TEXT_FIELD, OPT_ID_FIELD, OPT_LEXDIR, OPT_ADD_MODEL,
	OPT_RULES, OPT_PATTERNS, OPT_TYPES, OPT_OFFSETS, OPT_EXPLAIN, OPT_PRETTY, OPT_HELP,
	OPT_VERSION, OPT_NO_TOPICS, OPT_JSON, OPT_TOPICS_ONLY, OPT_ERRORS, OPT_BASE, OPT_TOP_K,
	OPT_L2, OPT_MIN_DF, OPT_IMAGE,
};

static const struct option long_opts[] = {
	{"jsonl", no_argument, NULL, OPT_JSONL},
	{"lines", no_argument, NULL, OPT_LINES},
	{"text-field", required_argument, NULL, OPT_TEXT_FIELD},
	{"id-field", required_argument, NULL, OPT_ID_FIELD},
	{"lexicon", required_argument, NULL, 'L'},
	{"lexicon-dir", required_argument, NULL, OPT_LEXDIR},
	{"image", required_argument, NULL, OPT_IMAGE},
	{"model", required_argument, NULL, 'm'},
	{"add-model", required_argument, NULL, OPT_ADD_MODEL},
	{"rules", required_argument, NULL, OPT_RULES},
	{"patterns", required_argument, NULL, OPT_PATTERNS},
	{"no-topics", no_argument, NULL, OPT_NO_TOPICS},
	{"types", required_argument, NULL, OPT_TYPES},
	{"offsets", required_argument, NULL, OPT_OFFSETS},
	{"explain", optional_argument, NULL, OPT_EXPLAIN},
	{"pretty", no_argument, NULL, OPT_PRETTY},
	{"json", no_argument, NULL, OPT_JSON},
	{"topics-only", no_argument, NULL, OPT_TOPICS_ONLY},
	{"errors", required_argument, NULL, OPT_ERRORS},
	{"out", required_argument, NULL, 'o'},
	{"jobs", required_argument, NULL, 'j'},
	{"base", required_argument, NULL, OPT_BASE},
	{"top-k", required_argument, NULL, OPT_TOP_K},
	{"l2", required_argument, NULL, OPT_L2},
	{"min-df", required_argument, NULL, OPT_MIN_DF},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static long number_arg(const char *opt, const char *arg, long lo, long hi)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*end || end == arg || v < lo || v > hi) {
		fprintf(stderr, "entopic: %s takes a whole number from %ld to %ld, not '%s'\n", opt,
			lo, hi, arg);
		fputs("Try 'entopic --help' for more information.\n", stderr);
		exit(EXIT_SETUP);
	}
	return v;
}

/* The option getopt_long() just refused, as the user wrote it: "-z" inside a bundle, or
 * "--name" (without "=value"). *noarg tells a long option given a value it does not take. */
static const char *bad_option(char **argv, bool *noarg)
{
	static char buf[64];
	const char *a = argv[optind - 1];
	*noarg = false;
	if (strncmp(a, "--", 2) == 0) {
		size_t n = strcspn(a + 2, "=");
		const struct option *o;
		for (o = long_opts; o->name; o++)
			if (strlen(o->name) == n && strncmp(o->name, a + 2, n) == 0)
				break;
		/* an unknown long option, or a known one that this error is about */
		if (!o->name || optopt == 0 || optopt == o->val) {
			*noarg = o->name && o->has_arg == no_argument && a[2 + n] == '=';
			snprintf(buf, sizeof buf, "--%.*s", (int)n, a + 2);
			return buf;
		}
	}
	snprintf(buf, sizeof buf, "-%c", optopt > 0 && optopt < 256 ? optopt : '?');
	return buf;
}

static int parse_args(struct config *c, int argc, char **argv)
{
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":L:m:o:j:", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_JSONL: c->in.mode = INPUT_JSONL; break;
		case OPT_LINES: c->in.mode = INPUT_LINES; break;
		case OPT_TEXT_FIELD: c->in.text_field = optarg; break;
		case OPT_ID_FIELD: c->in.id_field = optarg; break;
		case 'L': push(&c->lexicons, &c->nlexicons, optarg); break;
		case OPT_LEXDIR: c->lexicon_dir = optarg; break;
		case OPT_IMAGE: c->image = optarg; break;
		case 'm': c->model = optarg; break;
		case OPT_ADD_MODEL: push(&c->add_models, &c->nadd_models, optarg); break;
		case OPT_RULES: push(&c->user_rules, &c->nuser_rules, optarg); break;
		case OPT_PATTERNS: push(&c->user_patterns, &c->nuser_patterns, optarg); break;
		case OPT_NO_TOPICS: c->no_topics = true; break;
		case OPT_TYPES: c->types = split_types(optarg); break;
		case OPT_OFFSETS:
			if (strcmp(optarg, "codepoints") == 0)
				c->offsets = OFFSETS_CODEPOINTS;
			else if (strcmp(optarg, "bytes") == 0)
				c->offsets = OFFSETS_BYTES;
			else if (strcmp(optarg, "utf16") == 0)
				c->offsets = OFFSETS_UTF16;
			else
				usage_error("--offsets takes codepoints, bytes or utf16, not '%s'",
					    optarg);
			break;
		case OPT_EXPLAIN: {
			c->explain = optarg ? (size_t)number_arg("--explain", optarg, 1, 100) : 3;
			break;
		}
		case OPT_PRETTY: c->pretty = true; break;
		case OPT_JSON: c->json_report = true; break;
		case OPT_TOPICS_ONLY: c->topics_only = true; break;
		case OPT_ERRORS: c->errors_file = optarg; break;
		case 'o': c->out_file = optarg; break;
		case 'j': {
			long j = number_arg("-j", optarg, 0, 64);
			c->jobs = j ? (size_t)j : processors();
			break;
		}
		case OPT_BASE: c->train_base = optarg; break;
		case OPT_TOP_K: c->train.top_k = (size_t)number_arg("--top-k", optarg, 1, 100000); break;
		case OPT_L2: {
			char *end;
			c->train.l2 = strtod(optarg, &end);
			if (*end || !(c->train.l2 >= 0 && c->train.l2 <= 1e6))
				usage_error("--l2 takes a number from 0 to 1e6, not '%s'", optarg);
			break;
		}
		case OPT_MIN_DF: c->train.min_df = (unsigned)number_arg("--min-df", optarg, 1, 1000000); break;
		case OPT_HELP: help(); exit(0);
		case OPT_VERSION: printf("entopic %s\n", ENTOPIC_VERSION); exit(0);
		case ':': {
			bool noarg;
			usage_error("option '%s' needs an argument", bad_option(argv, &noarg));
			break;
		}
		default: {
			bool noarg;
			const char *o = bad_option(argv, &noarg);
			usage_error(noarg ? "option '%s' takes no argument" : "unknown option '%s'", o);
			break;
		}
		}
	}
	return optind;
}

struct resources {
	gazetteer *gaz;
	matcher *match;
	struct topics_model *model;
	struct pipeline pipe;
};

/* Is every *.tsv of dir older than the image? */
static bool image_fresh(const char *dir, const char *image)
{
	struct stat is;
	if (stat(image, &is) != 0)
		return false;
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool fresh = true;
	struct dirent *de;
	while (fresh && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l <= 4 || strcmp(de->d_name + l - 4, ".tsv") != 0)
			continue;
		char path[PATH_MAX];
		struct stat ts;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &ts) != 0 || ts.st_mtim.tv_sec > is.st_mtim.tv_sec ||
		    (ts.st_mtim.tv_sec == is.st_mtim.tv_sec && ts.st_mtim.tv_nsec > is.st_mtim.tv_nsec))
			fresh = false;
	}
	closedir(d);
	return fresh;
}

/* The lexicons of dir: from its compiled image (default.eimg) when it is newer than every
 * TSV file and of this build, else from the TSV files. */
static void load_lexicon_dir(gazetteer *g, const char *dir, bool use_image)
{
	struct err e = {0};
	char image[PATH_MAX];
	snprintf(image, sizeof image, "%s/default.eimg", dir);
	if (use_image && image_fresh(dir, image) && gaz_load_image(g, image, &e) == 0)
		return;
	if (gaz_load_dir(g, dir, NULL, &e) < 0)
		die_err(&e);
}

static void load_resources(const struct config *c, struct resources *r, bool want_topics)
{
	bool use_image = true;
	struct err e = {0};
	r->gaz = gaz_new();
	if (c->image) {
		if (gaz_load_image(r->gaz, c->image, &e) < 0)
			die_err(&e);
	} else {
		char *d = c->lexicon_dir ? xstrdup(c->lexicon_dir) : data_path(c, "lexicons");
		load_lexicon_dir(r->gaz, d, use_image);
		free(d);
	}
	for (size_t i = 0; i < c->nlexicons; i++)
		if (gaz_load(r->gaz, c->lexicons[i], NULL, &e) < 0)
			die_err(&e);
	char *rules = data_path(c, "models/rules.tsv");
	char *pats = data_path(c, "models/patterns.tsv");
	r->match = match_new(r->gaz, access(rules, R_OK) == 0 ? rules : NULL,
			     access(pats, R_OK) == 0 ? pats : NULL, &e);
	free(rules);
	free(pats);
	if (!r->match)
		die_err(&e);
	for (size_t i = 0; i < c->nuser_rules; i++)
		if (match_add_rules(r->match, c->user_rules[i], &e) < 0)
			die_err(&e);
	for (size_t i = 0; i < c->nuser_patterns; i++)
		if (match_add_patterns(r->match, c->user_patterns[i], &e) < 0)
			die_err(&e);
	r->model = NULL;
	if (want_topics && !c->no_topics) {
		char *def = data_path(c, "models/topics.tsv");
		r->model = topics_load(c->model ? c->model : def, &e);
		free(def);
		if (!r->model)
			die_err(&e);
		for (size_t i = 0; i < c->nadd_models; i++)
			if (topics_add(r->model, c->add_models[i], &e) < 0)
				die_err(&e);
	}
	r->pipe.gaz = r->gaz;
	r->pipe.match = r->match;
	r->pipe.model = r->model;
	r->pipe.nreasons = c->explain;
}

static void free_resources(struct resources *r)
{
	topics_free(r->model);
	match_free(r->match);
	gaz_free(r->gaz);
}

/* Output: whole lines only, written with write(2) so that an interrupt or a full disk never
 * leaves half a record behind. */
static void flush_out(struct buf *out, int fd, bool force)
{
	if (!force && out->len < (1u << 16))
		return;
	size_t off = 0;
	while (off < out->len) {
		ssize_t w = write(fd, out->p + off, out->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				exit(0);
			fprintf(stderr, "entopic: write error: %s\n", strerror(errno));
			exit(EXIT_SETUP);
		}
		off += (size_t)w;
	}
	out->len = 0;
}

static void record_message(const struct input_rec *rec, const char *msg)
{
	fprintf(stderr, "entopic: %s:%ld: %s\n", rec->source, rec->line, msg);
}

/* ---- annotate: batches of records, each read, annotated and written by one thread ----
 *
 * Every thread, the main one and the -j N - 1 workers alike, loops: it takes one of its own
 * free batches; under the reading lock it takes the next ticket and reads a batch of
 * records (up to BATCH_BYTES of text or BATCH_RECS records, fewer when the next record
 * would make it wait for a slow producer, so that a live feed gets its records at once);
 * it annotates the batch into the batch's own output; then the batches are written in
 * ticket order: the thread that finishes the oldest batch not written writes it, and every
 * later one finished by then. So a record's bytes are read, annotated and mostly written
 * on one core, and the threads meet once per batch, not once per record. With -j 1 the
 * main thread does it all. Records, their messages and read errors come out in input
 * order whatever the number of threads. */

enum item_kind { ITEM_RECORD, ITEM_FILE_FAILED };

/* One input record of a batch, or a file that could not be opened or read on (then its
 * text is the message, FILE: or FILE:LINE: and what is wrong, and its id the file's).
 * Its strings are offsets into the batch's bytes, which may move as they grow. */
struct item {
	enum item_kind kind;
	bool jsonl;           /* the text is a raw JSONL line to parse */
	const char *source;   /* borrowed from argv */
	long line;
	size_t text, len;     /* the text, the raw JSONL line, or the message (NUL-terminated) */
	size_t id, id_len;    /* the default id (JSON text) */
	size_t error;         /* a read error of the record (0: none; offset 0 is never one) */
};

enum { BATCH_FREE, BATCH_BUSY, BATCH_DONE };

struct batch {
	struct buf bytes;     /* the items' strings, each NUL-terminated, after one NUL */
	struct item *v;
	size_t n, cap;
	struct buf out;       /* the output lines */
	struct buf msg;       /* the stderr messages */
	int status;           /* EXIT_RECORDS, EXIT_SETUP bits of its records */
	int state;            /* under mu */
};

#define DEFAULT_JOBS_MAX 8
#define BATCHES 4                          /* per thread */
#define BATCH_RECS 256
#define BATCH_BYTES ((size_t)64 << 10)
#define KEEP_BYTES ((size_t)256 << 10)     /* a batch keeps buffers up to this size */

/* What a thread keeps from one batch to the next. */
struct tstate {
	struct arena a;
	struct input_scratch scratch;
	struct pipe_memo *memo;
	struct batch b[BATCHES];
	int self;             /* its index in sig_threads */
	pthread_t tid;
	struct ring *g;
};

struct ring {
	/* under rd: the input */
	pthread_mutex_t rd;
	char **files;
	size_t nfiles, f;     /* the files, the next one to open */
	input *in;            /* the file being read, or NULL */
	bool end;             /* no more batches */
	uint64_t next;        /* the ticket of the next batch */
	/* under mu: the batches in flight and their writing */
	pthread_mutex_t mu;
	pthread_cond_t cv;    /* a batch was written */
	struct batch **slot;  /* the batch of ticket t is slot[t % cap] */
	size_t cap;           /* every thread's batches: no more are in flight */
	uint64_t written;     /* tickets written */
	bool writing;         /* a thread writes */
	int status;
	/* read-only */
	const struct resources *r;
	const struct emit_opts *eo;
	const struct input_opts *io;     /* for input_open() and input_parse_jsonl() */
};

/* SIGINT and SIGTERM: the thread reading waits in read(2) on a slow producer; whichever
 * thread the signal reaches, it is passed on to that one, so that its read returns. */
static pthread_t *sig_threads;
static atomic_int sig_reader = -1;

static void on_signal(int sig)
{
	interrupted = 1;
	int r = atomic_load(&sig_reader);
	if (r >= 0 && sig_threads && !pthread_equal(sig_threads[r], pthread_self()))
		pthread_kill(sig_threads[r], sig);
}

static size_t add_bytes(struct batch *b, const char *s, size_t n)
{
	buf_reserve(&b->bytes, n + 1);
	size_t off = b->bytes.len;
	if (n)
		memcpy(b->bytes.p + off, s, n);
	b->bytes.p[off + n] = '\0';
	b->bytes.len += n + 1;
	return off;
}

static struct item *add_item(struct batch *b, enum item_kind kind, const char *source,
			     long line)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->v = xrealloc(b->v, b->cap * sizeof *b->v);
	}
	struct item *it = &b->v[b->n++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->source = source;
	it->line = line;
	return it;
}

/* Add the item of a file that could not be opened, or read on after its last record: an
 * error record of its own, with the file's id (what one document per file would have had),
 * and e's message (without "entopic: "). */
static void add_failed(struct batch *b, const char *path, const struct err *e)
{
	struct buf m;
	buf_init(&m);
	err_text(&m, e);
	static const char prefix[] = "entopic: ";
	struct item *it = add_item(b, ITEM_FILE_FAILED, path, e->line);
	it->len = m.len - (sizeof prefix - 1) - 1;
	it->text = add_bytes(b, m.p + sizeof prefix - 1, it->len);
	buf_clear(&m);
	char *id = input_path_id(path);
	it->id_len = strlen(id);
	it->id = add_bytes(b, id, it->id_len);
	free(id);
}

/* Read the next batch into b (under rd). Ends the input (g->end) after the last file or
 * when interrupted. */
static void read_batch(struct ring *g, struct batch *b, int self)
{
	b->n = 0;
	b->bytes.len = 0;
	add_bytes(b, "", 0); /* offset 0: no string */
	b->status = 0;
	while (!g->end && b->n < BATCH_RECS && b->bytes.len < BATCH_BYTES) {
		struct err e = {0};
		if (interrupted) {
			g->end = true;
			break;
		}
		if (!g->in) {
			if (g->f == g->nfiles) {
				g->end = true;
				break;
			}
			const char *path = g->files[g->f++];
			g->in = input_open(path, g->io, &e);
			if (!g->in) {
				add_failed(b, path, &e);
			}
			continue;
		}
		/* with records in hand, never wait for a slow producer */
		if (b->n && !input_pending(g->in))
			break;
		struct input_rec rec;
		atomic_store(&sig_reader, self);
		int rc = interrupted ? 0 : input_next(g->in, &rec, &e);
		atomic_store(&sig_reader, -1);
		if (rc > 0) {
			struct item *it = add_item(b, ITEM_RECORD, g->files[g->f - 1], rec.line);
			it->jsonl = g->io->raw;
			it->len = rec.text ? rec.len : 0;
			it->text = add_bytes(b, rec.text, it->len);
			it->id_len = rec.id_len;
			it->id = add_bytes(b, rec.id, rec.id_len);
			if (rec.error[0])
				it->error = add_bytes(b, rec.error, strlen(rec.error));
			continue;
		}
		if (rc < 0 && !interrupted)
			add_failed(b, g->files[g->f - 1], &e);
		input_free(g->in);
		g->in = NULL;
	}
}

/* Annotate one item into its batch's output. Returns its exit status bits. */
static int run_item(const struct ring *g, struct batch *b, const struct item *it,
		    struct tstate *ts)
{
	const char *bytes = b->bytes.p;
	char msg[700];
	if (it->kind == ITEM_FILE_FAILED) {
		buf_printf(&b->msg, "entopic: %s\n", bytes + it->text);
		emit_error(&b->out, g->eo, bytes + it->id, it->id_len, bytes + it->text);
		return EXIT_RECORDS;
	}
	struct input_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.source = it->source;
	rec.line = it->line;
	rec.text = bytes + it->text;
	rec.len = it->len;
	rec.id = bytes + it->id;
	rec.id_len = it->id_len;
	const char *error = it->error ? bytes + it->error : NULL;
	if (!error && it->jsonl) {
		input_parse_jsonl(g->io, rec.text, rec.len, &ts->scratch, &rec);
		if (rec.error[0])
			error = rec.error;
	}
	if (error) {
		buf_printf(&b->msg, "entopic: %s:%ld: %.600s\n", it->source, it->line, error);
		snprintf(msg, sizeof msg, "line %ld: %.600s", it->line, error);
		emit_error(&b->out, g->eo, rec.id, rec.id_len, msg);
		return EXIT_RECORDS;
	}
	struct annotation an;
	struct err re = {0};
	int status = 0;
	if (pipe_annotate_memo(&g->r->pipe, ts->memo, &ts->a, rec.text, rec.len, &an, &re) < 0) {
		buf_printf(&b->msg, "entopic: %s:%ld: %s\n", it->source, it->line, re.msg);
		if (!an.nt.s) {
			emit_error(&b->out, g->eo, rec.id, rec.id_len, re.msg);
			status = EXIT_RECORDS;
		}
	}
	if (!status)
		emit_record(&b->out, g->eo, &rec, &an);
	arena_reset(&ts->a);
	return status;
}

/* Write a finished batch: its messages, then its lines. */
static void write_batch(struct batch *b)
{
	if (b->msg.len)
		fwrite(b->msg.p, 1, b->msg.len, stderr);
	b->msg.len = 0;
	flush_out(&b->out, 1, true);
	if (b->out.cap > KEEP_BYTES)
		buf_clear(&b->out);
	if (b->msg.cap > KEEP_BYTES)
		buf_clear(&b->msg);
	if (b->bytes.cap > KEEP_BYTES)
		buf_clear(&b->bytes);
}

/* Mark ticket t's batch done; when it is the oldest not written, write it and every later
 * one finished by then (unless another thread is writing: that one goes on to them). */
static void finish_batch(struct ring *g, uint64_t t)
{
	pthread_mutex_lock(&g->mu);
	g->slot[t % g->cap]->state = BATCH_DONE;
	while (!g->writing && g->slot[g->written % g->cap] &&
	       g->slot[g->written % g->cap]->state == BATCH_DONE) {
		struct batch *b = g->slot[g->written % g->cap];
		g->writing = true;
		pthread_mutex_unlock(&g->mu);
		write_batch(b);
		pthread_mutex_lock(&g->mu);
		g->status |= b->status;
		g->slot[g->written % g->cap] = NULL;
		b->state = BATCH_FREE;
		g->written++;
		g->writing = false;
		pthread_cond_broadcast(&g->cv);
	}
	pthread_mutex_unlock(&g->mu);
}

static void annotate_loop(struct tstate *ts)
{
	struct ring *g = ts->g;
	for (;;) {
		/* one of this thread's batches, once written */
		struct batch *b = NULL;
		pthread_mutex_lock(&g->mu);
		for (;;) {
			for (size_t i = 0; i < BATCHES && !b; i++)
				if (ts->b[i].state == BATCH_FREE)
					b = &ts->b[i];
			if (b)
				break;
			pthread_cond_wait(&g->cv, &g->mu);
		}
		b->state = BATCH_BUSY;
		pthread_mutex_unlock(&g->mu);
		pthread_mutex_lock(&g->rd);
		if (g->end) {
			pthread_mutex_unlock(&g->rd);
			pthread_mutex_lock(&g->mu);
			b->state = BATCH_FREE;
			pthread_mutex_unlock(&g->mu);
			return;
		}
		uint64_t t = g->next++;
		/* at most cap batches are in flight, so ticket t - cap is written */
		pthread_mutex_lock(&g->mu);
		g->slot[t % g->cap] = b;
		pthread_mutex_unlock(&g->mu);
		read_batch(g, b, ts->self);
		pthread_mutex_unlock(&g->rd);
		for (size_t i = 0; i < b->n; i++)
			b->status |= run_item(g, b, &b->v[i], ts);
		finish_batch(g, t);
	}
}

static void *work(void *arg)
{
	struct tstate *ts = arg;
	sig_threads[ts->self] = pthread_self();
	annotate_loop(ts);
	return NULL;
}

static int cmd_annotate(struct config *c, int argc, char **argv)
{
	struct resources r;
	load_resources(c, &r, true);
	struct emit_opts eo = {c->offsets, c->pretty, c->in.text_field, c->in.id_field,
			       (const char *const *)c->types, r.model, c->explain};
	struct input_opts io = c->in;
	io.raw = io.mode == INPUT_JSONL; /* the annotating thread parses */
	size_t threads = c->jobs;
	if (!threads) /* default: every processor, up to 8 (then reading starts to limit) */
		threads = processors() < DEFAULT_JOBS_MAX ? processors() : DEFAULT_JOBS_MAX;
	char *stdin_only[] = {"-"};
	struct ring g;
	memset(&g, 0, sizeof g);
	g.files = argc ? argv : stdin_only;
	g.nfiles = argc ? (size_t)argc : 1;
	g.cap = threads * BATCHES;
	g.slot = xcalloc(g.cap, sizeof *g.slot);
	g.r = &r;
	g.eo = &eo;
	g.io = &io;
	pthread_mutex_init(&g.rd, NULL);
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	struct tstate *ts = xcalloc(threads, sizeof *ts);
	for (size_t t = 0; t < threads; t++) {
		arena_init(&ts[t].a);
		input_scratch_init(&ts[t].scratch);
		ts[t].memo = pipe_memo_new(&r.pipe, 0);
		for (size_t i = 0; i < BATCHES; i++) {
			buf_init(&ts[t].b[i].bytes);
			buf_init(&ts[t].b[i].out);
			buf_init(&ts[t].b[i].msg);
		}
		ts[t].self = (int)t;
		ts[t].g = &g;
	}
	sig_threads = xcalloc(threads, sizeof *sig_threads);
	sig_threads[0] = pthread_self();
	json_object_seed(0); /* before any thread builds a JSON object */
	/* no SA_RESTART: a read waiting for input returns, and the run ends with whole lines */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	size_t started = 0;
	for (size_t t = 1; t < threads; t++) {
		if (pthread_create(&ts[t].tid, NULL, work, &ts[t]) != 0)
			break; /* fewer threads: the main one still does everything */
		started = t;
	}
	annotate_loop(&ts[0]);
	for (size_t t = 1; t <= started; t++)
		pthread_join(ts[t].tid, NULL);
	if (g.in)
		input_free(g.in);
	for (size_t t = 0; t < threads; t++) {
		arena_clear(&ts[t].a);
		input_scratch_clear(&ts[t].scratch);
		pipe_memo_free(ts[t].memo);
		for (size_t i = 0; i < BATCHES; i++) {
			buf_clear(&ts[t].b[i].bytes);
			buf_clear(&ts[t].b[i].out);
			buf_clear(&ts[t].b[i].msg);
			free(ts[t].b[i].v);
		}
	}
	pthread_cond_destroy(&g.cv);
	pthread_mutex_destroy(&g.mu);
	pthread_mutex_destroy(&g.rd);
	free(g.slot);
	free(sig_threads); /* no thread reads any more: the handler does not look at it */
	sig_threads = NULL;
	free_resources(&r);
	if (interrupted) {
		fputs("entopic: interrupted\n", stderr);
		free(ts);
		return EXIT_INTERRUPTED;
	}
	free(ts);
	return g.status > EXIT_RECORDS ? EXIT_SETUP : g.status;
}

static int cmd_eval(struct config *c, int argc, char **argv)
{
	if (argc != 1)
		usage_error("eval takes one gold file (JSON Lines)%s", "");
	struct resources r;
	load_resources(c, &r, true);
	FILE *errors = NULL;
	if (c->errors_file) {
		errors = fopen(c->errors_file, "w");
		if (!errors) {
			fprintf(stderr, "entopic: %s: %s\n", c->errors_file, strerror(errno));
			return EXIT_SETUP;
		}
	}
	eval *ev = eval_new((const char *const *)c->types, r.model, errors);
	struct input_opts io = c->in;
	io.mode = INPUT_JSONL;
	io.doc = true;
	struct err e = {0};
	input *in = input_open(argv[0], &io, &e);
	if (!in)
		die_err(&e);
	struct arena a;
	arena_init(&a);
	struct input_rec rec;
	int rc, status = 0;
	while ((rc = input_next(in, &rec, &e)) > 0) {
		if (rec.error[0]) {
			record_message(&rec, rec.error);
			status = EXIT_RECORDS;
			continue;
		}
		struct annotation an;
		struct err re = {0};
		if (pipe_annotate(&r.pipe, &a, rec.text, rec.len, &an, &re) < 0)
			record_message(&rec, re.msg);
		if (eval_add(ev, rec.doc, rec.text, rec.len, &an, c->topics_only, &re) < 0) {
			record_message(&rec, re.msg);
			status = EXIT_RECORDS;
		}
		arena_reset(&a);
	}
	if (rc < 0)
		die_err(&e);
	eval_report(ev, stdout, c->json_report, c->topics_only);
	input_free(in);
	arena_clear(&a);
	eval_free(ev);
	if (errors)
		fclose(errors);
	free_resources(&r);
	return status;
}

static int cmd_train(struct config *c, int argc, char **argv)
{
	if (argc != 1)
		usage_error("train takes one labelled file (JSON Lines)%s", "");
	struct resources r;
	load_resources(c, &r, false);
	struct input_opts io = c->in;
	io.mode = INPUT_JSONL;
	io.doc = true;
	struct err e = {0};
	input *in = input_open(argv[0], &io, &e);
	if (!in)
		die_err(&e);
	struct topics_trainer *t = topics_trainer_new();
	topics_trainer_set_opts(t, &c->train);
	struct topics_model *base = NULL;
	if (c->train_base) {
		base = topics_load(c->train_base, &e);
		if (!base)
			die_err(&e);
		topics_trainer_set_base(t, base);
	}
	struct arena a;
	arena_init(&a);
	struct input_rec rec;
	int rc, status = 0;
	long used = 0;
	while ((rc = input_next(in, &rec, &e)) > 0) {
		json_t *jt = rec.doc ? json_object_get(rec.doc, "topics") : NULL;
		if (rec.error[0] || !json_is_array(jt)) {
			/* an empty list is a record about none of the topics: a negative example */
			record_message(&rec, rec.error[0] ? rec.error : "no \"topics\" list");
			status = EXIT_RECORDS;
			continue;
		}
		size_t nl = json_array_size(jt);
		const char **labels = xmalloc((nl + 1) * sizeof *labels);
		size_t k = 0;
		for (size_t i = 0; i < nl; i++)
			if (json_is_string(json_array_get(jt, i)))
				labels[k++] = json_string_value(json_array_get(jt, i));
		struct annotation an;
		struct err re = {0};
		pipe_annotate(&r.pipe, &a, rec.text, rec.len, &an, &re);
		topics_trainer_add(t, &an.tin, labels, k);
		free(labels);
		arena_reset(&a);
		used++;
	}
	if (rc < 0)
		die_err(&e);
	input_free(in);
	FILE *out = stdout;
	if (c->out_file) {
		out = fopen(c->out_file, "w");
		if (!out) {
			fprintf(stderr, "entopic: %s: %s\n", c->out_file, strerror(errno));
			return EXIT_SETUP;
		}
	}
	if (topics_trainer_write(t, out, &e) < 0)
		die_err(&e);
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "entopic: %s: %s\n", c->out_file, strerror(errno));
		return EXIT_SETUP;
	}
	fprintf(stderr, "entopic: trained on %ld records\n", used);
	topics_trainer_free(t);
	topics_free(base);
	arena_clear(&a);
	free_resources(&r);
	return status;
}

static int cmd_compile(struct config *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 0)
		usage_error("compile takes no operands (lexicons with --lexicon-dir and -L)%s", "");
	gazetteer *g = gaz_new();
	struct err e = {0};
	char *d = c->lexicon_dir ? xstrdup(c->lexicon_dir) : data_path(c, "lexicons");
	if (gaz_load_dir(g, d, NULL, &e) < 0)
		die_err(&e);
	for (size_t i = 0; i < c->nlexicons; i++)
		if (gaz_load(g, c->lexicons[i], NULL, &e) < 0)
			die_err(&e);
	char *out = NULL;
	if (c->out_file) {
		out = xstrdup(c->out_file);
	} else {
		size_t l = strlen(d) + 16;
		out = xmalloc(l);
		snprintf(out, l, "%s/default.eimg", d);
	}
	if (gaz_save(g, out, &e) < 0)
		die_err(&e);
	fprintf(stderr, "entopic: %s: %zu entities, %zu forms\n", out, gaz_entity_count(g),
		gaz_form_count(g));
	free(out);
	free(d);
	gaz_free(g);
	return 0;
}

static int cmd_lexicon(struct config *c, int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "check") != 0)
		usage_error("lexicon takes a subcommand: check [FILE]...%s", "");
	gazetteer *g = gaz_new();
	struct err e = {0};
	int rc = 0;
	if (argc == 1) {
		char *d = c->lexicon_dir ? xstrdup(c->lexicon_dir) : data_path(c, "lexicons");
		rc = gaz_load_dir(g, d, stderr, &e);
		free(d);
	}
	for (int i = 1; i < argc && rc == 0; i++)
		rc = gaz_load(g, argv[i], stderr, &e);
	if (rc < 0) {
		fprintf(stderr, "%s:%ld: %s\n", e.source, e.line, e.msg);
		gaz_free(g);
		return EXIT_SETUP;
	}
	size_t w = gaz_warnings(g);
	printf("%zu entities, %zu forms, %zu problems\n", gaz_entity_count(g), gaz_form_count(g), w);
	gaz_free(g);
	return w ? EXIT_RECORDS : 0;
}

int main(int argc, char **argv)
{
	struct config c;
	memset(&c, 0, sizeof c);
	c.in.mode = INPUT_DOC;
	c.in.text_field = "text";
	c.in.id_field = "id";
	topics_train_opts_default(&c.train);
	const char *cmd = "annotate";
	int first = parse_args(&c, argc, argv);
	/* the subcommand is the first operand (options may come before or after it) */
	if (first < argc && (strcmp(argv[first], "eval") == 0 || strcmp(argv[first], "train") == 0 ||
			     strcmp(argv[first], "lexicon") == 0 || strcmp(argv[first], "compile") == 0))
		cmd = argv[first++];
	if (c.in.mode == INPUT_DOC && argc - first == 0 && isatty(0) && strcmp(cmd, "annotate") == 0)
		fputs("entopic: reading a document from the terminal (end with Ctrl-D)\n", stderr);
	find_datadir(&c);
	int status;
	if (strcmp(cmd, "eval") == 0)
		status = cmd_eval(&c, argc - first, argv + first);
	else if (strcmp(cmd, "train") == 0)
		status = cmd_train(&c, argc - first, argv + first);
	else if (strcmp(cmd, "lexicon") == 0)
		status = cmd_lexicon(&c, argc - first, argv + first);
	else if (strcmp(cmd, "compile") == 0)
		status = cmd_compile(&c, argc - first, argv + first);
	else
		status = cmd_annotate(&c, argc - first, argv + first);
	if (c.types) {
		for (char **t = c.types; *t; t++)
			free(*t);
		free(c.types);
	}
	free(c.lexicons);
	free(c.add_models);
	free(c.user_rules);
	free(c.user_patterns);
	if (fclose(stdout) != 0 && errno != EPIPE) {
		fprintf(stderr, "entopic: write error: %s\n", strerror(errno));
		return EXIT_SETUP;
	}
	return status;
}
