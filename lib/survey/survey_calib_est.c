/* Estimates of a calibrated design beyond one mean or total
 * (survey_calib.h): differences of two estimates, the covariance of a
 * table's cell proportions for the Rao–Scott test, and the CDF at a
 * point that gives a quantile its interval.  Each is a linear combination
 * of PSU totals, and svy_calib_cov takes the calibration's residuals out
 * of it, as svyrecvar does for any statistic of a calibrated design. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "survey_calib.h"
#include "survey_contrast.h"
#include "survey_impl.h"
#include "xalloc.h"

/* One estimate's terms (a ratio: (A - r·B)/W; a total: A), times sign;
 * its value in *est.  0 when it has none (an empty domain). */
static int lin_terms(const struct svy_lin *l, long double sign, struct svy_calib_term *t, size_t *n,
	long double *est)
{
	long double W = xsum_long(&l->den->w), wy = xsum_long(&l->num->wy), r = W != 0 ? wy / W : NAN;

	*est = l->total ? wy : r;
	if (l->den->n == 0 || (!l->total && W == 0))
		return 0;
	if (l->total) {
		t[(*n)++] = (struct svy_calib_term){ l->num, 1, sign };
		return 1;
	}
	t[(*n)++] = (struct svy_calib_term){ l->num, 1, sign / W };
	t[(*n)++] = (struct svy_calib_term){ l->den, 0, -sign * r / W };
	return 1;
}

int svy_calib_contrast(const struct svy_design *d, const struct svy_lin *a, const struct svy_lin *b,
	struct svy_est *e)
{
	struct svy_calib_term t[4];
	size_t n = 0;
	long double ea, eb, V;
	int ok = lin_terms(a, 1, t, &n, &ea) & lin_terms(b, -1, t, &n, &eb);

	memset(e, 0, sizeof *e);
	e->est = e->se = e->var = e->deff = e->deff_replace = e->n_eff_kish = NAN;
	e->df = svy_design_df(d);
	e->simple = svy_design_simple(d);
	if (!ok)
		return 0;
	if (svy_calib_cov(d, t, &n, 1, &V) < 0)
		return -1;
	e->n = (double)(a->den->n + b->den->n);
	e->est = (double)(ea - eb);
	e->var = (double)V;
	e->se = sqrt(e->var);
	return 0;
}

int svy_calib_cells_cov(const struct svy_design *d, const struct svy_acc *const *cells, size_t K, long double *V)
{
	struct svy_acc all;
	long double W = 0;
	struct svy_calib_term *t = xcalloc(2 * K + 1, sizeof *t);
	size_t *n = xcalloc(K + 1, sizeof *n);

	svy_acc_init(&all);
	for (size_t k = 0; k < K; k++)
		if (cells[k]) {
			svy_acc_merge(&all, cells[k]);
			W += xsum_long(&cells[k]->w);
		}
	for (size_t k = 0; k < K; k++) {
		long double p = cells[k] ? xsum_long(&cells[k]->w) / W : 0;
		t[2 * k] = (struct svy_calib_term){ cells[k], 1, 1 / W };
		t[2 * k + 1] = (struct svy_calib_term){ &all, 0, -p / W };
		n[k] = 2;
	}
	int rc = svy_calib_cov(d, t, n, K, V);
	svy_acc_release(&all);
	free(t);
	free(n);
	return rc;
}

int svy_calib_cdf(const struct svy_design *d, const struct svy_values *s, double q, struct svy_est *F)
{
	static const struct decnum in = { 1, 1, 0, 1 }, out_of = { 0, 0, 0, 1 };
	struct svy_acc acc;

	svy_acc_init(&acc);
	for (size_t i = 0; i < s->n; i++) {
		const struct svy_value *v = &s->v[i];
		struct decnum w = { v->w, 0, 0, 0 };     /* held as a double */
		struct svy_unit u = { d->psus[v->u.psu].stratum, v->u.psu };
		const struct decnum *y = v->y <= q ? &in : &out_of;
		for (uint64_t k = 0; k < v->k; k++) {
			svy_acc_add(&acc, NULL, u, &w, y);
			svy_calib_acc_add_cell(&acc, d->calib, v->u.stratum, &w, y);
		}
	}
	int rc = svy_mean(d, &acc, F);
	svy_acc_release(&acc);
	return rc;
}
