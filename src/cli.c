/* cli: main(), argv -> configuration, loading of lexicons and models, the record loop,
 * every message and the exit status. The stages below never print; this file does.
 *
 * Exit status: 0 every record processed; 1 some records became error records (or an input
 * file could not be read); 2 usage, setup (lexicon, model, rules) or output error;
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

static volatile sig_atomic_t interrupted;

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

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void print_err(const struct err *e)
{
	if (e->source[0] && e->line && e->col)
		fprintf(stderr, "entopic: %s:%ld:%ld: %s\n", e->source, e->line, e->col, e->msg);
	else if (e->source[0] && e->line)
		fprintf(stderr, "entopic: %s:%ld: %s\n", e->source, e->line, e->msg);
	else if (e->source[0])
		fprintf(stderr, "entopic: %s: %s\n", e->source, e->msg);
	else
		fprintf(stderr, "entopic: %s\n", e->msg);
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

/* ---- annotate: a ring of records, annotated on -j threads, written in input order ----
 *
 * The main thread reads records into a ring of jobs (a copy of the text, or the raw JSONL
 * line). With -j N, N - 1 worker threads take jobs from the ring as soon as they are there,
 * parse, annotate and emit each into the job's own buffers; the main thread writes finished
 * jobs in input order, and when the ring is full it annotates the next job itself, so N
 * threads compute while reading and writing overlap with the work. With -j 1 the ring holds
 * one job and no thread is started. Before the reader would wait for a slow producer, every
 * job read so far is finished and written (a live feed gets its records at once). */

struct job {
	char *data;          /* owned: the text, or the raw JSONL line (kept for the next use) */
	size_t len, cap;
	const char *source;  /* borrowed from argv */
	long line;
	bool jsonl;          /* data is a raw JSONL line to parse */
	char *id;            /* owned: the default id (JSON text) */
	size_t id_len;
	char error[600];     /* a read error found by the reader: an error record */
	struct buf out;      /* the record's output line */
	struct buf msg;      /* its stderr messages */
	bool failed;         /* it became an error record */
	bool done;           /* out and msg are complete already */
	_Atomic bool finished; /* set by the thread that ran it */
};

/* What a thread keeps from one record to the next. */
struct tstate {
	struct arena a;
	struct input_scratch scratch;
	struct pipe_memo *memo;
};

struct ring {
	struct job *v;
	size_t cap;            /* jobs in the ring */
	size_t head;           /* main thread: the oldest job not written */
	size_t tail;           /* main thread: the next job to fill */
	size_t take;           /* under mu: the next job to annotate */
	size_t bytes;          /* main thread: text bytes of the jobs not written */
	bool quit;             /* under mu: workers end */
	bool waiting;          /* under mu: the main thread waits for a job to finish */
	pthread_mutex_t mu;
	pthread_cond_t work;   /* a job was added, or quit */
	pthread_cond_t done;   /* a job finished */
	const struct resources *r;
	const struct emit_opts *eo;
	const struct input_opts *io;
	struct tstate *ts;     /* one per thread, the main thread's first */
};

static void job_message(struct job *j, const char *msg)
{
	buf_printf(&j->msg, "entopic: %s:%ld: %s\n", j->source, j->line, msg);
}

static void run_job(const struct ring *g, struct job *j, struct tstate *ts)
{
	struct arena *a = &ts->a;
	char msg[700];
	if (j->done)
		return;
	struct input_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.source = j->source;
	rec.line = j->line;
	rec.text = j->data;
	rec.len = j->len;
	rec.id = j->id;
	rec.id_len = j->id_len;
	if (!j->error[0] && j->jsonl) {
		input_parse_jsonl(g->io, j->data, j->len, &ts->scratch, &rec);
		if (rec.error[0])
			snprintf(j->error, sizeof j->error, "%s", rec.error);
	}
	if (j->error[0]) {
		job_message(j, j->error);
		snprintf(msg, sizeof msg, "line %ld: %s", j->line, j->error);
		emit_error(&j->out, g->eo, rec.id, rec.id_len, msg);
		j->failed = true;
	} else {
		struct annotation an;
		struct err re = {0};
		if (pipe_annotate_memo(&g->r->pipe, ts->memo, a, rec.text, rec.len, &an, &re) < 0) {
			job_message(j, re.msg);
			if (!an.nt.s) {
				emit_error(&j->out, g->eo, rec.id, rec.id_len, re.msg);
				j->failed = true;
			}
		}
		if (!j->failed)
			emit_record(&j->out, g->eo, &rec, &an);
		arena_reset(a);
	}
}

struct worker {
	pthread_t tid;
	struct ring *g;
	size_t self;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct ring *g = w->g;
	pthread_mutex_lock(&g->mu);
	for (;;) {
		while (g->take == g->tail && !g->quit)
			pthread_cond_wait(&g->work, &g->mu);
		if (g->take == g->tail)
			break;
		struct job *j = &g->v[g->take++ % g->cap];
		pthread_mutex_unlock(&g->mu);
		run_job(g, j, &g->ts[w->self]);
		pthread_mutex_lock(&g->mu);
		atomic_store_explicit(&j->finished, true, memory_order_release);
		if (g->waiting)
			pthread_cond_signal(&g->done);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* A job keeps buffers up to this size for the next record (most news articles fit); bigger
 * ones are given back once written, so memory stays bounded by the ring's size. */
#define KEEP_BYTES ((size_t)16 << 10)

/* Write the oldest job, finishing it first (on this thread when no worker has taken it).
 * Returns EXIT_RECORDS when it became an error record. */
static int write_oldest(struct ring *g, struct buf *out)
{
	struct job *j = &g->v[g->head % g->cap];
	if (!atomic_load_explicit(&j->finished, memory_order_acquire)) {
		pthread_mutex_lock(&g->mu);
		while (!atomic_load_explicit(&j->finished, memory_order_acquire)) {
			if (g->take < g->tail) {
				/* work is waiting: do the next job here instead of waiting */
				struct job *k = &g->v[g->take++ % g->cap];
				pthread_mutex_unlock(&g->mu);
				run_job(g, k, &g->ts[0]);
				atomic_store_explicit(&k->finished, true, memory_order_release);
				pthread_mutex_lock(&g->mu);
				continue;
			}
			g->waiting = true;
			pthread_cond_wait(&g->done, &g->mu);
			g->waiting = false;
		}
		pthread_mutex_unlock(&g->mu);
	}
	if (j->msg.len)
		fputs(j->msg.p, stderr);
	buf_add(out, j->out.p, j->out.len);
	flush_out(out, 1, false);
	int status = j->failed ? EXIT_RECORDS : 0;
	g->bytes -= j->len;
	g->head++;
	if (j->out.cap > KEEP_BYTES)
		buf_clear(&j->out);
	if (j->cap > KEEP_BYTES) {
		free(j->data);
		j->data = NULL;
		j->cap = 0;
	}
	j->out.len = 0;
	buf_clear(&j->msg);
	free(j->id);
	j->id = NULL;
	return status;
}

/* Write every job read so far. */
static int write_all(struct ring *g, struct buf *out)
{
	int status = 0;
	while (g->head < g->tail)
		status |= write_oldest(g, out);
	return status;
}

/* Write the finished jobs at the head of the ring, without waiting. */
static int write_finished(struct ring *g, struct buf *out)
{
	int status = 0;
	while (g->head < g->tail &&
	       atomic_load_explicit(&g->v[g->head % g->cap].finished, memory_order_acquire))
		status |= write_oldest(g, out);
	return status;
}

#define DEFAULT_JOBS_MAX 8
#define RING_JOBS 256   /* per thread */
#define RING_MAX 1024   /* jobs in all */
#define RING_BYTES ((size_t)8 << 20)

/* A free job at the tail (writing the oldest jobs until there is room). */
static struct job *ring_slot(struct ring *g, struct buf *out, int *status)
{
	while (g->tail - g->head == g->cap || (g->bytes >= RING_BYTES && g->head < g->tail))
		*status |= write_oldest(g, out);
	struct job *j = &g->v[g->tail % g->cap];
	j->len = 0;
	j->source = NULL;
	j->line = 0;
	j->jsonl = false;
	j->id = NULL;
	j->id_len = 0;
	j->error[0] = '\0';
	j->failed = j->done = false;
	atomic_store_explicit(&j->finished, false, memory_order_relaxed);
	return j;
}

/* Hand the filled job at the tail to the threads. */
static void ring_push(struct ring *g)
{
	g->bytes += g->v[g->tail % g->cap].len;
	pthread_mutex_lock(&g->mu);
	g->tail++;
	pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->mu);
}

static int cmd_annotate(struct config *c, int argc, char **argv)
{
	struct resources r;
	load_resources(c, &r, true);
	struct emit_opts eo = {c->offsets, c->pretty, c->in.text_field, c->in.id_field,
			       (const char *const *)c->types, r.model, c->explain};
	struct input_opts io = c->in;
	io.raw = io.mode == INPUT_JSONL; /* workers parse */
	size_t threads = c->jobs;
	if (!threads) /* default: every processor, up to 8 (then reading starts to limit) */
		threads = processors() < DEFAULT_JOBS_MAX ? processors() : DEFAULT_JOBS_MAX;
	struct ring g;
	memset(&g, 0, sizeof g);
	g.cap = threads == 1 ? 1 : RING_JOBS * threads < RING_MAX ? RING_JOBS * threads : RING_MAX;
	g.v = xcalloc(g.cap, sizeof *g.v);
	g.r = &r;
	g.eo = &eo;
	g.io = &c->in;
	g.ts = xmalloc(threads * sizeof *g.ts);
	for (size_t t = 0; t < threads; t++) {
		arena_init(&g.ts[t].a);
		input_scratch_init(&g.ts[t].scratch);
		g.ts[t].memo = pipe_memo_new(&r.pipe, 0);
	}
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.work, NULL);
	pthread_cond_init(&g.done, NULL);
	json_object_seed(0); /* before any thread builds a JSON object */
	/* no SA_RESTART: a read waiting for input returns, and the run ends with whole lines;
	 * the workers block the signals, so that they reach the reading thread */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	struct worker *w = xcalloc(threads, sizeof *w);
	size_t started = 0;
	for (size_t t = 1; t < threads; t++) {
		w[t].g = &g;
		w[t].self = t;
		if (pthread_create(&w[t].tid, NULL, work, &w[t]) != 0)
			break; /* fewer threads: the main one still does everything */
		started = t;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	struct buf out;
	buf_init(&out);
	int status = 0;
	char *stdin_only[] = {"-"};
	char **files = argc ? argv : stdin_only;
	size_t nfiles = argc ? (size_t)argc : 1;
	for (size_t f = 0; f < nfiles && !interrupted; f++) {
		struct err e = {0};
		input *in = input_open(files[f], &io, &e);
		if (!in) {
			/* a record of its own, complete already: its message names no line */
			struct job *j = ring_slot(&g, &out, &status);
			j->done = true;
			j->failed = true;
			j->id = input_path_id(files[f]);
			j->id_len = strlen(j->id);
			buf_printf(&j->msg, "entopic: %s: %s\n", files[f], e.msg);
			char msg[700];
			snprintf(msg, sizeof msg, "%s: %s", files[f], e.msg);
			emit_error(&j->out, &eo, j->id, j->id_len, msg);
			ring_push(&g);
			continue;
		}
		struct input_rec rec;
		int rc = 0;
		for (;;) {
			/* before waiting for a slow producer, write out what is done: a live feed
			 * gets its records without waiting for a full ring or buffer */
			if (!interrupted && !input_pending(in)) {
				status |= write_all(&g, &out);
				flush_out(&out, 1, true);
			}
			if (interrupted || (rc = input_next(in, &rec, &e)) <= 0)
				break;
			struct job *j = ring_slot(&g, &out, &status);
			j->source = files[f];
			j->line = rec.line;
			j->id = xstrndup(rec.id, rec.id_len);
			j->id_len = rec.id_len;
			j->jsonl = io.raw;
			if (rec.error[0])
				snprintf(j->error, sizeof j->error, "%s", rec.error);
			j->len = rec.text ? rec.len : 0;
			if (j->len + 1 > j->cap) {
				free(j->data);
				j->cap = j->len + 1 > 256 ? j->len + 1 : 256;
				j->data = xmalloc(j->cap);
			}
			if (j->len)
				memcpy(j->data, rec.text, j->len);
			j->data[j->len] = '\0';
			ring_push(&g);
			status |= write_finished(&g, &out);
		}
		if (rc < 0 && !interrupted) {
			status |= write_all(&g, &out);
			print_err(&e);
			status = EXIT_SETUP;
		}
		input_free(in);
	}
	status |= write_all(&g, &out);
	flush_out(&out, 1, true);
	pthread_mutex_lock(&g.mu);
	g.quit = true;
	pthread_cond_broadcast(&g.work);
	pthread_mutex_unlock(&g.mu);
	for (size_t t = 1; t <= started; t++)
		pthread_join(w[t].tid, NULL);
	free(w);
	buf_clear(&out);
	for (size_t i = 0; i < g.cap; i++) {
		free(g.v[i].data);
		buf_clear(&g.v[i].out);
		buf_clear(&g.v[i].msg);
	}
	for (size_t t = 0; t < threads; t++) {
		arena_clear(&g.ts[t].a);
		input_scratch_clear(&g.ts[t].scratch);
		pipe_memo_free(g.ts[t].memo);
	}
	free(g.ts);
	free(g.v);
	pthread_cond_destroy(&g.done);
	pthread_cond_destroy(&g.work);
	pthread_mutex_destroy(&g.mu);
	free_resources(&r);
	if (interrupted) {
		fputs("entopic: interrupted\n", stderr);
		return EXIT_INTERRUPTED;
	}
	return status > EXIT_RECORDS ? EXIT_SETUP : status;
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
