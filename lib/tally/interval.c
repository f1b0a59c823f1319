/* Confidence intervals; see interval.h for the formulas and their R names. */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <string.h>

#include "interval.h"

static void ci_wilson(const struct svy_est *e, double level, struct interval *ci);
static void ci_logit(const struct svy_est *e, double level, struct interval *ci);
static void ci_beta(const struct svy_est *e, double level, struct interval *ci);
static void ci_wald(const struct svy_est *e, double level, struct interval *ci);
static void ci_asin(const struct svy_est *e, double level, struct interval *ci);
static void ci_t(const struct svy_est *e, double level, struct interval *ci);
static void ci_normal(const struct svy_est *e, double level, struct interval *ci);
static void symmetric(const struct svy_est *e, double level, int normal, struct interval *ci);

const struct ci_method_info ci_methods[] = {
	{ "wilson", CI_WILSON, CI_SHARES, ci_wilson },
	{ "logit", CI_LOGIT, CI_SHARES, ci_logit },
	{ "beta", CI_BETA, CI_SHARES, ci_beta },
	{ "wald", CI_WALD, CI_SHARES, ci_wald },
	{ "asin", CI_ASIN, CI_SHARES, ci_asin },
	{ "t", CI_T, CI_SHARES | CI_ESTIMATES, ci_t },
	{ "normal", CI_NORMAL, CI_SHARES | CI_ESTIMATES, ci_normal },
	{ NULL, CI_NONE, 0, NULL },
};

const struct ci_method_info *ci_method_lookup(const char *name)
{
	for (const struct ci_method_info *m = ci_methods; m->name; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

enum ci_method ci_default(const struct svy_est *e)
{
	if (!e->proportion)
		return CI_T;
	return e->simple ? CI_WILSON : CI_LOGIT;
}

/* The upper quantile 1 - α/2 of N(0,1) or t(df) (df NaN/Inf: normal). */
static double z_of(double level)
{
	return qnorm5(1 - (1 - level) / 2, 0, 1, 1, 0);
}

static double t_of(double level, double df)
{
	if (!(df < INFINITY))
		return z_of(level);
	return qt(1 - (1 - level) / 2, df, 1, 0);
}

/* The quantile a share's design-based methods use: t with the domain's df,
 * or normal for a plain sample (binomial theory). */
static double share_q(const struct svy_est *e, double level)
{
	return e->simple ? z_of(level) : t_of(level, e->df);
}

/* The share's variance on the proportion scale: V, or p(1-p)/n plain. */
static double share_var(const struct svy_est *e)
{
	return e->simple ? e->est * (1 - e->est) / e->n : e->var;
}

/* Clopper-Pearson with x successes out of n (n need not be whole), as
 * binom.test: at x = 0 or x = n the interval is one-sided at the full
 * level, [0, u] or [l, 1]. */
static void clopper_pearson(double x, double n, double level, struct interval *ci)
{
	double a = (1 - level) / 2;

	if (x <= 0) {
		ci->low = 0;
		ci->high = qbeta(level, 1, n, 1, 0);
	} else if (x >= n) {
		ci->low = qbeta(1 - level, n, 1, 1, 0);
		ci->high = 1;
	} else {
		ci->low = qbeta(a, x, n - x + 1, 1, 0);
		ci->high = qbeta(1 - a, x + 1, n - x, 1, 0);
	}
}

/* A share of 0 or 1 has no variance to build on: Clopper-Pearson with the
 * effective n, which gives [0, u] or [l, 1]. */
static int degenerate(const struct svy_est *e, double level, struct interval *ci)
{
	if (e->est > 0 && e->est < 1 && (e->simple || e->var > 0))
		return 0;
	double n = e->simple ? e->n : e->n_eff_kish;
	clopper_pearson(e->est * n, n, level, ci);
	return 1;
}

static void ci_wilson(const struct svy_est *e, double level, struct interval *ci)
{
	double p = e->est, z = z_of(level), z2 = z * z;
	double n = e->simple ? e->n : p * (1 - p) / e->var;

	if (!e->simple && degenerate(e, level, ci))
		return;
	double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
	double half = z / (1 + z2 / n) * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
	ci->low = centre - half;
	ci->high = centre + half;
}

static void ci_logit(const struct svy_est *e, double level, struct interval *ci)
{
	double p = e->est;

	if (degenerate(e, level, ci))
		return;
	double half = share_q(e, level) * sqrt(share_var(e)) / (p * (1 - p));
	double l = log(p / (1 - p));
	ci->low = 1 / (1 + exp(-(l - half)));
	ci->high = 1 / (1 + exp(-(l + half)));
}

static void ci_beta(const struct svy_est *e, double level, struct interval *ci)
{
	double p = e->est, a = (1 - level) / 2;

	if (e->simple) {
		clopper_pearson(e->x, e->n, level, ci);
		return;
	}
	if (degenerate(e, level, ci))
		return;
	double ratio = qt(a, e->n - 1, 1, 0) / qt(a, e->df, 1, 0);
	double neff = p * (1 - p) / e->var * (ratio * ratio);
	ci->low = qbeta(a, neff * p, neff * (1 - p) + 1, 1, 0);
	ci->high = qbeta(1 - a, neff * p + 1, neff * (1 - p), 1, 0);
}

static void ci_wald(const struct svy_est *e, double level, struct interval *ci)
{
	if (degenerate(e, level, ci))
		return;
	if (!e->simple) {
		symmetric(e, level, 0, ci);
		return;
	}
	double half = z_of(level) * sqrt(share_var(e));
	ci->low = e->est - half;
	ci->high = e->est + half;
}

static void ci_asin(const struct svy_est *e, double level, struct interval *ci)
{
	double p = e->est;

	if (degenerate(e, level, ci))
		return;
	double half = share_q(e, level) * sqrt(share_var(e)) / (2 * sqrt(p * (1 - p)));
	double a = asin(sqrt(p));
	double lo = sin(a - half), hi = sin(a + half);
	ci->low = lo * lo;
	ci->high = hi * hi;
}

/* est + SE·q(α/2), est + SE·q(1-α/2), as R's confint() forms them. */
static void symmetric(const struct svy_est *e, double level, int normal, struct interval *ci)
{
	double a = (1 - level) / 2;
	int t = !normal && e->df < INFINITY;

	ci->low = e->est + e->se * (t ? qt(a, e->df, 1, 0) : qnorm5(a, 0, 1, 1, 0));
	ci->high = e->est + e->se * (t ? qt(1 - a, e->df, 1, 0) : qnorm5(1 - a, 0, 1, 1, 0));
}

static void ci_t(const struct svy_est *e, double level, struct interval *ci)
{
	symmetric(e, level, 0, ci);
}

static void ci_normal(const struct svy_est *e, double level, struct interval *ci)
{
	symmetric(e, level, 1, ci);
}

int interval_for(enum ci_method m, const struct svy_est *e, double level,
	struct interval *ci)
{
	const struct ci_method_info *info = NULL;

	for (const struct ci_method_info *i = ci_methods; i->name; i++)
		if (i->method == m)
			info = i;
	if (!info || !(info->flags & (e->proportion ? CI_SHARES : CI_ESTIMATES)))
		return -1;
	if (isnan(e->est) || e->n == 0) {
		ci->low = ci->high = NAN;
		return 0;
	}
	info->fn(e, level, ci);
	return 0;
}
