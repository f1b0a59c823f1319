/* Rao–Scott and Pearson tests of a two-way table (survey_chisq.h).
 *
 * The cell proportions p_k = W_k/W over the whole sample have influence
 * values z_ki = w_i(1[i in k] − p_k)/W; V is their covariance over the
 * design (strata, PSUs, lonely-PSU rule of the whole sample).  With C the
 * interaction contrasts (a basis of the vectors orthogonal to row and
 * column effects), D = diag(p) and N the rows of the sample, as svychisq:
 *   Δ = (C'D⁻¹C/N)⁻¹ · C'D⁻¹VD⁻¹C. */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "survey_calib.h"
#include "survey_chisq.h"
#include "survey_impl.h"
#include "survey_rep.h"
#include "xalloc.h"

struct table {
	size_t K;
	long double W, *p;       /* Σw, p_k */
	long double *S, *Q;      /* per stratum: Σ_j Z_kj (K), Σ_j Z_kj Z_lj (K×K) */
};

/* ---- each row a PSU ------------------------------------------------------ */

static void strata_by_rows(const struct svy_design *d, const struct svy_acc *const *cells, struct table *t)
{
	size_t K = t->K;
	long double *N = xcalloc(K, sizeof *N), *S2 = xcalloc(K, sizeof *S2);

	for (size_t h = 0; h < d->nstrata; h++) {
		long double Nh = 0, S2h = 0, *S = t->S + h * K, *Q = t->Q + h * K * K;
		for (size_t k = 0; k < K; k++) {
			const struct svy_acc *a = cells[k];
			const struct svy_stratum_sums *s = a && a->kind == KIND_STRATA && h < a->ncells
				? (const struct svy_stratum_sums *)a->cells + h : NULL;
			N[k] = s ? xsum_long(&s->w) : 0;
			S2[k] = s ? xsum_long(&s->w2) : 0;
			Nh += N[k];
			S2h += S2[k];
		}
		for (size_t k = 0; k < K; k++) {
			S[k] = (N[k] - t->p[k] * Nh) / t->W;
			for (size_t l = 0; l < K; l++)
				Q[k * K + l] = ((k == l ? S2[k] : 0) - t->p[l] * S2[k] - t->p[k] * S2[l]
					+ t->p[k] * t->p[l] * S2h) / (t->W * t->W);
		}
	}
	free(N);
	free(S2);
}

/* ---- PSUs ------------------------------------------------------------------ */

struct psu_w {
	uint32_t psu, k;
	long double w;
};

static int by_psu(const void *x, const void *y)
{
	const struct psu_w *a = x, *b = y;

	return a->psu != b->psu ? (a->psu > b->psu) - (a->psu < b->psu) : (a->k > b->k) - (a->k < b->k);
}

static void add_psu(struct table *t, size_t h, const long double *Wk, long double Wj, long double *z)
{
	size_t K = t->K;
	long double *S = t->S + h * K, *Q = t->Q + h * K * K;

	for (size_t k = 0; k < K; k++) {
		z[k] = (Wk[k] - t->p[k] * Wj) / t->W;
		S[k] += z[k];
	}
	for (size_t k = 0; k < K; k++)
		for (size_t l = 0; l < K; l++)
			Q[k * K + l] += z[k] * z[l];
}

static void strata_by_psus(const struct svy_design *d, const struct svy_acc *const *cells, struct table *t)
{
	size_t K = t->K, n = 0, cap = 0;
	struct psu_w *v = NULL;
	long double *Wk = xcalloc(K, sizeof *Wk), *z = xcalloc(K, sizeof *z);

	for (size_t k = 0; k < K; k++) {
		const struct svy_acc *a = cells[k];
		if (!a || a->kind != KIND_PSUS)
			continue;
		long double unit = svy_cell_unit(a, CELL_W);
		const struct svy_psu_sums *c = a->cells;
		for (size_t i = 0; i < a->ncells; i++) {
			if (n == cap)
				v = xrealloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
			v[n++] = (struct psu_w){ c[i].psu, (uint32_t)k, svy_cell_raw(a, &c[i], CELL_W) * unit };
		}
	}
	qsort(v, n, sizeof *v, by_psu);
	for (size_t i = 0; i < n;) {
		uint32_t j = v[i].psu;
		long double Wj = 0;
		memset(Wk, 0, K * sizeof *Wk);
		for (; i < n && v[i].psu == j; i++) {
			Wk[v[i].k] += v[i].w;
			Wj += v[i].w;
		}
		add_psu(t, d->psus[j].stratum, Wk, Wj, z);
	}
	free(v);
	free(Wk);
	free(z);
}

/* V = Σ_h (1 − f_h)·n_h/(n_h − 1)·(Q − S S'/n_h), lonely strata by the rule
 * of the whole sample, as svyrecvar. */
static int covariance(const struct svy_design *d, const struct table *t, long double *V)
{
	size_t K = t->K, present = 0, kept = 0;

	memset(V, 0, K * K * sizeof *V);
	for (size_t h = 0; h < d->nstrata; h++) {
		uint64_t nh = d->strata[h].npsu;
		long double f = svy_stratum_f(d, h), *S = t->S + h * K, *Q = t->Q + h * K * K, scale;
		int centre = 1;
		if (nh == 0)
			continue;
		present++;
		kept++;
		if (svy_stratum_census(d, h))
			continue;
		if (nh > 1) {
			scale = (1 - f) * ((long double)nh / (nh - 1));
		} else if (d->o.lonely == SVY_LONELY_FAIL) {
			return svy_fail(d, "stratum '%s' has only one PSU (see --lonely-psu)", d->strata[h].name);
		} else if (d->o.lonely == SVY_LONELY_ADJUST) {
			scale = 1 - f;
			centre = 0;
		} else {
			kept -= d->o.lonely == SVY_LONELY_AVERAGE;
			continue;
		}
		for (size_t k = 0; k < K * K; k++)
			V[k] += scale * (Q[k] - (centre ? S[k / K] * S[k % K] / nh : 0));
	}
	if (kept < present)
		for (size_t k = 0; k < K * K; k++)
			V[k] = kept ? V[k] * present / kept : NAN;
	return 0;
}

/* ---- the test ---------------------------------------------------------------- */

/* Pearson's X² of the table N·p (nr × nc). */
static long double pearson(const long double *p, size_t nr, size_t nc, long double N)
{
	long double x2 = 0;

	for (size_t r = 0; r < nr; r++)
		for (size_t c = 0; c < nc; c++) {
			long double pr = 0, pc = 0;
			for (size_t i = 0; i < nc; i++)
				pr += p[r + nr * i];
			for (size_t i = 0; i < nr; i++)
				pc += p[i + nr * c];
			long double e = N * pr * pc, o = N * p[r + nr * c];
			x2 += (o - e) * (o - e) / e;
		}
	return x2;
}

/* Contrast (r, c) of C (r < nr − 1, c < nc − 1) at cell (i, j): the
 * indicator of cell (r + 1, c + 1) less its row and column means. */
static long double cmat(size_t nr, size_t nc, size_t i, size_t j, size_t r, size_t c)
{
	return (long double)((i == r + 1) && (j == c + 1)) - (long double)(i == r + 1) / nc
		- (long double)(j == c + 1) / nr + 1.0L / (nr * nc);
}

/* Solves A X = B in place (A m×m, B m×m), partial pivoting; B becomes X. */
static void solve(long double *A, long double *B, size_t m)
{
	for (size_t col = 0; col < m; col++) {
		size_t piv = col;
		for (size_t r = col + 1; r < m; r++)
			if (fabsl(A[r * m + col]) > fabsl(A[piv * m + col]))
				piv = r;
		for (size_t k = 0; k < m && piv != col; k++) {
			long double x = A[col * m + k];
			A[col * m + k] = A[piv * m + k], A[piv * m + k] = x;
			x = B[col * m + k];
			B[col * m + k] = B[piv * m + k], B[piv * m + k] = x;
		}
		for (size_t r = 0; r < m; r++) {
			if (r == col)
				continue;
			long double f = A[r * m + col] / A[col * m + col];
			for (size_t k = 0; k < m; k++) {
				A[r * m + k] -= f * A[col * m + k];
				B[r * m + k] -= f * B[col * m + k];
			}
		}
	}
	for (size_t r = 0; r < m; r++)
		for (size_t k = 0; k < m; k++)
			B[r * m + k] /= A[r * m + r];
}

/* tr Δ and tr Δ² from p, V and N. */
static void delta_traces(const long double *p, const long double *V, size_t nr, size_t nc, long double N,
	long double *tr, long double *tr2)
{
	size_t K = nr * nc, m = (nr - 1) * (nc - 1);
	long double *C = xcalloc(K * m, sizeof *C), *iDC = xcalloc(K * m, sizeof *iDC);
	long double *den = xcalloc(m * m, sizeof *den), *num = xcalloc(m * m, sizeof *num);

	for (size_t k = 0; k < K; k++)
		for (size_t a = 0; a < m; a++) {
			C[k * m + a] = cmat(nr, nc, k % nr, k / nr, a % (nr - 1), a / (nr - 1));
			iDC[k * m + a] = p[k] == 0 ? 0 : C[k * m + a] / p[k];
		}
	for (size_t a = 0; a < m; a++)
		for (size_t b = 0; b < m; b++) {
			long double sd = 0, sn = 0;
			for (size_t k = 0; k < K; k++) {
				sd += C[k * m + a] * iDC[k * m + b] / N;
				for (size_t l = 0; l < K; l++)
					sn += iDC[k * m + a] * V[k * K + l] * iDC[l * m + b];
			}
			den[a * m + b] = sd;
			num[a * m + b] = sn;
		}
	solve(den, num, m);
	*tr = *tr2 = 0;
	for (size_t a = 0; a < m; a++) {
		*tr += num[a * m + a];
		for (size_t b = 0; b < m; b++)
			*tr2 += num[a * m + b] * num[b * m + a];
	}
	free(C);
	free(iDC);
	free(den);
	free(num);
}

int svy_chisq_rao_scott(const struct svy_design *d, const struct svy_acc *const *cells,
	size_t nr, size_t nc, enum svy_chisq_kind kind, struct svy_chisq *out)
{
	size_t K = nr * nc, H = d->nstrata ? d->nstrata : 1;
	struct table t = { K, 0, NULL, NULL, NULL };
	long double N = 0, *V, tr, tr2;
	int rc;

	out->stat = out->ndf = out->ddf = out->p = NAN;
	if (nr < 2 || nc < 2)
		return 0;
	t.p = xcalloc(K, sizeof *t.p);
	for (size_t k = 0; k < K; k++)
		if (cells[k]) {
			t.p[k] = xsum_long(&cells[k]->w);
			t.W += t.p[k];
			N += (long double)cells[k]->n;
		}
	for (size_t k = 0; k < K; k++)
		t.p[k] /= t.W;
	t.S = xcalloc(H * K, sizeof *t.S);
	t.Q = xcalloc(H * K * K, sizeof *t.Q);
	V = xcalloc(K * K, sizeof *V);
	if (d->rep) {
		svy_rep_props_cov(d, cells, K, t.p, V);      /* V from the replicates */
		rc = 0;
	} else if (d->calib) {
		rc = svy_calib_cells_cov(d, cells, K, V);
	} else if (d->o.has_psu) {
		strata_by_psus(d, cells, &t);
		rc = covariance(d, &t, V);
	} else {
		strata_by_rows(d, cells, &t);
		rc = covariance(d, &t, V);
	}
	if (rc == 0) {
		long double x2 = pearson(t.p, nr, nc, N), nu = svy_design_df(d);
		delta_traces(t.p, V, nr, nc, N, &tr, &tr2);
		if (kind == SVY_CHISQ_F) {
			long double d0 = tr * tr / tr2;
			out->stat = (double)(x2 / tr);
			out->ndf = (double)d0;
			out->ddf = (double)(d0 * nu);
			out->p = pf(out->stat, out->ndf, out->ddf, 0, 0);
		} else {
			size_t m = (nr - 1) * (nc - 1);
			out->stat = (double)x2;
			out->ndf = (double)m;
			out->p = pchisq((double)(x2 / (tr / m)), out->ndf, 0, 0);
		}
	}
	free(t.p);
	free(t.S);
	free(t.Q);
	free(V);
	return rc;
}

void svy_chisq_pearson(const double *counts, size_t nr, size_t nc, struct svy_chisq *out)
{
	size_t K = nr * nc;
	long double *p = xcalloc(K ? K : 1, sizeof *p), N = 0;

	out->stat = out->ndf = out->ddf = out->p = NAN;
	for (size_t k = 0; k < K; k++)
		N += counts[k];
	if (nr >= 2 && nc >= 2 && N > 0) {
		for (size_t k = 0; k < K; k++)
			p[k] = counts[k] / N;
		out->stat = (double)pearson(p, nr, nc, N);
		out->ndf = (double)((nr - 1) * (nc - 1));
		out->p = pchisq(out->stat, out->ndf, 0, 0);
	}
	free(p);
}
