/* Differences of two estimates with their joint linearisation
 * (survey_contrast.h).  Each estimate's influence values are
 * z = (A - r·B)/W (a ratio) or z = A (a total), A = w·y over num's rows
 * and B = w over den's; the difference's PSU totals D_j = Z_aj - Z_bj
 * enter V = Σ_h (1 - f_h)·n_h/(n_h - 1)·Σ_j (D_j - D̄_h)², exactly while
 * the sums are exact decimals (survey_contrast_exact.c), else in long
 * double (R sums in double). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "survey_calib.h"
#include "survey_contrast.h"
#include "survey_contrast_exact.h"
#include "survey_impl.h"
#include "xalloc.h"

/* One estimate's r and W, and its value. */
struct lin_at {
	const struct svy_lin *l;
	long double r, W, est;
};

/* Per stratum: Σ D and Σ D² over the PSUs (or rows) of the stratum. */
struct dsum {
	long double s, q;
};

static int lin_at_set(struct lin_at *x, const struct svy_lin *l)
{
	long double wy = xsum_long(&l->num->wy);

	x->l = l;
	x->W = xsum_long(&l->den->w);
	x->r = x->W != 0 ? wy / x->W : NAN;
	x->est = l->total ? wy : x->r;
	return l->den->n > 0 && (l->total || x->W != 0);
}

/* ---- each row a PSU ---------------------------------------------------- */

static const struct svy_stratum_sums *stratum_of(const struct svy_acc *a, size_t h)
{
	return a->kind == KIND_STRATA && h < a->ncells ? (const struct svy_stratum_sums *)a->cells + h : NULL;
}

/* Σz and Σz² of one estimate over stratum h's rows. */
static void rows_z(const struct lin_at *x, size_t h, long double *sz, long double *szz)
{
	const struct svy_stratum_sums *a = stratum_of(x->l->num, h), *b = stratum_of(x->l->den, h);
	long double awy = a ? xsum_long(&a->wy) : 0, aw2y2 = a ? xsum_long(&a->w2y2) : 0;

	if (x->l->total) {
		*sz = awy;
		*szz = aw2y2;
		return;
	}
	long double bw = b ? xsum_long(&b->w) : 0, bw2 = b ? xsum_long(&b->w2) : 0;
	long double aw2y = a ? xsum_long(&a->w2y) : 0;
	*sz = (awy - x->r * bw) / x->W;
	*szz = (aw2y2 - 2 * x->r * aw2y + x->r * x->r * bw2) / (x->W * x->W);
}

/* Disjoint rows: a row's D² is one estimate's z² alone. */
static void by_rows(const struct svy_design *d, const struct lin_at *x, const struct lin_at *y,
	struct dsum *ds)
{
	for (size_t h = 0; h < d->nstrata; h++) {
		long double sa, qa, sb, qb;
		rows_z(x, h, &sa, &qa);
		rows_z(y, h, &sb, &qb);
		ds[h].s = sa - sb;
		ds[h].q = qa + qb;
	}
}

/* ---- PSUs ---------------------------------------------------------------- */

struct zpsu {
	uint32_t psu;
	long double z;
};

/* num's cell for PSU j, cells sorted by PSU and walked with j rising. */
static const struct svy_psu_sums *cell_at(const struct svy_psu_sums *c, size_t n, size_t *i, uint32_t j)
{
	while (*i < n && c[*i].psu < j)
		(*i)++;
	return *i < n && c[*i].psu == j ? &c[*i] : NULL;
}

static size_t ncells(const struct svy_acc *a)
{
	return a->kind == KIND_PSUS ? a->ncells : 0;
}

/* The estimate's PSU totals Z_j, in rising PSU order, into *out. */
static size_t psu_z(const struct lin_at *x, struct zpsu **out)
{
	const struct svy_acc *num = x->l->num, *den = x->l->den;
	const struct svy_acc *walk = x->l->total ? num : den;
	size_t nw = ncells(walk), nn = ncells(num), i = 0;
	struct svy_psu_sums *own_w = NULL, *own_n = NULL;
	const struct svy_psu_sums *cw = nw ? svy_cells_sorted(walk, &own_w) : NULL;
	const struct svy_psu_sums *cn = walk == num ? cw : nn ? svy_cells_sorted(num, &own_n) : NULL;
	long double fy = svy_cell_unit(num, CELL_WY), fw = svy_cell_unit(den, CELL_W);

	*out = xcalloc(nw ? nw : 1, sizeof **out);
	for (size_t k = 0; k < nw; k++) {
		const struct svy_psu_sums *c = &cw[k], *nc = walk == num ? c : cell_at(cn, nn, &i, c->psu);
		long double A = nc ? svy_cell_raw(num, nc, CELL_WY) * fy : 0;
		(*out)[k].psu = c->psu;
		(*out)[k].z = x->l->total ? A : (A - x->r * svy_cell_raw(den, c, CELL_W) * fw) / x->W;
	}
	free(own_w);
	free(own_n);
	return nw;
}

static void add_psu(const struct svy_design *d, struct dsum *ds, uint32_t psu, long double z)
{
	struct dsum *s = &ds[d->psus[psu].stratum];

	s->s += z;
	s->q += z * z;
}

static void by_psus(const struct svy_design *d, const struct lin_at *x, const struct lin_at *y,
	struct dsum *ds)
{
	struct zpsu *za, *zb;
	size_t na = psu_z(x, &za), nb = psu_z(y, &zb), i = 0, j = 0;

	while (i < na || j < nb) {
		if (j == nb || (i < na && za[i].psu < zb[j].psu)) {
			add_psu(d, ds, za[i].psu, za[i].z);
			i++;
		} else if (i == na || zb[j].psu < za[i].psu) {
			add_psu(d, ds, zb[j].psu, -zb[j].z);
			j++;
		} else {
			add_psu(d, ds, za[i].psu, za[i].z - zb[j].z);
			i++, j++;
		}
	}
	free(za);
	free(zb);
}

/* ---- the variance -------------------------------------------------------- */

/* Stratum h's term, under the lonely-PSU policy of the whole sample;
 * *kept says whether it counts among the strata "average" keeps.  -1
 * under "fail". */
static int stratum_var(const struct svy_design *d, size_t h, const struct dsum *s, long double *v,
	int *kept)
{
	uint64_t nh = d->strata[h].npsu;
	long double f = svy_stratum_f(d, h), ss = s->q - s->s * s->s / (long double)nh;

	*v = 0;
	*kept = 1;
	if (svy_stratum_census(d, h))
		return 0;
	if (nh > 1) {
		if (ss <= s->q * 64 * DBL_EPSILON)
			ss = 0;            /* below the rounding of the sums: no spread */
		*v = (1 - f) * ((long double)nh / (nh - 1)) * ss;
		return 0;
	}
	switch (d->o.lonely) {
	case SVY_LONELY_FAIL:
		return svy_fail(d, "stratum '%s' has only one PSU (see --lonely-psu)", d->strata[h].name);
	case SVY_LONELY_ADJUST:
		*v = (1 - f) * s->q;
		break;
	case SVY_LONELY_AVERAGE:
		*kept = 0;
		break;
	default:
		break;
	}
	return 0;
}

static int design_var(const struct svy_design *d, const struct dsum *ds, long double *V)
{
	size_t present = 0, kept = 0;

	*V = 0;
	for (size_t h = 0; h < d->nstrata; h++) {
		long double v;
		int k;
		if (d->strata[h].npsu == 0)
			continue;
		if (stratum_var(d, h, &ds[h], &v, &k) < 0)
			return -1;
		present++;
		kept += k;
		*V += v;
	}
	if (kept < present)
		*V = kept ? *V * present / kept : NAN;
	return 0;
}

int svy_contrast(const struct svy_design *d, const struct svy_lin *a, const struct svy_lin *b,
	struct svy_est *e)
{
	struct lin_at x, y;
	int ok = lin_at_set(&x, a) & lin_at_set(&y, b);
	long double V;

	if (d->calib)
		return svy_calib_contrast(d, a, b, e);
	memset(e, 0, sizeof *e);
	e->est = e->se = e->var = e->deff = e->deff_replace = e->n_eff_kish = NAN;
	e->df = svy_design_df(d);
	e->simple = svy_design_simple(d);
	if (!ok)
		return 0;
	double Vx;
	int exact = svy_contrast_exact(d, a, b, &Vx);
	if (exact < 0)
		return -1;
	e->n = (double)(a->den->n + b->den->n);
	e->est = (double)(x.est - y.est);
	if (exact) {
		e->var = Vx;
		e->se = sqrt(e->var);
		return 0;
	}
	struct dsum *ds = xcalloc(d->nstrata ? d->nstrata : 1, sizeof *ds);
	if (d->o.has_psu)
		by_psus(d, &x, &y, ds);
	else
		by_rows(d, &x, &y, ds);
	int rc = design_var(d, ds, &V);
	free(ds);
	if (rc < 0)
		return -1;
	e->n = (double)(a->den->n + b->den->n);
	e->est = (double)(x.est - y.est);
	e->var = (double)V;
	e->se = sqrt(e->var);
	return 0;
}
