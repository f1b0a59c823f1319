/* Quantiles: R's type 7 for plain samples (svyquantile's qrule "hf7" for
 * equal weights), survey's qrule "math" otherwise, both with a Woodruff
 * interval (svyquantile, interval.type = "mean"). */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "survey_impl.h"
#include "xalloc.h"

void svy_values_init(struct svy_values *s)
{
	memset(s, 0, sizeof *s);
}

void svy_values_release(struct svy_values *s)
{
	free(s->v);
	svy_values_init(s);
}

void svy_values_add(struct svy_values *s, struct svy_unit u, double w, double y)
{
	if (s->n == s->cap)
		s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = (struct svy_value){ y, w, u };
	s->sum_w += w;
}

void svy_values_merge(struct svy_values *dst, const struct svy_values *src)
{
	dst->v = xgrow(dst->v, &dst->cap, dst->n + src->n, sizeof *dst->v);
	if (src->n)
		memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
	dst->n += src->n;
	dst->sum_w += src->sum_w;
}

/* The sorted values with non-zero weight and their cumulative weights,
 * summed in long double and stored as doubles, as R's cumsum(). */
struct cdf {
	double *y, *cw;
	size_t m;
	double sw;
};

static void cdf_build(struct cdf *c, const struct svy_values *s)
{
	long double run = 0;

	c->y = xmalloc((s->n ? s->n : 1) * sizeof *c->y);
	c->cw = xmalloc((s->n ? s->n : 1) * sizeof *c->cw);
	c->m = 0;
	c->sw = (double)s->sum_w;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].w == 0)
			continue;
		run += s->v[i].w;
		c->y[c->m] = s->v[i].y;
		c->cw[c->m++] = (double)run;
	}
}

static void cdf_release(struct cdf *c)
{
	free(c->y);
	free(c->cw);
}

/* survey:::qrule_math: pos = the last k with cw[k] <= p·Σw (the first if
 * none); y[pos] when p - cw[pos]/Σw is exactly 0, else y[pos + 1]. */
static double qrule_math(const struct cdf *c, double p)
{
	if (c->m == 0 || isnan(p) || p < 0 || p > 1)
		return NAN;
	double pw = p * c->sw;
	size_t lo = 0, hi = c->m;          /* first k with cw[k] > pw */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->cw[mid] <= pw)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t pos = lo ? lo - 1 : 0, next = pos + 1 < c->m ? pos + 1 : pos;
	return p - c->cw[pos] / c->sw == 0 ? c->y[pos] : c->y[next];
}

/* R's quantile(type = 7), in R's arithmetic: the 1-based index
 * 1 + (n - 1) p and its fraction. */
static double type7(const struct svy_values *s, double p)
{
	double index = 1 + (double)(s->n - 1) * p, lo1 = floor(index);
	size_t lo = (size_t)lo1 - 1, hi = (size_t)ceil(index) - 1;
	double q = s->v[lo].y, h = index - lo1;

	if (index > lo1 && s->v[hi].y != q)
		q = (1 - h) * q + h * s->v[hi].y;
	return q;
}

/* survey 4.1.1's qrule_hf7: approx(c(0, C_1..C_{m-1}) / C_{m-1}, y, p,
 * rule = 2), with R's approx1 arithmetic; for equal weights it is type 7. */
static double qrule_hf7(const struct cdf *c, double p)
{
	size_t m = c->m;

	if (m == 0 || isnan(p))
		return NAN;
	if (m == 1)
		return c->y[0];
#define PK(k) ((k) == 0 ? 0.0 : c->cw[(k) - 1] / c->cw[m - 2])
	size_t i = 0, j = m - 1;
	if (p < PK(i))
		return c->y[0];
	if (p > PK(j))
		return c->y[m - 1];
	while (i < j - 1) {
		size_t ij = (i + j) / 2;
		if (p < PK(ij))
			j = ij;
		else
			i = ij;
	}
	double xi = PK(i), xj = PK(j);
#undef PK
	if (p == xj)
		return c->y[j];
	if (p == xi)
		return c->y[i];
	return c->y[i] + (c->y[j] - c->y[i]) * ((p - xi) / (xj - xi));
}

/* Woodruff: F̂ = the estimated CDF at q, its t interval mapped back. */
static int woodruff(const struct svy_design *d, const struct svy_values *s, const struct cdf *c,
	double level, int normal, struct svy_quantile *out)
{
	double (*rule)(const struct cdf *, double) = svy_design_simple(d) ? qrule_hf7 : qrule_math;
	struct svy_acc acc;
	struct svy_est F;
	int rc;

	static const struct decnum in = { 1, 1, 0, 1 }, out_of = { 0, 0, 0, 1 };
	svy_acc_init(&acc);
	for (size_t i = 0; i < s->n; i++) {
		struct decnum w = { s->v[i].w, 0, 0, 0 };     /* held as a double */
		svy_acc_add(&acc, d, s->v[i].u, &w, s->v[i].y <= out->q ? &in : &out_of);
	}
	rc = svy_mean(d, &acc, &F);
	svy_acc_release(&acc);
	if (rc < 0)
		return -1;
	out->df = F.df;
	double tq = F.df < INFINITY && !normal ? qt(1 - (1 - level) / 2, F.df, 1, 0)
		: qnorm5(1 - (1 - level) / 2, 0, 1, 1, 0);
	double pl = F.est - tq * F.se, pu = F.est + tq * F.se;
	out->lo = rule(c, pl);
	out->hi = rule(c, pu);
	out->se = (out->hi - out->lo) / (2 * tq);
	return 0;
}

int svy_quantile(const struct svy_design *d, struct svy_values *s, double p,
	double level, int normal, struct svy_quantile *out)
{
	struct cdf c;
	int rc;

	out->q = out->lo = out->hi = out->se = out->df = NAN;
	out->n = (double)s->n;
	if (s->n == 0)
		return 0;
	svy_values_sort(s->v, s->n);
	cdf_build(&c, s);
	out->q = svy_design_simple(d) ? type7(s, p) : qrule_math(&c, p);
	rc = level > 0 ? woodruff(d, s, &c, level, normal, out) : 0;
	cdf_release(&c);
	return rc;
}
