/* Differences on a replicate design (contrast_rep.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "contrast.h"
#include "contrast_rep.h"
#include "survey_contrast.h"
#include "survey_rep.h"
#include "xalloc.h"

/* θ_r of statistic st in group g; 0 when it has none (no rows). */
static int thetas(const struct agg *a, uint32_t g, const struct statistic *st, long double *theta)
{
	struct svy_lin l;

	if (!contrast_lin(a, g, st, &l) || l.den->n == 0)
		return 0;
	svy_rep_thetas(a->design, l.num, l.den, l.total ? SVY_REP_TOTAL : SVY_REP_MEAN, theta);
	return 1;
}

static int has_margin(const struct agg *a, uint32_t g)
{
	size_t len, pos = 0, n;
	const char *key = groups_key(&a->groups, g, &len), *p;
	int total;

	while (key_next_part(key, len, &pos, &p, &n, &total))
		if (total)
			return 1;
	return 0;
}

/* Marks the replicates in which a group of the table has no estimate. */
static void dropped(const struct agg *a, const struct statistic *st, long double *theta, size_t R,
	unsigned char *out)
{
	for (uint32_t h = 0; h < a->groups.n; h++) {
		if ((long)h == a->empty || has_margin(a, h) || !thetas(a, h, st, theta))
			continue;
		for (size_t i = 0; i < R; i++)
			out[i] |= isnan(theta[i]);
	}
}

void contrast_rep(const struct agg *a, uint32_t g, uint32_t ref, const struct statistic *st, double diff,
	struct svy_est *e)
{
	size_t R = svy_rep_count(a->design);
	long double *ta = xcalloc(3 * R, sizeof *ta), *tb = ta + R, *scratch = tb + R;
	unsigned char *out = xcalloc(R, 1);
	struct svy_lin la, lb;

	memset(e, 0, sizeof *e);
	e->est = e->se = e->var = e->deff = e->deff_replace = e->n_eff_kish = NAN;
	e->df = svy_design_df(a->design);
	if (!isnan(diff) && thetas(a, g, st, ta) && thetas(a, ref, st, tb)) {
		dropped(a, st, scratch, R, out);
		for (size_t i = 0; i < R; i++)
			ta[i] = out[i] ? NAN : ta[i] - tb[i];
		contrast_lin(a, g, st, &la);
		contrast_lin(a, ref, st, &lb);
		e->n = (double)(la.den->n + lb.den->n);
		e->est = diff;
		e->var = svy_rep_var_of(a->design, ta, diff);
		e->se = sqrt(e->var);
	}
	free(ta);
	free(out);
}
