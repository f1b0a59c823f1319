/* Quantiles: R's type 7 for plain samples (svyquantile's qrule "hf7" for
 * equal weights), survey's qrule "math" otherwise, both with a Woodruff
 * interval (svyquantile, interval.type = "mean"). */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "survey_calib.h"
#include "survey_impl.h"
#include "survey_rep.h"
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
	svy_values_add_run(s, u, w, y, 1);
	s->sum_w += w;
}

void svy_values_add_run(struct svy_values *s, struct svy_unit u, double w, double y, uint64_t k)
{
	if (s->n == s->cap)
		s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = (struct svy_value){ y, w, u, k };
	s->count += k;
}

void svy_values_merge(struct svy_values *dst, const struct svy_values *src)
{
	dst->v = xgrow(dst->v, &dst->cap, dst->n + src->n, sizeof *dst->v);
	if (src->n)
		memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
	dst->n += src->n;
	dst->count += src->count;
	dst->sum_w += src->sum_w;
}

/* The sorted values with non-zero weight and their cumulative weights,
 * summed in long double and stored as doubles, as R's cumsum().  A run of
 * k equal values is one entry: its weight is still added k times, one by
 * one, so that the sums are R's to the last bit, but only the sums after
 * its first and its last copy are kept. */
struct cdf_run {
	double y, w, first, last;
	long double before;    /* the sum before the run's first copy */
	uint64_t start, k;     /* copies before it, copies in it */
};

struct cdf {
	struct cdf_run *r;
	size_t m;              /* runs */
	uint64_t copies;
	double sw;
};

static void cdf_build(struct cdf *c, const struct svy_values *s)
{
	long double run = 0;

	c->r = xmalloc((s->n ? s->n : 1) * sizeof *c->r);
	c->m = 0;
	c->copies = 0;
	c->sw = (double)s->sum_w;
	for (size_t i = 0; i < s->n; i++) {
		const struct svy_value *v = &s->v[i];
		if (v->w == 0)
			continue;
		struct cdf_run *r = &c->r[c->m++];
		r->y = v->y;
		r->w = v->w;
		r->before = run;
		run += v->w;
		r->first = (double)run;
		for (uint64_t j = 1; j < v->k; j++)
			run += v->w;
		r->last = (double)run;
		r->start = c->copies;
		r->k = v->k;
		c->copies += v->k;
	}
}

static void cdf_release(struct cdf *c)
{
	free(c->r);
}

/* The run holding copy i (i < c->copies). */
static const struct cdf_run *run_at(const struct cdf *c, uint64_t i)
{
	size_t lo = 0, hi = c->m;          /* first run starting after i */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->r[mid].start <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &c->r[lo - 1];
}

/* The cumulative weight at copy i: exact at a run's ends; inside a run
 * before + (j+1)·w, which is the sum one by one while the weights are
 * whole numbers (a plain sample's, the only ones that look inside). */
static double cw_at(const struct cdf *c, uint64_t i)
{
	const struct cdf_run *r = run_at(c, i);
	uint64_t j = i - r->start;

	if (j == 0)
		return r->first;
	if (j + 1 == r->k)
		return r->last;
	return (double)(r->before + (long double)(j + 1) * r->w);
}

/* survey:::qrule_math: pos = the last copy k with cw[k] <= p·Σw (the first
 * if none); y[pos] when p - cw[pos]/Σw is exactly 0, else y[pos + 1].
 * Copies of a run share y, so only a run's ends decide. */
static double qrule_math(const struct cdf *c, double p)
{
	if (c->m == 0 || isnan(p) || p < 0 || p > 1)
		return NAN;
	double pw = p * c->sw;
	size_t lo = 0, hi = c->m;          /* first run whose last copy has cw > pw */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->r[mid].last <= pw)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->m)                    /* pos = next = the last copy */
		return c->r[c->m - 1].y;
	const struct cdf_run *r = &c->r[lo];
	if (r->first <= pw)                /* pos and pos + 1 both in r */
		return r->y;
	if (lo > 0)                        /* pos is the previous run's last copy */
		return p - r[-1].last / c->sw == 0 ? r[-1].y : r->y;
	double next = r->k > 1 || c->m == 1 ? r->y : r[1].y;   /* pos = copy 0 */
	return p - r->first / c->sw == 0 ? r->y : next;
}

/* The value at copy i of the sorted values, zero weights and all. */
static double value_at(const struct svy_values *s, uint64_t i)
{
	size_t e = 0;

	while (i >= s->v[e].k)
		i -= s->v[e++].k;
	return s->v[e].y;
}

/* R's quantile(type = 7), in R's arithmetic: the 1-based index
 * 1 + (n - 1) p and its fraction. */
static double type7(const struct svy_values *s, double p)
{
	double index = 1 + (double)(s->count - 1) * p, lo1 = floor(index);
	uint64_t lo = (uint64_t)lo1 - 1, hi = (uint64_t)ceil(index) - 1;
	double q = value_at(s, lo), h = index - lo1, yhi = value_at(s, hi);

	if (index > lo1 && yhi != q)
		q = (1 - h) * q + h * yhi;
	return q;
}

/* survey 4.1.1's qrule_hf7: approx(c(0, C_1..C_{m-1}) / C_{m-1}, y, p,
 * rule = 2), with R's approx1 arithmetic; for equal weights it is type 7. */
static double qrule_hf7(const struct cdf *c, double p)
{
	uint64_t m = c->copies;

	if (m == 0 || isnan(p))
		return NAN;
	if (m == 1)
		return c->r[0].y;
	double last = cw_at(c, m - 2);
#define PK(k) ((k) == 0 ? 0.0 : cw_at(c, (k) - 1) / last)
#define Y(k) (run_at(c, k)->y)
	uint64_t i = 0, j = m - 1;
	if (p < PK(i))
		return Y(0);
	if (p > PK(j))
		return Y(m - 1);
	while (i < j - 1) {
		uint64_t ij = i + (j - i) / 2;
		if (p < PK(ij))
			j = ij;
		else
			i = ij;
	}
	double xi = PK(i), xj = PK(j);
#undef PK
	if (p == xj)
		return Y(j);
	if (p == xi)
		return Y(i);
	return Y(i) + (Y(j) - Y(i)) * ((p - xi) / (xj - xi));
#undef Y
}

/* F̂ at q: the mean of y <= q over the held values. */
static int cdf_at(const struct svy_design *d, const struct svy_values *s, double q, struct svy_est *F)
{
	struct svy_acc acc;
	int rc;

	static const struct decnum in = { 1, 1, 0, 1 }, out_of = { 0, 0, 0, 1 };
	if (svy_design_is_rep(d)) {
		svy_rep_cdf(d, s, q, F);
		return 0;
	}
	if (d->calib)
		return svy_calib_cdf(d, s, q, F);
	svy_acc_init(&acc);
	for (size_t i = 0; i < s->n; i++) {
		struct decnum w = { s->v[i].w, 0, 0, 0 };     /* held as a double */
		for (uint64_t k = 0; k < s->v[i].k; k++)
			svy_acc_add(&acc, d, s->v[i].u, &w, s->v[i].y <= q ? &in : &out_of);
	}
	rc = svy_mean(d, &acc, F);
	svy_acc_release(&acc);
	return rc;
}

/* Woodruff: F̂ = the estimated CDF at q, its t interval mapped back. */
static int woodruff(const struct svy_design *d, const struct svy_values *s, const struct cdf *c,
	double level, int normal, struct svy_quantile *out)
{
	double (*rule)(const struct cdf *, double) = svy_design_simple(d) ? qrule_hf7 : qrule_math;
	struct svy_est F;

	if (cdf_at(d, s, out->q, &F) < 0)
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
	out->n = (double)s->count;
	if (s->count == 0)
		return 0;
	svy_values_sort(s->v, s->n);
	cdf_build(&c, s);
	out->q = svy_design_simple(d) ? type7(s, p) : qrule_math(&c, p);
	rc = level > 0 ? woodruff(d, s, &c, level, normal, out) : 0;
	cdf_release(&c);
	return rc;
}
