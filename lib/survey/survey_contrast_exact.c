/* The variance of a difference (survey_contrast.h) in exact rational
 * arithmetic, as every other SE is (survey_exact.c): the result does not
 * depend on the order rows, PSUs or strata came in, on merges of partials
 * or on the second thread.
 *
 * D_j = Σ_i c_i·X_ij over four pieces X: A_a, B_a (the first estimate's
 * Σwy over its numerator's rows and Σw over its domain's, in PSU j) and
 * A_b, B_b, with c = 1/W, -r/W for a ratio (r = P/W), 1, 0 for a total,
 * the second estimate's negated.  Per stratum ΣD = Σ c_i·ΣX_i and
 * ΣD² = Σ c_i c_k·ΣX_i X_k need only the exact moments of the pieces,
 * summed as integers at the cells' scales (GMP only on overflow, and for
 * cells already wide); the combination is in rationals, rounded once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "survey_contrast_exact.h"
#include "survey_impl.h"
#include "xalloc.h"

enum { NP = 4, NQ = 10 };          /* pieces; products i <= k */

static int qi(int i, int k)        /* index of product (i, k), i <= k */
{
	return i * NP - i * (i - 1) / 2 + (k - i);
}

struct moments {
	struct svy_wacc s[NP], q[NQ];  /* non-wide cells: integers at the pieces' scales */
	mpq_t S[NP], Q[NQ];            /* as rationals (wide cells add here directly) */
};

struct piece {
	const struct svy_acc *acc;
	int k;                         /* CELL_WY or CELL_W */
	mpq_t c;
};

struct entry {
	uint32_t psu;
	int p;                         /* piece */
	const struct svy_psu_sums *cell;
};

static int by_psu(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;

	return (a->psu > b->psu) - (a->psu < b->psu);
}

static void moments_init(struct moments *m)
{
	for (int i = 0; i < NP; i++)
		svy_wacc_init(&m->s[i]), mpq_init(m->S[i]);
	for (int i = 0; i < NQ; i++)
		svy_wacc_init(&m->q[i]), mpq_init(m->Q[i]);
}

static void moments_clear(struct moments *m)
{
	for (int i = 0; i < NP; i++)
		svy_wacc_clear(&m->s[i]), mpq_clear(m->S[i]);
	for (int i = 0; i < NQ; i++)
		svy_wacc_clear(&m->q[i]), mpq_clear(m->Q[i]);
}

static int cell_scale(const struct piece *p)
{
	return p->acc->cell_scale[p->k];
}

/* x as a rational: the wacc's integer at scale, added into out. */
static void add_wacc(mpq_t out, const struct svy_wacc *w, int scale)
{
	struct svy_xdec x;
	mpq_t t;

	svy_xdec_init(&x);
	mpq_init(t);
	svy_xdec_set_wacc(&x, w, scale);
	xsum_q_dec(t, x.m, x.scale);
	mpq_add(out, out, t);
	mpq_clear(t);
	svy_xdec_clear(&x);
}

/* One PSU's pieces into its stratum's moments. */
static void add_psu(struct moments *m, const struct piece *pc, const struct entry *e, size_t n, int wide)
{
	if (!wide) {
		int64_t x[NP] = { 0, 0, 0, 0 };
		for (size_t i = 0; i < n; i++)
			x[e[i].p] += e[i].p % 2 == 0 ? e[i].cell->wy.m : e[i].cell->w.m;
		for (int i = 0; i < NP; i++) {
			svy_wacc_add(&m->s[i], x[i]);
			for (int k = i; k < NP; k++)
				svy_wacc_add(&m->q[qi(i, k)], (__int128)x[i] * x[k]);
		}
		return;
	}
	mpq_t x[NP], t;
	for (int i = 0; i < NP; i++)
		mpq_init(x[i]);
	mpq_init(t);
	for (size_t i = 0; i < n; i++) {
		struct xsum s;
		svy_cell_sum(pc[e[i].p].acc, e[i].cell, pc[e[i].p].k, &s);
		xsum_q(t, &s);
		mpq_add(x[e[i].p], x[e[i].p], t);
	}
	for (int i = 0; i < NP; i++) {
		mpq_add(m->S[i], m->S[i], x[i]);
		for (int k = i; k < NP; k++) {
			mpq_mul(t, x[i], x[k]);
			mpq_add(m->Q[qi(i, k)], m->Q[qi(i, k)], t);
		}
	}
	for (int i = 0; i < NP; i++)
		mpq_clear(x[i]);
	mpq_clear(t);
}

/* Per stratum moments of the pieces over the PSUs any piece has rows in. */
static void by_psus(const struct svy_design *d, const struct piece *pc, struct moments *m)
{
	size_t n = 0;
	int wide = 0;

	for (int p = 0; p < NP; p++)
		if (pc[p].acc->kind == KIND_PSUS) {
			n += pc[p].acc->ncells;
			wide |= pc[p].acc->cell_wide;
		}
	struct entry *e = xmalloc((n ? n : 1) * sizeof *e);
	n = 0;
	for (int p = 0; p < NP; p++) {
		const struct svy_acc *a = pc[p].acc;
		const struct svy_psu_sums *c = a->cells;
		if (a->kind != KIND_PSUS)
			continue;
		for (size_t i = 0; i < a->ncells; i++)
			e[n++] = (struct entry){ c[i].psu, p, &c[i] };
	}
	qsort(e, n, sizeof *e, by_psu);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && e[j].psu == e[i].psu; j++)
			;
		add_psu(&m[d->psus[e[i].psu].stratum], pc, e + i, j - i, wide);
	}
	free(e);
	for (size_t h = 0; !wide && h < d->nstrata; h++)
		for (int i = 0; i < NP; i++) {
			add_wacc(m[h].S[i], &m[h].s[i], cell_scale(&pc[i]));
			for (int k = i; k < NP; k++)
				add_wacc(m[h].Q[qi(i, k)], &m[h].q[qi(i, k)], cell_scale(&pc[i]) + cell_scale(&pc[k]));
		}
}

/* Each row a PSU, the two domains' rows disjoint: per stratum ΣD and ΣD²
 * from the strata's sums (a row's D is one estimate's z). */
static void by_rows(const struct svy_design *d, const struct piece *pc, mpq_t *sd, mpq_t *sdd)
{
	mpq_t t, u;

	mpq_inits(t, u, NULL);
	for (size_t h = 0; h < d->nstrata; h++)
		for (int x = 0; x < 2; x++) {
			const struct piece *A = &pc[2 * x], *B = &pc[2 * x + 1];
			const struct svy_stratum_sums *a = A->acc->kind == KIND_STRATA && h < A->acc->ncells
				? (const struct svy_stratum_sums *)A->acc->cells + h : NULL;
			const struct svy_stratum_sums *b = B->acc->kind == KIND_STRATA && h < B->acc->ncells
				? (const struct svy_stratum_sums *)B->acc->cells + h : NULL;
			/* Σz = cA·Σwy + cB·Σw; Σz² = cA²·Σw²y² + 2cAcB·Σw²y + cB²·Σw² */
			if (a) {
				xsum_q(t, &a->wy), mpq_mul(t, t, A->c), mpq_add(sd[h], sd[h], t);
				xsum_q(t, &a->w2y2), mpq_mul(u, A->c, A->c), mpq_mul(t, t, u), mpq_add(sdd[h], sdd[h], t);
				xsum_q(t, &a->w2y), mpq_mul(u, A->c, B->c), mpq_mul(t, t, u);
				mpq_add(sdd[h], sdd[h], t), mpq_add(sdd[h], sdd[h], t);
			}
			if (b) {
				xsum_q(t, &b->w), mpq_mul(t, t, B->c), mpq_add(sd[h], sd[h], t);
				xsum_q(t, &b->w2), mpq_mul(u, B->c, B->c), mpq_mul(t, t, u), mpq_add(sdd[h], sdd[h], t);
			}
		}
	mpq_clears(t, u, NULL);
}

static int acc_exact(const struct svy_acc *a)
{
	if (!xsum_exact(&a->w) || !xsum_exact(&a->wy))
		return 0;
	if (a->kind == KIND_PSUS)
		return svy_cells_exact(a);
	if (a->kind == KIND_STRATA)
		for (size_t h = 0; h < a->ncells; h++) {
			const struct svy_stratum_sums *s = (const struct svy_stratum_sums *)a->cells + h;
			if (!xsum_exact(&s->w) || !xsum_exact(&s->wy) || !xsum_exact(&s->w2) ||
			    !xsum_exact(&s->w2y) || !xsum_exact(&s->w2y2))
				return 0;
		}
	return 1;
}

/* The pieces' coefficients of estimate l, times sign. */
static void coefficients(const struct svy_lin *l, int sign, struct piece *A, struct piece *B)
{
	A->acc = l->num, A->k = CELL_WY;
	B->acc = l->den, B->k = CELL_W;
	if (l->total) {
		mpq_set_si(A->c, sign, 1);
		mpq_set_ui(B->c, 0, 1);
		return;
	}
	mpq_t W, P;
	mpq_inits(W, P, NULL);
	xsum_q(W, &l->den->w);
	xsum_q(P, &l->num->wy);
	mpq_inv(A->c, W);                  /* 1/W */
	mpq_mul(B->c, P, A->c);            /* r = P/W */
	mpq_mul(B->c, B->c, A->c);         /* r/W */
	if (sign > 0)
		mpq_neg(B->c, B->c);
	else
		mpq_neg(A->c, A->c);
	mpq_clears(W, P, NULL);
}

/* Stratum h's term from ΣD and ΣD², as stratum_var in survey_contrast.c. */
static int stratum_term(const struct svy_design *d, size_t h, const mpq_t s, const mpq_t q, mpq_t V,
	int *kept)
{
	uint64_t nh = d->strata[h].npsu;
	mpq_t t, f;

	*kept = 1;
	if (svy_stratum_census(d, h))
		return 0;
	if (nh == 1 && d->o.lonely == SVY_LONELY_FAIL)
		return svy_fail(d, "stratum '%s' has only one PSU (see --lonely-psu)", d->strata[h].name);
	if (nh == 1 && d->o.lonely == SVY_LONELY_AVERAGE)
		*kept = 0;
	if (nh == 1 && d->o.lonely != SVY_LONELY_ADJUST)
		return 0;
	mpq_inits(t, f, NULL);
	if (nh > 1) {
		mpq_mul(t, s, s);              /* ss = q - s²/nh; times nh/(nh - 1): (nh·q - s²)/(nh - 1) */
		mpq_set_ui(f, (unsigned long)nh, 1);
		mpq_mul(f, f, q);
		mpq_sub(t, f, t);
		mpq_set_ui(f, 1, (unsigned long)(nh - 1));
		mpq_mul(t, t, f);
	} else {
		mpq_set(t, q);                 /* adjust: centred at 0 */
	}
	mpq_set_d(f, svy_stratum_f(d, h));
	mpq_neg(f, f);
	mpz_add(mpq_numref(f), mpq_numref(f), mpq_denref(f));   /* 1 - f */
	mpq_mul(t, t, f);
	mpq_add(V, V, t);
	mpq_clears(t, f, NULL);
	return 0;
}

int svy_contrast_exact(const struct svy_design *d, const struct svy_lin *a, const struct svy_lin *b, double *V)
{
	const struct svy_lin *l[2] = { a, b };
	struct piece pc[NP];
	size_t H = d->nstrata ? d->nstrata : 1, present = 0, kept = 0;
	int rc = 0;

	for (int x = 0; x < 2; x++)
		if (!acc_exact(l[x]->num) || !acc_exact(l[x]->den))
			return 0;
	for (int p = 0; p < NP; p++)
		mpq_init(pc[p].c);
	coefficients(a, 1, &pc[0], &pc[1]);
	coefficients(b, -1, &pc[2], &pc[3]);
	mpq_t *sd = xcalloc(H, sizeof *sd), *sdd = xcalloc(H, sizeof *sdd), t, Vq;
	for (size_t h = 0; h < H; h++)
		mpq_init(sd[h]), mpq_init(sdd[h]);
	mpq_inits(t, Vq, NULL);
	if (d->o.has_psu) {
		struct moments *m = xcalloc(H, sizeof *m);
		for (size_t h = 0; h < H; h++)
			moments_init(&m[h]);
		by_psus(d, pc, m);
		for (size_t h = 0; h < d->nstrata; h++)
			for (int i = 0; i < NP; i++) {
				mpq_mul(t, pc[i].c, m[h].S[i]);
				mpq_add(sd[h], sd[h], t);
				for (int k = i; k < NP; k++) {
					mpq_mul(t, pc[i].c, pc[k].c);
					mpq_mul(t, t, m[h].Q[qi(i, k)]);
					mpq_add(sdd[h], sdd[h], t);
					if (k != i)
						mpq_add(sdd[h], sdd[h], t);
				}
			}
		for (size_t h = 0; h < H; h++)
			moments_clear(&m[h]);
		free(m);
	} else {
		by_rows(d, pc, sd, sdd);
	}
	for (size_t h = 0; h < d->nstrata && rc == 0; h++) {
		int k;
		if (d->strata[h].npsu == 0)
			continue;
		rc = stratum_term(d, h, sd[h], sdd[h], Vq, &k);
		present++;
		kept += k;
	}
	if (rc == 0) {
		*V = xsum_q_double(Vq);
		if (kept < present)
			*V = kept ? *V * (double)present / (double)kept : NAN;
	}
	for (size_t h = 0; h < H; h++)
		mpq_clear(sd[h]), mpq_clear(sdd[h]);
	free(sd);
	free(sdd);
	mpq_clears(t, Vq, NULL);
	for (int p = 0; p < NP; p++)
		mpq_clear(pc[p].c);
	return rc < 0 ? -1 : 1;
}
