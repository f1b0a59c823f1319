/* Replicate-weight designs (survey_rep.h): options, the row's analysis
 * weights, replicate sums of accumulators, svrVar's variance, the rank
 * sketch for degf, and their partials. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_build.h"
#include "num.h"
#include "survey_impl.h"
#include "survey_rep.h"
#include "xalloc.h"

/* A row of weights enters a rank sketch at SKETCH_HITS of its rows, each
 * with a sign: with one, two domains' single rows sharing a sketch row
 * would look proportional and cost a rank. */
enum { SKETCH_HITS = 4 };
struct spot {
	size_t row[SKETCH_HITS];
	double sign[SKETCH_HITS];
};

struct svy_rep {
	enum svy_rep_type type;
	size_t n;              /* replicates R */
	double rho, scale;
	double *rscales;       /* R of them */
	int scale_from_data;   /* JK1 with --rep-factors and no --scale: 1/max(column 1) */
	int rscales_from_data; /* JKn with --rep-factors and no --rscales: 1/max(column r) */
	int mse, factors;
	struct decnum *col;    /* the row's columns, then … */
	struct decnum *a;      /* … its analysis weights */
	double *ad;            /* … as doubles */
	double *colmax;        /* the largest value of each column (for the guesses above) */
	double *sketch;        /* the rank sketch of the whole sample (degf(design)) */
	struct spot spot;      /* where the row goes in a sketch */
	int hold;
	double *held;          /* R analysis weights per held row */
	size_t nheld, capheld;
};

/* Rows of an accumulator's rank sketch: twice R, so that the sketch is
 * well conditioned when the weights are. */
static size_t sketch_rows(size_t n)
{
	return 2 * n;
}

static const char *const type_names[] = {
	[SVY_REP_JK1] = "JK1", [SVY_REP_JKN] = "JKn", [SVY_REP_BRR] = "BRR", [SVY_REP_FAY] = "Fay",
	[SVY_REP_BOOTSTRAP] = "bootstrap", [SVY_REP_SDR] = "successive-difference",
};

static int type_parse(const char *name, enum svy_rep_type *t)
{
	for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
		if (strcmp(name, type_names[i]) == 0) {
			*t = (enum svy_rep_type)i;
			return 0;
		}
	return -1;
}

static int number(const char *s, double *out)
{
	return num_parse_double(s, strlen(s), 0, out) < 0 || !isfinite(*out) ? -1 : 0;
}

#define FAIL(...) (snprintf(err, errsize, __VA_ARGS__), -1)

int svy_rep_check(const struct svy_rep_spec *s, char *err, size_t errsize)
{
	enum svy_rep_type t;
	double x;

	if (!s->type)
		return FAIL("--repweights needs --rep-type (JK1, JKn, BRR, Fay, bootstrap, successive-difference)");
	if (type_parse(s->type, &t) < 0)
		return FAIL("unknown --rep-type '%s' (JK1, JKn, BRR, Fay, bootstrap, successive-difference)", s->type);
	if ((t == SVY_REP_FAY) != (s->rho != NULL))
		return FAIL(t == SVY_REP_FAY ? "--rep-type Fay needs --rho" : "--rho applies to --rep-type Fay only");
	if (s->rho && (number(s->rho, &x) < 0 || !(x >= 0 && x < 1)))
		return FAIL("--rho takes a number from 0 to below 1: '%s'", s->rho);
	if (s->scale && (t == SVY_REP_BRR || t == SVY_REP_FAY || t == SVY_REP_SDR))
		return FAIL("--scale does not apply to --rep-type %s (R sets it)", type_names[t]);
	if (s->rscales && t == SVY_REP_SDR)
		return FAIL("--rscales does not apply to --rep-type %s (R sets it)", type_names[t]);
	if (s->scale && (number(s->scale, &x) < 0 || x <= 0))
		return FAIL("--scale takes a positive number: '%s'", s->scale);
	if (t == SVY_REP_JKN && !s->rscales && !s->factors)
		return FAIL("--rep-type JKn needs --rscales ((n_h - 1)/n_h of each replicate's stratum)");
	return 0;
}

static int parse_rscales(struct svy_rep *r, const char *list, char *err, size_t errsize)
{
	size_t k = 0;
	const char *p = list;

	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		double x;
		if (num_parse_double(p, len, 0, &x) < 0 || !isfinite(x) || x < 0)
			return FAIL("--rscales takes non-negative numbers: '%.*s'", (int)len, p);
		if (k < r->n)
			r->rscales[k] = x;
		k++;
		if (!e)
			break;
		p = e + 1;
	}
	if (k == 1)
		for (size_t i = 1; i < r->n; i++)
			r->rscales[i] = r->rscales[0];
	else if (k != r->n)
		return FAIL("--rscales has %zu numbers for %zu replicate columns", k, r->n);
	return 0;
}

/* scale and rscales as svrepdesign.default sets them. */
static void defaults(struct svy_rep *r, const struct svy_rep_spec *s)
{
	double n = (double)r->n;

	for (size_t i = 0; i < r->n; i++)
		r->rscales[i] = 1;
	r->scale = 1;
	if (s->scale)
		number(s->scale, &r->scale);
	switch (r->type) {
	case SVY_REP_BRR: r->scale = 1 / n; break;
	case SVY_REP_FAY: r->scale = 1 / (n * (1 - r->rho) * (1 - r->rho)); break;
	case SVY_REP_BOOTSTRAP: if (!s->scale) r->scale = 1 / (n - 1); break;
	case SVY_REP_SDR: r->scale = 4 / n; break;
	case SVY_REP_JK1:
		if (!s->scale && s->factors)
			r->scale_from_data = 1;
		else if (!s->scale)
			r->scale = (n - 1) / n;
		break;
	case SVY_REP_JKN: r->rscales_from_data = s->factors && !s->rscales; break;
	}
}

struct svy_rep *svy_rep_new(const struct svy_rep_spec *s, size_t nrep, char *err, size_t errsize)
{
	if (svy_rep_check(s, err, errsize) < 0)
		return NULL;
	if (nrep < 2 || nrep > SVY_REP_MAX) {
		snprintf(err, errsize, "--repweights matches %zu columns (2 to %d needed)", nrep, SVY_REP_MAX);
		return NULL;
	}
	struct svy_rep *r = xcalloc(1, sizeof *r);

	type_parse(s->type, &r->type);
	r->n = nrep;
	if (s->rho)
		number(s->rho, &r->rho);
	r->mse = s->mse;
	r->factors = s->factors;
	r->rscales = xcalloc(nrep, sizeof *r->rscales);
	defaults(r, s);
	if (s->rscales && parse_rscales(r, s->rscales, err, errsize) < 0) {
		svy_rep_free(r);
		return NULL;
	}
	r->col = xcalloc(nrep, sizeof *r->col);
	r->a = xcalloc(nrep, sizeof *r->a);
	r->ad = xcalloc(nrep, sizeof *r->ad);
	r->colmax = xcalloc(nrep, sizeof *r->colmax);
	r->sketch = xcalloc(sketch_rows(nrep) * nrep, sizeof *r->sketch);
	return r;
}

void svy_rep_free(struct svy_rep *r)
{
	if (!r)
		return;
	free(r->rscales);
	free(r->col);
	free(r->a);
	free(r->ad);
	free(r->colmax);
	free(r->sketch);
	free(r->held);
	free(r);
}

void svy_design_set_rep(struct svy_design *d, struct svy_rep *r)
{
	svy_rep_free(d->rep);
	d->rep = r;
}

int svy_design_is_rep(const struct svy_design *d)
{
	return d && d->rep;
}

void svy_design_rep_hold(struct svy_design *d)
{
	d->rep->hold = 1;
}

/* ---- one row ---------------------------------------------------------- */

int svy_rep_field(struct svy_design *d, size_t i, const char *s, size_t n)
{
	struct decnum *v = &d->rep->col[i];

	return n == 0 || numscan(s, n, v) < 0 || !(v->d >= 0) || !isfinite(v->d) ? -1 : 0;
}

/* w·c exactly while it fits a decnum, else in double (R's product). */
static void product(const struct decnum *w, const struct decnum *c, struct decnum *out)
{
	int64_t m;

	out->d = w->d * c->d;
	out->exact = w->exact && c->exact && w->scale + c->scale <= NUMSCAN_MAX_SCALE
		&& !__builtin_mul_overflow(w->m, c->m, &m);
	if (!out->exact)
		return;
	out->scale = w->scale + c->scale;
	while (out->scale > 0 && m % 10 == 0) {
		m /= 10;
		out->scale--;
	}
	out->m = m;
}

static uint64_t row_hash(const double *a, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < n; i++) {
		uint64_t bits;
		double x = a[i] + 0.0;         /* -0 and 0 alike */
		memcpy(&bits, &x, sizeof bits);
		h = (h ^ bits) * 0x100000001b3u;
		h ^= h >> 29;
	}
	return h;
}

/* Where a row of weights a goes in a sketch: rows chosen, and signs, by
 * a hash of the weights (so equal rows add up, never cancel). */
static void sketch_place(const double *a, size_t n, struct spot *p)
{
	uint64_t h = row_hash(a, n);

	for (int k = 0; k < SKETCH_HITS; k++) {
		p->row[k] = (size_t)((h >> 1) % sketch_rows(n));
		p->sign[k] = h & 1 ? -1 : 1;
		h = (h ^ (h >> 31)) * 0x9e3779b97f4a7c15u;
		h ^= h >> 29;
	}
}

static void sketch_add(double *sketch, const struct spot *p, const double *a, size_t n, double times)
{
	for (int k = 0; k < SKETCH_HITS; k++) {
		double *row = sketch + p->row[k] * n, s = p->sign[k] * times;
		for (size_t i = 0; i < n; i++)
			row[i] += s * a[i];
	}
}

static uint32_t hold_row(struct svy_rep *r, const double *a)
{
	if (r->nheld == r->capheld) {
		r->capheld = r->capheld ? r->capheld * 2 : 1024;
		r->held = xrealloc(r->held, r->capheld * r->n * sizeof *r->held);
	}
	memcpy(r->held + r->nheld * r->n, a, r->n * sizeof *a);
	return (uint32_t)r->nheld++;
}

uint32_t svy_rep_hold(struct svy_design *d, const double *a)
{
	return hold_row(d->rep, a);
}

const double *svy_rep_held(const struct svy_design *d, uint32_t i)
{
	return i < d->rep->nheld ? d->rep->held + (size_t)i * d->rep->n : NULL;
}

void svy_rep_row(struct svy_design *d, const struct decnum *w, struct svy_unit *u)
{
	struct svy_rep *r = d->rep;

	for (size_t i = 0; i < r->n; i++) {
		if (r->col[i].d > r->colmax[i])
			r->colmax[i] = r->col[i].d;
		if (r->factors)
			product(w, &r->col[i], &r->a[i]);
		else
			r->a[i] = r->col[i];
	}
	for (size_t i = 0; i < r->n; i++)
		r->ad[i] = r->a[i].d;
	sketch_place(r->ad, r->n, &r->spot);
	sketch_add(r->sketch, &r->spot, r->ad, r->n, 1);
	u->stratum = r->hold ? hold_row(r, r->ad) : 0;
}

/* ---- accumulators ----------------------------------------------------- */

static int is_one(const struct decnum *y)
{
	return y->exact && y->m == 1 && y->scale == 0;
}

void svy_rep_acc_add(struct svy_acc *a, const struct svy_design *d, const struct decnum *y)
{
	const struct svy_rep *r = d->rep;
	size_t n = r->n;

	if (!a->rep) {
		a->rep = xcalloc(2 * n, sizeof *a->rep);
		a->rep_sketch = xcalloc(sketch_rows(n) * n, sizeof *a->rep_sketch);
		a->nrep = n;
	}
	sketch_add(a->rep_sketch, &r->spot, r->ad, n, 1);
	if (is_one(y))
		for (size_t i = 0; i < n; i++) {
			xsum_add_num(&a->rep[i], &r->a[i]);
			xsum_add_num(&a->rep[n + i], &r->a[i]);
		}
	else
		for (size_t i = 0; i < n; i++) {
			xsum_add_num(&a->rep[i], &r->a[i]);
			xsum_add_product(&a->rep[n + i], &r->a[i], y);
		}
}

void svy_rep_acc_merge(struct svy_acc *dst, const struct svy_acc *src)
{
	if (!src->rep)
		return;
	if (!dst->rep) {
		dst->rep = xcalloc(2 * src->nrep, sizeof *dst->rep);
		dst->rep_sketch = xcalloc(sketch_rows(src->nrep) * src->nrep, sizeof *dst->rep_sketch);
		dst->nrep = src->nrep;
	}
	for (size_t i = 0; i < 2 * src->nrep; i++)
		xsum_merge(&dst->rep[i], &src->rep[i]);
	for (size_t i = 0; i < sketch_rows(src->nrep) * src->nrep; i++)
		dst->rep_sketch[i] += src->rep_sketch[i];
}

void svy_rep_acc_release(struct svy_acc *a)
{
	for (size_t i = 0; a->rep && i < 2 * a->nrep; i++)
		xsum_release(&a->rep[i]);
	free(a->rep);
	free(a->rep_sketch);
	a->rep = NULL;
	a->rep_sketch = NULL;
	a->nrep = 0;
}

int svy_rep_acc_exact(const struct svy_acc *a)
{
	for (size_t i = 0; a->rep && i < 2 * a->nrep; i++)
		if (!xsum_exact(&a->rep[i]))
			return 0;
	return 1;
}

/* ---- variance ----------------------------------------------------------- */

/* The guesses R makes from the data for factor columns. */
static double scale_of(const struct svy_rep *r)
{
	return r->scale_from_data ? 1 / r->colmax[0] : r->scale;
}

static double rscale_of(const struct svy_rep *r, size_t i)
{
	return r->rscales_from_data ? 1 / r->colmax[i] : r->rscales[i];
}

/* svrVar: scale·Σ rscales·(θ_r - θ̄)², replicates whose θ_r is NaN left out. */
static double rep_var(const struct svy_rep *r, const long double *theta, double est)
{
	long double sum = 0, mean = est, v = 0;
	size_t k = 0;

	if (!r->mse) {
		for (size_t i = 0; i < r->n; i++)
			if (!isnan(theta[i]) && rscale_of(r, i) > 0) {
				sum += theta[i];
				k++;
			}
		mean = k ? sum / k : NAN;
	}
	for (size_t i = 0; i < r->n; i++)
		if (!isnan(theta[i])) {
			long double dv = theta[i] - mean;
			v += dv * dv * rscale_of(r, i);
		}
	return (double)(v * scale_of(r));
}

static double sketch_degf(const double *sketch, size_t n);

static void fill_var(struct svy_est *e, double v, double df)
{
	e->var = v;
	e->se = sqrt(v);
	e->df = df;
	e->deff = e->deff_replace = NAN;
}

static long double rep_sum(const struct svy_acc *a, size_t i)
{
	return a->rep ? xsum_long(&a->rep[i]) : 0;
}

void svy_rep_thetas(const struct svy_design *d, const struct svy_acc *num, const struct svy_acc *den,
	enum svy_rep_form form, long double *theta)
{
	const struct svy_rep *r = d->rep;

	for (size_t i = 0; i < r->n; i++) {
		long double wy = rep_sum(num, r->n + i), w;
		switch (form) {
		case SVY_REP_TOTAL:
			theta[i] = wy;
			break;
		case SVY_REP_MEAN:
		case SVY_REP_RATIO:
			w = rep_sum(den, form == SVY_REP_MEAN ? i : r->n + i);
			theta[i] = w == 0 ? NAN : wy / w;
			break;
		}
	}
}

void svy_rep_variance(const struct svy_design *d, const struct svy_acc *num, const struct svy_acc *den,
	int total, struct svy_est *e)
{
	const struct svy_rep *r = d->rep;
	long double *theta = xcalloc(r->n, sizeof *theta);

	svy_rep_thetas(d, num, den, total ? SVY_REP_TOTAL : SVY_REP_MEAN, theta);
	fill_var(e, rep_var(r, theta, e->est), svy_rep_acc_degf(d, den));
	free(theta);
}

size_t svy_rep_count(const struct svy_design *d)
{
	return d->rep ? d->rep->n : 0;
}

double svy_rep_var_of(const struct svy_design *d, const long double *theta, double est)
{
	return rep_var(d->rep, theta, est);
}

double svy_rep_acc_degf(const struct svy_design *d, const struct svy_acc *a)
{
	return a && a->rep ? sketch_degf(a->rep_sketch, d->rep->n) : NAN;
}

double svy_rep_design_degf(const struct svy_design *d)
{
	return sketch_degf(d->rep->sketch, d->rep->n);
}

/* svrVar of a matrix: a replicate where any estimate is NaN is dropped
 * for all (na.omit on the rows), centres the means over the replicates
 * kept whose rscale is positive, or est under --mse. */
void svy_rep_cov(const struct svy_design *d, const long double *theta, size_t K, const long double *est,
	long double *V)
{
	const struct svy_rep *r = d->rep;
	unsigned char *out = xcalloc(r->n, 1);
	long double *mean = xcalloc(K ? K : 1, sizeof *mean);
	size_t kept = 0;

	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < K && !out[i]; k++)
			out[i] = isnan(theta[k * r->n + i]);
	for (size_t i = 0; i < r->n; i++)
		if (!out[i] && rscale_of(r, i) > 0) {
			kept++;
			for (size_t k = 0; k < K; k++)
				mean[k] += theta[k * r->n + i];
		}
	for (size_t k = 0; k < K; k++)
		mean[k] = r->mse ? est[k] : kept ? mean[k] / kept : NAN;
	memset(V, 0, K * K * sizeof *V);
	for (size_t i = 0; i < r->n; i++) {
		if (out[i])
			continue;
		long double s = rscale_of(r, i) * scale_of(r);
		for (size_t k = 0; k < K; k++)
			for (size_t l = 0; l < K; l++)
				V[k * K + l] += s * (theta[k * r->n + i] - mean[k]) * (theta[l * r->n + i] - mean[l]);
	}
	free(out);
	free(mean);
}

void svy_rep_props_cov(const struct svy_design *d, const struct svy_acc *const *cells, size_t K,
	const long double *p, long double *V)
{
	size_t n = d->rep->n;
	long double *theta = xcalloc(K * n + 1, sizeof *theta);

	for (size_t i = 0; i < n; i++) {
		long double all = 0;
		for (size_t k = 0; k < K; k++) {
			theta[k * n + i] = cells[k] ? rep_sum(cells[k], i) : 0;
			all += theta[k * n + i];
		}
		for (size_t k = 0; k < K; k++)
			theta[k * n + i] = all == 0 ? NAN : theta[k * n + i] / all;
	}
	svy_rep_cov(d, theta, K, p, V);
	free(theta);
}

void svy_rep_cdf(const struct svy_design *d, const struct svy_values *s, double q, struct svy_est *F)
{
	const struct svy_rep *r = d->rep;
	long double *in = xcalloc(2 * r->n, sizeof *in), *all = in + r->n, win = 0, wall = 0;
	double *sketch = xcalloc(sketch_rows(r->n) * r->n, sizeof *sketch);
	struct spot spot;

	memset(F, 0, sizeof *F);
	for (size_t j = 0; j < s->n; j++) {
		const struct svy_value *v = &s->v[j];
		if (v->u.stratum >= r->nheld) {
			wall = NAN;        /* values not of this run's rows (a forged partial) */
			break;
		}
		const double *a = r->held + (size_t)v->u.stratum * r->n;
		int below = v->y <= q;
		wall += (long double)v->w * v->k;
		win += below ? (long double)v->w * v->k : 0;
		for (size_t i = 0; i < r->n; i++) {
			all[i] += (long double)a[i] * v->k;
			in[i] += below ? (long double)a[i] * v->k : 0;
		}
		sketch_place(a, r->n, &spot);
		sketch_add(sketch, &spot, a, r->n, (double)v->k);
	}
	F->est = (double)(win / wall);
	F->n = (double)s->count;
	F->proportion = 1;
	for (size_t i = 0; i < r->n; i++)
		in[i] = all[i] == 0 ? NAN : in[i] / all[i];
	fill_var(F, rep_var(r, in, F->est), sketch_degf(sketch, r->n));
	free(sketch);
	free(in);
}

/* ---- degrees of freedom ------------------------------------------------ */

static double col_norm(const double *x, size_t ld, size_t from, size_t to, size_t j)
{
	long double s = 0;

	for (size_t i = from; i < to; i++)
		s += (long double)x[i * ld + j] * x[i * ld + j];
	return (double)sqrtl(s);
}

static void move_last(double *x, size_t rows, size_t p, size_t l, double *qraux, double *work)
{
	for (size_t i = 0; i < rows; i++) {
		double t = x[i * p + l];
		memmove(&x[i * p + l], &x[i * p + l + 1], (p - l - 1) * sizeof *x);
		x[i * p + p - 1] = t;
	}
	double q = qraux[l], w = work[l];
	memmove(&qraux[l], &qraux[l + 1], (p - l - 1) * sizeof *qraux);
	memmove(&work[l], &work[l + 1], (p - l - 1) * sizeof *work);
	qraux[p - 1] = q;
	work[p - 1] = w;
}

/* Householder step l on the columns after it, with dqrdc2's norm updates. */
static void reflect(double *x, size_t n, size_t p, size_t l, double *qraux)
{
	double nrm = col_norm(x, p, l, n, l);

	if (nrm == 0)
		return;
	if (x[l * p + l] != 0)
		nrm = copysign(nrm, x[l * p + l]);
	for (size_t i = l; i < n; i++)
		x[i * p + l] /= nrm;
	x[l * p + l] += 1;
	for (size_t j = l + 1; j < p; j++) {
		long double t = 0;
		for (size_t i = l; i < n; i++)
			t -= (long double)x[i * p + l] * x[i * p + j];
		t /= x[l * p + l];
		for (size_t i = l; i < n; i++)
			x[i * p + j] += (double)t * x[i * p + l];
		if (qraux[j] == 0)
			continue;
		double tt = 1 - (fabs(x[l * p + j]) / qraux[j]) * (fabs(x[l * p + j]) / qraux[j]);
		if (tt < 0)
			tt = 0;
		qraux[j] = fabs(tt) < 1e-6 ? col_norm(x, p, l + 1, n, j) : qraux[j] * sqrt(tt);
	}
}

/* The rank R's qr(x, tol = 1e-5) gives (LINPACK dqrdc2's limited pivoting). */
static size_t qr_rank(double *x, size_t n, size_t p)
{
	double *qraux = xcalloc(p, sizeof *qraux), *work = xcalloc(p, sizeof *work);
	size_t k = p + 1, lup = n < p ? n : p;

	for (size_t j = 0; j < p; j++) {
		qraux[j] = col_norm(x, p, 0, n, j);
		work[j] = qraux[j] == 0 ? 1 : qraux[j];
	}
	for (size_t l = 0; l < lup; l++) {
		while (l + 1 < k && qraux[l] < work[l] * 1e-5) {
			move_last(x, n, p, l, qraux, work);
			k--;
		}
		if (l + 1 == n)
			break;
		reflect(x, n, p, l, qraux);
	}
	free(qraux);
	free(work);
	return k - 1 < n ? k - 1 : n;
}

static double sketch_degf(const double *sketch, size_t n)
{
	size_t rows = sketch_rows(n);
	double *x = xmalloc(rows * n * sizeof *x);

	memcpy(x, sketch, rows * n * sizeof *x);
	double df = (double)qr_rank(x, rows, n) - 1;
	free(x);
	return df;
}

/* ---- partials ------------------------------------------------------------ */

json_t *svy_rep_doubles_json(const double *x, size_t n)
{
	json_t *a = jb_check(json_array());

	for (size_t i = 0; i < n; i++)
		jb_push(a, json_real(x[i]));
	return a;
}

int svy_rep_doubles_read(const json_t *j, double *x, size_t n, int add)
{
	if (!json_is_array(j) || json_array_size(j) != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_array_get(j, i);
		if (!json_is_number(v))
			return -1;
		x[i] = add ? x[i] + json_number_value(v) : json_number_value(v);
	}
	return 0;
}

json_t *svy_rep_design_json(const struct svy_design *d)
{
	const struct svy_rep *r = d->rep;
	json_t *j = jb_check(json_object());

	jb_set(j, "type", json_string(type_names[r->type]));
	jb_set(j, "replicates", json_integer((json_int_t)r->n));
	jb_set(j, "scale", json_real(r->scale));
	jb_set(j, "rscales", svy_rep_doubles_json(r->rscales, r->n));
	jb_set(j, "mse", json_boolean(r->mse));
	jb_set(j, "factors", json_boolean(r->factors));
	jb_set(j, "scale_from_data", json_boolean(r->scale_from_data));
	jb_set(j, "rscales_from_data", json_boolean(r->rscales_from_data));
	jb_set(j, "colmax", svy_rep_doubles_json(r->colmax, r->n));
	jb_set(j, "sketch", svy_rep_doubles_json(r->sketch, sketch_rows(r->n) * r->n));
	return j;
}

static int same_config(const struct svy_rep *r, const json_t *j)
{
	const json_t *type = json_object_get(j, "type"), *rs = json_object_get(j, "rscales");

	if (!json_is_string(type) || strcmp(json_string_value(type), type_names[r->type]) != 0
	    || json_integer_value(json_object_get(j, "replicates")) != (json_int_t)r->n
	    || json_number_value(json_object_get(j, "scale")) != r->scale
	    || json_is_true(json_object_get(j, "mse")) != r->mse
	    || json_is_true(json_object_get(j, "factors")) != r->factors
	    || json_is_true(json_object_get(j, "scale_from_data")) != r->scale_from_data
	    || json_is_true(json_object_get(j, "rscales_from_data")) != r->rscales_from_data
	    || !json_is_array(rs) || json_array_size(rs) != r->n)
		return 0;
	for (size_t i = 0; i < r->n; i++)
		if (json_number_value(json_array_get(rs, i)) != r->rscales[i])
			return 0;
	return 1;
}

/* The first partial's configuration, as the run that wrote it had it. */
static struct svy_rep *rep_from_json(const json_t *j)
{
	const json_t *n = json_object_get(j, "replicates"), *type = json_object_get(j, "type");
	enum svy_rep_type t;

	if (!json_is_integer(n) || json_integer_value(n) < 2 || json_integer_value(n) > SVY_REP_MAX
	    || !json_is_string(type) || type_parse(json_string_value(type), &t) < 0
	    || !json_is_number(json_object_get(j, "scale")))
		return NULL;
	struct svy_rep *r = xcalloc(1, sizeof *r);
	r->type = t;
	r->n = (size_t)json_integer_value(n);
	r->scale = json_number_value(json_object_get(j, "scale"));
	r->mse = json_is_true(json_object_get(j, "mse"));
	r->factors = json_is_true(json_object_get(j, "factors"));
	r->scale_from_data = json_is_true(json_object_get(j, "scale_from_data"));
	r->rscales_from_data = json_is_true(json_object_get(j, "rscales_from_data"));
	r->rscales = xcalloc(r->n, sizeof *r->rscales);
	r->col = xcalloc(r->n, sizeof *r->col);
	r->a = xcalloc(r->n, sizeof *r->a);
	r->ad = xcalloc(r->n, sizeof *r->ad);
	r->colmax = xcalloc(r->n, sizeof *r->colmax);
	r->sketch = xcalloc(sketch_rows(r->n) * r->n, sizeof *r->sketch);
	if (svy_rep_doubles_read(json_object_get(j, "rscales"), r->rscales, r->n, 0) < 0) {
		svy_rep_free(r);
		return NULL;
	}
	return r;
}

int svy_rep_design_merge_json(struct svy_design *d, const json_t *j)
{
	if (!d->rep && json_is_object(j))
		d->rep = rep_from_json(j);
	if (!d->rep)
		return svy_fail(d, "malformed replicate weights in partial");

	struct svy_rep *r = d->rep;
	double *colmax = xcalloc(r->n, sizeof *colmax);
	int rc = 0;

	if (!json_is_object(j) || !same_config(r, j))
		rc = svy_fail(d, "partial was made with other replicate-weight options");
	else if (svy_rep_doubles_read(json_object_get(j, "colmax"), colmax, r->n, 0) < 0
	    || svy_rep_doubles_read(json_object_get(j, "sketch"), r->sketch, sketch_rows(r->n) * r->n, 1) < 0)
		rc = svy_fail(d, "malformed replicate weights in partial");
	for (size_t i = 0; rc == 0 && i < r->n; i++)
		if (colmax[i] > r->colmax[i])
			r->colmax[i] = colmax[i];
	free(colmax);
	return rc;
}

void svy_rep_design_absorb(struct svy_design *d, const struct svy_design *src)
{
	struct svy_rep *r = d->rep;

	for (size_t i = 0; i < r->n; i++)
		if (src->rep->colmax[i] > r->colmax[i])
			r->colmax[i] = src->rep->colmax[i];
	for (size_t i = 0; i < sketch_rows(r->n) * r->n; i++)
		r->sketch[i] += src->rep->sketch[i];
}

json_t *svy_rep_acc_json(const struct svy_acc *a)
{
	json_t *j = jb_check(json_object()), *sums = jb_check(json_array());

	for (size_t i = 0; i < 2 * a->nrep; i++)
		jb_push(sums, svy_sum_to_json(&a->rep[i]));
	jb_set(j, "sums", sums);
	jb_set(j, "sketch", svy_rep_doubles_json(a->rep_sketch, sketch_rows(a->nrep) * a->nrep));
	return j;
}

int svy_rep_acc_merge_json(struct svy_acc *a, const struct svy_design *d, const json_t *j)
{
	size_t n = d->rep->n;
	struct svy_acc part;

	const json_t *sums = json_object_get(j, "sums");

	if (!json_is_array(sums) || json_array_size(sums) != 2 * n)
		return svy_fail(d, "malformed replicate sums in partial");
	svy_acc_init(&part);
	part.rep = xcalloc(2 * n, sizeof *part.rep);
	part.rep_sketch = xcalloc(sketch_rows(n) * n, sizeof *part.rep_sketch);
	part.nrep = n;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < 2 * n; i++)
		if (svy_sum_from_json(json_array_get(sums, i), &part.rep[i]) < 0)
			rc = svy_fail(d, "malformed replicate sums in partial");
	if (rc == 0 && svy_rep_doubles_read(json_object_get(j, "sketch"), part.rep_sketch, sketch_rows(n) * n, 0) < 0)
		rc = svy_fail(d, "malformed replicate sketch in partial");
	if (rc == 0)
		svy_rep_acc_merge(a, &part);
	svy_rep_acc_release(&part);
	return rc;
}
