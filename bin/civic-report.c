/* civic-report: tally tables in, a report people can read and publish
 * out — text, Markdown, HTML with charts, or the published tables as CSV
 * or JSON — with disclosure control, reliability flags and provenance. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civic.h"
#include "render.h"
#include "render_cell.h"
#include "render_compare.h"
#include "render_flags.h"
#include "render_pivot.h"
#include "render_test.h"
#include "run_outputs.h"
#include "sha256.h"
#include "table_set.h"
#include "labels.h"
#include "lang.h"

static const char usage[] =
	"usage: civic-report [-f format] [-o file] [-t title] [-k n] [--note text]\n"
	"                    [--heading text] [--label name=text] [--chart kind]\n"
	"                    [--chart-value column] [--ci-style style] [--digits [column=]n]\n"
	"                    [--min-n n] [--max-cv percent] [--suppress k] [--protection n]\n"
	"                    [--compare prev] [--compare-level p] [--source file]\n"
	"                    [--lang code] [--labels file] [--codes]\n"
	"                    [--reference key=value,... [--reference-label text]] [file ...]\n"
	"\n"
	"  -f, --format F         text (default), md, html, csv, json or xlsx; -o FILE.EXT implies it\n"
	"  -o, --output FILE      write FILE atomically instead of standard output\n"
	"  -t, --title TEXT       the report's title\n"
	"  -k, --keys N           the first N columns are the group keys (default: found from names)\n"
	"      --note TEXT        a paragraph under the title (method notes); repeatable\n"
	"      --heading TEXT     the next input's section heading; repeatable\n"
	"      --label NAME=TEXT  show a column or a key value as TEXT; repeatable\n"
	"      --chart KIND       auto (default), bar, line or none\n"
	"      --chart-value COL  the column charted (default: share, else count)\n"
	"      --ci-style STYLE   paren (74.7% (72.5-76.7), default), pm (74.7% ± 2.1), none,\n"
	"                         or columns (interval, SE and design effect each in its own)\n"
	"      --digits [COL=]N   decimals shown, for one column or all; repeatable\n"
	"      --min-n N          flag estimates with effective sample size below N (default 30)\n"
	"      --max-cv PERCENT   flag estimates with a coefficient of variation above it (default 30)\n"
	"      --suppress K       hide counts below K, and whatever would reveal them (default: off)\n"
	"      --protection N     no hidden count can be narrowed to a range under N wide (default 1)\n"
	"      --compare PREV     add changes, with their SE and p-value, against PREV, the previous\n"
	"                         period's tally; one per input\n"
	"      --compare-level P  mark changes significant at level 1-P (default 0.95: 1.96 SEs)\n"
	"      --source FILE      a schema or rule book the figures come from, for the provenance\n"
	"      --lang CODE        the report's language: en (default), ru or uz\n"
	"      --labels FILE      labels for codes, CSV column,value,label (civic-labels(5)); repeatable\n"
	"      --codes            CSV and JSON keep key values as codes, not labels\n"
	"      --reference KEY=VALUE,...  published values of the charted column (a share as a\n"
	"                         fraction) for values of the first key: marked on the chart\n"
	"      --reference-label TEXT  where the reference values come from, for the legend\n"
	"      --csv, --json      the same as -f csv, -f json\n"
	"      --help, --version\n";

enum {
	OPT_NOTE = OPT_COMMON_END,
	OPT_HEADING,
	OPT_LABEL,
	OPT_CHART,
	OPT_CHART_VALUE,
	OPT_CI_STYLE,
	OPT_DIGITS,
	OPT_MIN_N,
	OPT_MAX_CV,
	OPT_SUPPRESS,
	OPT_PROTECTION,
	OPT_COMPARE,
	OPT_SOURCE,
	/* languages and labels */
	OPT_LANG,
	OPT_LABELS,
	OPT_CODES,
	OPT_COMPARE_LEVEL,
	/* reference values */
	OPT_REFERENCE,
	OPT_REFERENCE_LABEL,
};

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "title", required_argument, NULL, 't' },
	{ "keys", required_argument, NULL, 'k' },
	{ "note", required_argument, NULL, OPT_NOTE },
	{ "heading", required_argument, NULL, OPT_HEADING },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "chart", required_argument, NULL, OPT_CHART },
	{ "chart-value", required_argument, NULL, OPT_CHART_VALUE },
	{ "ci-style", required_argument, NULL, OPT_CI_STYLE },
	{ "digits", required_argument, NULL, OPT_DIGITS },
	{ "min-n", required_argument, NULL, OPT_MIN_N },
	{ "max-cv", required_argument, NULL, OPT_MAX_CV },
	{ "suppress", required_argument, NULL, OPT_SUPPRESS },
	{ "protection", required_argument, NULL, OPT_PROTECTION },
	{ "compare", required_argument, NULL, OPT_COMPARE },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "labels", required_argument, NULL, OPT_LABELS },
	{ "codes", no_argument, NULL, OPT_CODES },
	{ "compare-level", required_argument, NULL, OPT_COMPARE_LEVEL },
	{ "reference", required_argument, NULL, OPT_REFERENCE },
	{ "reference-label", required_argument, NULL, OPT_REFERENCE_LABEL },
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct named {
	const char *name;
	int value;
};

static const struct named ci_styles[] = {
	{ "paren", CI_STYLE_PAREN }, { "pm", CI_STYLE_PM }, { "columns", CI_STYLE_COLUMNS }, { "none", CI_STYLE_NONE },
}, chart_kinds[] = {
	{ "auto", CHART_AUTO }, { "bar", CHART_BAR }, { "line", CHART_LINE }, { "none", CHART_NONE },
};

#define LOOKUP(table, name, what) lookup(table, sizeof(table) / sizeof(table[0]), name, what)

/* A growable list of option arguments. */
struct list {
	char **v;
	size_t n;
};

struct options {
	struct common_opts common;
	const char *format_name, *output, *lang;
	long keys;
	struct list headings, compares, sources, files, label_files;
	struct report_reference reference;   /* --reference, --reference-label */
	struct report rep;
};

static int lookup(const struct named *t, size_t n, const char *name, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].value;
	civic_usage_error("unknown %s '%s'", what, name);
}

static void list_add(struct list *l, char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = s;
}

static double opt_number(const char *name, const char *arg, int percent)
{
	size_t n = strlen(arg);
	double v;

	if (percent && n && arg[n - 1] == '%')
		n--;
	if (num_parse_double(arg, n, 0, &v) != 0 || v < 0 || isinf(v))
		civic_usage_error("invalid number for %s: '%s'", name, arg);
	return v;
}

static void add_label(struct report *rep, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		civic_usage_error("--label takes NAME=TEXT: '%s'", arg);
	rep->labels = xrealloc(rep->labels, (rep->nlabels + 1) * sizeof(*rep->labels));
	rep->labels[rep->nlabels++].spec = arg;
}

static void add_digits(struct report *rep, const char *arg)
{
	const char *eq = strrchr(arg, '=');
	const char *num = eq ? eq + 1 : arg;
	unsigned long d = opt_ulong("--digits", num);

	if (d > 12)
		civic_usage_error("--digits takes 0 to 12 decimals: '%s'", arg);
	if (eq == arg)
		civic_usage_error("--digits takes N or COLUMN=N: '%s'", arg);
	rep->digits = xrealloc(rep->digits, (rep->ndigits + 1) * sizeof(*rep->digits));
	rep->digits[rep->ndigits].column = eq ? xstrndup(arg, (size_t)(eq - arg)) : NULL;
	rep->digits[rep->ndigits++].digits = (int)d;
}

/* --compare-level P: changes are marked when significant at level 1 - P. */
static void compare_level(struct report *rep, const char *arg)
{
	double p;

	if (num_parse_double(arg, strlen(arg), 0, &p) < 0 || !(p > 0 && p < 1))
		civic_usage_error("--compare-level takes a probability between 0 and 1: '%s'", arg);
	rep->compare_level = p;
	rep->z = compare_z(p);
}

/* --reference KEY=VALUE,...: a key value may hold '=' (the last one
 * splits), not ','. */
static void add_references(struct report_reference *r, const char *arg)
{
	const char *p = arg;

	if (!*arg)
		civic_usage_error("--reference takes KEY=VALUE,...: ''");
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *eq = NULL;
		double v;
		char *key;
		for (const char *q = p; q < p + len; q++)
			if (*q == '=')
				eq = q;
		if (!eq || num_parse_double(eq + 1, (size_t)(p + len - eq - 1), 0, &v) != 0 || !isfinite(v))
			civic_usage_error("--reference takes KEY=VALUE,... with numbers: '%.*s'", (int)len, p);
		key = xstrndup(p, (size_t)(eq - p));
		for (size_t i = 0; i < r->n; i++)
			if (strcmp(r->key[i], key) == 0)
				civic_usage_error("--reference gives '%s' twice", key);
		r->key = xrealloc(r->key, (r->n + 1) * sizeof(*r->key));
		r->value = xrealloc(r->value, (r->n + 1) * sizeof(*r->value));
		r->key[r->n] = key;
		r->value[r->n++] = v;
		p += len + (p[len] == ',');
	}
}

static void parse_options(struct options *o, int argc, char **argv)
{
	struct report *rep = &o->rep;
	int c;

	memset(o, 0, sizeof(*o));
	o->common.usage = usage;
	o->keys = -1;
	rep->min_n = 30;
	rep->max_cv = 0.30;
	rep->z = 1.96;
	while ((c = getopt_long(argc, argv, "f:o:t:k:", long_options, NULL)) != -1) {
		switch (c) {
		case 'f': o->format_name = optarg; break;
		case 'o': o->output = optarg; break;
		case 't': rep->title = optarg; break;
		case 'k': o->keys = (long)opt_ulong("--keys", optarg); break;
		case OPT_NOTE:
			rep->notes = xrealloc(rep->notes, (rep->nnotes + 1) * sizeof(*rep->notes));
			rep->notes[rep->nnotes++] = optarg;
			break;
		case OPT_HEADING: list_add(&o->headings, optarg); break;
		case OPT_LABEL: add_label(rep, optarg); break;
		case OPT_CHART: rep->chart = (enum chart_kind)LOOKUP(chart_kinds, optarg, "chart kind"); break;
		case OPT_CHART_VALUE: rep->chart_column = optarg; break;
		case OPT_CI_STYLE: rep->ci = (enum ci_style)LOOKUP(ci_styles, optarg, "--ci-style"); break;
		case OPT_DIGITS: add_digits(rep, optarg); break;
		case OPT_MIN_N: rep->min_n = opt_number("--min-n", optarg, 0); break;
		case OPT_MAX_CV: rep->max_cv = opt_number("--max-cv", optarg, 1) / 100; break;
		case OPT_SUPPRESS: rep->suppress_k = (double)opt_ulong("--suppress", optarg); break;
		case OPT_PROTECTION: rep->protection = (double)opt_ulong("--protection", optarg); break;
		case OPT_COMPARE: list_add(&o->compares, optarg); break;
		case OPT_COMPARE_LEVEL: compare_level(rep, optarg); break;
		case OPT_SOURCE: list_add(&o->sources, optarg); break;
		case OPT_LANG: o->lang = optarg; break;
		case OPT_LABELS: list_add(&o->label_files, optarg); break;
		case OPT_CODES: rep->codes = 1; break;
		case OPT_REFERENCE: add_references(&o->reference, optarg); break;
		case OPT_REFERENCE_LABEL: o->reference.label = optarg; break;
		case OPT_CSV: o->format_name = "csv"; break;
		case OPT_JSON: o->format_name = "json"; break;
		default:
			if (!common_option(&o->common, c))
				bad_option();
		}
	}
	if (o->reference.label && !o->reference.n)
		civic_usage_error("--reference-label names the values of --reference: give --reference");
	if (o->reference.n)
		rep->reference = &o->reference;
	for (int i = optind; i < argc; i++)
		list_add(&o->files, argv[i]);
	if (o->files.n == 0)
		list_add(&o->files, "-");
}

static enum report_format validate(struct options *o)
{
	enum report_format f = REPORT_TEXT;
	size_t stdin_uses = 0;

	if (o->format_name && report_format_from_name(o->format_name, &f) != 0)
		civic_usage_error("unknown format '%s' (text, md, html, csv, json, xlsx)", o->format_name);
	if (!o->format_name && o->output && report_format_from_path(o->output, &f) != 0)
		civic_usage_error("cannot tell the format of '%s' from its extension "
			"(.txt, .md, .html, .csv, .json, .xlsx): give -f", o->output);
	if (f == REPORT_XLSX && !output_is_file(o->output) && isatty(STDOUT_FILENO))
		civic_usage_error("xlsx is a binary file: give -o FILE.xlsx, or redirect standard output");
	if (f == REPORT_CSV && o->files.n > 1)
		civic_usage_error("csv holds one table: give one input, or use -f json");
	if (o->compares.n > o->files.n)
		civic_usage_error("%zu --compare files for %zu inputs", o->compares.n, o->files.n);
	if (o->headings.n > o->files.n)
		civic_usage_error("%zu --heading texts for %zu inputs", o->headings.n, o->files.n);
	for (size_t i = 0; i < o->files.n; i++)
		stdin_uses += strcmp(o->files.v[i], "-") == 0;
	for (size_t i = 0; i < o->compares.n; i++)
		stdin_uses += strcmp(o->compares.v[i], "-") == 0;
	if (stdin_uses > 1)
		civic_usage_error("standard input can be read only once");
	return f;
}

/* Standard input is read once into an unlinked temporary file, so that its
 * SHA-256 is known and the reader can then read it as usual. */
static int spool_stdin(char *hex)
{
	char path[] = "/tmp/civic-report.XXXXXX";
	const char *dir = getenv("TMPDIR");
	char *tmpl = NULL;
	char buf[65536];
	ssize_t got;
	int fd, rc = -1;

	if (dir && *dir) {
		tmpl = xmalloc(strlen(dir) + 24);
		sprintf(tmpl, "%s/civic-report.XXXXXX", dir);
	}
	fd = mkstemp(tmpl ? tmpl : path);
	if (fd < 0) {
		civic_warn("cannot create a temporary file for standard input:");
		free(tmpl);
		return -1;
	}
	unlink(tmpl ? tmpl : path);
	free(tmpl);
	while ((got = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || write(fd, buf, (size_t)got) != got) {
			civic_warn("(standard input):");
			goto out;
		}
	}
	if (lseek(fd, 0, SEEK_SET) != 0 || sha256_fd(fd, hex) != 0 ||
	    lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, STDIN_FILENO) < 0) {
		civic_warn("(standard input):");
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static int hash_input(const char *path, char *hex)
{
	if (strcmp(path, "-") == 0)
		return spool_stdin(hex);
	if (sha256_file(path, hex) != 0) {
		civic_warn("%s:", path);
		return -1;
	}
	return 0;
}

/* Reads one tally output and records it in the provenance. */
static int load(struct options *o, struct rtable *t, const char *path, const char *role)
{
	const char *name = strcmp(path, "-") == 0 ? "(standard input)" : path;

	rtable_init(t, name);
	if (hash_input(path, t->sha256) != 0 || rtable_load(t, path, o->keys) != 0)
		return -1;
	prov_add(&o->rep.prov, role, name, t->sha256, NULL);
	return 0;
}

static int add_sources(struct options *o)
{
	int failed = 0;

	for (size_t i = 0; i < o->sources.n; i++)
		failed |= prov_add_source(&o->rep.prov, o->sources.v[i]) != 0;
	return failed ? -1 : 0;
}

/* The user's label files, recorded in the provenance, then the shipped
 * sets, which they override. */
static int load_labels(struct options *o)
{
	struct report *rep = &o->rep;
	char hex[SHA256_HEX_LEN + 1];
	int failed = 0;

	for (size_t i = 0; i < o->label_files.n; i++) {
		const char *path = o->label_files.v[i];
		if (sha256_file(path, hex) != 0) {
			civic_warn("%s:", path);
			failed = 1;
			continue;
		}
		if (labels_load(&rep->labelsets, path, 0) != 0)
			failed = 1;
		else
			prov_add(&rep->prov, "labels", path, hex, NULL);
	}
	if (labels_load_shipped(&rep->labelsets) != 0)
		failed = 1;
	return failed ? -1 : 0;
}

/* Every table of the report, and the previous periods it shows, hidden
 * and audited together: what one table hides another must not give away. */
static int suppress_all(struct options *o, struct rtable *prevs)
{
	struct report *rep = &o->rep;
	struct table_set_entry *e = xcalloc(rep->nsec + 1, sizeof(*e));
	int rc;

	for (size_t i = 0; i < rep->nsec; i++)
		e[i] = (struct table_set_entry){ &rep->sec[i].table, i < o->compares.n ? &prevs[i] : NULL,
			rep->suppress_k, { 0, 0 } };
	rc = table_set_suppress(e, rep->nsec, rep->protection, "apply --suppress", &rep->audit);
	for (size_t i = 0; i < rep->nsec; i++) {
		rep->sec[i].suppressed = 1;
		rep->sec[i].supp = e[i].supp;
	}
	rep->audited = rc == 0;
	free(e);
	return rc;
}

static int compare(struct options *o, struct report_section *s, const struct rtable *prev)
{
	long flagged = compare_tables_tested(&s->table, prev, o->rep.z);

	if (flagged < 0)
		return -1;
	s->compared = 1;
	s->changes_beyond_noise = (size_t)flagged;
	s->compare_rules = compare_rules(&s->table, prev);
	return 0;
}

/* Each input becomes a section: loaded with its previous period, then
 * suppressed and audited all together, then compared and flagged. */
static int build(struct options *o)
{
	struct report *rep = &o->rep;
	struct rtable *prevs = xcalloc(o->compares.n + 1, sizeof(*prevs));
	int failed = 0;

	rep->sec = xcalloc(o->files.n, sizeof(*rep->sec));
	for (size_t i = 0; i < o->files.n; i++) {
		struct report_section *s = &rep->sec[rep->nsec++];
		s->heading = i < o->headings.n ? o->headings.v[i] : NULL;
		if (load(o, &s->table, o->files.v[i], "input") != 0)
			failed = 1;
		else
			render_test_take(&s->table, s->test_note, sizeof(s->test_note));
		if (i < o->compares.n && load(o, &prevs[i], o->compares.v[i], "previous") != 0)
			failed = 1;
		else if (i < o->compares.n)
			render_test_take(&prevs[i], (char[384]){ 0 }, 384);
	}
	if (!failed && rep->suppress_k > 1 && suppress_all(o, prevs) != 0)
		failed = 1;
	for (size_t i = 0; i < rep->nsec && !failed; i++) {
		struct report_section *s = &rep->sec[i];
		if (i < o->compares.n && compare(o, s, &prevs[i]) != 0) {
			failed = 1;
			continue;
		}
		s->unreliable = flag_unreliable(&s->table, rep->min_n, rep->max_cv);
		if (rep->chart_column && rtable_find(&s->table, rep->chart_column) < (long)s->table.nkeys)
			civic_warn("%s: no statistic column '%s' to chart", s->table.name, rep->chart_column);
	}
	for (size_t i = 0; i < o->compares.n; i++)
		rtable_release(&prevs[i]);
	free(prevs);
	return failed ? -1 : 0;
}

/* A label that renames nothing is most likely a typing error. */
static void check_labels(const struct report *rep)
{
	for (size_t i = 0; i < rep->nlabels; i++) {
		const char *spec = rep->labels[i].spec;
		char *name, *near;
		if (render_label_used(rep, spec))
			continue;
		name = render_label_name(spec);
		near = render_label_nearest(rep, name);
		if (near)
			civic_warn("--label '%s': no column or key value '%s' (did you mean '%s'?)", spec, name, near);
		else
			civic_warn("--label '%s': no column or key value '%s'", spec, name);
		free(near);
		free(name);
	}
}

static int table_has_column(const struct report *rep, const char *name)
{
	for (size_t i = 0; i < rep->nsec; i++)
		for (size_t c = 0; c < rep->sec[i].table.ncols; c++)
			if (strcmp(rep->sec[i].table.cols[c].name, name) == 0)
				return 1;
	return 0;
}

static int table_has_value(const struct report *rep, const char *column, const char *value)
{
	for (size_t i = 0; i < rep->nsec; i++) {
		const struct rtable *t = &rep->sec[i].table;
		long k = rtable_find(t, column);
		if (k < 0 || (size_t)k >= t->nkeys)
			continue;
		for (size_t r = 0; r < t->nrows; r++)
			if (strcmp(t->rows[r].cell[k], value) == 0)
				return 1;
	}
	return 0;
}

/* --digits for a column no table has, and a label file's labels for
 * columns or values the report does not show, are most likely mistakes. */
static void check_digits_and_label_files(const struct report *rep)
{
	const struct labels *l = &rep->labelsets;

	for (size_t i = 0; i < rep->ndigits; i++)
		if (rep->digits[i].column && !table_has_column(rep, rep->digits[i].column))
			civic_warn("--digits: no column '%s'", rep->digits[i].column);
	for (size_t i = 0; i < l->n; i++) {
		const struct label_entry *e = &l->e[i];
		int seen = 0;
		if (e->shipped)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = l->e[j].line == e->line && l->e[j].file == e->file;
		if (seen)
			continue;        /* one message for a line's several languages */
		if (!table_has_column(rep, e->column))
			civic_warn_at(e->file, e->line, "no column '%s' in the report", e->column);
		else if (e->value[0] && !table_has_value(rep, e->column, e->value))
			civic_warn_at(e->file, e->line, "no value '%s' in the column '%s'", e->value, e->column);
	}
}

static int write_report(const struct options *o, enum report_format f)
{
	struct sbuf text = SBUF_INIT;
	struct run_outputs outs;
	struct output out;
	int rc, written;

	if (render_report(&text, &o->rep, f) != 0 || output_open(&out, o->output, 0644) != 0) {
		sbuf_release(&text);
		return -1;
	}
	run_outputs_init(&outs, NULL);
	run_outputs_add(&outs, &out);
	written = fwrite(text.s, 1, text.len, out.fp) == text.len;
	if (!written)
		civic_warn("%s: write error:", o->output ? o->output : "standard output");
	sbuf_release(&text);
	rc = run_outputs_finish(&outs, written);
	return written ? rc : -1;
}

static void release(struct options *o)
{
	struct report *rep = &o->rep;

	for (size_t i = 0; i < rep->nsec; i++)
		rtable_release(&rep->sec[i].table);
	for (size_t i = 0; i < rep->ndigits; i++)
		free(rep->digits[i].column);
	prov_release(&rep->prov);
	labels_release(&rep->labelsets);
	lang_release();
	free(rep->sec);
	free(rep->labels);
	free(rep->digits);
	free(rep->notes);
	free(o->headings.v);
	free(o->compares.v);
	free(o->sources.v);
	free(o->files.v);
	free(o->label_files.v);
	for (size_t i = 0; i < o->reference.n; i++)
		free((char *)o->reference.key[i]);
	free(o->reference.key);
	free(o->reference.value);
}

int main(int argc, char **argv)
{
	struct options o;
	enum report_format f;
	int status = CIVIC_EXIT_OK;

	civic_start(argc, argv);
	parse_options(&o, argc, argv);
	f = validate(&o);
	if (prov_init(&o.rep.prov, argc, argv) != 0) {
		release(&o);
		return CIVIC_EXIT_USAGE;
	}
	/* A report is all or nothing: no half-built tables published. */
	if (lang_use(lang_choose(o.lang)) != 0 || load_labels(&o) != 0 ||
	    add_sources(&o) != 0 || build(&o) != 0)
		status = CIVIC_EXIT_DATA;
	else {
		check_labels(&o.rep);
		check_digits_and_label_files(&o.rep);
	}
	if (status == CIVIC_EXIT_OK && write_report(&o, f) != 0)
		status = CIVIC_EXIT_DATA;
	release(&o);
	if (close_stdout() != 0)
		status = CIVIC_EXIT_DATA;
	return status;
}
