/* --sort, --top and --other over a laid-out table (crosstab_impl.h).
 *
 * Rows are ordered by their --within parts first (so each --within group
 * stays together, in key order), then ranked rows before the --other row
 * before margins (a Total among the other keys), then by the --sort
 * columns, ties by key.  A sort column is read as the table prints it
 * (after --digits), so rows that look tied are in key order.  --top keeps
 * the first N ranked rows of each --within group; the margins over
 * --within groups (a Total among the --within keys) are never cut. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agg_union.h"
#include "crosstab_impl.h"
#include "error.h"
#include "keyexpr.h"
#include "xalloc.h"

enum { RANKED, OTHER, MARGIN };

struct rank {
	struct layout *l;
	const struct rank_opts *ro;
	size_t *col;                   /* per --sort: output column */
	size_t *key;                   /* … its key index when col is a key column */
	int *desc;
	size_t nkeycols;
	double *val;                   /* group × --sort (numeric columns) */
	size_t nval;                   /* groups val covers */
	unsigned char *cls;            /* per group: RANKED, OTHER, MARGIN */
	size_t ncls;
};

/* ---- the --sort columns ----------------------------------------------- */

static size_t key_of_column(const struct agg *a, size_t col)
{
	for (size_t k = 0, j = 0; k < a->spec.nkeys; k++) {
		if ((long)k == a->spec.pivot)
			continue;
		if (j++ == col)
			return k;
	}
	return 0;
}

static int resolve_columns(struct rank *rk, const struct header *h)
{
	const struct agg *a = rk->l->a;
	size_t ns = rk->ro->nsort;

	rk->nkeycols = a->spec.nkeys - (a->spec.pivot >= 0);
	rk->col = xcalloc(ns + 1, sizeof(*rk->col));
	rk->key = xcalloc(ns + 1, sizeof(*rk->key));
	rk->desc = xcalloc(ns + 1, sizeof(*rk->desc));
	for (size_t i = 0; i < ns; i++) {
		const char *name = rk->ro->sort[i];
		size_t c;
		rk->desc[i] = name[0] == '-';
		name += rk->desc[i];
		for (c = 0; c < h->n && strcmp(h->names[c], name) != 0; c++)
			;
		if (c == h->n) {
			const char *near = nearest_column(h, name);
			civic_warn("--sort: the table has no column '%s'%s%s%s", name,
				near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
			return -2;
		}
		rk->col[i] = c;
		if (c < rk->nkeycols)
			rk->key[i] = key_of_column(a, c);
	}
	return 0;
}

/* The --sort columns' values of every row, as printed. */
static int read_values(struct rank *rk, const struct header *h)
{
	struct layout *l = rk->l;
	size_t ns = rk->ro->nsort, nk = l->a->spec.nkeys;
	const char **vals = xcalloc(h->n + 1, sizeof(*vals));
	char (*store)[64] = xcalloc(h->n + 1, sizeof(*store));
	struct sbuf *labels = xcalloc(nk + 1, sizeof(*labels));
	int rc = 0;

	rk->nval = l->a->groups.n;
	rk->val = xcalloc(rk->nval * (ns ? ns : 1), sizeof(*rk->val));
	for (size_t r = 0; r < l->nrows && rc == 0 && ns; r++) {
		size_t nv = 0;
		uint32_t g = l->rows[r];
		rc = layout_row_values(l, g, labels, store, vals, &nv);
		for (size_t i = 0; i < ns && rc == 0; i++)
			if (rk->col[i] >= rk->nkeycols)
				rk->val[g * ns + i] = vals[rk->col[i]][0] ? strtod(vals[rk->col[i]], NULL) : NAN;
	}
	for (size_t k = 0; k < nk; k++)
		sbuf_release(&labels[k]);
	free(labels);
	free(store);
	free(vals);
	return rc;
}

/* ---- classes and order ----------------------------------------------- */

static int is_within(const struct agg *a, size_t k)
{
	for (size_t i = 0; i < a->spec.nwithin; i++)
		if (a->within_idx[i] == k)
			return 1;
	return 0;
}

/* 1 when a part of g's key among the keys in (want_within 1) or out of
 * (0) --within, the pivot aside, is a Total margin. */
static int has_total(const struct agg *a, uint32_t g, int want_within)
{
	size_t len, n;
	const char *key = groups_key(&a->groups, g, &len), *p;
	int total;

	for (size_t k = 0; k < a->spec.nkeys; k++) {
		if ((long)k == a->spec.pivot || is_within(a, k) != want_within)
			continue;
		key_part(key, len, k, &p, &n, &total);
		if (total)
			return 1;
	}
	return 0;
}

static void set_class(struct rank *rk, uint32_t g, unsigned char c)
{
	if (g >= rk->ncls) {
		size_t n = rk->l->a->groups.n + 1;
		rk->cls = xrealloc(rk->cls, n);
		memset(rk->cls + rk->ncls, RANKED, n - rk->ncls);
		rk->ncls = n;
	}
	rk->cls[g] = c;
}

static int compare_within(const struct layout *l, uint32_t ga, uint32_t gb)
{
	const struct agg *a = l->a;

	for (size_t i = 0; i < a->spec.nwithin; i++) {
		int c = compare_part(l, a->within_idx[i], ga, gb);
		if (c)
			return c;
	}
	return 0;
}

static int compare_number(double x, double y)
{
	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);         /* empty last, either way */
	return (x > y) - (x < y);
}

static const struct rank *sort_rank;

static int compare_rows(const void *x, const void *y)
{
	const struct rank *rk = sort_rank;
	const struct layout *l = rk->l;
	uint32_t ga = *(const uint32_t *)x, gb = *(const uint32_t *)y;
	size_t ns = rk->ro->nsort;
	int c = compare_within(l, ga, gb);

	if (c)
		return c;
	if ((c = (rk->cls[ga] > rk->cls[gb]) - (rk->cls[ga] < rk->cls[gb])) != 0)
		return c;
	for (size_t i = 0; i < ns && ga < rk->nval && gb < rk->nval; i++) {
		int sign = rk->desc[i] ? -1 : 1;
		if (rk->col[i] < rk->nkeycols)
			c = sign * compare_part(l, rk->key[i], ga, gb);
		else if ((c = compare_number(rk->val[ga * ns + i], rk->val[gb * ns + i])) != 0 &&
			 !isnan(rk->val[ga * ns + i]) && !isnan(rk->val[gb * ns + i]))
			c *= sign;
		if (c)
			return c;
	}
	return layout_compare_rows(l, ga, gb);
}

static void sort_rows(struct rank *rk)
{
	sort_rank = rk;
	qsort(rk->l->rows, rk->l->nrows, sizeof(*rk->l->rows), compare_rows);
}

/* ---- --top and --other -------------------------------------------------- */

/* The key of the --other row of the --within group of rep r: its --within
 * parts, the label in every other row key, and the pivot part of column
 * rep c (when there is a pivot). */
static void other_key(const struct rank *rk, uint32_t r, uint32_t c, struct sbuf *out)
{
	const struct agg *a = rk->l->a;
	size_t lr, lc = 0, n;
	const char *kr = groups_key(&a->groups, r, &lr), *kc = "", *p;
	int total;

	if (a->spec.pivot >= 0)
		kc = groups_key(&a->groups, c, &lc);
	sbuf_reset(out);
	for (size_t k = 0; k < a->spec.nkeys; k++) {
		if ((long)k != a->spec.pivot && !is_within(a, k)) {
			keybuf_part(out, rk->ro->other, strlen(rk->ro->other));
			continue;
		}
		key_part((long)k == a->spec.pivot ? kc : kr, (long)k == a->spec.pivot ? lc : lr, k, &p, &n, &total);
		if (total)
			keybuf_total(out);
		else
			keybuf_part(out, p, n);
	}
}

static int label_taken(const struct rank *rk)
{
	const struct agg *a = rk->l->a;
	size_t k = 0;

	while (k < a->spec.nkeys && ((long)k == a->spec.pivot || is_within(a, k)))
		k++;
	civic_warn("--other '%s' is a value of %s in a row --top keeps: choose another label",
		rk->ro->other, k < a->spec.nkeys ? a->spec.keys[k] : "a key");
	return -2;
}

/* One union per column (one in all without a pivot) of the rest's cells;
 * the row's representative in *row.  0, or -2 when the label is taken. */
static int add_other(struct rank *rk, const uint32_t *rest, size_t nrest, uint32_t *row)
{
	struct layout *l = rk->l;
	struct agg *a = l->a;
	size_t ncols = a->spec.pivot < 0 ? 1 : l->ncols;
	uint32_t *members = xcalloc(nrest + 1, sizeof(*members));
	struct sbuf key = SBUF_INIT;
	long first = -1;
	int rc = 0;

	for (size_t c = 0; c < ncols && rc == 0; c++) {
		size_t n = 0;
		other_key(rk, rest[0], a->spec.pivot < 0 ? 0 : l->cols[c], &key);
		for (size_t i = 0; i < nrest; i++) {
			long g = a->spec.pivot < 0 ? (long)rest[i] : cell_group(l, rest[i], l->cols[c]);
			if (g >= 0)
				members[n++] = (uint32_t)g;
			if (l->o->rates && g >= 0 && a->spec.pivot < 0) {
				size_t len;
				const char *k = groups_key(&a->groups, (uint32_t)g, &len);
				rates_union_add(l->o->rates, key.s, key.len, k, len);
			} else if (l->o->rates) {
				rates_union_add(l->o->rates, key.s, key.len, l->cell_key.s, l->cell_key.len);
			}
		}
		if (n == 0)
			continue;
		long g = agg_union(a, key.s, key.len, members, n);
		if (g < 0) {
			rc = label_taken(rk);
			break;
		}
		set_class(rk, (uint32_t)g, OTHER);
		if (first < 0)
			first = g;
	}
	*row = (uint32_t)first;
	sbuf_release(&key);
	free(members);
	return rc;
}

/* Keeps the first --top ranked rows of each --within group; with --other
 * the rest of each becomes one row. */
static int cut_top(struct rank *rk)
{
	struct layout *l = rk->l;
	size_t nrows = l->nrows, kept = 0, nrest = 0, rank = 0;
	uint32_t *rows = l->rows, *rest = xcalloc(nrows + 1, sizeof(*rest));
	uint32_t *others = xcalloc(nrows + 1, sizeof(*others)), prev = 0;
	size_t nothers = 0;
	int rc = 0;

	for (size_t i = 0; i <= nrows && rc == 0; i++) {
		int new_block = i == nrows || (i > 0 && compare_within(l, prev, rows[i]) != 0);
		if (new_block && nrest && rk->ro->other)
			rc = add_other(rk, rest, nrest, &others[nothers++]);
		if (new_block)
			nrest = rank = 0;
		if (i == nrows)
			break;
		uint32_t g = prev = rows[i];
		if (rk->cls[g] != RANKED || has_total(l->a, g, 1) || ++rank <= rk->ro->top)
			rows[kept++] = g;
		else
			rest[nrest++] = g;
	}
	l->nrows = kept;
	if (nothers) {
		l->rows = xrealloc(l->rows, (kept + nothers + 1) * sizeof(*l->rows));
		memcpy(l->rows + kept, others, nothers * sizeof(*others));
		l->nrows += nothers;
	}
	free(rest);
	free(others);
	return rc;
}

int crosstab_rank(struct layout *l, const struct header *h)
{
	struct rank rk = { .l = l, .ro = l->o->rank };
	int rc = resolve_columns(&rk, h);

	for (size_t r = 0; r < l->nrows && rc == 0; r++)
		set_class(&rk, l->rows[r], has_total(l->a, l->rows[r], 0) ? MARGIN : RANKED);
	if (rc == 0)
		rc = read_values(&rk, h);
	if (rc == 0)
		sort_rows(&rk);
	if (rc == 0 && rk.ro->top) {
		rc = cut_top(&rk);
		if (rc == 0)
			sort_rows(&rk);
	}
	free(rk.col);
	free(rk.key);
	free(rk.desc);
	free(rk.val);
	free(rk.cls);
	return rc;
}
