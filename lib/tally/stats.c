/* The statistics: one entry each in stat_defs (stats.h), and the value
 * of a cell of each. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ratio.h"
#include "stats.h"
#include "xalloc.h"

/* ---- shared by several ------------------------------------------------ */

static struct xsum count_sum(uint64_t n)
{
	struct xsum x = { 0 };

	xsum_add_int(&x, (int64_t)n);
	return x;
}

static struct value_source *source_of(struct agg *a, const struct statistic *st)
{
	return st->src >= 0 ? &a->src[st->src] : NULL;
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

/* ---- count ------------------------------------------------------------ */

/* A count is svytotal of the group's indicator over its share base (the
 * --within group, or everything), as R's svyby(~cell, ~within, svytotal):
 * the base's degrees of freedom and design effect. */
static int count_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	const struct base *b = base_for(a, at->gid, at->key, at->len);
	uint32_t g = at->g;

	out->value = a->weighted ? xsum_value(&a->w[g]) : (double)a->n[g];
	if (!a->acc)
		return 0;
	out->has_est = 1;
	if (b)
		return svy_count(a->design, &a->acc[g], &b->acc, &out->est);
	return svy_total(a->design, &a->acc[g], &out->est);
}

/* ---- n, n:C ----------------------------------------------------------- */

static int n_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	const struct value_source *s = source_of(a, st);

	out->value = (double)(s ? s->used[at->g] : a->n[at->g]);
	return 0;
}

/* ---- share, share:COND ------------------------------------------------ */

static int group_share(struct agg *a, const struct cell_at *at, struct cell *out)
{
	const struct base *b = base_for(a, at->gid, at->key, at->len);
	uint32_t g = at->g;

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

static int cond_share(struct agg *a, struct value_source *s, uint32_t g, struct cell *out)
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

static int share_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	struct value_source *s = source_of(a, st);

	return s ? cond_share(a, s, at->g, out) : group_share(a, at, out);
}

/* ---- mean:C, sum:C ---------------------------------------------------- */

static int mean_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	struct value_source *s = source_of(a, st);
	uint32_t g = at->g;
	struct xsum n = count_sum(s->used[g]);

	out->value = s->used[g] ? xsum_ratio(&s->mom[g].wy, a->weighted ? &s->mom[g].w : &n) : NAN;
	if (!s->acc)
		return 0;
	out->has_est = 1;
	return svy_mean(a->design, &s->acc[g], &out->est);
}

static int sum_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	struct value_source *s = source_of(a, st);
	uint32_t g = at->g;

	out->value = s->used[g] ? xsum_value(&s->mom[g].wy) : NAN;
	if (!s->acc)
		return 0;
	out->has_est = 1;
	return svy_total(a->design, &s->acc[g], &out->est);
}

/* ---- min:C, max:C ----------------------------------------------------- */

static int min_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	const struct value_source *s = source_of(a, st);

	out->value = s->used[at->g] ? s->min[at->g] : NAN;
	return 0;
}

static int max_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	const struct value_source *s = source_of(a, st);

	out->value = s->used[at->g] ? s->max[at->g] : NAN;
	return 0;
}

/* ---- sd:C ------------------------------------------------------------- */

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
static double sd_of(const struct agg *a, const struct value_source *s, uint32_t g)
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

static int sd_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	out->value = sd_of(a, source_of(a, st), at->g);
	return 0;
}

/* ---- median:C, pNN:C -------------------------------------------------- */

/* "p90" → 0.90; -1 when name is not pNN with 0 <= NN <= 100. */
static int parse_percentile(const char *name, size_t len, double *p)
{
	char buf[32], *end;

	if (len < 2 || len >= sizeof(buf) || name[0] != 'p' || name[1] < '0' || name[1] > '9')
		return -1;
	memcpy(buf, name + 1, len - 1);
	buf[len - 1] = '\0';
	double v = strtod(buf, &end);
	if (*end || v < 0 || v > 100)
		return -1;
	*p = v / 100;
	return 0;
}

static int quantile_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	struct value_source *s = source_of(a, st);
	uint32_t g = at->g;

	if (s->vals) {
		out->value = dvec_quantile(&s->vals[g], st->p);
		return 0;
	}
	int rc = svy_quantile(a->design, &s->svals[g], st->p, a->level, a->normal, &out->q);
	out->value = out->q.q;
	out->has_q = 1;
	return rc;
}

/* ---- iqr:C ------------------------------------------------------------ */

/* The interquartile range: the 0.75 quantile less the 0.25, each as
 * median and pNN compute it (type 7; with weights or a design,
 * svyquantile's qrule = "math").  No interval: two Woodruff intervals
 * give none for a difference, so --ci and --deff leave it without. */
static int iqr_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	struct value_source *s = source_of(a, st);
	struct svy_quantile lo, hi;

	if (s->vals) {
		out->value = dvec_quantile(&s->vals[at->g], 0.75) - dvec_quantile(&s->vals[at->g], 0.25);
		return 0;
	}
	if (svy_quantile(a->design, &s->svals[at->g], 0.25, 0, a->normal, &lo) < 0 ||
	    svy_quantile(a->design, &s->svals[at->g], 0.75, 0, a->normal, &hi) < 0)
		return -1;
	out->value = hi.q - lo.q;
	return 0;
}

/* ---- distinct:C, missing:C -------------------------------------------- */

static int distinct_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	out->value = (double)source_of(a, st)->ndistinct[at->g];
	return 0;
}

static int missing_value_count(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	out->value = (double)source_of(a, st)->missing[at->g];
	return 0;
}

/* ---- ratio:A/B (ratio.h) ---------------------------------------------- */

/* Its sources A, B and A + B (read as A, ratio_pair adds B), one after
 * the other; the first's index. */
static int ratio_sources(struct agg *a, const char *arg, char *err, size_t errsize)
{
	const char *slash = ratio_split(arg);

	if (!slash) {
		snprintf(err, errsize, "statistic 'ratio:%s': expected two columns, as in 'ratio:A/B'", arg);
		return -1;
	}
	char *num = xstrndup(arg, (size_t)(slash - arg));
	int first = agg_add_source(a, SRC_NUMBER, arg, 1, num, err, errsize);
	int rc = first < 0 || agg_add_source(a, SRC_NUMBER, arg, 2, slash + 1, err, errsize) < 0 ||
		agg_add_source(a, SRC_NUMBER, arg, 3, num, err, errsize) < 0 ? -1 : first;
	free(num);
	for (int k = 0; rc >= 0 && k < 3; k++)
		a->src[rc + k].need |= NEED_MOMENTS;
	return rc;
}

static int ratio_value(struct agg *a, const struct statistic *st, const struct cell_at *at,
	struct cell *out)
{
	return ratio_cell(a, st, at->g, out);
}

/* ---- the table -------------------------------------------------------- */

const struct stat_def stat_defs[] = {
	{ "count", ST_COUNT, SF_ESTIMATE | SF_ZERO | SF_GROUP_ACC, SRC_TEXT, 0,
		NULL, NULL, count_value, STAT_COUNT, "stat.count", NULL },
	{ "n", ST_N, SF_ARG_OPT | SF_ZERO, SRC_TEXT, 0,
		NULL, NULL, n_value, STAT_N, "stat.n", "stat.n_of" },
	{ "share", ST_SHARE, SF_ARG_OPT | SF_ESTIMATE | SF_ZERO | SF_GROUP_ACC, SRC_COND, NEED_MOMENTS,
		NULL, NULL, share_value, STAT_SHARE, "stat.share", NULL },
	{ "mean", ST_MEAN, SF_ARG | SF_ESTIMATE, SRC_NUMBER, NEED_MOMENTS,
		NULL, NULL, mean_value, STAT_MEAN, NULL, "stat.mean" },
	{ "sum", ST_SUM, SF_ARG | SF_ESTIMATE, SRC_NUMBER, NEED_MOMENTS,
		NULL, NULL, sum_value, STAT_SUM, NULL, "stat.sum" },
	{ "min", ST_MIN, SF_ARG, SRC_NUMBER, NEED_MINMAX,
		NULL, NULL, min_value, STAT_MIN, NULL, "stat.min" },
	{ "max", ST_MAX, SF_ARG, SRC_NUMBER, NEED_MINMAX,
		NULL, NULL, max_value, STAT_MAX, NULL, "stat.max" },
	{ "sd", ST_SD, SF_ARG, SRC_NUMBER, NEED_MOMENTS,
		NULL, NULL, sd_value, STAT_SD, NULL, "stat.sd" },
	{ "median", ST_QUANTILE, SF_ARG, SRC_NUMBER, NEED_VALUES,
		NULL, NULL, quantile_value, STAT_MEDIAN, NULL, "stat.median" },
	{ "pNN", ST_QUANTILE, SF_ARG, SRC_NUMBER, NEED_VALUES,
		parse_percentile, NULL, quantile_value, STAT_PCT, NULL, "stat.percentile" },
	{ "distinct", ST_DISTINCT, SF_ARG | SF_ZERO, SRC_TEXT, NEED_DISTINCT,
		NULL, NULL, distinct_value, STAT_DISTINCT, NULL, "stat.distinct" },
	{ "missing", ST_MISSING, SF_ARG | SF_ZERO, SRC_TEXT, 0,
		NULL, NULL, missing_value_count, STAT_MISSING, NULL, "stat.missing" },
	{ "ratio", ST_RATIO, SF_ARG | SF_ESTIMATE, SRC_NUMBER, NEED_MOMENTS,
		NULL, ratio_sources, ratio_value, STAT_RATIO, NULL, "stat.ratio" },
	{ "iqr", ST_OTHER, SF_ARG, SRC_NUMBER, NEED_VALUES,
		NULL, NULL, iqr_value, STAT_SD, NULL, "stat.iqr" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL, STAT_OTHER, NULL, NULL },
};

/* ---- lookup ----------------------------------------------------------- */

const struct stat_def *stat_lookup(const char *name, size_t len, double *p)
{
	*p = 0.5;
	for (const struct stat_def *d = stat_defs; d->name; d++)
		if (!d->match && strlen(d->name) == len && memcmp(d->name, name, len) == 0)
			return d;
	for (const struct stat_def *d = stat_defs; d->name; d++)
		if (d->match && d->match(name, len, p) == 0)
			return d;
	return NULL;
}

const struct stat_def *stat_of_column(const char *name, const char **subject)
{
	for (const struct stat_def *d = stat_defs; d->name; d++) {
		size_t n = strlen(d->name);
		if (d->match)
			continue;
		if (!(d->flags & SF_ARG) && strcmp(name, d->name) == 0) {
			*subject = NULL;
			return d;
		}
		if ((d->flags & (SF_ARG | SF_ARG_OPT)) && strncmp(name, d->name, n) == 0 &&
		    name[n] == '_' && name[n + 1]) {
			*subject = name + n + 1;
			return d;
		}
	}
	*subject = NULL;
	return NULL;
}
