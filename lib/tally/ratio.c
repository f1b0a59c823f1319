/* ratio:A/B (ratio.h): the ratio of two totals and its linearisation. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numscan.h"
#include "ratio.h"
#include "survey_rep.h"
#include "xalloc.h"

const char *ratio_split(const char *arg)
{
	const char *slash = strchr(arg, '/');

	if (!slash || slash == arg || !slash[1])
		return NULL;
	return slash;
}

/* a + b exactly while both are exact decimals and the sum fits; the
 * nearest double otherwise (the sums then go inexact, as any such value). */
static struct decnum decnum_sum(const struct decnum *a, const struct decnum *b)
{
	struct decnum r = { a->d + b->d, 0, 0, 0 };

	if (!a->exact || !b->exact)
		return r;
	int scale = a->scale > b->scale ? a->scale : b->scale;
	__int128 m = (__int128)a->m * xsum_pow10(scale - a->scale)
		+ (__int128)b->m * xsum_pow10(scale - b->scale);
	if (m > INT64_MAX || m < -INT64_MAX)
		return r;
	/* The text of the sum, read back: numscan gives its normal form and
	 * the correctly rounded double. */
	char buf[64];
	uint64_t u = (uint64_t)(m < 0 ? -m : m);
	uint64_t p = 1;
	for (int i = 0; i < scale && i < 19; i++)
		p *= 10;
	if (scale > 19)
		return r;
	int len = scale ? snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%0*" PRIu64, m < 0 ? "-" : "",
			u / p, scale, u % p)
		: snprintf(buf, sizeof(buf), "%s%" PRIu64, m < 0 ? "-" : "", u);
	struct decnum s;
	if (numscan(buf, (size_t)len, &s) < 0)
		return r;
	return s;
}

void ratio_pair(struct rowval *rv)
{
	int both = rv[0].state && rv[1].state;

	rv[0].state = rv[1].state = rv[2].state = both;
	if (both)
		rv[2].v = decnum_sum(&rv[0].v, &rv[1].v);
}

static void no_estimate(struct svy_est *e, const struct svy_est *ta)
{
	*e = *ta;
	e->est = e->se = e->var = NAN;
	e->deff = e->deff_replace = NAN;
	e->proportion = 0;
}

/* A replicate design: the ratio formed again with each replicate's
 * weights, θ_r = Σa_r·A / Σa_r·B, and svrVar of those (svyratio on the
 * svrepdesign); df of the ratio's rows. */
static void rep_ratio(struct agg *a, const struct value_source *sa, const struct value_source *sb, uint32_t g,
	struct cell *out)
{
	size_t n = svy_rep_count(a->design);
	long double *theta = xcalloc(n, sizeof *theta);

	svy_rep_thetas(a->design, &sa->acc[g], &sb->acc[g], SVY_REP_RATIO, theta);
	out->est.est = out->value;
	out->est.var = svy_rep_var_of(a->design, theta, out->value);
	out->est.se = sqrt(out->est.var);
	out->est.df = svy_rep_acc_degf(a->design, &sa->acc[g]);
	free(theta);
}

int ratio_cell(struct agg *a, const struct statistic *st, uint32_t g, struct cell *out)
{
	const struct value_source *sa = &a->src[st->src], *sb = sa + 1, *sc = sa + 2;
	struct svy_est ta, tb, tc;

	out->value = sa->used[g] ? xsum_ratio(&sa->mom[g].wy, &sb->mom[g].wy) : NAN;
	if (!sa->acc)
		return 0;
	out->has_est = 1;
	if (svy_design_is_rep(a->design)) {
		if (svy_total(a->design, &sa->acc[g], &ta) < 0)
			return -1;
		no_estimate(&out->est, &ta);
		if (sa->used[g])
			rep_ratio(a, sa, sb, g, out);
		return 0;
	}
	if (svy_total(a->design, &sa->acc[g], &ta) < 0 || svy_total(a->design, &sb->acc[g], &tb) < 0 ||
	    svy_total(a->design, &sc->acc[g], &tc) < 0)
		return -1;
	no_estimate(&out->est, &ta);
	if (!sa->used[g])
		return 0;
	double r = out->value, bhat = xsum_value(&sb->mom[g].wy);
	double cov = (tc.var - ta.var - tb.var) / 2;
	double v = (ta.var + r * r * tb.var - 2 * r * cov) / (bhat * bhat);
	out->est.est = r;
	out->est.var = v < 0 ? 0 : v;
	out->est.se = sqrt(out->est.var);
	return 0;
}

int agg_has_ratio(const struct agg *a)
{
	for (size_t i = 0; i < a->nstats; i++)
		if (stat_kind(&a->stats[i]) == ST_RATIO)
			return 1;
	return 0;
}
