#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "render_compare.h"
#include "sbuf.h"
#include "xalloc.h"

/* The keys rows are matched on: every key that is not a period.  Both
 * tables must have them, under the same names. */
static size_t match_keys(const struct rtable *cur, const struct rtable *prev, long *cur_k, long *prev_k)
{
	size_t n = 0;

	for (size_t k = 0; k < cur->nkeys; k++) {
		if (rtable_key_is_period(cur, k))
			continue;
		cur_k[n] = (long)k;
		prev_k[n] = rtable_find(prev, cur->cols[k].name);
		n++;
	}
	return n;
}

static int rows_match(const struct rtable *a, size_t ra, const long *ka,
	const struct rtable *b, size_t rb, const long *kb, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a->rows[ra].cell[ka[i]], b->rows[rb].cell[kb[i]]) != 0)
			return 0;
	return 1;
}

/* -1: no row; -2: several. */
static long find_row(const struct rtable *t, const long *keys, size_t n,
	const struct rtable *other, size_t row, const long *other_keys, size_t skip)
{
	long found = -1;

	for (size_t r = 0; r < t->nrows; r++) {
		if (t == other && r == skip)
			continue;
		if (!rows_match(t, r, keys, other, row, other_keys, n))
			continue;
		if (found >= 0)
			return -2;
		found = (long)r;
	}
	return found;
}

static int check_unique(const struct rtable *t, const long *keys, size_t n, const char *what)
{
	for (size_t r = 0; r < t->nrows; r++) {
		if (find_row(t, keys, n, t, r, keys, r) != -1) {
			civic_warn("%s: cannot compare: the key '%s' repeats (does the table hold several periods?)",
				what, n ? t->rows[r].cell[keys[0]] : "");
			return -1;
		}
	}
	return 0;
}

static void compared_columns(const struct rtable *t, long *cols, size_t *n)
{
	long count = rtable_find(t, "count"), share = rtable_find(t, "share");

	*n = 0;
	if (count >= (long)t->nkeys)
		cols[(*n)++] = count;
	if (share >= (long)t->nkeys)
		cols[(*n)++] = share;
	for (size_t c = t->nkeys; *n == 0 && c < t->ncols; c++)
		if (t->cols[c].part == PART_EST && t->cols[c].kind != STAT_N)
			cols[(*n)++] = (long)c;
}

static int beyond_noise(const struct rtable *cur, size_t r, long c,
	const struct rtable *prev, long pr, long pc, double z)
{
	double a = cur->rows[r].val[c], b = prev->rows[pr].val[pc];
	long sec = cur->cols[c].se, sep = prev->cols[pc].se;

	if (cur->cols[c].kind == STAT_COUNT && rtable_count_is_census(cur))
		sec = sep = -1;          /* a census count varies as Poisson, whatever se the tally wrote */
	if (sec >= 0 && sep >= 0) {
		double sa = cur->rows[r].val[sec], sb = prev->rows[pr].val[sep];
		if (isnan(sa) || isnan(sb))
			return 0;
		return fabs(a - b) > z * sqrt(sa * sa + sb * sb);
	}
	if (cur->cols[c].kind != STAT_COUNT || a < 0 || b < 0)
		return 0;
	return fabs(a - b) > z * sqrt(a + b);
}

struct change_cols {
	long base, prev, change, pct;
};

static void add_change_cols(struct rtable *t, long base, struct change_cols *cc)
{
	struct sbuf name = SBUF_INIT;
	const char *b = t->cols[base].name;

	cc->base = base;
	sbuf_printf(&name, "%s_prev", b);
	cc->prev = rtable_add_stat(t, sbuf_cstr(&name), STAT_PREV, base);
	sbuf_reset(&name);
	sbuf_printf(&name, "%s_change", b);
	cc->change = rtable_add_stat(t, sbuf_cstr(&name), STAT_CHANGE, base);
	cc->pct = -1;
	/* A relative change of a share reads as a second percentage-point
	 * figure and misleads: shares get the absolute change only. */
	if (t->cols[base].kind != STAT_SHARE) {
		sbuf_reset(&name);
		sbuf_printf(&name, "%s_change_pct", b);
		cc->pct = rtable_add_stat(t, sbuf_cstr(&name), STAT_CHANGE_PCT, base);
	}
	sbuf_release(&name);
}

static int fill_change(struct rtable *cur, size_t r, const struct change_cols *cc,
	const struct rtable *prev, long pr, long pc, double z)
{
	struct rrow *row = &cur->rows[r];
	unsigned char pflag = prev->rows[pr].flag[pc] & CELL_HIDDEN;
	double a = row->val[cc->base], b = prev->rows[pr].val[pc];

	rtable_set(cur, r, (size_t)cc->prev, b);
	if (pflag) {
		row->flag[cc->prev] |= pflag;
		row->flag[cc->change] |= CELL_SECONDARY;
		if (cc->pct >= 0)
			row->flag[cc->pct] |= CELL_SECONDARY;
		return 0;
	}
	if (isnan(a) || isnan(b))
		return 0;
	rtable_set(cur, r, (size_t)cc->change, a - b);
	if (b != 0 && cc->pct >= 0)
		rtable_set(cur, r, (size_t)cc->pct, (a - b) / fabs(b) * 100);
	if (!beyond_noise(cur, r, cc->base, prev, pr, pc, z))
		return 0;
	row->flag[cc->change] |= a > b ? CELL_UP : CELL_DOWN;
	return 1;
}

long compare_tables(struct rtable *cur, const struct rtable *prev, double z)
{
	long *ck = xcalloc(cur->nkeys + 1, sizeof(long)), *pk = xcalloc(cur->nkeys + 1, sizeof(long));
	long cols[2];
	struct change_cols cc[2];
	size_t nk = match_keys(cur, prev, ck, pk), ncols;
	long flagged = 0;

	for (size_t i = 0; i < nk; i++) {
		if (pk[i] < 0 || pk[i] >= (long)prev->nkeys) {
			civic_warn("%s: cannot compare: it has no key '%s'", prev->name, cur->cols[ck[i]].name);
			flagged = -1;
			goto out;
		}
	}
	if (check_unique(cur, ck, nk, cur->name) < 0 || check_unique(prev, pk, nk, prev->name) < 0) {
		flagged = -1;
		goto out;
	}
	compared_columns(cur, cols, &ncols);
	for (size_t i = 0; i < ncols; i++)
		add_change_cols(cur, cols[i], &cc[i]);
	for (size_t r = 0; r < cur->nrows; r++) {
		long pr = find_row(prev, pk, nk, cur, r, ck, (size_t)-1);
		for (size_t i = 0; pr >= 0 && i < ncols; i++) {
			long pc = rtable_find(prev, cur->cols[cols[i]].name);
			if (pc >= (long)prev->nkeys)
				flagged += fill_change(cur, r, &cc[i], prev, pr, pc, z);
		}
	}
out:
	free(ck);
	free(pk);
	return flagged;
}
