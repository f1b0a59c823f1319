#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "lang.h"
#include "render_cell.h"
#include "render_chart.h"
#include "render_reference.h"
#include "xalloc.h"

long chart_value_column(const struct report *rep, const struct report_section *s, const struct rtable *t)
{
	static const char *const preferred[] = { "share", "count" };
	const char *column = s->chart_column ? s->chart_column : rep->chart_column;
	long c;

	if (column)
		return rtable_find(t, column) >= (long)t->nkeys ? rtable_find(t, column) : -1;
	if ((c = rtable_find(t, preferred[0])) >= (long)t->nkeys)
		return c;
	/* A rate per population is what its table is for, rather than the count. */
	for (size_t i = t->nkeys; i < t->ncols; i++)
		if (t->cols[i].part == PART_EST && t->cols[i].kind == STAT_RATE)
			return (long)i;
	if ((c = rtable_find(t, preferred[1])) >= (long)t->nkeys)
		return c;
	/* A pivot's columns are key values, not one statistic: no chart unless asked. */
	for (size_t i = t->nkeys; i < t->ncols; i++)
		if (t->cols[i].part == PART_EST && t->cols[i].kind != STAT_N && t->cols[i].kind != STAT_OTHER &&
		    t->cols[i].pvalue < 0)
			return (long)i;
	return -1;
}

static long period_key(const struct rtable *t)
{
	for (size_t k = 0; k < t->nkeys; k++)
		if (rtable_key_is_period(t, k))
			return (long)k;
	return -1;
}

/* 1 when key k holds one value outside the margins (one month's table). */
static int key_constant(const struct rtable *t, long k)
{
	const char *first = NULL;

	for (size_t r = 0; r < t->nrows; r++) {
		if (t->rows[r].total)
			continue;
		if (first && strcmp(first, t->rows[r].cell[k]) != 0)
			return 0;
		first = t->rows[r].cell[k];
	}
	return 1;
}

/* Strings numbered in order of first appearance, found by hashing. */
struct names {
	struct groups g;
	char ***list;
	size_t *n;
};

static void names_init(struct names *nm, char ***list, size_t *n)
{
	groups_init(&nm->g);
	nm->list = list;
	nm->n = n;
}

static size_t intern(struct names *nm, const char *s)
{
	size_t len = strlen(s);
	int added;
	uint32_t id = groups_intern(&nm->g, s, len, key_hash(s, len), &added);

	if (added) {
		*nm->list = xrealloc(*nm->list, (*nm->n + 1) * sizeof(**nm->list));
		(*nm->list)[(*nm->n)++] = xstrdup(s);
	}
	return id;
}

/* The row's keys other than skip, as a reader sees them, joined. */
static void row_label(struct sbuf *b, const struct report *rep, const struct rtable *t, size_t r, long skip)
{
	for (size_t k = 0; k < t->nkeys; k++) {
		if ((long)k == skip)
			continue;
		if (b->len)
			sbuf_addstr(b, " \xc2\xb7 ");
		render_key_text(b, rep, t->cols[k].name, t->rows[r].cell[k]);
	}
}

static struct chart_series *series_at(struct chart *c, size_t i)
{
	if (i < c->nseries)
		return &c->series[i];
	c->series = xrealloc(c->series, (i + 1) * sizeof(*c->series));
	for (; c->nseries <= i; c->nseries++)
		memset(&c->series[c->nseries], 0, sizeof(*c->series));
	return &c->series[i];
}

static void series_grow(struct chart *c)
{
	for (size_t s = 0; s < c->nseries; s++) {
		struct chart_series *cs = &c->series[s];
		cs->y = xrealloc(cs->y, c->ncat * sizeof(double));
		cs->lo = xrealloc(cs->lo, c->ncat * sizeof(double));
		cs->hi = xrealloc(cs->hi, c->ncat * sizeof(double));
		cs->ref = xrealloc(cs->ref, c->ncat * sizeof(double));
	}
}

static double shown(const struct rtable *t, size_t r, long c, int hidden)
{
	return c < 0 || hidden ? NAN : t->rows[r].val[c];
}

struct point {
	size_t cat, series;
};

/* Which reference applies to a row: ref NULL for none. */
struct row_reference {
	const struct report_reference *ref;
	long key;
};

static void collect(struct chart *c, const struct report *rep, const struct rtable *t, long vcol,
	long xkey, long skip, struct row_reference rr)
{
	struct point *pts = xcalloc(t->nrows + 1, sizeof(*pts));
	char **names = NULL;
	size_t nnames = 0;
	struct sbuf b = SBUF_INIT;
	const struct rcol *col = &t->cols[vcol];
	struct names cats, series;

	names_init(&cats, &c->cats, &c->ncat);
	names_init(&series, &names, &nnames);

	for (size_t r = 0; r < t->nrows; r++) {
		if (t->rows[r].total)
			continue;
		sbuf_reset(&b);
		if (xkey >= 0) {
			render_key_text(&b, rep, t->cols[xkey].name, t->rows[r].cell[xkey]);
			pts[r].cat = intern(&cats, sbuf_cstr(&b));
			sbuf_reset(&b);
			row_label(&b, rep, t, r, xkey);
			pts[r].series = intern(&series, sbuf_cstr(&b));
		} else {
			row_label(&b, rep, t, r, skip);
			pts[r].cat = intern(&cats, sbuf_cstr(&b));
			pts[r].series = 0;
			if (!nnames)
				intern(&series, "");
		}
	}
	for (size_t s = 0; s < nnames; s++)
		series_at(c, s)->name = names[s];
	free(names);
	series_grow(c);
	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->ncat; i++)
			c->series[s].y[i] = c->series[s].lo[i] = c->series[s].hi[i] = c->series[s].ref[i] = NAN;
	for (size_t r = 0; r < t->nrows; r++) {
		int hidden = (t->rows[r].flag[vcol] & CELL_HIDDEN) != 0;
		struct chart_series *cs;
		if (t->rows[r].total)
			continue;
		cs = &c->series[pts[r].series];
		cs->y[pts[r].cat] = shown(t, r, vcol, hidden);
		cs->lo[pts[r].cat] = shown(t, r, col->low, hidden);
		cs->hi[pts[r].cat] = shown(t, r, col->high, hidden);
		if (rr.ref)
			cs->ref[pts[r].cat] = reference_value(rr.ref, t->rows[r].cell[rr.key]);
	}
	c->has_interval = col->low >= 0 && col->high >= 0;
	groups_release(&cats.g);
	groups_release(&series.g);
	sbuf_release(&b);
	free(pts);
}

static double series_mean(const struct chart_series *s, size_t n)
{
	double sum = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(s->y[i])) {
			sum += s->y[i];
			k++;
		}
	return k ? sum / (double)k : -INFINITY;
}

static void free_series(struct chart_series *s)
{
	free(s->name);
	free(s->y);
	free(s->lo);
	free(s->hi);
	free(s->ref);
}

struct ranked {
	double mean;
	size_t index;
};

static int by_mean_then_index(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->mean != b->mean)
		return a->mean < b->mean ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Keeps the CHART_MAX_SERIES largest lines, in their table order: the
 * smallest means go first, the earlier line first among equal means. */
static void limit_series(struct chart *c)
{
	struct ranked *rank;
	unsigned char *drop;
	size_t kept = 0;

	if (c->nseries <= CHART_MAX_SERIES)
		return;
	rank = xmalloc(c->nseries * sizeof(*rank));
	drop = xcalloc(c->nseries, 1);
	for (size_t s = 0; s < c->nseries; s++)
		rank[s] = (struct ranked){ series_mean(&c->series[s], c->ncat), s };
	qsort(rank, c->nseries, sizeof(*rank), by_mean_then_index);
	for (size_t i = 0; i < c->nseries - CHART_MAX_SERIES; i++)
		drop[rank[i].index] = 1;
	for (size_t s = 0; s < c->nseries; s++) {
		if (drop[s]) {
			free_series(&c->series[s]);
			c->dropped_series++;
		} else {
			c->series[kept++] = c->series[s];
		}
	}
	c->nseries = kept;
	free(rank);
	free(drop);
}

static void labels(struct chart *c, const struct report *rep, const struct report_section *s, long vcol, long xkey)
{
	const struct rtable *t = &s->table;
	struct sbuf b = SBUF_INIT;

	render_col_label(&b, rep, t, (struct dcol){ (size_t)vcol, D_EST });
	if (c->percent) {
		struct sbuf axis = SBUF_INIT;
		lang_put(&axis, "chart.percent_axis", "x", sbuf_cstr(&b), NULL);
		sbuf_reset(&b);
		sbuf_addstr(&b, sbuf_cstr(&axis));
		sbuf_release(&axis);
	}
	c->ylabel = xstrdup(sbuf_cstr(&b));
	sbuf_reset(&b);
	for (size_t k = 0; k < t->nkeys; k++) {
		if (xkey >= 0 && (long)k != xkey)
			continue;
		if (b.len)
			sbuf_addstr(&b, " \xc2\xb7 ");
		render_col_label(&b, rep, t, (struct dcol){ k, D_KEY });
	}
	c->xlabel = xstrdup(sbuf_cstr(&b));
	sbuf_reset(&b);
	render_heading(&b, rep, s);
	c->title = xstrdup(sbuf_cstr(&b));
	sbuf_release(&b);
}

enum chart_kind chart_kind_of(const struct report *rep, const struct report_section *s)
{
	return s->chart != CHART_AUTO ? s->chart : rep->chart;
}

/* 1 when some drawn series has a reference value. */
static int any_reference(const struct chart *c)
{
	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->ncat; i++)
			if (!isnan(c->series[s].ref[i]))
				return 1;
	return 0;
}

static void reference_legend(struct chart *c, const struct report_reference *r)
{
	struct sbuf b = SBUF_INIT;

	if (!any_reference(c))
		return;
	lang_put(&b, r->label ? "chart.reference" : "chart.reference_unnamed", "label", r->label ? r->label : "",
		NULL);
	c->reference_legend = xstrdup(sbuf_cstr(&b));
	sbuf_release(&b);
}

int chart_build(struct chart *c, const struct report *rep, const struct report_section *s)
{
	const struct rtable *t = &s->table;
	long vcol = chart_value_column(rep, s, t), xkey = -1, skip = -1, period = period_key(t);
	enum chart_kind kind = chart_kind_of(rep, s);
	struct row_reference rr = { reference_of(rep, s), reference_key(t) };

	memset(c, 0, sizeof(*c));
	if (kind == CHART_NONE || vcol < 0 || t->nkeys == 0)
		return 0;
	c->kind = kind;
	if (c->kind == CHART_AUTO)
		c->kind = period >= 0 && !key_constant(t, period) ? CHART_LINE : CHART_BAR;
	if (c->kind == CHART_LINE)
		xkey = period >= 0 ? period : 0;
	else if (period >= 0 && t->nkeys > 1 && key_constant(t, period))
		skip = period;
	c->percent = t->cols[vcol].kind == STAT_SHARE;
	c->digits = render_col_digits(rep, t, (size_t)vcol);
	if (rr.ref && !reference_of_column(rr.ref, t, vcol))
		rr.ref = NULL;
	collect(c, rep, t, vcol, xkey, skip, rr);
	limit_series(c);
	if (rr.ref)
		reference_legend(c, rr.ref);
	labels(c, rep, s, vcol, xkey);
	if (c->ncat == 0 || (c->kind == CHART_BAR && c->ncat > CHART_MAX_BARS)) {
		chart_release(c);
		return 0;
	}
	return 1;
}

void chart_release(struct chart *c)
{
	for (size_t i = 0; i < c->ncat; i++)
		free(c->cats[i]);
	for (size_t s = 0; s < c->nseries; s++)
		free_series(&c->series[s]);
	free(c->cats);
	free(c->series);
	free(c->title);
	free(c->xlabel);
	free(c->ylabel);
	free(c->reference_legend);
	memset(c, 0, sizeof(*c));
}

void chart_value_text(const struct chart *c, double v, char *buf)
{
	render_number(c->percent ? v * 100 : v, c->digits, 1, 0, buf);
	if (c->percent && buf[0])
		lang_percent(buf);
}
