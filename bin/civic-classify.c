/* civic-classify: code free text and recode messy values with rule books
 * (civic-rules(5)), adding one column per rule set to the stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civic.h"
#include "run_outputs.h"
#include "rules.h"

static const char usage[] =
	"usage: civic-classify -r book [-r book ...] [-a set=column[,column ...]] [-c name]\n"
	"                      [-o file] [--all [--explode]] [--explain] [--unmatched file]\n"
	"                      [--stats[=file]] [--rejects file] [--max-rejects n[%]]\n"
	"                      [--csv | --json] [file ...]\n"
	"       civic-classify --check -r book [-r book ...]\n"
	"       civic-classify --show-rules -r book [-r book ...]\n"
	"\n"
	"  -r, --rules BOOK       apply the rule sets of BOOK (a path or a shipped book's name)\n"
	"  -a, --apply SET=COLS   also run set or template SET on each column of COLS, in place\n"
	"  -c, --column NAME      write the one rule set's result to column NAME\n"
	"  -o, --output FILE      write FILE atomically instead of standard output\n"
	"      --all              every matching label, joined with ';'\n"
	"      --explode          with --all, one row per matching label\n"
	"      --explain          add a NAME_rule column with the deciding rule's id\n"
	"      --unmatched FILE   write the input rows some rule set left to its default to FILE\n"
	"      --stats[=FILE]     per-rule hit counts, never-matched and shadowed rules (default: stderr)\n"
	"      --check            compile the books, report every error, read no data\n"
	"      --show-rules       print the books as loaded: includes and 'extend' blocks merged\n"
	"      --rejects FILE     write rejected records to FILE (NDJSON, mode 0600)\n"
	"      --max-rejects N    rejects tolerated before exit status 1: a count or N% (default 0)\n"
	"      --csv, --json      output format (default: the input's)\n"
	"      --help, --version\n";

enum {
	OPT_ALL = OPT_COMMON_END,
	OPT_EXPLODE,
	OPT_EXPLAIN,
	OPT_UNMATCHED,
	OPT_STATS,
	OPT_CHECK,
	OPT_SHOW_RULES,
};

static const struct option long_options[] = {
	{ "rules", required_argument, NULL, 'r' },
	{ "apply", required_argument, NULL, 'a' },
	{ "column", required_argument, NULL, 'c' },
	{ "output", required_argument, NULL, 'o' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "explode", no_argument, NULL, OPT_EXPLODE },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "unmatched", required_argument, NULL, OPT_UNMATCHED },
	{ "stats", optional_argument, NULL, OPT_STATS },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "show-rules", no_argument, NULL, OPT_SHOW_RULES },
	REJECT_LONG_OPTIONS,
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct common_opts common;
	struct reader_opts reader;
	const char **books, **applies;
	size_t nbooks, napplies;
	const char *column, *output, *unmatched, *stats_file;
	struct reject_opts rejects;
	int all, explode, explain, stats, check, show_rules;
};

struct classify {
	struct options *opts;
	struct rulebook *rb;
	struct inputs in;
	struct header out_header;
	struct output out, unmatched_out, stats_out;
	struct writer writer, unmatched;
	struct rejects rejects;
	struct record rec;
	struct reject why;
	struct rules_hits *hits;       /* one per applied set */
	struct rules_row row;
	unsigned long read, rejected;
};

enum { WRITE_FAILED = -2, SETUP_FAILED = -1 };

static void parse_options(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->common.usage = usage;
	o->books = xcalloc((size_t)argc, sizeof(*o->books));
	o->applies = xcalloc((size_t)argc, sizeof(*o->applies));
	while ((c = getopt_long(argc, argv, "r:a:c:o:", long_options, NULL)) != -1) {
		switch (c) {
		case 'r': o->books[o->nbooks++] = optarg; break;
		case 'a': o->applies[o->napplies++] = optarg; break;
		case 'c': o->column = optarg; break;
		case 'o': o->output = optarg; break;
		case OPT_ALL: o->all = 1; break;
		case OPT_EXPLODE: o->explode = 1; break;
		case OPT_EXPLAIN: o->explain = 1; break;
		case OPT_UNMATCHED: o->unmatched = optarg; break;
		case OPT_STATS: o->stats = 1; o->stats_file = optarg; break;
		case OPT_CHECK: o->check = 1; break;
		case OPT_SHOW_RULES: o->show_rules = o->check = 1; break;
		default:
			if (!common_option(&o->common, c) && !reject_option(&o->rejects, c))
				bad_option();
		}
	}
	if (!o->nbooks)
		civic_usage_error("name a rule book with -r");
	if (o->explode && !o->all)
		civic_usage_error("--explode needs --all");
	if (o->check && (o->output || o->unmatched || o->stats || o->rejects.file || optind < argc))
		civic_usage_error("%s reads no data: it takes only -r and -a", o->show_rules ? "--show-rules" : "--check");
	if (o->column && !*o->column)
		civic_usage_error("-c needs a column name");
	const struct named_output outs[] = {
		{ "-o", o->output ? o->output : "-" }, { "--rejects", o->rejects.file },
		{ "--unmatched", o->unmatched }, { "--stats", o->stats_file },
	};
	check_distinct_outputs(outs, sizeof(outs) / sizeof(outs[0]));
}

static void print_errors(const struct rulebook *rb)
{
	const struct rules_error *e;
	size_t i, j;
	unsigned long col;

	for (i = 0; i < rb->nerrors; i++) {
		e = &rb->errors[i];
		if (e->column)
			fprintf(stderr, "%s: %s:%lu:%lu: %s\n", civic_progname(), e->file, e->line, e->column, e->message);
		else if (e->line)
			fprintf(stderr, "%s: %s:%lu: %s\n", civic_progname(), e->file, e->line, e->message);
		else
			fprintf(stderr, "%s: %s: %s\n", civic_progname(), e->file, e->message);
		if (!e->source || !e->column)
			continue;
		fprintf(stderr, "    %s\n    ", e->source);
		/* Tabs stay tabs so the caret lines up whatever the tab width. */
		col = 1;
		for (j = 0; e->source[j] && col < e->column; j++) {
			unsigned char ch = (unsigned char)e->source[j];
			if ((ch & 0xC0) == 0x80)
				continue;
			fputc(ch == '\t' ? '\t' : ' ', stderr);
			col++;
		}
		fputs("^\n", stderr);
	}
}

/* -a SET=COL[,COL...]: 0, or exits 2 on a malformed or unknown set. */
static void apply_option(struct rulebook *rb, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *set, *cols, *col, *save = NULL;

	if (!eq || eq == arg || !eq[1])
		civic_usage_error("-a takes SET=COLUMN[,COLUMN...]: '%s'", arg);
	set = xstrndup(arg, (size_t)(eq - arg));
	cols = xstrdup(eq + 1);
	for (col = strtok_r(cols, ",", &save); col; col = strtok_r(NULL, ",", &save))
		if (rulebook_apply(rb, set, col) != 0)
			civic_usage_error("-a: no rule set or template '%s' in the books", set);
	free(set);
	free(cols);
}

static int load_books(struct classify *g)
{
	struct options *o = g->opts;
	size_t i;

	g->rb = rulebook_new();
	for (i = 0; i < o->nbooks; i++)
		rulebook_load(g->rb, o->books[i]);
	if (g->rb->nerrors) {
		print_errors(g->rb);
		return -1;
	}
	for (i = 0; i < o->napplies; i++)
		apply_option(g->rb, o->applies[i]);
	rulebook_apply_sets(g->rb);
	if (o->check)
		return 0;
	if (!g->rb->napplied)
		civic_usage_error("the books define only templates: run one with -a SET=COLUMN");
	if ((o->column || o->explode) && g->rb->napplied != 1)
		civic_usage_error("%s needs exactly one rule set, the books give %zu",
			o->column ? "-c" : "--explode", g->rb->napplied);
	if (o->column)
		ruleset_rename(g->rb->applied[0], o->column);
	return 0;
}

static int open_side_output(struct output *out, struct writer *w, const char *path,
	const struct header *h, enum format fmt)
{
	if (output_open(out, path, 0600) != 0)
		return SETUP_FAILED;
	writer_init(w, out->fp, fmt);
	return writer_header(w, h) == 0 ? 0 : WRITE_FAILED;
}

static int open_outputs(struct classify *g)
{
	struct options *o = g->opts;
	enum format fmt;
	size_t i;
	int rc;

	if (inputs_start(&g->in) != 0)
		return SETUP_FAILED;
	if (rulebook_bind(g->rb, &g->in.header, &g->out_header, o->explain) != 0) {
		print_errors(g->rb);
		return SETUP_FAILED;
	}
	g->hits = xcalloc(g->rb->napplied, sizeof(*g->hits));
	for (i = 0; i < g->rb->napplied; i++)
		rules_hits_init(&g->hits[i], g->rb->applied[i]);
	fmt = o->common.out_format ? o->common.out_format : g->in.format;
	if (rejects_open(&g->rejects, o->rejects.file) != 0)
		return SETUP_FAILED;
	if (o->stats_file && output_open(&g->stats_out, o->stats_file, 0644) != 0)
		return SETUP_FAILED;
	if (o->unmatched && (rc = open_side_output(&g->unmatched_out, &g->unmatched, o->unmatched,
			&g->in.header, fmt)) != 0)
		return rc;
	if (output_open(&g->out, o->output, 0644) != 0)
		return SETUP_FAILED;
	writer_init(&g->writer, g->out.fp, fmt);
	return writer_header(&g->writer, &g->out_header) == 0 ? 0 : WRITE_FAILED;
}

/* --explode: one row per distinct label of the only set. */
static int write_exploded(struct classify *g)
{
	const struct ruleset *s = g->rb->applied[0];
	const struct rules_hits *h = &g->hits[0];
	size_t base = g->rec.nfields, i, j;
	const struct rule *r;

	if (!h->n) {
		rules_put(&g->row, s, h, &g->rec, 0);
		return writer_record(&g->writer, &g->rec);
	}
	for (i = 0; i < h->n; i++) {
		r = s->rules[h->idx[i]];
		for (j = 0; j < i && strcmp(s->rules[h->idx[j]]->label, r->label) != 0; j++)
			;
		if (j < i)
			continue;
		g->rec.nfields = base;
		rules_put_rule(s, r, &g->rec);
		if (writer_record(&g->writer, &g->rec) != 0)
			return -1;
	}
	return 0;
}

/* 0 written, 1 rejected, WRITE_FAILED. */
static int classify_record(struct classify *g)
{
	int flags = g->opts->all || g->opts->stats ? RULES_ALL : 0, unmatched = 0;
	size_t k;

	for (k = 0; k < g->rb->napplied; k++) {
		if (ruleset_classify(g->rb, g->rb->applied[k], &g->rec, flags, &g->hits[k], &g->why) != 0) {
			inputs_copy_raw(&g->in, &g->rec);
			rejects_add(&g->rejects, &g->rec, &g->why);
			return 1;
		}
		unmatched |= g->hits[k].n == 0;
	}
	if (unmatched && g->opts->unmatched && writer_record(&g->unmatched, &g->rec) != 0)
		return WRITE_FAILED;
	rules_row_begin(&g->row, &g->rec);
	if (g->opts->explode)
		return write_exploded(g) == 0 ? 0 : WRITE_FAILED;
	for (k = 0; k < g->rb->napplied; k++)
		rules_put(&g->row, g->rb->applied[k], &g->hits[k], &g->rec, g->opts->all);
	return writer_record(&g->writer, &g->rec) == 0 ? 0 : WRITE_FAILED;
}

static int run_stream(struct classify *g)
{
	int rc;

	while ((rc = inputs_next(&g->in, &g->rec, &g->why)) != READ_EOF) {
		if (rc == READ_FATAL)
			continue;
		g->read++;
		if (rc == READ_REJECT) {
			g->rejected++;
			rejects_add(&g->rejects, &g->rec, &g->why);
			continue;
		}
		if ((rc = classify_record(g)) < 0)
			return rc;
		g->rejected += (unsigned long)rc;
	}
	return 0;
}

static int write_stats(struct classify *g)
{
	FILE *fp = g->opts->stats_file ? g->stats_out.fp : stderr;

	if (rulebook_write_stats(g->rb, fp) != 0) {
		civic_warn("%s: write error:", g->opts->stats_file ? g->opts->stats_file : "standard error");
		return -1;
	}
	return 0;
}

static int close_all(struct classify *g, int rc)
{
	struct options *o = g->opts;
	int status = CIVIC_EXIT_OK;

	if (rc == WRITE_FAILED)
		civic_warn("%s: write error:", o->output ? o->output : "standard output");
	/* Without an input cut short by a read error, or an operand skipped,
	 * the files would look complete. */
	struct run_outputs outs;
	run_outputs_init(&outs, &g->rejects);
	run_outputs_add(&outs, &g->out);
	if (o->unmatched)
		run_outputs_add(&outs, &g->unmatched_out);
	if (o->stats_file)
		run_outputs_add(&outs, &g->stats_out);
	if (rc != 0 || g->in.failed) {
		run_outputs_finish(&outs, 0);
		return CIVIC_EXIT_DATA;
	}
	if (o->stats && write_stats(g) != 0)
		status = CIVIC_EXIT_DATA;
	if (run_outputs_finish(&outs, 1) != 0)
		status = CIVIC_EXIT_DATA;
	if (reject_limit_check(&o->rejects.limit, g->rejected, g->read))
		status = CIVIC_EXIT_DATA;
	return g->in.failed ? CIVIC_EXIT_DATA : status;
}

static void release(struct classify *g)
{
	size_t i;

	if (g->hits)
		for (i = 0; i < g->rb->napplied; i++)
			rules_hits_release(&g->hits[i]);
	free(g->hits);
	writer_release(&g->writer);
	if (g->opts->unmatched)
		writer_release(&g->unmatched);
	header_release(&g->out_header);
	inputs_release(&g->in);
	rec_release(&g->rec);
	rules_row_release(&g->row);
	rulebook_free(g->rb);
}

static int classify(struct options *o, char **files, size_t nfiles)
{
	struct classify g;
	int status, rc;

	memset(&g, 0, sizeof(g));
	g.opts = o;
	header_init(&g.out_header);
	rules_row_init(&g.row);
	inputs_init(&g.in, files, nfiles, &o->reader);
	if (load_books(&g) != 0) {
		release(&g);
		return CIVIC_EXIT_DATA;
	}
	if (o->show_rules) {
		status = rulebook_show(g.rb, stdout) == 0 && close_stdout() == 0 ? CIVIC_EXIT_OK : CIVIC_EXIT_DATA;
		release(&g);
		return status;
	}
	if (o->check) {
		release(&g);
		return CIVIC_EXIT_OK;
	}
	rc = open_outputs(&g);
	if (rc == 0)
		rc = run_stream(&g);
	status = close_all(&g, rc);
	release(&g);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	int status;

	civic_start(argc, argv);
	parse_options(&o, argc, argv);
	status = classify(&o, argv + optind, (size_t)(argc - optind));
	free(o.books);
	free(o.applies);
	return status;
}
