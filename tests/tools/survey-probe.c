/* survey-probe: runs the survey engine (lib/survey.h, lib/interval.h) on a
 * CSV file for a list of estimates and prints every figure the engine
 * computes, one line per estimate, for tests to compare with R.
 *
 *   survey-probe [-u | -w COL] [-s COL] [-p COL] [-f COL]  [-l POLICY] [-L LEVEL] [-S N]
 *                FILE [QUERY...]
 *
 * -S N estimates from N partials (contiguous parts of the file, each with
 * its own design, written as JSON, read back and merged), to show that
 * merging gives what one run gives.
 * -u is a design with every weight 1 (R's svydesign(ids = ~1) without
 * weights), as opposed to a plain sample.  Without QUERY operands the
 * queries are read from stdin, one a line.
 *
 * QUERY is KIND:EXPR[@COL=VALUE] (the @ part restricts to a domain):
 *   mean:EXPR  total:EXPR  share:COL=LEVEL  count:COL=LEVEL  quantile:EXPR:P
 * EXPR is a column (empty fields are missing), or COL>=X, COL<=X (numeric)
 * or COL==TEXT, which are 1/0 indicators (missing when COL is).
 * share:COL=LEVEL is the share of LEVEL among the domain's rows where COL
 * is not empty (svy_ratio of the two accumulators), count:COL=LEVEL their
 * weighted count (svy_count).
 *
 * Output: the query, then tab-separated name=value pairs (%.17g). */
#define MATHLIB_STANDALONE 1
#include <csv.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civic.h"
#include "interval.h"
#include "survey.h"

struct table {
	char **cells;          /* row-major, nrows × ncols */
	size_t ncols, nrows, ncells, cap;
	size_t col;            /* fields so far in the current row */
};

static void on_field(void *s, size_t len, void *data)
{
	struct table *t = data;

	t->cells = xgrow(t->cells, &t->cap, t->ncells + 1, sizeof *t->cells);
	t->cells[t->ncells++] = xstrndup(s ? s : "", len);
	t->col++;
}

static void on_row(int c, void *data)
{
	struct table *t = data;

	(void)c;
	if (t->nrows == 0 && t->ncols == 0)
		t->ncols = t->col;
	else if (t->col != t->ncols)
		civic_die(1, "row %zu has %zu fields, not %zu", t->nrows + 1, t->col, t->ncols);
	else
		t->nrows++;
	t->col = 0;
}

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void load(const char *path, struct table *t)
{
	struct csv_parser p;
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		civic_die(1, "%s:", path);
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		civic_die(1, "csv_init failed");
	csv_set_space_func(&p, no_space);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, t) != n)
			civic_die(1, "%s: %s", path, csv_strerror(csv_error(&p)));
	if (ferror(f) || csv_fini(&p, on_field, on_row, t) != 0)
		civic_die(1, "%s: read error", path);
	csv_free(&p);
	fclose(f);
}

static const char *cell(const struct table *t, size_t row, long col)
{
	return t->cells[(row + 1) * t->ncols + (size_t)col];
}

static long column(const struct table *t, const char *name, size_t len)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strlen(t->cells[c]) == len && memcmp(t->cells[c], name, len) == 0)
			return (long)c;
	civic_die(2, "no column '%.*s'", (int)len, name);
}

static double number(const char *s)
{
	double x;

	if (*s == 0)
		return NAN;
	if (num_parse_double(s, strlen(s), 0, &x) < 0)
		civic_die(1, "not a number: '%s'", s);
	return x;
}

/* The exact decimal the engine's sums take (NaN value when empty). */
static struct decnum decimal(const char *s)
{
	struct decnum v = { NAN, 0, 0, 0 };

	if (*s && numscan(s, strlen(s), &v) < 0)
		civic_die(1, "not a number: '%s'", s);
	return v;
}

static struct decnum indicator(int holds)
{
	struct decnum v = { holds, holds, 0, 1 };

	return v;
}

/* A parsed EXPR. */
struct expr {
	long col;
	char op;               /* 0 value, '>' >=, '<' <=, '=' == */
	const char *arg;
	double x;
};

static void parse_expr(const struct table *t, const char *s, struct expr *e)
{
	const char *op = strpbrk(s, "<>=");

	e->op = 0;
	if (!op) {
		e->col = column(t, s, strlen(s));
		return;
	}
	e->col = column(t, s, (size_t)(op - s));
	e->op = *op;
	e->arg = op + 2;
	if (op[1] != '=')
		civic_die(2, "bad expression '%s'", s);
	if (e->op != '=')
		e->x = number(e->arg);
}

static struct decnum eval(const struct table *t, size_t row, const struct expr *e)
{
	const char *s = cell(t, row, e->col);

	if (*s == 0)
		return decimal(s);
	switch (e->op) {
	case '>':
		return indicator(number(s) >= e->x);
	case '<':
		return indicator(number(s) <= e->x);
	case '=':
		return indicator(strcmp(s, e->arg) == 0);
	default:
		return decimal(s);
	}
}

struct probe {
	struct table t;
	struct svy_design_opts o;
	long wc, sc, pc, fc;
	struct svy_design *d;          /* the whole file's design */
	struct svy_unit *units;
	struct decnum *w;
	double level;
	size_t split;                  /* > 1: estimate from merged partials */
};

/* A parsed QUERY. */
struct query {
	const char *text;
	char *buf, *kind;
	long dcol;
	const char *dval;
	struct expr e;
	double prob;
};

/* What one estimate accumulates. */
struct sums {
	struct svy_acc num, den;
	struct svy_values vals;
};

static void sums_init(struct sums *s)
{
	svy_acc_init(&s->num);
	svy_acc_init(&s->den);
	svy_values_init(&s->vals);
}

static void sums_release(struct sums *s)
{
	svy_acc_release(&s->num);
	svy_acc_release(&s->den);
	svy_values_release(&s->vals);
}

static void print_est(const char *q, const struct svy_est *e, double level)
{
	struct interval ci;

	printf("%s\test=%.17g\tse=%.17g\tvar=%.17g\tdf=%.17g\tn=%.17g\tx=%.17g\tsum_w=%.17g"
		"\tdeff=%.17g\tdeff_replace=%.17g\tn_eff_kish=%.17g\tproportion=%d",
		q, e->est, e->se, e->var, e->df, e->n, e->x, e->sum_w, e->deff,
		e->deff_replace, e->n_eff_kish, e->proportion);
	for (const struct ci_method_info *m = ci_methods; m->name; m++)
		if (interval_for(m->method, e, level, &ci) == 0)
			printf("\t%s_low=%.17g\t%s_high=%.17g", m->name, ci.low, m->name, ci.high);
	putchar('\n');
}

static void parse_query(const struct probe *p, const char *text, struct query *q)
{
	char *body, *dom;

	q->text = text;
	q->buf = q->kind = xstrdup(text);
	q->dcol = -1;
	q->dval = NULL;
	q->prob = 0;
	memset(&q->e, 0, sizeof q->e);
	if (!(body = strchr(q->buf, ':')))
		civic_die(2, "bad query '%s'", text);
	*body++ = 0;
	if ((dom = strchr(body, '@'))) {
		*dom++ = 0;
		char *eq = strchr(dom, '=');
		if (!eq)
			civic_die(2, "bad domain '%s'", dom);
		q->dcol = column(&p->t, dom, (size_t)(eq - dom));
		q->dval = eq + 1;
	}
	if (strcmp(q->kind, "quantile") == 0) {
		char *c = strrchr(body, ':');
		if (!c)
			civic_die(2, "quantile needs :P");
		*c = 0;
		q->prob = number(c + 1);
	}
	if (strcmp(q->kind, "share") == 0 || strcmp(q->kind, "count") == 0) {
		char *eq = strchr(body, '=');
		if (!eq)
			civic_die(2, "share needs COL=LEVEL");
		q->e.col = column(&p->t, body, (size_t)(eq - body));
		q->e.op = '=';
		q->e.arg = eq + 1;
	} else {
		parse_expr(&p->t, body, &q->e);
	}
}

/* Registers rows [from, to) in d, filling p->units. */
static void register_rows(struct probe *p, struct svy_design *d, size_t from, size_t to)
{
	for (size_t r = from; r < to; r++) {
		const char *s = p->sc >= 0 ? cell(&p->t, r, p->sc) : "";
		const char *u = p->pc >= 0 ? cell(&p->t, r, p->pc) : "";
		double fpc = p->fc >= 0 ? number(cell(&p->t, r, p->fc)) : 0;
		p->w[r] = p->wc >= 0 ? decimal(cell(&p->t, r, p->wc)) : decnum_one;
		if (svy_design_row(d, s, strlen(s), u, strlen(u), fpc, &p->units[r]) < 0)
			civic_die(1, "row %zu: %s", r + 2, svy_design_error(d));
	}
}

static void accumulate(const struct probe *p, const struct svy_design *d, const struct query *q,
	size_t from, size_t to, struct sums *s)
{
	for (size_t r = from; r < to; r++) {
		if (q->dcol >= 0 && strcmp(cell(&p->t, r, q->dcol), q->dval) != 0)
			continue;
		struct decnum y = eval(&p->t, r, &q->e);
		if (isnan(y.d))
			continue;
		if (strcmp(q->kind, "share") == 0 || strcmp(q->kind, "count") == 0) {
			svy_acc_add(&s->den, d, p->units[r], &p->w[r], &decnum_one);
			if (y.d == 1)
				svy_acc_add(&s->num, d, p->units[r], &p->w[r], &decnum_one);
		} else if (strcmp(q->kind, "quantile") == 0) {
			svy_values_add(&s->vals, p->units[r], p->w[r].d, y.d);
		} else {
			svy_acc_add(&s->num, d, p->units[r], &p->w[r], &y);
		}
	}
}

/* The rows split into p->split parts, each with its own design, written
 * as a JSON partial, read back and merged into a fresh design *d. */
static void merged_sums(struct probe *p, const struct query *q, struct svy_design **d, struct sums *s)
{
	*d = svy_design_new(&p->o);
	for (size_t k = 0; k < p->split; k++) {
		size_t from = p->t.nrows * k / p->split, to = p->t.nrows * (k + 1) / p->split;
		struct svy_design *part = svy_design_new(&p->o);
		struct sums ps;
		struct svy_map map;
		json_error_t jerr;

		sums_init(&ps);
		register_rows(p, part, from, to);
		accumulate(p, part, q, from, to, &ps);
		size_t nvals = ps.vals.n;
		json_t *j = json_pack("{s:o,s:o,s:o,s:o}", "design", svy_design_to_json(part),
			"num", svy_acc_to_json(&ps.num), "den", svy_acc_to_json(&ps.den),
			"values", svy_values_to_json(part, &ps.vals));
		char *text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		sums_release(&ps);
		svy_design_free(part);
		if (!text || !(j = json_loads(text, 0, &jerr)))
			civic_die(1, "partial did not round-trip");
		free(text);
		if (svy_design_merge_json(*d, json_object_get(j, "design"), &map) < 0
			|| svy_acc_merge_json(&s->num, *d, json_object_get(j, "num"), &map) < 0
			|| svy_acc_merge_json(&s->den, *d, json_object_get(j, "den"), &map) < 0
			|| svy_values_merge_json(&s->vals, *d, json_object_get(j, "values"), &map, nvals) < 0)
			civic_die(1, "merge: %s", svy_design_error(*d));
		svy_map_release(&map);
		json_decref(j);
	}
}

static void run(struct probe *p, const char *text)
{
	struct query q;
	struct sums s;
	struct svy_design *d = p->d;
	struct svy_est est;
	struct svy_quantile qu;
	int rc;

	parse_query(p, text, &q);
	sums_init(&s);
	if (p->split > 1)
		merged_sums(p, &q, &d, &s);
	else
		accumulate(p, d, &q, 0, p->t.nrows, &s);
	if (strcmp(q.kind, "mean") == 0)
		rc = svy_mean(d, &s.num, &est);
	else if (strcmp(q.kind, "total") == 0)
		rc = svy_total(d, &s.num, &est);
	else if (strcmp(q.kind, "share") == 0)
		rc = svy_ratio(d, &s.num, &s.den, &est);
	else if (strcmp(q.kind, "count") == 0)
		rc = svy_count(d, &s.num, &s.den, &est);
	else if (strcmp(q.kind, "quantile") == 0)
		rc = svy_quantile(d, &s.vals, q.prob, p->level, 0, &qu);
	else
		civic_die(2, "unknown query kind '%s'", q.kind);
	if (rc < 0)
		printf("%s\terror=%s\n", text, svy_design_error(d));
	else if (strcmp(q.kind, "quantile") == 0)
		printf("%s\tq=%.17g\tlow=%.17g\thigh=%.17g\tse=%.17g\tdf=%.17g\tn=%.17g\n",
			text, qu.q, qu.lo, qu.hi, qu.se, qu.df, qu.n);
	else
		print_est(text, &est, p->level);
	sums_release(&s);
	if (d != p->d)
		svy_design_free(d);
	free(q.buf);
}

static long optional_column(const struct table *t, const char *name)
{
	return name ? column(t, name, strlen(name)) : -1;
}

static void build_design(struct probe *p, const char *wcol, int unit_weights, const char *scol,
	const char *pcol, const char *fcol, enum svy_lonely lonely)
{
	struct svy_design_opts o = { wcol != NULL || unit_weights, scol != NULL, pcol != NULL, fcol != NULL, lonely, 0 };

	p->o = o;
	p->wc = optional_column(&p->t, wcol);
	p->sc = optional_column(&p->t, scol);
	p->pc = optional_column(&p->t, pcol);
	p->fc = optional_column(&p->t, fcol);
	p->d = svy_design_new(&p->o);
	p->units = xcalloc(p->t.nrows + 1, sizeof *p->units);
	p->w = xcalloc(p->t.nrows + 1, sizeof *p->w);
	register_rows(p, p->d, 0, p->t.nrows);
}

int main(int argc, char **argv)
{
	const char *wcol = NULL, *scol = NULL, *pcol = NULL, *fcol = NULL;
	enum svy_lonely lonely = SVY_LONELY_FAIL;
	struct probe p = { .level = 0.95 };
	int c, unit_weights = 0;

	civic_set_progname(argv[0]);
	while ((c = getopt(argc, argv, "uw:s:p:f:l:L:S:")) != -1) {
		switch (c) {
		case 'u': unit_weights = 1; break;
		case 'w': wcol = optarg; break;
		case 's': scol = optarg; break;
		case 'p': pcol = optarg; break;
		case 'f': fcol = optarg; break;
		case 'l':
			if (svy_lonely_parse(optarg, &lonely) < 0)
				civic_usage_error("unknown lonely-PSU policy '%s'", optarg);
			break;
		case 'L': p.level = number(optarg); break;
		case 'S': p.split = (size_t)number(optarg); break;
		default: civic_usage_error("bad option");
		}
	}
	if (optind >= argc)
		civic_usage_error("usage: survey-probe [-u | -w COL] [-s COL] [-p COL] [-f COL] [-l POLICY] FILE QUERY...");
	load(argv[optind], &p.t);
	build_design(&p, wcol, unit_weights, scol, pcol, fcol, lonely);
	for (int i = optind + 1; i < argc; i++)
		run(&p, argv[i]);
	if (argc == optind + 1) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, stdin)) > 0) {
			line[strcspn(line, "\n")] = 0;
			if (*line)
				run(&p, line);
		}
		free(line);
	}
	for (size_t i = 0; i < p.t.ncells; i++)
		free(p.t.cells[i]);
	free(p.t.cells);
	free(p.units);
	free(p.w);
	svy_design_free(p.d);
	if (fflush(stdout) != 0 || ferror(stdout))
		civic_die(1, "write error:");
	return 0;
}
