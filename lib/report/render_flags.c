#include <math.h>
#include <string.h>

#include "render_flags.h"
#include "render_pivot.h"
#include "sbuf.h"

static double cell(const struct rtable *t, size_t r, long c)
{
	return c >= 0 ? t->rows[r].val[c] : NAN;
}

static long find_stat(const struct rtable *t, long pvalue, const char *name)
{
	long c = pvalue >= 0 ? pivot_find(t, pvalue, name) : rtable_find(t, name);

	return c >= (long)t->nkeys ? c : -1;
}

long estimate_base_n(const struct rtable *t, size_t c)
{
	const char *stat = rtable_col_stat(t, c), *u = strchr(stat, '_');
	long v = t->cols[c].pvalue, found = -1;

	if (u && t->cols[c].kind != STAT_N) {
		struct sbuf name = SBUF_INIT;
		sbuf_addstr(&name, "n_");
		sbuf_add(&name, u + 1, strcspn(u + 1, "<>=!"));
		found = find_stat(t, v, sbuf_cstr(&name));
		sbuf_release(&name);
	}
	return found >= 0 ? found : find_stat(t, v, "n");
}

double effective_n(const struct rtable *t, size_t r, size_t c)
{
	const struct rcol *col = &t->cols[c];
	double est = cell(t, r, (long)c), se = cell(t, r, col->se);
	double n = cell(t, r, estimate_base_n(t, c)), deff = cell(t, r, col->deff);

	if (col->kind == STAT_SHARE) {
		if (isnan(se) || se <= 0 || !(est > 0 && est < 1))
			return NAN;
		return est * (1 - est) / (se * se);
	}
	if (stat_is_countlike(col->kind))
		return NAN;             /* the size itself is no estimate of precision */
	if (col->kind == STAT_RATE)     /* a Poisson rate rests on its count of records */
		return isnan(n) ? cell(t, r, rtable_find(t, "count")) : n;
	if (!isnan(deff) && deff > 0)
		return n / deff;
	return n;
}

static int unreliable(const struct rtable *t, size_t r, size_t c, double min_n, double max_cv)
{
	const struct rcol *col = &t->cols[c];
	double est = cell(t, r, (long)c), se = cell(t, r, col->se);
	double neff = effective_n(t, r, c);

	if (isnan(est))
		return 0;
	if (!isnan(neff) && neff < min_n)
		return 1;
	return !isnan(se) && est != 0 && se / fabs(est) > max_cv;
}

size_t flag_unreliable(struct rtable *t, double min_n, double max_cv)
{
	size_t flagged = 0;

	for (size_t c = t->nkeys; c < t->ncols; c++) {
		const struct rcol *col = &t->cols[c];
		if (col->part != PART_EST || col->kind >= STAT_OTHER || col->kind == STAT_N)
			continue;
		if (col->kind == STAT_COUNT && rtable_count_is_census(t))
			continue;            /* a count of records is exact, whatever se a tally gave it */
		for (size_t r = 0; r < t->nrows; r++) {
			if (t->rows[r].flag[c] & CELL_HIDDEN || !unreliable(t, r, c, min_n, max_cv))
				continue;
			t->rows[r].flag[c] |= CELL_UNRELIABLE;
			flagged++;
		}
	}
	return flagged;
}
