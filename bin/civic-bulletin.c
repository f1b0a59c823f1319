/* civic-bulletin: a bulletin made from its definition (civic-bulletin(5)):
 * every indicator of an input tallied in one read of it, the reports in
 * each language and format, the published tables, the partials later
 * periods compare with, all built aside and moved into place whole.
 *
 * Code map: bulletin_def (loading and checking the definition),
 * bulletin_period (periods and the ones before them), bulletin_run (one
 * read per input, partials and tables), bulletin_report (the report,
 * its suppression, comparisons and methodology annex). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civic.h"
#include "sha256.h"
#include "parallel.h"
#include "split_list.h"
#include "partial.h"
#include "bulletin_def.h"
#include "bulletin_period.h"
#include "bulletin_placeholder.h"
#include "bulletin_run.h"
#include "bulletin_report.h"
#include "lang.h"

static const char usage[] =
	"usage: civic-bulletin -b file --check [--lang codes]\n"
	"       civic-bulletin -b file [--period yyyy-mm | --quarter yyyy-Qn | --year yyyy]\n"
	"                      [--wave label] [--lang codes] [-f formats] [-s k]\n"
	"                      [--max-rejects n[%]] [--without role] [--source file] [-j n]\n"
	"                      -o dir role=file ...\n"
	"\n"
	"  -b, --bulletin FILE   the bulletin definition (civic-bulletin(5))\n"
	"      --check           check the definition (and its texts in --lang) only\n"
	"      --period YYYY-MM  report a month: the rows whose period column falls in it\n"
	"      --quarter YYYY-Qn report a quarter\n"
	"      --year YYYY       report a year (default: every row, as the period 'all')\n"
	"      --wave LABEL      the survey wave: the rows whose wave column is LABEL; the\n"
	"                        previous wave is the latest earlier period of the same\n"
	"                        length with another (each change with its SE and p-value)\n"
	"      --lang CODES      the reports' languages, comma-separated: en, ru, uz\n"
	"                        (default en, as report.EXT; with --lang, report.CODE.EXT)\n"
	"  -f, --format LIST     report formats, comma-separated: html, md, txt, xlsx, json\n"
	"                        (default html,md,txt); the tables are always written as CSV\n"
	"  -s, --suppress K      hide counts below K in what is published (default: the\n"
	"                        definition's suppress, else 5; 0: none); an indicator's\n"
	"                        own suppress stands\n"
	"      --max-rejects N   rejected rows tolerated: a count or N% (default 0)\n"
	"  -j, --threads N       1: one thread; 2: an input of 16 MB or more is read\n"
	"                        on two (default 2 on a machine with two CPUs or more)\n"
	"  -o, --output DIR      where the periods go: DIR/PERIOD/ published,\n"
	"                        DIR/internal/PERIOD/ partials, tallies, compared tables\n"
	"                        unrounded, rejects, log\n"
	"      --without ROLE    make the bulletin without the input ROLE: its indicators\n"
	"                        are reported as not computed (repeatable)\n"
	"      --source FILE     a schema or rule book the inputs were made with, named\n"
	"                        with its SHA-256 and version in the provenance (repeatable)\n"
	"  ROLE=FILE             an input by the role the definition declares; repeat a\n"
	"                        role for several files of one input\n"
	"      --help, --version\n";

enum {
	OPT_CHECK = OPT_COMMON_END,
	OPT_PERIOD,
	OPT_QUARTER,
	OPT_YEAR,
	OPT_WAVE,
	OPT_LANG,
	OPT_WITHOUT,
	OPT_SOURCE,
};

static const struct option long_options[] = {
	{ "bulletin", required_argument, NULL, 'b' },
	{ "format", required_argument, NULL, 'f' },
	{ "suppress", required_argument, NULL, 's' },
	{ "output", required_argument, NULL, 'o' },
	{ "threads", required_argument, NULL, 'j' },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "quarter", required_argument, NULL, OPT_QUARTER },
	{ "year", required_argument, NULL, OPT_YEAR },
	{ "wave", required_argument, NULL, OPT_WAVE },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "without", required_argument, NULL, OPT_WITHOUT },
	{ "source", required_argument, NULL, OPT_SOURCE },
	REJECT_LONG_OPTIONS,
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct role_files {
	char **files;
	size_t n;
};

struct options {
	struct common_opts common;
	struct reject_opts rejects;
	const char *def, *formats, *output, *wave, *langs;
	long suppress;
	int check;
	struct bperiod period;
	int period_given;
	char **operands;
	size_t noperands;
	char **without;                /* roles left out on purpose (--without) */
	size_t nwithout;
	char **sources;                /* --source, for the provenance */
	size_t nsources;
};

static const struct {
	const char *name, *ext;
	enum report_format f;
} report_formats[] = {
	{ "html", "html", REPORT_HTML }, { "md", "md", REPORT_MD }, { "txt", "txt", REPORT_TEXT },
	{ "text", "txt", REPORT_TEXT }, { "xlsx", "xlsx", REPORT_XLSX }, { "json", "json", REPORT_JSON },
};

static void set_period(struct options *o, enum bperiod_kind kind, const char *arg, const char *opt,
	const char *form)
{
	if (o->period_given)
		civic_usage_error("give one of --period, --quarter and --year");
	if (bperiod_parse(&o->period, kind, arg) != 0)
		civic_usage_error("%s takes %s: '%s'", opt, form, arg);
	o->period_given = 1;
}

/* -j N: as civic-tally decides, but by an option rather than CIVIC_THREADS. */
static void set_threads(const char *arg)
{
	if (strcmp(arg, "1") == 0)
		parallel_choose(PARALLEL_OFF);
	else if (strcmp(arg, "2") == 0)
		parallel_choose(PARALLEL_AUTO);
	else
		civic_usage_error("-j takes 1 or 2 threads: '%s'", arg);
}

static void parse_options(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->common.usage = usage;
	o->suppress = -1;
	bperiod_parse(&o->period, BPERIOD_ALL, "");
	while ((c = getopt_long(argc, argv, "b:f:s:o:j:", long_options, NULL)) != -1) {
		switch (c) {
		case 'b': o->def = optarg; break;
		case 'f': o->formats = optarg; break;
		case 's': o->suppress = (long)opt_ulong("--suppress", optarg); break;
		case 'o': o->output = optarg; break;
		case 'j': set_threads(optarg); break;
		case OPT_CHECK: o->check = 1; break;
		case OPT_PERIOD: set_period(o, BPERIOD_MONTH, optarg, "--period", "yyyy-mm"); break;
		case OPT_QUARTER: set_period(o, BPERIOD_QUARTER, optarg, "--quarter", "yyyy-Qn"); break;
		case OPT_YEAR: set_period(o, BPERIOD_YEAR, optarg, "--year", "yyyy"); break;
		case OPT_WAVE: o->wave = optarg; break;
		case OPT_LANG: o->langs = optarg; break;
		case OPT_WITHOUT:
			o->without = xrealloc(o->without, (o->nwithout + 1) * sizeof(*o->without));
			o->without[o->nwithout++] = optarg;
			break;
		case OPT_SOURCE:
			if (access(optarg, R_OK) != 0)
				civic_usage_error("--source: cannot read '%s': %s", optarg, strerror(errno));
			o->sources = xrealloc(o->sources, (o->nsources + 1) * sizeof(*o->sources));
			o->sources[o->nsources++] = optarg;
			break;
		default:
			if (!common_option(&o->common, c) && !reject_option(&o->rejects, c))
				bad_option();
		}
	}
	if (o->rejects.file)
		civic_usage_error("--rejects: the rejected rows go to DIR/internal/PERIOD/rejects.ndjson");
	if (!o->def)
		civic_usage_error("give the bulletin definition: -b FILE");
	if (o->wave && !o->wave[0])
		civic_usage_error("--wave takes a label, not empty");
	o->operands = argv + optind;
	o->noperands = (size_t)(argc - optind);
	if (o->check) {
		if (o->output || o->noperands || o->period_given || o->wave || o->formats || o->nwithout || o->nsources)
			civic_usage_error("--check takes only -b and --lang");
		return;
	}
	if (!o->output)
		civic_usage_error("give the output directory: -o DIR");
}

/* --lang into the BLANG_ indices; *n of them. */
static int *parse_langs(const char *list, size_t *n)
{
	char **items;
	size_t k = split_list(list ? list : "en", &items);
	int *langs = xcalloc(k + 1, sizeof(*langs));

	for (size_t i = 0; i < k; i++) {
		if ((langs[i] = bulletin_lang_index(items[i])) < 0)
			civic_usage_error("unknown language '%s' (en, ru, uz)", items[i]);
		for (size_t j = 0; j < i; j++)
			if (langs[j] == langs[i])
				civic_usage_error("--lang: '%s' is given twice", items[i]);
	}
	split_list_free(items, k);
	*n = k;
	return langs;
}

static size_t parse_formats(const char *list, enum report_format *f, const char **ext)
{
	char **items;
	size_t k = split_list(list ? list : "html,md,txt", &items), n = 0;

	for (size_t i = 0; i < k; i++) {
		size_t j;
		if (strcmp(items[i], "csv") == 0)
			continue;     /* the tables: always written */
		for (j = 0; j < sizeof(report_formats) / sizeof(report_formats[0]); j++)
			if (strcmp(items[i], report_formats[j].name) == 0)
				break;
		if (j == sizeof(report_formats) / sizeof(report_formats[0]))
			civic_usage_error("unknown format '%s' (html, md, txt, xlsx, json, csv)", items[i]);
		for (size_t m = 0; m < n; m++)
			if (f[m] == report_formats[j].f)
				civic_usage_error("-f: '%s' is given twice", items[i]);
		f[n] = report_formats[j].f;
		ext[n++] = report_formats[j].ext;
	}
	split_list_free(items, k);
	return n;
}

static size_t role_index(const struct bulletin *b, const char *name, size_t len)
{
	size_t r;

	for (r = 0; r < b->ninputs; r++)
		if (strlen(b->inputs[r].role) == len && strncmp(b->inputs[r].role, name, len) == 0)
			break;
	return r;
}

static void unknown_role(const struct bulletin *b, const char *name, size_t len)
{
	struct sbuf roles = SBUF_INIT;

	for (size_t k = 0; k < b->ninputs; k++)
		sbuf_printf(&roles, "%s%s", k ? ", " : "", b->inputs[k].role);
	civic_usage_error("unknown role '%.*s' (%s declares %s)", (int)len, name, b->path, sbuf_cstr(&roles));
}

/* --without ROLE: per input, 1 when the run is to be made without it, as
 * if the definition had declared it optional (a cron job that has no
 * survey this month still publishes the registry's indicators). */
static char *roles_without(const struct bulletin *b, const struct options *o)
{
	char *without = xcalloc(b->ninputs + 1, 1);

	for (size_t i = 0; i < o->nwithout; i++) {
		size_t r = role_index(b, o->without[i], strlen(o->without[i]));
		if (r == b->ninputs)
			unknown_role(b, o->without[i], strlen(o->without[i]));
		without[r] = 1;
	}
	return without;
}

/* ROLE=FILE operands, by the definition's roles. */
static struct role_files *parse_operands(const struct bulletin *b, const struct options *o)
{
	struct role_files *rf = xcalloc(b->ninputs + 1, sizeof(*rf));
	char *without = roles_without(b, o);

	for (size_t i = 0; i < o->noperands; i++) {
		const char *arg = o->operands[i], *eq = strchr(arg, '=');
		size_t r;
		if (!eq || eq == arg || !eq[1])
			civic_usage_error("inputs are given as ROLE=FILE: '%s'", arg);
		r = role_index(b, arg, (size_t)(eq - arg));
		if (r == b->ninputs)
			unknown_role(b, arg, (size_t)(eq - arg));
		if (without[r])
			civic_usage_error("the role '%s' is given and --without it", b->inputs[r].role);
		if (b->inputs[r].kind == BINPUT_POPULATION && rf[r].n)
			civic_usage_error("the population table '%s' is one file", b->inputs[r].role);
		rf[r].files = xrealloc(rf[r].files, (rf[r].n + 1) * sizeof(*rf[r].files));
		rf[r].files[rf[r].n++] = (char *)eq + 1;
	}
	for (size_t r = 0; r < b->ninputs; r++) {
		int needed = 0;
		for (size_t i = 0; i < b->nind && !needed; i++)
			needed = b->ind[i].input == r || b->ind[i].population == (long)r;
		if (!rf[r].n && needed && !b->inputs[r].optional && !without[r])
			civic_usage_error("no input for the role '%s': give %s=FILE", b->inputs[r].role,
				b->inputs[r].role);
		if (rf[r].n && b->inputs[r].kind == BINPUT_POPULATION) {
			for (size_t i = 0; i < b->nind; i++) {
				if (b->ind[i].population == (long)r && !rf[b->ind[i].input].n && !b->inputs[r].optional)
					break;
			}
		}
	}
	if (o->wave) {
		int has_wave = 0;
		for (size_t r = 0; r < b->ninputs; r++)
			has_wave |= b->inputs[r].wave != NULL;
		if (!has_wave)
			civic_usage_error("--wave: no input of %s has a wave column", b->path);
	}
	free(without);
	return rf;
}

/* ---- the work directory ---- */

static char *path_join(const char *a, const char *b)
{
	char *p = xmalloc(strlen(a) + strlen(b) + 2);

	sprintf(p, "%s/%s", a, b);
	return p;
}

static int make_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) != 0 && errno != EEXIST) {
		civic_warn("%s: cannot create the directory:", path);
		return -1;
	}
	return 0;
}

static int remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if (!(d = opendir(path)))
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = path_join(path, e->d_name);
		remove_tree(p);
		free(p);
	}
	closedir(d);
	return rmdir(path);
}

/* What is published is for everyone to read. */
static int open_published(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = chmod(dir, 0755);

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *p = path_join(dir, e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc |= open_published(p);
		else
			rc |= chmod(p, 0644);
		free(p);
	}
	closedir(d);
	return rc;
}

/* ---- the survey wave and the previous one ---- */

static char *read_line_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char buf[512];

	if (!fp)
		return NULL;
	if (!fgets(buf, sizeof(buf), fp)) {
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

static int write_line_file(const char *path, const char *text)
{
	struct output out;

	if (output_open(&out, path, 0600) != 0)
		return -1;
	fprintf(out.fp, "%s\n", text);
	return output_close(&out);
}

/* An earlier period's directory, by its period. */
struct earlier {
	char *name;
	long last;                     /* bperiod_last_month */
};

/* Latest first; among periods ending in the same month (only when the
 * current period is "all"), by name. */
static int latest_first(const void *a, const void *b)
{
	const struct earlier *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? 1 : -1;
	return strcmp(y->name, x->name);
}

/* The periods reported in internal that `period` may look back to
 * (bperiod_is_before): latest first, *n of them, malloc'd. */
static struct earlier *earlier_periods(const char *internal, const struct bperiod *period, size_t *n)
{
	DIR *d = opendir(internal);
	struct dirent *e;
	struct earlier *list = NULL;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		struct bperiod q;
		if (bperiod_from_label(&q, e->d_name) != 0 || !bperiod_is_before(&q, period))
			continue;
		list = xrealloc(list, (*n + 1) * sizeof(*list));
		list[(*n)++] = (struct earlier){ xstrdup(e->d_name), bperiod_last_month(&q) };
	}
	closedir(d);
	if (*n)
		qsort(list, *n, sizeof(*list), latest_first);
	return list;
}

/* The latest period of period's kind reported before it (any period, for
 * "all") whose wave of `role` is not `wave` and that has a partial of
 * indicator id: malloc'd, or NULL.  Found by the periods' dates, not the
 * directories' sort order, so that neither a later period nor one of
 * another length stands for the previous wave. */
static char *previous_wave(const char *internal, const struct bperiod *period, const char *role, const char *wave,
	const char *id, char **wave_out)
{
	size_t n;
	struct earlier *list = earlier_periods(internal, period, &n);
	char *found = NULL;

	*wave_out = NULL;
	for (size_t i = 0; i < n && !found; i++) {
		char rel[1024];
		snprintf(rel, sizeof(rel), "%s/%s/waves/%s", internal, list[i].name, role);
		char *w = read_line_file(rel);
		snprintf(rel, sizeof(rel), "%s/%s/partials/%s.ndjson", internal, list[i].name, id);
		if (w && strcmp(w, wave) != 0 && access(rel, R_OK) == 0) {
			found = xstrdup(list[i].name);
			*wave_out = w;
		} else {
			free(w);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
	return found;
}

/* ---- the run ---- */

struct run {
	struct options *o;
	struct bulletin b;
	struct role_files *rf;
	char *outdir, *internal, *work, *published;
	char **wave;                   /* per input: the survey wave's identity */
	char *population_spec;         /* per population role: FILE:COLUMN (one at a time) */
	FILE *log;
	unsigned long read, rejected;
};

static void logf_(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->log)
		return;
	va_start(ap, fmt);
	vfprintf(r->log, fmt, ap);
	va_end(ap);
}

static char *population_of(const struct run *r, size_t i)
{
	const struct bindicator *ind = &r->b.ind[i];

	if (ind->population < 0 || !r->rf[ind->population].n)
		return NULL;
	const struct binput *p = &r->b.inputs[ind->population];
	char *s = xmalloc(strlen(r->rf[ind->population].files[0]) + strlen(p->column) + 2);
	sprintf(s, "%s:%s", r->rf[ind->population].files[0], p->column);
	return s;
}

/* The indicators of a pass, each written by one job (write_indicators). */
struct writes {
	struct run *r;
	struct bulletin_pass *pass;
	size_t *ind;                   /* the indicators to write */
	int *failed;                   /* per job */
};

static void write_one(void *ctx, size_t job)
{
	struct writes *w = ctx;
	const struct bulletin *b = &w->r->b;
	size_t i = w->ind[job];
	char name[300];

	snprintf(name, sizeof(name), "partials/%s.ndjson", b->ind[i].id);
	char *partial = path_join(w->r->work, name);
	snprintf(name, sizeof(name), "tallies/%s.csv", b->ind[i].id);
	char *table = path_join(w->r->work, name);
	char *pop = population_of(w->r, i);
	if (bulletin_write_indicator(b, i, &w->pass->agg[i], pop, partial, table) != 0) {
		civic_warn("indicator '%s': its tables were not written", b->ind[i].id);
		w->failed[job] = 1;
	}
	free(pop);
	free(partial);
	free(table);
}

/* A pass's partials and tables, on two threads: each indicator's are its
 * own files, made from its own tallies, and some take a while (medians). */
static int write_indicators(struct run *r, struct bulletin_pass *pass)
{
	const struct bulletin *b = &r->b;
	struct writes w = { r, pass, xcalloc(b->nind + 1, sizeof(size_t)), xcalloc(b->nind + 1, sizeof(int)) };
	size_t n = 0;
	int status = 0;

	for (size_t i = 0; i < b->nind; i++)
		/* A rate per population without its population table is
		 * not computed: the report says so. */
		if (pass->used[i] && !(b->ind[i].population >= 0 && !r->rf[b->ind[i].population].n))
			w.ind[n++] = i;
	parallel_for(n, write_one, &w);
	for (size_t j = 0; j < n; j++)
		if (w.failed[j])
			status = CIVIC_EXIT_DATA;
	free(w.ind);
	free(w.failed);
	return status;
}

/* Every registry and survey input: read once, its indicators written. */
static int tally_inputs(struct run *r, struct rejects *rj)
{
	const struct bulletin *b = &r->b;
	struct reader_opts ro;

	memset(&ro, 0, sizeof(ro));
	r->wave = xcalloc(b->ninputs + 1, sizeof(*r->wave));
	for (size_t k = 0; k < b->ninputs; k++) {
		const struct binput *in = &b->inputs[k];
		struct bulletin_pass pass;
		char cond[512] = "";
		int status;

		if (in->kind == BINPUT_POPULATION || !r->rf[k].n)
			continue;
		if (in->period) {
			bperiod_condition(&r->o->period, in->period, cond, sizeof(cond));
		} else if (in->wave && r->o->wave) {
			struct sbuf q = SBUF_INIT;
			sbuf_printf(&q, "%s = '", in->wave);
			for (const char *p = r->o->wave; *p; p++) {
				if (*p == '\'')
					sbuf_addc(&q, '\'');
				sbuf_addc(&q, *p);
			}
			sbuf_addc(&q, '\'');
			snprintf(cond, sizeof(cond), "%s", sbuf_cstr(&q));
			sbuf_release(&q);
		}
		if (in->kind == BINPUT_SURVEY) {
			/* The wave is its label, else what its files hold. */
			if (r->o->wave && in->wave) {
				r->wave[k] = xstrdup(r->o->wave);
			} else {
				struct sbuf all = SBUF_INIT;
				char hex[65];
				for (size_t f = 0; f < r->rf[k].n; f++) {
					if (sha256_file(r->rf[k].files[f], hex) != 0) {
						civic_warn("%s:", r->rf[k].files[f]);
						sbuf_release(&all);
						return CIVIC_EXIT_DATA;
					}
					sbuf_addstr(&all, hex);
				}
				sha256_hex(all.s, all.len, hex);
				sbuf_release(&all);
				r->wave[k] = xmalloc(20);
				snprintf(r->wave[k], 20, "sha256:%.12s", hex);
			}
		}
		status = bulletin_tally_input(b, k, r->rf[k].files, r->rf[k].n, cond, &ro, rj, &pass);
		r->read += pass.read;
		r->rejected += pass.rejected;
		logf_(r, "%s: %lu rows read, %lu rejected%s%s\n", in->role, pass.read, pass.rejected,
			cond[0] ? "; kept: " : "", cond);
		if (status == 0)
			status = write_indicators(r, &pass);
		bulletin_pass_release(b, &pass);
		if (status)
			return status;
		if (r->wave[k]) {
			char name[300];
			snprintf(name, sizeof(name), "waves/%s", in->role);
			char *p = path_join(r->work, name);
			int rc = write_line_file(p, r->wave[k]);
			free(p);
			if (rc)
				return CIVIC_EXIT_DATA;
		}
	}
	return 0;
}

/* Each indicator's comparisons: the earlier period's partial, merged
 * into a table, or why there is none. */
static int comparisons(struct run *r, struct bulletin_report_in *ri)
{
	const struct bulletin *b = &r->b;

	for (size_t i = 0; i < b->nind; i++) {
		const struct bindicator *ind = &b->ind[i];
		struct bsection_in *s = &ri->sec[i];
		char *pop = population_of(r, i);

		for (int c = 0; c < BCMP_N; c++) {
			unsigned bit = 1u << c;
			struct bcompare *bc;
			struct bperiod back;
			char *wave = NULL, *dir = NULL;
			if (!(ind->compare & bit) || s->skipped)
				continue;
			bc = &s->cmp[s->ncmp++];
			bc->cmp = bit;
			if (bit == BCMP_PREV_WAVE) {
				const char *role = b->inputs[ind->input].role;
				dir = previous_wave(r->internal, &r->o->period, role, r->wave[ind->input], ind->id, &wave);
				if (!dir) {
					bc->state = BCMP_MISSING;
					snprintf(bc->period, sizeof(bc->period), "-");
					logf_(r, "%s: %s -: not reported\n", ind->id, bulletin_compare_names[c]);
					continue;
				}
				snprintf(bc->period, sizeof(bc->period), "%s", strncmp(wave, "sha256:", 7) ? wave : dir);
			} else if (bperiod_back(&r->o->period, bit, &back) != 0) {
				bc->state = BCMP_NOT_APPLICABLE;
				snprintf(bc->period, sizeof(bc->period), "-");
				continue;
			} else {
				dir = xstrdup(back.label);
				snprintf(bc->period, sizeof(bc->period), "%s", back.label);
			}
			char rel[1024];
			snprintf(rel, sizeof(rel), "%s/%s/partials/%s.ndjson", r->internal, dir, ind->id);
			char name[400];
			snprintf(name, sizeof(name), "previous/%s.%s.csv", ind->id, dir);
			char *table = path_join(r->work, name);
			int rc = bulletin_table_from_partial(b, i, pop, rel, table);
			free(dir);
			free(wave);
			if (rc < 0) {
				free(table);
				free(pop);
				return CIVIC_EXIT_DATA;
			}
			bc->state = rc == 0 ? BCMP_DONE : rc == 1 ? BCMP_MISSING : BCMP_CHANGED;
			if (rc == 0)
				bc->table = table;
			else
				free(table);
			logf_(r, "%s: %s %s: %s\n", ind->id, bulletin_compare_names[c], bc->period,
				rc == 0 ? "compared" : rc == 1 ? "not reported" : "defined differently");
		}
		free(pop);
	}
	return 0;
}

static int reports(struct run *r, struct bulletin_report_in *ri)
{
	enum report_format f[8];
	const char *ext[8];
	size_t nf = parse_formats(r->o->formats, f, ext), nl;
	int *langs = parse_langs(r->o->langs, &nl);
	char *tables = path_join(r->published, "tables");
	char *compared = path_join(r->work, "compared");
	int rc = bulletin_write_tables(ri, tables);

	if (rc == 0)
		rc = bulletin_write_compared(ri, compared);
	free(compared);

	for (size_t l = 0; l < nl && rc == 0; l++) {
		char suffix[8] = "";
		if (r->o->langs)
			snprintf(suffix, sizeof(suffix), ".%s", bulletin_langs[langs[l]]);
		rc = bulletin_write_reports(ri, langs[l], f, ext, nf, r->published, suffix);
	}
	free(tables);
	free(langs);
	return rc ? CIVIC_EXIT_DATA : 0;
}

/* Into place: the internal state first, so that a published period always
 * has its partials; the old period goes only once the new one is there. */
static int into_place(struct run *r)
{
	const char *label = r->o->period.label;
	char *final_internal = path_join(r->internal, label);
	char *final_pub = path_join(r->outdir, label);
	char *old_internal = xmalloc(strlen(final_internal) + 8), *old_pub = xmalloc(strlen(final_pub) + 8);
	char *moved_pub = path_join(final_internal, "published");
	int rc = 0;

	sprintf(old_internal, "%s.old", final_internal);
	sprintf(old_pub, "%s.old", final_pub);
	remove_tree(old_internal);
	remove_tree(old_pub);
	if (access(final_internal, F_OK) == 0 && rename(final_internal, old_internal) != 0)
		rc = -1;
	if (rc == 0 && access(final_pub, F_OK) == 0 && rename(final_pub, old_pub) != 0)
		rc = -1;
	if (rc == 0 && rename(r->work, final_internal) != 0)
		rc = -1;
	if (rc == 0 && rename(moved_pub, final_pub) != 0)
		rc = -1;
	if (rc != 0)
		civic_warn("%s: cannot move the new period into place:", final_pub);
	else {
		remove_tree(old_internal);
		remove_tree(old_pub);
		char *failed = xmalloc(strlen(final_internal) + 8);
		sprintf(failed, "%s.failed", final_internal);
		remove_tree(failed);
		free(failed);
	}
	free(final_internal);
	free(final_pub);
	free(old_internal);
	free(old_pub);
	free(moved_pub);
	return rc ? CIVIC_EXIT_DATA : 0;
}

static int fail_run(struct run *r, int status)
{
	char *failed = xmalloc(strlen(r->internal) + strlen(r->o->period.label) + 16);

	sprintf(failed, "%s/%s.failed", r->internal, r->o->period.label);
	remove_tree(failed);
	if (rename(r->work, failed) != 0)
		remove_tree(r->work);
	civic_warn("%s: no bulletin made (see %s/log)", r->o->period.label, failed);
	free(failed);
	return status;
}

static int setup_dirs(struct run *r)
{
	char tmp[64];
	static const char *const sub[] = { "published", "published/tables", "partials", "tallies", "previous",
		"waves", "compared" };
	mode_t old = umask(077);

	if (make_dir(r->o->output, 0755) != 0) {
		umask(old);
		return -1;
	}
	r->outdir = realpath(r->o->output, NULL);
	if (!r->outdir) {
		civic_warn("%s:", r->o->output);
		umask(old);
		return -1;
	}
	r->internal = path_join(r->outdir, "internal");
	if (make_dir(r->internal, 0700) != 0 || chmod(r->internal, 0700) != 0) {
		umask(old);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), ".%s.tmp.%ld", r->o->period.label, (long)getpid());
	r->work = path_join(r->internal, tmp);
	remove_tree(r->work);
	if (make_dir(r->work, 0700) != 0) {
		umask(old);
		return -1;
	}
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		char *p = path_join(r->work, sub[i]);
		int rc = make_dir(p, 0700);
		free(p);
		if (rc) {
			umask(old);
			return -1;
		}
	}
	r->published = path_join(r->work, "published");
	char *log = path_join(r->work, "log");
	r->log = fopen(log, "w");
	free(log);
	return r->log ? 0 : -1;
}

/* Job 0 tallies every input; job 1 hashes every input file. */
struct both {
	struct run *r;
	struct rejects *rj;
	struct bulletin_report_in *ri;
	int tally_status, hash_status;
	char **paths;
};

static void tally_or_hash(void *ctx, size_t job)
{
	struct both *b = ctx;

	if (job == 0) {
		b->tally_status = tally_inputs(b->r, b->rj);
		return;
	}
	for (size_t i = 0; i < b->ri->ninputs; i++) {
		if (sha256_file(b->paths[i], b->ri->input_sha[i]) != 0) {
			civic_warn("%s:", b->paths[i]);
			b->hash_status = CIVIC_EXIT_DATA;
		}
	}
}

static int run(struct options *o, int argc, char **argv)
{
	struct run r;
	struct rejects rj;
	struct bulletin_report_in ri;
	int status;

	memset(&r, 0, sizeof(r));
	memset(&rj, 0, sizeof(rj));
	memset(&ri, 0, sizeof(ri));
	r.o = o;
	status = bulletin_load(&r.b, o->def);
	if (status) {
		bulletin_release(&r.b);
		return status == 2 ? CIVIC_EXIT_USAGE : CIVIC_EXIT_DATA;
	}
	{
		size_t nl, missing = 0;
		int *langs = parse_langs(o->langs, &nl);
		for (size_t l = 0; l < nl; l++)
			missing += bulletin_check_lang(&r.b, langs[l]);
		free(langs);
		if (missing) {
			bulletin_release(&r.b);
			return CIVIC_EXIT_USAGE;
		}
	}
	if (o->check) {
		bulletin_release(&r.b);
		return 0;
	}
	if (bulletin_set_period(&r.b, &o->period) != 0) {
		bulletin_release(&r.b);
		return CIVIC_EXIT_USAGE;
	}
	{
		enum report_format f[8];
		const char *ext[8];
		parse_formats(o->formats, f, ext);
	}
	r.rf = parse_operands(&r.b, o);
	if (setup_dirs(&r) != 0)
		return CIVIC_EXIT_DATA;
	char *rejects_path = path_join(r.work, "rejects.ndjson");
	if (rejects_open(&rj, rejects_path) != 0)
		status = CIVIC_EXIT_DATA;
	free(rejects_path);
	logf_(&r, "civic-bulletin %s, version %s (SHA-256 %s), period %s\n", r.b.path, r.b.version, r.b.sha256,
		o->period.label);
	/* The inputs' SHA-256 (for the provenance) on the second core while
	 * the first tallies: a hash is another read of every byte. */
	for (size_t k = 0; k < r.b.ninputs; k++)
		ri.ninputs += r.rf[k].n;
	ri.input_names = xcalloc(ri.ninputs + 1, sizeof(*ri.input_names));
	ri.input_sha = xcalloc(ri.ninputs + 1, sizeof(*ri.input_sha));
	ri.ninputs = 0;
	for (size_t k = 0; k < r.b.ninputs; k++) {
		for (size_t f = 0; f < r.rf[k].n; f++) {
			char *name = xmalloc(strlen(r.b.inputs[k].role) + strlen(r.rf[k].files[f]) + 2);
			sprintf(name, "%s=%s", r.b.inputs[k].role, r.rf[k].files[f]);
			ri.input_names[ri.ninputs++] = name;
		}
	}
	if (status == 0) {
		struct both both = { &r, &rj, &ri, 0, 0, NULL };
		both.paths = xcalloc(ri.ninputs + 1, sizeof(*both.paths));
		for (size_t k = 0, n = 0; k < r.b.ninputs; k++)
			for (size_t f = 0; f < r.rf[k].n; f++)
				both.paths[n++] = r.rf[k].files[f];
		parallel_for(2, tally_or_hash, &both);
		free(both.paths);
		status = both.tally_status ? both.tally_status : both.hash_status;
	}
	if (status == 0 && reject_limit_check(&o->rejects.limit, r.rejected, r.read))
		status = CIVIC_EXIT_DATA;
	if (rejects_close(&rj) != 0 && status == 0)
		status = CIVIC_EXIT_DATA;
	/* The report. */
	ri.b = &r.b;
	ri.sec = xcalloc(r.b.nind + 1, sizeof(*ri.sec));
	ri.period = o->period.label;
	ri.k = (double)(o->suppress >= 0 ? o->suppress : r.b.suppress);
	ri.argc = argc;
	ri.argv = argv;
	ri.sources = o->sources;
	ri.nsources = o->nsources;
	for (size_t i = 0; i < r.b.nind; i++) {
		char name[300];
		snprintf(name, sizeof(name), "tallies/%s.csv", r.b.ind[i].id);
		ri.sec[i].table = path_join(r.work, name);
		long pop = r.b.ind[i].population;
		size_t missing = !r.rf[r.b.ind[i].input].n ? r.b.ind[i].input
			: pop >= 0 && !r.rf[pop].n ? (size_t)pop : r.b.ninputs;
		ri.sec[i].skipped = missing < r.b.ninputs;
		ri.sec[i].skipped_role = ri.sec[i].skipped ? r.b.inputs[missing].role : NULL;
	}
	for (size_t k = 0; k < r.b.ninputs; k++)
		if (r.b.inputs[k].kind == BINPUT_SURVEY && r.wave && r.wave[k] && r.b.inputs[k].wave && o->wave)
			ri.wave = o->wave;
	if (status == 0)
		status = comparisons(&r, &ri);
	if (status == 0)
		status = reports(&r, &ri);
	if (status == 0 && open_published(r.published) != 0) {
		civic_warn("%s: cannot make the published files readable:", r.published);
		status = CIVIC_EXIT_DATA;
	}
	if (r.log && fclose(r.log) != 0 && status == 0)
		status = CIVIC_EXIT_DATA;
	r.log = NULL;
	if (status == 0)
		status = into_place(&r);
	else
		status = fail_run(&r, status);
	if (status == 0)
		fprintf(stderr, "civic-bulletin: %s: bulletin in %s/%s/\n", o->period.label, r.outdir, o->period.label);
	for (size_t i = 0; i < r.b.nind; i++) {
		free(ri.sec[i].table);
		for (size_t c = 0; c < ri.sec[i].ncmp; c++)
			free(ri.sec[i].cmp[c].table);
	}
	for (size_t i = 0; i < ri.ninputs; i++)
		free(ri.input_names[i]);
	free(ri.input_names);
	free(ri.input_sha);
	free(ri.sec);
	for (size_t k = 0; r.rf && k < r.b.ninputs; k++) {
		free(r.rf[k].files);
		if (r.wave)
			free(r.wave[k]);
	}
	free(r.wave);
	free(r.rf);
	free(r.outdir);
	free(r.internal);
	free(r.work);
	free(r.published);
	bulletin_release(&r.b);
	lang_release();
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	int status;

	civic_start(argc, argv);
	parse_options(&o, argc, argv);
	status = run(&o, argc, argv);
	free(o.without);
	free(o.sources);
	if (close_stdout() != 0)
		status = CIVIC_EXIT_DATA;
	return status;
}
