#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crosstab_impl.h"
#include "datecache.h"
#include "error.h"
#include "num.h"
#include "xalloc.h"

static const char *const part_suffix[] = { "", "", "_se", "_low", "_high", "_deff", "", "_low", "_high",
	"", "_se", "_low", "_high", "_p" };

/* ---- sorting ---------------------------------------------------------- */

static int all_parse(struct agg *a, size_t k, enum sort_kind kind)
{
	for (uint32_t g = 0; g < a->groups.n; g++) {
		size_t len, n;
		const char *key = groups_key(&a->groups, g, &len), *p;
		int total;
		double d;
		int32_t days;
		if ((long)g == a->empty)
			continue;
		key_part(key, len, k, &p, &n, &total);
		if (total || n == 0)
			continue;
		if (kind == SORT_NUMBER ? num_parse_double(p, n, 0, &d) < 0
			: date_parse_key(p, n, &days) < 0)
			return 0;
	}
	return 1;
}

static double sort_value(struct agg *a, size_t k, enum sort_kind kind, const char *p, size_t n)
{
	double d = 0;
	int32_t days = 0;

	switch (kind) {
	case SORT_NUMBER:
		num_parse_double(p, n, 0, &d);
		return d;
	case SORT_DATE:
		date_parse_key(p, n, &days);
		return days;
	case SORT_WEEKDAY:
		return keyexpr_weekday_rank(&a->keys[k], p, n);
	default:
		return 0;
	}
}

static void prepare_sort(struct layout *l)
{
	struct agg *a = l->a;
	size_t nk = a->spec.nkeys, ng = a->groups.n;

	l->kind = xcalloc(nk ? nk : 1, sizeof(*l->kind));
	l->sortval = xcalloc(ng * (nk ? nk : 1), sizeof(*l->sortval));
	for (size_t k = 0; k < nk; k++) {
		if (keyexpr_is_weekday(&a->keys[k]))
			l->kind[k] = SORT_WEEKDAY;
		else if (all_parse(a, k, SORT_NUMBER))
			l->kind[k] = SORT_NUMBER;
		else if (all_parse(a, k, SORT_DATE))
			l->kind[k] = SORT_DATE;
		for (uint32_t g = 0; g < ng; g++) {
			size_t len, n;
			const char *key = groups_key(&a->groups, g, &len), *p;
			int total;
			if ((long)g == a->empty)
				continue;
			key_part(key, len, k, &p, &n, &total);
			if (!total && n)
				l->sortval[g * nk + k] = sort_value(a, k, l->kind[k], p, n);
		}
	}
}

/* Rank of a part's class: values, then empty, then Total. */
static int part_class(int total, size_t n)
{
	return total ? 2 : n == 0;
}

int compare_part(const struct layout *l, size_t k, uint32_t ga, uint32_t gb)
{
	struct agg *a = l->a;
	size_t la, lb, na, nb;
	const char *ka = groups_key(&a->groups, ga, &la), *kb = groups_key(&a->groups, gb, &lb);
	const char *pa, *pb;
	int ta, tb;

	key_part(ka, la, k, &pa, &na, &ta);
	key_part(kb, lb, k, &pb, &nb, &tb);
	int ca = part_class(ta, na), cb = part_class(tb, nb);
	if (ca != cb || ca != 0)
		return (ca > cb) - (ca < cb);
	if (l->kind[k] != SORT_TEXT) {
		size_t nk = a->spec.nkeys;
		double va = l->sortval[ga * nk + k], vb = l->sortval[gb * nk + k];
		if (va != vb)
			return (va > vb) - (va < vb);
	}
	int c = memcmp(pa, pb, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

static int compare_keys(const struct layout *l, uint32_t ga, uint32_t gb, int pivot_only)
{
	for (size_t k = 0; k < l->a->spec.nkeys; k++) {
		int is_pivot = (long)k == l->a->spec.pivot;
		if (is_pivot != pivot_only)
			continue;
		int c = compare_part(l, k, ga, gb);
		if (c)
			return c;
	}
	return 0;
}

int layout_compare_rows(const struct layout *l, uint32_t ga, uint32_t gb)
{
	return compare_keys(l, ga, gb, 0);
}

/* qsort's comparator has no context: each thread's own (tables are
 * written on two threads at once, civic-bulletin). */
static _Thread_local const struct layout *sort_layout;
static _Thread_local int sort_pivot_only;

static int compare_groups(const void *x, const void *y)
{
	return compare_keys(sort_layout, *(const uint32_t *)x, *(const uint32_t *)y, sort_pivot_only);
}

static void sort_groups(struct layout *l, uint32_t *v, size_t n, int pivot_only)
{
	sort_layout = l;
	sort_pivot_only = pivot_only;
	qsort(v, n, sizeof(*v), compare_groups);
}

/* ---- rows and columns ------------------------------------------------- */

/* key without its pivot part (want_pivot 0) or with only it (1). */
static void split_key(const struct agg *a, uint32_t g, int want_pivot, struct sbuf *out)
{
	size_t len, pos = 0, n;
	const char *key = groups_key(&a->groups, g, &len), *p;
	int total;

	sbuf_reset(out);
	for (long k = 0; key_next_part(key, len, &pos, &p, &n, &total); k++) {
		if ((k == a->spec.pivot) != want_pivot)
			continue;
		if (total)
			keybuf_total(out);
		else
			keybuf_part(out, p, n);
	}
}

/* One representative group per distinct row (or column) key. */
static size_t distinct_reps(struct layout *l, int want_pivot, uint32_t **out)
{
	struct agg *a = l->a;
	struct groups seen;
	size_t n = 0;

	groups_init(&seen);
	*out = xcalloc(a->groups.n + 1, sizeof(**out));
	for (uint32_t g = 0; g < a->groups.n; g++) {
		int added;
		if ((long)g == a->empty)
			continue;
		split_key(a, g, want_pivot, &l->cell_key);
		groups_intern(&seen, l->cell_key.s, l->cell_key.len,
			key_hash(l->cell_key.s, l->cell_key.len), &added);
		if (added)
			(*out)[n++] = g;
	}
	groups_release(&seen);
	return n;
}

static void build_rows(struct layout *l)
{
	struct agg *a = l->a;

	if (a->spec.pivot < 0) {
		l->rows = xcalloc(a->groups.n + 1, sizeof(*l->rows));
		for (uint32_t g = 0; g < a->groups.n; g++)
			if ((long)g != a->empty)
				l->rows[l->nrows++] = g;
		sort_groups(l, l->rows, l->nrows, 0);
		return;
	}
	l->nrows = distinct_reps(l, 0, &l->rows);
	sort_groups(l, l->rows, l->nrows, 0);
	l->ncols = distinct_reps(l, 1, &l->cols);
	sort_groups(l, l->cols, l->ncols, 1);
}

/* The group at (row rep r, column rep c): -1 when no row had that key,
 * with the key left in l->cell_key. */
long cell_group(struct layout *l, uint32_t r, uint32_t c)
{
	struct agg *a = l->a;
	size_t lr, lc, n;
	const char *kr = groups_key(&a->groups, r, &lr), *kc = groups_key(&a->groups, c, &lc), *p;
	int total;

	sbuf_reset(&l->cell_key);
	for (size_t k = 0; k < a->spec.nkeys; k++) {
		if ((long)k == a->spec.pivot)
			key_part(kc, lc, k, &p, &n, &total);
		else
			key_part(kr, lr, k, &p, &n, &total);
		if (total)
			keybuf_total(&l->cell_key);
		else
			keybuf_part(&l->cell_key, p, n);
	}
	return groups_find(&a->groups, l->cell_key.s, l->cell_key.len,
		key_hash(l->cell_key.s, l->cell_key.len));
}

/* ---- columns of one cell -------------------------------------------- */

static int has_stat(const struct agg *a, enum stat_kind kind)
{
	for (size_t i = 0; i < a->nstats; i++)
		if (stat_kind(&a->stats[i]) == kind && a->stats[i].src < 0)
			return 1;
	return 0;
}

static void add_col(struct layout *l, size_t stat, enum part part)
{
	l->col = xrealloc(l->col, (l->ncol + 1) * sizeof(*l->col));
	l->col[l->ncol].stat = stat;
	l->col[l->ncol++].part = part;
}

static void build_cols(struct layout *l)
{
	struct agg *a = l->a;

	for (size_t i = 0; i < a->nstats; i++) {
		const struct statistic *st = &a->stats[i];
		add_col(l, i, P_VALUE);
		if (stat_kind(st) == ST_COUNT && a->weighted && !has_stat(a, ST_N))
			add_col(l, i, P_N);
		if (stat_is_quantile(st) && l->o->ci) {
			add_col(l, i, P_SE);
			add_col(l, i, P_LOW);
			add_col(l, i, P_HIGH);
		}
		if (!stat_is_estimate(st))
			continue;
		if (l->o->ci) {
			add_col(l, i, P_SE);
			add_col(l, i, P_LOW);
			add_col(l, i, P_HIGH);
		}
		if (l->o->deff)
			add_col(l, i, P_DEFF);
		if (l->o->contrast)
			for (enum part p = P_DIFF; p <= P_DIFF_P; p++)
				add_col(l, i, p);
	}
	if (l->o->rates) {
		add_col(l, COL_RATE, P_RATE);
		if (l->o->ci) {
			add_col(l, COL_RATE, P_RATE_LOW);
			add_col(l, COL_RATE, P_RATE_HIGH);
		}
	}
}

static char *col_name(const struct layout *l, const struct column *c)
{
	const char *base = c->stat == COL_RATE ? rates_name(l->o->rates)
		: c->part == P_N ? "n" : l->a->stats[c->stat].name;
	char *s = xmalloc(strlen(base) + 16);

	sprintf(s, "%s%s%s", c->part >= P_DIFF ? "diff_" : "", base, part_suffix[c->part]);
	return s;
}

static void key_label(const char *p, size_t n, int total, struct sbuf *out)
{
	sbuf_reset(out);
	if (total)
		sbuf_addstr(out, "Total");
	else
		sbuf_add(out, p, n);
}

static void make_header(struct layout *l, struct header *h)
{
	struct agg *a = l->a;
	struct sbuf b = SBUF_INIT;

	header_init(h);
	for (size_t k = 0; k < a->spec.nkeys; k++)
		if ((long)k != a->spec.pivot)
			header_add(h, a->spec.keys[k], COL_STRING);
	for (size_t c = 0; c < (a->spec.pivot < 0 ? 1 : l->ncols); c++)
		for (size_t i = 0; i < l->ncol; i++) {
			char *name = col_name(l, &l->col[i]);
			if (a->spec.pivot < 0) {
				header_add(h, name, COL_NUMBER);
			} else {
				size_t len, n;
				const char *key = groups_key(&a->groups, l->cols[c], &len), *p;
				int total;
				key_part(key, len, (size_t)a->spec.pivot, &p, &n, &total);
				key_label(p, n, total, &b);
				if (l->ncol > 1) {
					struct sbuf nb = SBUF_INIT;
					sbuf_printf(&nb, "%s_%s", name, sbuf_cstr(&b));
					header_add(h, sbuf_cstr(&nb), COL_NUMBER);
					sbuf_release(&nb);
				} else {
					header_add(h, sbuf_cstr(&b), COL_NUMBER);
				}
			}
			free(name);
		}
	sbuf_release(&b);
}

/* ---- values ------------------------------------------------------------ */

static void format_number(const struct layout *l, double x, char *buf)
{
	if (l->o->digits >= 0 && isfinite(x)) {
		char tmp[64];
		num_format_fixed(x, l->o->digits, tmp);
		x = strtod(tmp, NULL);
	}
	num_format(x, buf);
}

struct cellvals {
	struct cell cell;
	struct interval ci;
	int ok;
	struct contrast_val diff;
};

static enum ci_method method_for(const struct layout *l, const struct statistic *st, const struct svy_est *e)
{
	if (stat_is_share(st))
		return l->o->share_method != CI_NONE ? l->o->share_method : ci_default(e);
	return l->o->est_method != CI_NONE ? l->o->est_method : CI_T;
}

static double part_value(const struct layout *l, long gid, const struct column *c,
	const struct cellvals *v)
{
	const struct agg *a = l->a;

	switch (c->part) {
	case P_VALUE:
		return v->cell.value;
	case P_N:
		return gid < 0 ? 0 : (double)a->n[gid];
	case P_SE:
		if (v->cell.has_q)
			return v->cell.q.se;
		return v->cell.has_est ? v->cell.est.se : NAN;
	case P_LOW:
		return v->cell.has_est || v->cell.has_q ? v->ci.low : NAN;
	case P_HIGH:
		return v->cell.has_est || v->cell.has_q ? v->ci.high : NAN;
	case P_DEFF:
		return v->cell.has_est ? v->cell.est.deff : NAN;
	case P_RATE: case P_RATE_LOW: case P_RATE_HIGH:
		break;                 /* rate_values */
	case P_DIFF:
		return v->diff.diff;
	case P_DIFF_SE:
		return v->diff.se;
	case P_DIFF_LOW:
		return v->diff.low;
	case P_DIFF_HIGH:
		return v->diff.high;
	case P_DIFF_P:
		return v->diff.p;
	}
	return NAN;
}

static void rate_values(const struct layout *l, long gid, const struct column *c, char *buf)
{
	uint64_t n = gid < 0 ? 0 : l->a->n[gid];
	double pop = rates_population(l->o->rates, l->a, gid, l->cell_key.s, l->cell_key.len);
	struct rate_value r;

	rates_value(l->o->rates, n, pop, l->o->level, &r);
	format_number(l, c->part == P_RATE ? r.rate : c->part == P_RATE_LOW ? r.low : r.high, buf);
}

/* The cell's difference from its --contrast reference. */
static int contrast_cell(struct layout *l, long gid, size_t stat, struct contrast_val *out)
{
	char err[256];
	long ref = gid < 0 ? -1 : contrast_ref_group(l->a, l->o->contrast, (uint32_t)gid, l->ref, l->reflen,
		&l->ref_key);

	if (contrast_value(l->a, (uint32_t)(gid < 0 ? 0 : gid), ref, stat, l->o->level,
	    l->o->est_method == CI_NORMAL, out, err, sizeof(err)) < 0) {
		civic_warn("%s", err);
		return -1;
	}
	return 0;
}

/* Appends the cell's columns to vals (strings in store). */
static int cell_values(struct layout *l, long gid, char (*store)[64], const char **vals, size_t *nv)
{
	struct agg *a = l->a;
	struct cellvals v;
	size_t last = (size_t)-1;
	char err[256];

	for (size_t i = 0; i < l->ncol; i++) {
		const struct column *c = &l->col[i];
		if (c->stat == COL_RATE) {
			rate_values(l, gid, c, store[*nv]);
			vals[*nv] = store[*nv];
			(*nv)++;
			continue;
		}
		if (c->stat != last) {
			const struct statistic *st = &a->stats[c->stat];
			if (agg_cell(a, gid, l->cell_key.s, l->cell_key.len, c->stat, &v.cell, err, sizeof(err)) < 0) {
				civic_warn("%s", err);
				return -1;
			}
			if (gid < 0 && stat_zero_when_empty(st) && isnan(v.cell.value))
				v.cell.value = 0;
			v.ci.low = v.cell.has_q ? v.cell.q.lo : NAN;
			v.ci.high = v.cell.has_q ? v.cell.q.hi : NAN;
			if (v.cell.has_est && l->o->ci &&
			    interval_for(method_for(l, st, &v.cell.est), &v.cell.est, l->o->level, &v.ci) < 0)
				v.ci.low = v.ci.high = NAN;
			if (l->o->contrast && stat_is_estimate(st) && contrast_cell(l, gid, c->stat, &v.diff) < 0)
				return -1;
			last = c->stat;
		}
		format_number(l, part_value(l, gid, c, &v), store[*nv]);
		vals[*nv] = store[*nv];
		(*nv)++;
	}
	return 0;
}

static void row_keys(struct layout *l, uint32_t g, struct sbuf *labels, const char **vals, size_t *nv)
{
	struct agg *a = l->a;
	size_t len, n;
	const char *key = groups_key(&a->groups, g, &len), *p;
	int total;

	for (size_t k = 0; k < a->spec.nkeys; k++) {
		if ((long)k == a->spec.pivot)
			continue;
		key_part(key, len, k, &p, &n, &total);
		key_label(p, n, total, &labels[*nv]);
		vals[*nv] = sbuf_cstr(&labels[*nv]);
		(*nv)++;
	}
}

int layout_row_values(struct layout *l, uint32_t r, struct sbuf *labels, char (*store)[64],
	const char **vals, size_t *nv)
{
	struct agg *a = l->a;
	int rc = 0;

	*nv = 0;
	row_keys(l, r, labels, vals, nv);
	if (a->spec.pivot < 0) {
		size_t len;
		const char *key = groups_key(&a->groups, r, &len);
		sbuf_reset(&l->cell_key);
		sbuf_add(&l->cell_key, key, len);
		rc = cell_values(l, (long)r, store, vals, nv);
	} else {
		for (size_t c = 0; c < l->ncols && rc == 0; c++)
			rc = cell_values(l, cell_group(l, r, l->cols[c]), store, vals, nv);
	}
	for (size_t i = 0; rc == 0 && i < l->test.n; i++) {
		format_number(l, l->test.value[i], store[*nv]);
		vals[*nv] = store[*nv];
		++*nv;
	}
	return rc;
}

static int write_rows(struct layout *l, struct writer *w, size_t width)
{
	struct agg *a = l->a;
	const char **vals = xcalloc(width + 1, sizeof(*vals));
	char (*store)[64] = xcalloc(width + 1, sizeof(*store));
	struct sbuf *labels = xcalloc(a->spec.nkeys + 1, sizeof(*labels));
	int rc = 0;

	for (size_t r = 0; r < l->nrows && rc == 0; r++) {
		size_t nv = 0;
		rc = layout_row_values(l, l->rows[r], labels, store, vals, &nv);
		if (rc == 0 && writer_values(w, vals, nv) < 0)
			rc = -1;
	}
	for (size_t k = 0; k < a->spec.nkeys; k++)
		sbuf_release(&labels[k]);
	free(labels);
	free(store);
	free(vals);
	return rc;
}

/* --contrast's reference value: REF when one of the groups has it, else
 * the key's first value in the table's order.  -1 when REF is nowhere. */
static int contrast_ref(struct layout *l)
{
	const struct contrast *c = l->o->contrast;
	struct agg *a = l->a;
	long best = -1;

	for (size_t r = 0; r < l->nrows; r++) {
		size_t len, n;
		const char *p;
		int total;
		const char *key = groups_key(&a->groups, l->rows[r], &len);
		key_part(key, len, c->key, &p, &n, &total);
		if (total)
			continue;
		if (c->ref ? strlen(c->ref) == n && memcmp(c->ref, p, n) == 0
			: best < 0 || compare_part(l, c->key, l->rows[r], (uint32_t)best) < 0) {
			best = l->rows[r];
			l->ref = p;
			l->reflen = n;
		}
	}
	if (best < 0 && c->ref) {
		civic_warn("--contrast %s=%s: no group has that value", a->spec.keys[c->key], c->ref);
		return -1;
	}
	return 0;
}

/* --test's figures, and their columns after the others. */
static int run_test(struct layout *l, struct header *h)
{
	char err[256];

	if (tally_test_run(l->a, l->o->test, &l->test, err, sizeof(err)) < 0) {
		civic_warn("%s", err);
		return -1;
	}
	for (size_t i = 0; i < l->test.n; i++)
		header_add(h, l->test.name[i], COL_NUMBER);
	return 0;
}

int crosstab_write(struct agg *a, const struct crosstab_opts *o, struct writer *w)
{
	struct layout l = { .a = a, .o = o };
	struct header h;
	int rc;

	sbuf_init(&l.cell_key);
	sbuf_init(&l.ref_key);
	/* Quantile intervals cost a pass with survey sums per value: only when shown. */
	a->level = o->ci || o->deff ? o->level : 0;
	a->normal = o->est_method == CI_NORMAL;
	prepare_sort(&l);
	build_rows(&l);
	build_cols(&l);
	make_header(&l, &h);
	rc = o->contrast ? contrast_ref(&l) : 0;
	if (rc == 0 && o->test != TALLY_TEST_NONE)
		rc = run_test(&l, &h);
	if (rc == 0 && o->rank)
		rc = crosstab_rank(&l, &h);
	if (rc == 0)
		rc = writer_header(w, &h);
	if (rc == 0)
		rc = write_rows(&l, w, h.n);
	header_release(&h);
	sbuf_release(&l.cell_key);
	sbuf_release(&l.ref_key);
	free(l.col);
	free(l.kind);
	free(l.sortval);
	free(l.rows);
	free(l.cols);
	return rc == -2 ? -2 : rc < 0 ? -1 : 0;
}
