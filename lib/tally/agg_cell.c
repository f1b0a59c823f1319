/* The value of one cell: a statistic of one group (agg.h, agg_cell), and
 * the survey estimates of every group computed up front on two cores. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "parallel.h"
#include "ratio.h"
#include "xalloc.h"

/* ---- cell values ------------------------------------------------------ */

static struct xsum count_sum(uint64_t n)
{
	struct xsum x = { 0 };

	xsum_add_int(&x, (int64_t)n);
	return x;
}

/* Values near 1e308 square past double's range: their moments are long
 * doubles, whose difference below is good to its last few bits only, so
 * a residue under those is no spread at all ([1e308, 1e308] has sd 0). */
static double sd_beyond_double(int weighted, long double w, long double wy, long double wy2, uint64_t n)
{
	long double numer = w * wy2 - wy * wy;

	if (numer <= w * wy2 * 16 * LDBL_EPSILON)
		return 0;
	return (double)sqrtl(weighted ? numer / (w * w) * n / (n - 1) : numer / ((long double)n * (n - 1)));
}

/* svyvar's s² = n/(n−1) · (ΣwΣwy² − (Σwy)²)/(Σw)², which is var() unweighted:
 * exact (xsum_svyvar) while the sums are, so a mean far from 0 against the
 * spread loses nothing; n counts the rows of weight other than 0, as svyvar
 * does. */
static double sd_value(const struct agg *a, const struct value_source *s, uint32_t g)
{
	const struct moments *m = &s->mom[g];
	uint64_t n = s->used[g] - m->zero;
	struct xsum W = a->weighted ? m->w : count_sum(n);
	double var;

	if (n < 2)
		return NAN;
	if (xsum_long(&m->wy2) > DBL_MAX)
		return sd_beyond_double(a->weighted, xsum_long(&W), xsum_long(&m->wy), xsum_long(&m->wy2), n);
	if (xsum_svyvar(&W, &m->wy, &m->wy2, n, &var) == 0)
		return sqrt(var);
	long double w = xsum_long(&W);
	long double numer = w * xsum_long(&m->wy2) - xsum_long(&m->wy) * xsum_long(&m->wy);
	if (numer < 0)
		numer = 0;
	return sqrt((double)(numer / (w * w) * (long double)n / (long double)(n - 1)));
}

static double mean_value(const struct agg *a, const struct value_source *s, uint32_t g)
{
	struct xsum n = count_sum(s->used[g]);

	return xsum_ratio(&s->mom[g].wy, a->weighted ? &s->mom[g].w : &n);
}

static int quantile_cell(struct agg *a, struct value_source *s, uint32_t g, double p, struct cell *out)
{
	if (s->vals) {
		out->value = dvec_quantile(&s->vals[g], p);
		return 0;
	}
	int rc = svy_quantile(a->design, &s->svals[g], p, a->level, a->normal, &out->q);
	out->value = out->q.q;
	out->has_q = 1;
	return rc;
}

static const struct base *base_for(struct agg *a, long gid, const char *key, size_t len)
{
	if (gid >= 0 && gid != a->empty) {
		uint32_t b = a->base_of[gid];
		return b == UINT32_MAX ? NULL : &a->base[b];
	}
	struct sbuf proj = SBUF_INIT;
	agg_project(a, key, len, &proj);
	long b = groups_find(&a->bases, proj.s, proj.len, key_hash(proj.s, proj.len));
	sbuf_release(&proj);
	return b < 0 ? NULL : &a->base[b];
}

static int share_cell(struct agg *a, long gid, uint32_t g, const char *key, size_t len,
	struct cell *out)
{
	const struct base *b = base_for(a, gid, key, len);

	if (!b)
		return 0;
	if (a->weighted)
		out->value = xsum_ratio(&a->w[g], &b->w);
	else
		out->value = b->n ? (double)a->n[g] / (double)b->n : NAN;
	if (!a->acc)
		return 0;
	out->has_est = 1;
	return svy_ratio(a->design, &a->acc[g], &b->acc, &out->est);
}

static int cond_cell(struct agg *a, struct value_source *s, uint32_t g, struct cell *out)
{
	if (a->weighted)
		out->value = xsum_ratio(&s->hit_w[g], &s->mom[g].w);
	else
		out->value = s->used[g] ? (double)s->hits[g] / (double)s->used[g] : NAN;
	if (!s->hit_acc)
		return 0;
	out->has_est = 1;
	return svy_ratio(a->design, &s->hit_acc[g], &s->acc[g], &out->est);
}

/* A count is svytotal of the group's indicator over its share base (the
 * --within group, or everything), as R's svyby(~cell, ~within, svytotal):
 * the base's degrees of freedom and design effect. */
static int count_cell(struct agg *a, long gid, uint32_t g, const char *key, size_t len,
	struct cell *out)
{
	const struct base *b = base_for(a, gid, key, len);

	out->value = a->weighted ? xsum_value(&a->w[g]) : (double)a->n[g];
	if (!a->acc)
		return 0;
	out->has_est = 1;
	if (b)
		return svy_count(a->design, &a->acc[g], &b->acc, &out->est);
	return svy_total(a->design, &a->acc[g], &out->est);
}

static int estimate_cell(struct agg *a, const struct statistic *st, uint32_t g, struct cell *out)
{
	struct value_source *s = st->src >= 0 ? &a->src[st->src] : NULL;

	switch (stat_kind(st)) {
	case ST_MEAN:
		out->value = s->used[g] ? mean_value(a, s, g) : NAN;
		if (!s->acc)
			return 0;
		out->has_est = 1;
		return svy_mean(a->design, &s->acc[g], &out->est);
	case ST_SUM:
		out->value = s->used[g] ? xsum_value(&s->mom[g].wy) : NAN;
		if (!s->acc)
			return 0;
		out->has_est = 1;
		return svy_total(a->design, &s->acc[g], &out->est);
	case ST_RATIO:
		return ratio_cell(a, st, g, out);
	default:
		return 0;
	}
}

static int compute_cell(struct agg *a, long gid, const char *key, size_t len, size_t stat,
	struct cell *out, char *err, size_t errsize)
{
	const struct statistic *st = &a->stats[stat];
	uint32_t g = (uint32_t)(gid >= 0 ? gid : a->empty);
	struct value_source *s = st->src >= 0 ? &a->src[st->src] : NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->value = NAN;
	switch (stat_kind(st)) {
	case ST_N:
		out->value = (double)(s ? s->used[g] : a->n[g]);
		break;
	case ST_SHARE:
		rc = s ? cond_cell(a, s, g, out) : share_cell(a, gid, g, key, len, out);
		break;
	case ST_COUNT:
		rc = count_cell(a, gid, g, key, len, out);
		break;
	case ST_MIN:
		out->value = s->used[g] ? s->min[g] : NAN;
		break;
	case ST_MAX:
		out->value = s->used[g] ? s->max[g] : NAN;
		break;
	case ST_SD:
		out->value = sd_value(a, s, g);
		break;
	case ST_QUANTILE:
		rc = quantile_cell(a, s, g, st->p, out);
		break;
	case ST_DISTINCT:
		out->value = (double)s->ndistinct[g];
		break;
	case ST_MISSING:
		out->value = (double)s->missing[g];
		break;
	default:
		rc = estimate_cell(a, st, g, out);
	}
	if (out->has_est && rc == 0)
		out->est.est = out->value;     /* the exact point estimate */
	if (rc < 0)
		snprintf(err, errsize, "%s", svy_design_error(a->design));
	return rc;
}

/* ---- survey estimates up front ---------------------------------------- */

/* A survey estimate walks its share base's PSUs: with many groups that is
 * most of the time after the last record.  agg_estimate_all computes them
 * all on two threads into a cache agg_cell answers from; above this many
 * cells (a few hundred bytes each) they are left to be computed as asked. */
enum { EST_CACHE_MAX = 1 << 16 };

static void estimate_job(void *ctx, size_t i)
{
	struct agg *a = ctx;
	uint32_t g = (uint32_t)(i / a->nstats);
	size_t stat = i % a->nstats;
	struct cell c;

	if ((long)g == a->empty || !stat_is_estimate(&a->stats[stat]))
		return;
	/* A cell that fails (a lonely PSU) is not cached and its message not
	 * kept here: agg_cell computes it again when the table asks for it,
	 * on one thread, and reports the failure with the group it concerns. */
	if (compute_cell(a, (long)g, NULL, 0, stat, &c, NULL, 0) == 0) {
		a->est_cache[i] = c;
		a->est_done[i] = 1;
	}
}

void agg_estimate_all(struct agg *a)
{
	size_t n = a->groups.n * a->nstats;

	if (!a->use_acc || n == 0 || n > EST_CACHE_MAX || parallel_mode() == PARALLEL_OFF)
		return;
	a->est_cache = xmalloc(n * sizeof(*a->est_cache));
	a->est_done = xcalloc(n, 1);
	a->est_groups = a->groups.n;
	parallel_for(n, estimate_job, a);
}

int agg_cell(struct agg *a, long gid, const char *key, size_t len, size_t stat,
	struct cell *out, char *err, size_t errsize)
{
	size_t i = (size_t)gid * a->nstats + stat;

	if (a->est_done && gid >= 0 && (size_t)gid < a->est_groups && a->est_done[i]) {
		*out = a->est_cache[i];
		return 0;
	}
	return compute_cell(a, gid, key, len, stat, out, err, errsize);
}
