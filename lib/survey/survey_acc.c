/* Domain accumulators and the Taylor-linearised estimators of survey.h.
 *
 * A mean (or share) over domain D is the ratio r = ΣA/ΣB with A = w·y over
 * the numerator's rows and B = w over D's; its influence values are
 * z = (A - r·B)/W.  Per PSU (cluster designs) the PSU totals Z_j are
 * formed from the stored sums and centred within the stratum exactly; per
 * stratum (each row a PSU) Σz and Σz² follow from the stored moments. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "survey_calib.h"
#include "survey_impl.h"
#include "survey_rep.h"
#include "xalloc.h"

void svy_acc_init(struct svy_acc *a)
{
	memset(a, 0, sizeof *a);
}

void svy_acc_release(struct svy_acc *a)
{
	xsum_release(&a->w);
	xsum_release(&a->wy);
	xsum_release(&a->wy2);
	xsum_release(&a->w2);
	if (a->kind == KIND_STRATA)
		for (size_t h = 0; h < a->ncells; h++) {
			struct svy_stratum_sums *s = (struct svy_stratum_sums *)a->cells + h;
			xsum_release(&s->w);
			xsum_release(&s->wy);
			xsum_release(&s->w2);
			xsum_release(&s->w2y);
			xsum_release(&s->w2y2);
		}
	svy_cells_release(a);
	svy_rep_acc_release(a);
	svy_calib_acc_release(a);
	free(a->cells);
	free(a->slot);
	svy_acc_init(a);
}

struct svy_stratum_sums *svy_acc_stratum(struct svy_acc *a, size_t h)
{
	if (h >= a->ncells) {
		size_t n = a->ncells ? a->ncells * 2 : 16, sz = sizeof(struct svy_stratum_sums);
		while (n <= h)
			n *= 2;
		a->cells = xrealloc(a->cells, n * sz);
		memset((char *)a->cells + a->ncells * sz, 0, (n - a->ncells) * sz);
		a->ncells = n;
	}
	a->kind = KIND_STRATA;
	return (struct svy_stratum_sums *)a->cells + h;
}

static long double L(const struct xsum *x)
{
	return xsum_long(x);
}

/* ---- adding rows ----------------------------------------------------- */

static int is_one(const struct decnum *y)
{
	return y->exact && y->m == 1 && y->scale == 0;
}

static void add_stratum_row(struct svy_stratum_sums *s, const struct decnum *w, const struct decnum *y)
{
	xsum_add_num(&s->w, w);
	xsum_add_product(&s->w2, w, w);
	if (is_one(y)) {
		xsum_add_num(&s->wy, w);
		xsum_add_product(&s->w2y, w, w);
		xsum_add_product(&s->w2y2, w, w);
	} else {
		xsum_add_product(&s->wy, w, y);
		xsum_add_product_n(&s->w2y, (const struct decnum *[]){ w, w, y }, 3);
		xsum_add_product_n(&s->w2y2, (const struct decnum *[]){ w, w, y, y }, 4);
	}
	s->n++;
	s->n_pos += w->d != 0;
}

void svy_acc_add(struct svy_acc *a, const struct svy_design *d,
	struct svy_unit u, const struct decnum *w, const struct decnum *y)
{
	int one = is_one(y);

	if (d && d->calib)
		svy_calib_acc_add(a, d->calib, w, y);
	xsum_add_num(&a->w, w);
	if (one) {
		xsum_add_num(&a->wy, w);
		xsum_add_num(&a->wy2, w);
	} else {
		xsum_add_product(&a->wy, w, y);
		xsum_add_product_n(&a->wy2, (const struct decnum *[]){ w, y, y }, 3);
	}
	xsum_add_product(&a->w2, w, w);
	a->n++;
	a->n_pos += w->d != 0;
	a->n01 += y->d == 0 || y->d == 1;
	if (d && d->rep) {
		svy_rep_acc_add(a, d, y);      /* the replicates carry the variance */
		return;
	}
	if (u.psu == SVY_ROW_PSU) {
		add_stratum_row(svy_acc_stratum(a, u.stratum), w, y);
	} else {
		struct svy_psu_sums *p = svy_cell_for(a, u.psu);
		svy_cell_add_num(a, p, CELL_W, w);
		if (one)
			svy_cell_add_num(a, p, CELL_WY, w);
		else if (w->exact && y->exact)
			svy_cell_add_dec(a, p, CELL_WY, (__int128)w->m * y->m, w->scale + y->scale);
		else
			svy_cell_add_double(a, p, CELL_WY, w->d * y->d);
		p->n = svy_cell_rows(p->n, 1);
	}
}

void svy_acc_add_ones(struct svy_acc *a, uint64_t n)
{
	if (n == 0)
		return;
	struct svy_stratum_sums *s = svy_acc_stratum(a, 0);
	/* With w = y = 1 every weighted sum is the number of rows. */
	struct xsum *sums[] = { &a->w, &a->wy, &a->wy2, &a->w2, &s->w, &s->w2, &s->wy, &s->w2y, &s->w2y2 };
	for (size_t i = 0; i < sizeof sums / sizeof *sums; i++)
		xsum_add_same(sums[i], (__int128)n, 0);
	a->n += n;
	a->n_pos += n;
	a->n01 += n;
	s->n += n;
	s->n_pos += n;
}

static void merge_totals(struct svy_acc *dst, const struct svy_acc *src)
{
	xsum_merge(&dst->w, &src->w);
	xsum_merge(&dst->wy, &src->wy);
	xsum_merge(&dst->wy2, &src->wy2);
	xsum_merge(&dst->w2, &src->w2);
	dst->n += src->n;
	dst->n_pos += src->n_pos;
	dst->n01 += src->n01;
}

static void merge_stratum_cells(struct svy_acc *dst, const struct svy_acc *src, const uint32_t *map)
{
	const struct svy_stratum_sums *s = src->cells;

	for (size_t i = 0; i < src->ncells; i++) {
		if (s[i].n == 0)
			continue;
		struct svy_stratum_sums *t = svy_acc_stratum(dst, map ? map[i] : i);
		xsum_merge(&t->w, &s[i].w);
		xsum_merge(&t->wy, &s[i].wy);
		xsum_merge(&t->w2, &s[i].w2);
		xsum_merge(&t->w2y, &s[i].w2y);
		xsum_merge(&t->w2y2, &s[i].w2y2);
		t->n += s[i].n;
		t->n_pos += s[i].n_pos;
	}
}

void svy_acc_merge_mapped(struct svy_acc *dst, const struct svy_acc *src, const uint32_t *psu_map,
	const uint32_t *stratum_map)
{
	merge_totals(dst, src);
	svy_rep_acc_merge(dst, src);
	if (src->kind == KIND_STRATA)
		merge_stratum_cells(dst, src, stratum_map);
	else if (src->kind == KIND_PSUS && src->ncells > 0)
		svy_cells_merge(dst, src, psu_map);
	svy_calib_acc_merge(dst, src);
}

void svy_acc_merge(struct svy_acc *dst, const struct svy_acc *src)
{
	svy_acc_merge_mapped(dst, src, NULL, NULL);
}

int svy_acc_exact(const struct svy_acc *a)
{
	int exact = xsum_exact(&a->w) && xsum_exact(&a->wy) && xsum_exact(&a->wy2) && xsum_exact(&a->w2)
		&& svy_rep_acc_exact(a) && svy_calib_acc_exact(a);

	if (a->kind == KIND_STRATA) {
		const struct svy_stratum_sums *s = a->cells;
		for (size_t i = 0; exact && i < a->ncells; i++)
			exact = xsum_exact(&s[i].w) && xsum_exact(&s[i].wy) && xsum_exact(&s[i].w2)
				&& xsum_exact(&s[i].w2y) && xsum_exact(&s[i].w2y2);
	} else if (a->kind == KIND_PSUS) {
		exact = exact && svy_cells_exact(a);
	}
	return exact;
}

/* What one estimate's variance needs: the numerator (A = w·y), the base
 * (B = w, which also defines the domain), r and W.  For a total, z = A. */
struct lin {
	const struct svy_acc *num, *den;
	long double r, W;
	int total;
};

/* Running result over the strata. */
struct var_sum {
	long double V;
	size_t present, kept;      /* strata in the domain; those not lonely-averaged */
	uint64_t psus;             /* PSUs in the domain with a weight other than 0 */
	size_t weighed;            /* strata in the domain with such a PSU */
};

/* How stratum h enters V under the lonely-PSU policy, given the domain's
 * PSUs in it (nsub): TERM_SS its n_h/(n_h - 1)·Σ(Z_j - Z̄)², TERM_SQ its
 * ΣZ_j² (a lonely PSU under adjust), TERM_SQ_DOMAIN n_h/(n_h - 1)·ΣZ_j²
 * (the domain's one PSU of a stratum of several, lonely under R's
 * survey.adjust.domain.lonely with adjust), TERM_NONE nothing: a census
 * stratum (f = 1) or a lonely one removed or averaged.  -1 under
 * --lonely-psu fail. */
enum { TERM_NONE, TERM_SS, TERM_SQ, TERM_SQ_DOMAIN };

static int stratum_term(const struct svy_design *d, size_t h, uint64_t nsub, struct var_sum *vs)
{
	uint64_t nh = d->strata[h].npsu;

	vs->present++;
	if (svy_stratum_census(d, h)) {
		vs->kept++;
		return TERM_NONE;
	}
	if (d->o.lonely_domain && nh > 1 && nsub == 1) {
		if (d->o.lonely == SVY_LONELY_ADJUST) {
			vs->kept++;
			return TERM_SQ_DOMAIN;
		}
		if (d->o.lonely == SVY_LONELY_AVERAGE)
			return TERM_NONE;
	}
	if (nh > 1) {
		vs->kept++;
		return TERM_SS;
	}
	switch (d->o.lonely) {
	case SVY_LONELY_FAIL:
		return svy_fail(d, "stratum '%s' has only one PSU (see --lonely-psu)",
			d->strata[h].name);
	case SVY_LONELY_REMOVE:
	case SVY_LONELY_CERTAINTY:
		vs->kept++;
		return TERM_NONE;
	case SVY_LONELY_ADJUST:
		vs->kept++;
		return TERM_SQ;
	case SVY_LONELY_AVERAGE:
		break;
	}
	return TERM_NONE;
}

/* Adds stratum h's contribution given Σ_j (Z_j - Z̄)² and Σ Z_j² in long
 * double (sums that are not exact).  -1 under --lonely-psu fail. */
static int stratum_add(const struct svy_design *d, size_t h, uint64_t nsub, long double ss,
	long double sqsum, struct var_sum *vs)
{
	uint64_t nh = d->strata[h].npsu;
	long double f = svy_stratum_f(d, h);
	int t = stratum_term(d, h, nsub, vs);

	if (t == TERM_SS)
		vs->V += (1 - f) * ((long double)nh / (nh - 1)) * ss;
	else if (t == TERM_SQ)
		vs->V += (1 - f) * sqsum;
	else if (t == TERM_SQ_DOMAIN)
		vs->V += (1 - f) * ((long double)nh / (nh - 1)) * sqsum;
	return t < 0 ? -1 : 0;
}

/* The same from a stratum's exact moments. */
static int stratum_add_exact(const struct svy_design *d, size_t h, uint64_t nsub, struct svy_xvar *x,
	const struct svy_xmom *m, struct var_sum *vs)
{
	int t = stratum_term(d, h, nsub, vs);
	static const enum svy_xterm as_xterm[] = {
		[TERM_SS] = SVY_XTERM_SS, [TERM_SQ] = SVY_XTERM_SQ, [TERM_SQ_DOMAIN] = SVY_XTERM_SQ_SCALED,
	};

	if (t > TERM_NONE)
		svy_xvar_stratum(x, m, d->strata[h].npsu, svy_stratum_f(d, h), as_xterm[t]);
	return t < 0 ? -1 : 0;
}

static void xmom_init(struct svy_xmom *m)
{
	svy_xdec_init(&m->a), svy_xdec_init(&m->b);
	svy_xdec_init(&m->aa), svy_xdec_init(&m->ab), svy_xdec_init(&m->bb);
}

static void xmom_clear(struct svy_xmom *m)
{
	svy_xdec_clear(&m->a), svy_xdec_clear(&m->b);
	svy_xdec_clear(&m->aa), svy_xdec_clear(&m->ab), svy_xdec_clear(&m->bb);
}

static const struct svy_stratum_sums zero_stratum;

static const struct svy_stratum_sums *stratum_cell(const struct svy_acc *a, size_t h)
{
	return a->kind == KIND_STRATA && h < a->ncells ? (const struct svy_stratum_sums *)a->cells + h : &zero_stratum;
}


static int stratum_exact(const struct svy_stratum_sums *a, const struct svy_stratum_sums *b)
{
	return xsum_exact(&a->wy) && xsum_exact(&a->w2y) && xsum_exact(&a->w2y2)
		&& xsum_exact(&b->w) && xsum_exact(&b->w2);
}

/* Each row a PSU: the stratum's moments are the sums kept per row (A = w·y
 * of num's rows, B = w of den's, so ΣAB = Σw²y of num's rows). */
static int var_by_rows_exact(const struct svy_design *d, const struct lin *l, struct var_sum *vs)
{
	struct svy_xvar x;
	struct svy_xmom m;
	int rc = 0;

	svy_xvar_init(&x, &l->den->w, &l->num->wy, l->total);
	xmom_init(&m);
	for (size_t h = 0; h < d->nstrata && rc == 0; h++) {
		const struct svy_stratum_sums *a = stratum_cell(l->num, h), *b = stratum_cell(l->den, h);
		if (b->n == 0)
			continue;
		svy_xdec_set_xsum(&m.a, &a->wy);
		svy_xdec_set_xsum(&m.b, &b->w);
		svy_xdec_set_xsum(&m.aa, &a->w2y2);
		svy_xdec_set_xsum(&m.ab, &a->w2y);
		svy_xdec_set_xsum(&m.bb, &b->w2);
		vs->psus += b->n_pos;
		vs->weighed += b->n_pos > 0;
		rc = stratum_add_exact(d, h, b->n, &x, &m, vs);
	}
	vs->V = svy_xvar_finish(&x);
	xmom_clear(&m);
	svy_xvar_clear(&x);
	return rc;
}

static int var_by_rows(const struct svy_design *d, const struct lin *l, struct var_sum *vs)
{
	int exact = xsum_exact(&l->den->w) && xsum_exact(&l->num->wy);

	for (size_t h = 0; exact && h < d->nstrata; h++)
		if (stratum_cell(l->den, h)->n)
			exact = stratum_exact(stratum_cell(l->num, h), stratum_cell(l->den, h));
	if (exact)
		return var_by_rows_exact(d, l, vs);
	for (size_t h = 0; h < d->nstrata; h++) {
		const struct svy_stratum_sums *a = stratum_cell(l->num, h), *b = stratum_cell(l->den, h);
		if (b->n == 0)
			continue;
		long double sz, szz, awy = L(&a->wy), aw2y2 = L(&a->w2y2);
		if (l->total) {
			sz = awy;
			szz = aw2y2;
		} else {
			sz = (awy - l->r * L(&b->w)) / l->W;
			szz = (aw2y2 - 2 * l->r * L(&a->w2y) + l->r * l->r * L(&b->w2)) / (l->W * l->W);
		}
		long double ss = szz - sz * sz / d->strata[h].npsu;
		/* Below the rounding error of the moments it is 0: a stratum
		 * whose influence values are all equal has no variance.  The
		 * bound is double's, the precision R computes in (and the one
		 * valgrind gives long double). */
		if (ss <= szz * 64 * DBL_EPSILON)
			ss = 0;
		vs->psus += b->n_pos;
		vs->weighed += b->n_pos > 0;
		if (stratum_add(d, h, b->n, ss, szz, vs) < 0)
			return -1;
	}
	return 0;
}

/* Per stratum: Σ Z_j over the domain's PSUs, Σ (Z_j - Z̄)² and Σ Z_j² over
 * all n_h PSUs of the stratum.  A PSU without rows in the domain has
 * Z = 0: it adds nothing to the sum, and Z̄² to the squared deviations. */
struct psu_moments {
	long double sum, mean, ss, sq;
	uint64_t cells, seen;      /* den's cells in the stratum; those with rows */
	uint64_t weighed;          /* those with a weight other than 0 */
};

/* The PSU totals Z_j = (wy_j - r·w_j)/W, wy from num's cell (0 when num
 * has no rows there) and w from den's, for den's cells in PSU order; for
 * a total Z_j = wy_j.  The cells hold integers at a scale: Z_j is
 * wy·a - w·b with the scales and W folded into a and b once.  Walked
 * twice (sums, then deviations) rather than stored. */
struct z_walk {
	const struct lin *l;
	const struct svy_psu_sums *den, *num;
	size_t nden, nnum, j;
	long double a, b;
};

static void z_start(struct z_walk *w, const struct lin *l, const struct svy_psu_sums *den, size_t nden,
	const struct svy_psu_sums *num, size_t nnum)
{
	long double fy = svy_cell_unit(l->num, CELL_WY), fw = svy_cell_unit(l->den, CELL_W);

	w->l = l;
	w->den = den, w->nden = nden;
	w->num = num, w->nnum = nnum;
	w->j = 0;
	w->a = l->total ? fy : fy / l->W;
	w->b = l->total ? 0 : l->r * fw / l->W;
}

/* Z of den's cell i; i rising from 0. */
/* num's cell of the PSU of den's cell c (NULL when num has no rows
 * there); c in PSU order, as den's cells are walked. */
static const struct svy_psu_sums *num_cell(struct z_walk *w, const struct svy_psu_sums *c)
{
	if (w->l->num == w->l->den)
		return c;
	while (w->j < w->nnum && w->num[w->j].psu < c->psu)
		w->j++;
	return w->j < w->nnum && w->num[w->j].psu == c->psu ? &w->num[w->j] : NULL;
}

static long double z_next(struct z_walk *w, size_t i)
{
	const struct svy_psu_sums *c = &w->den[i], *nc = num_cell(w, c);
	long double wy = nc ? svy_cell_raw(w->l->num, nc, CELL_WY) : 0;
	return wy * w->a - svy_cell_raw(w->l->den, c, CELL_W) * w->b;
}

static void psu_moments(const struct svy_design *d, struct z_walk *w, struct psu_moments *m)
{
	w->j = 0;
	for (size_t i = 0; i < w->nden; i++) {
		struct psu_moments *mh = &m[d->psus[w->den[i].psu].stratum];
		mh->sum += z_next(w, i);
		mh->cells++;
		mh->seen += w->den[i].n > 0;
		mh->weighed += w->den[i].n > 0 && svy_cell_raw(w->l->den, &w->den[i], CELL_W) != 0;
	}
	for (size_t h = 0; h < d->nstrata; h++)
		if (m[h].cells)
			m[h].mean = m[h].sum / d->strata[h].npsu;
	w->j = 0;
	for (size_t i = 0; i < w->nden; i++) {
		struct psu_moments *mh = &m[d->psus[w->den[i].psu].stratum];
		long double z = z_next(w, i), dev = z - mh->mean;
		mh->ss += dev * dev;
		mh->sq += z * z;
	}
}

/* Per stratum, the exact moments of the PSU totals A_j (num's Σwy) and
 * B_j (den's Σw) over den's PSUs: integers at the cells' scales. */
struct psu_xmoments {
	struct svy_wacc a, b, aa, ab, bb;
	uint64_t seen;             /* den's cells with rows */
	uint64_t weighed;          /* those with a weight other than 0 */
};

static void psu_xmoments(const struct svy_design *d, struct z_walk *w, struct psu_xmoments *m)
{
	w->j = 0;
	for (size_t i = 0; i < w->nden; i++) {
		const struct svy_psu_sums *c = &w->den[i], *nc = num_cell(w, c);
		struct psu_xmoments *mh = &m[d->psus[c->psu].stratum];
		int64_t A = nc ? nc->wy.m : 0, B = c->w.m;
		svy_wacc_add(&mh->a, A);
		svy_wacc_add(&mh->b, B);
		svy_wacc_add(&mh->aa, (__int128)A * A);
		svy_wacc_add(&mh->ab, (__int128)A * B);
		svy_wacc_add(&mh->bb, (__int128)B * B);
		mh->seen += c->n > 0;
		mh->weighed += c->n > 0 && B != 0;
	}
}

/* A PSU total of a's cells as an exact decimal. */
static void cell_xdec(struct svy_xdec *x, const struct svy_acc *a, const struct svy_psu_sums *c, int k)
{
	struct xsum s;

	if (!c) {              /* a PSU of no rows in a: before c->… is formed (UB on NULL) */
		mpz_set_ui(x->m, 0);
		x->scale = 0;
		return;
	}
	const union svy_cell_num *v = k == CELL_WY ? &c->wy : &c->w;
	if (a->cell_wide) {
		if (v->x) {
			svy_xdec_set_xsum(x, v->x);
		} else {
			mpz_set_ui(x->m, 0);
			x->scale = 0;
		}
		return;
	}
	svy_cell_sum(a, c, k, &s);
	svy_xdec_set_xsum(x, &s);
}

/* The same walk when cells are wide (sums beyond 64 bits): every PSU's
 * moments in GMP, slower, as exact. */
static int var_by_psus_wide(const struct svy_design *d, const struct lin *l, struct z_walk *w,
	struct var_sum *vs)
{
	size_t H = d->nstrata;
	struct svy_xmom *m = xcalloc(H ? H : 1, sizeof *m);
	uint64_t *seen = xcalloc(H ? H : 1, sizeof *seen);
	uint64_t *weighed = xcalloc(H ? H : 1, sizeof *weighed);
	struct svy_xdec A, B;
	struct svy_xvar x;
	int rc = 0;

	for (size_t h = 0; h < H; h++)
		xmom_init(&m[h]);
	svy_xdec_init(&A), svy_xdec_init(&B);
	w->j = 0;
	for (size_t i = 0; i < w->nden; i++) {
		const struct svy_psu_sums *c = &w->den[i], *nc = num_cell(w, c);
		size_t h = d->psus[c->psu].stratum;
		cell_xdec(&A, l->num, nc, CELL_WY);
		cell_xdec(&B, l->den, c, CELL_W);
		svy_xdec_addmul(&m[h].a, &A, NULL);
		svy_xdec_addmul(&m[h].b, &B, NULL);
		svy_xdec_addmul(&m[h].aa, &A, &A);
		svy_xdec_addmul(&m[h].ab, &A, &B);
		svy_xdec_addmul(&m[h].bb, &B, &B);
		seen[h] += c->n > 0;
		weighed[h] += c->n > 0 && mpz_sgn(B.m) != 0;
	}
	svy_xvar_init(&x, &l->den->w, &l->num->wy, l->total);
	for (size_t h = 0; h < H && rc == 0; h++) {
		if (seen[h] == 0)
			continue;
		vs->psus += weighed[h];
		vs->weighed += weighed[h] > 0;
		rc = stratum_add_exact(d, h, seen[h], &x, &m[h], vs);
	}
	vs->V = svy_xvar_finish(&x);
	svy_xvar_clear(&x);
	svy_xdec_clear(&A), svy_xdec_clear(&B);
	for (size_t h = 0; h < H; h++)
		xmom_clear(&m[h]);
	free(m);
	free(seen);
	free(weighed);
	return rc;
}

static int var_by_psus_exact(const struct svy_design *d, const struct lin *l, struct z_walk *w,
	struct var_sum *vs)
{
	size_t H = d->nstrata;
	struct psu_xmoments *m = xcalloc(H ? H : 1, sizeof *m);
	int sa = l->num->cell_scale[CELL_WY], sb = l->den->cell_scale[CELL_W], rc = 0;
	struct svy_xvar x;
	struct svy_xmom xm;

	for (size_t h = 0; h < H; h++) {
		svy_wacc_init(&m[h].a), svy_wacc_init(&m[h].b);
		svy_wacc_init(&m[h].aa), svy_wacc_init(&m[h].ab), svy_wacc_init(&m[h].bb);
	}
	psu_xmoments(d, w, m);
	svy_xvar_init(&x, &l->den->w, &l->num->wy, l->total);
	xmom_init(&xm);
	for (size_t h = 0; h < H && rc == 0; h++) {
		if (m[h].seen == 0)
			continue;          /* a stratum outside the domain adds nothing */
		svy_xdec_set_wacc(&xm.a, &m[h].a, sa);
		svy_xdec_set_wacc(&xm.b, &m[h].b, sb);
		svy_xdec_set_wacc(&xm.aa, &m[h].aa, 2 * sa);
		svy_xdec_set_wacc(&xm.ab, &m[h].ab, sa + sb);
		svy_xdec_set_wacc(&xm.bb, &m[h].bb, 2 * sb);
		vs->psus += m[h].weighed;
		vs->weighed += m[h].weighed > 0;
		rc = stratum_add_exact(d, h, m[h].seen, &x, &xm, vs);
	}
	vs->V = svy_xvar_finish(&x);
	xmom_clear(&xm);
	svy_xvar_clear(&x);
	for (size_t h = 0; h < H; h++) {
		svy_wacc_clear(&m[h].a), svy_wacc_clear(&m[h].b);
		svy_wacc_clear(&m[h].aa), svy_wacc_clear(&m[h].ab), svy_wacc_clear(&m[h].bb);
	}
	free(m);
	return rc;
}

static int var_by_psus(const struct svy_design *d, const struct lin *l, struct var_sum *vs)
{
	size_t H = d->nstrata, nden = l->den->kind == KIND_PSUS ? l->den->ncells : 0;
	size_t nnum = l->num->kind == KIND_PSUS ? l->num->ncells : 0;
	struct svy_psu_sums *own_den, *own_num;
	const struct svy_psu_sums *den = nden ? svy_cells_sorted(l->den, &own_den) : (own_den = NULL);
	const struct svy_psu_sums *num = nnum ? svy_cells_sorted(l->num, &own_num) : (own_num = NULL);
	struct psu_moments *m;
	struct z_walk w;
	int rc = 0;

	z_start(&w, l, den, nden, num, nnum);
	if (svy_cells_exact(l->num) && svy_cells_exact(l->den) && xsum_exact(&l->den->w) && xsum_exact(&l->num->wy)) {
		if (l->num->cell_wide || l->den->cell_wide)
			rc = var_by_psus_wide(d, l, &w, vs);
		else
			rc = var_by_psus_exact(d, l, &w, vs);
		free(own_den);
		free(own_num);
		return rc;
	}
	m = xcalloc(H ? H : 1, sizeof *m);
	psu_moments(d, &w, m);
	for (size_t h = 0; h < H && rc == 0; h++) {
		if (m[h].seen == 0)
			continue;          /* a stratum outside the domain adds nothing */
		m[h].ss += (long double)(d->strata[h].npsu - m[h].cells) * m[h].mean * m[h].mean;
		vs->psus += m[h].weighed;
		vs->weighed += m[h].weighed > 0;
		rc = stratum_add(d, h, m[h].seen, m[h].ss, m[h].sq, vs);
	}
	free(m);
	free(own_den);
	free(own_num);
	return rc;
}

static int calibrated(const struct svy_design *d, const struct lin *l, struct var_sum *vs)
{
	long double alpha = l->total ? 1 : 1 / l->W, beta = l->total ? 0 : -l->r / l->W;

	return svy_calib_linearise(d, l->num, l->den, alpha, beta, &vs->V, &vs->psus, &vs->weighed);
}

static int linearise(const struct svy_design *d, const struct lin *l, struct svy_est *e)
{
	struct var_sum vs = { 0, 0, 0, 0, 0 };

	if (d->rep) {
		svy_rep_variance(d, l->num, l->den, l->total, e);
		return 0;
	}
	int rc = d->calib ? calibrated(d, l, &vs) : d->o.has_psu ? var_by_psus(d, l, &vs) : var_by_rows(d, l, &vs);

	if (rc < 0)
		return -1;
	if (d->o.lonely == SVY_LONELY_AVERAGE && vs.kept < vs.present)
		vs.V = vs.kept ? vs.V * vs.present / vs.kept : NAN;
	e->var = (double)vs.V;
	e->se = sqrt(e->var);
	e->df = (double)vs.psus - (double)vs.weighed;
	return 0;
}

static void est_empty(struct svy_est *e, const struct svy_design *d)
{
	memset(e, 0, sizeof *e);
	e->est = e->se = e->var = e->df = e->deff = e->deff_replace = NAN;
	e->n_eff_kish = NAN;
	e->simple = svy_design_simple(d);
}

/* deff and deff_replace from V and s² = n/(n-1)·Σw(y-ȳ)²/Σw (svyvar), the
 * spread Σw(y-ȳ)²/Σw exact while the sums are (it is a difference of
 * nearly equal sums when the mean is large against the spread).  total:
 * the scale is N̂² (a total), else 1 (a mean). */
static void design_effect(struct svy_est *e, const struct xsum *xw, const struct xsum *xwy,
	const struct xsum *xwy2, uint64_t npos, int total)
{
	long double n = npos, sw = L(xw), swy = L(xwy), s2;
	double exact;

	if (npos < 2) {
		e->deff = e->deff_replace = NAN;    /* no s² from one row, as R's NA */
		return;
	}
	if (xsum_svyvar(xw, xwy, xwy2, npos, &exact) == 0)
		s2 = exact;
	else
		s2 = n / (n - 1) * (L(xwy2) - swy / sw * swy) / sw;
	long double vrep = (total ? sw * sw : 1) * s2 / n;

	e->deff_replace = (double)(e->var / vrep);
	e->deff = sw < n ? NAN : (double)(e->var / (vrep * (1 - n / sw)));
}

/* A plain sample's share is x/n in double, exactly as R divides. */
static double ratio_value(const struct svy_est *e, long double num, long double den)
{
	return e->simple ? (double)num / (double)den : (double)(num / den);
}

static void est_common(struct svy_est *e, const struct svy_design *d, const struct svy_acc *base)
{
	long double w = L(&base->w);

	e->n = (double)base->n;
	e->sum_w = xsum_value(&base->w);
	e->n_eff_kish = (double)(w * w / L(&base->w2));
	e->simple = svy_design_simple(d);
}

int svy_mean(const struct svy_design *d, const struct svy_acc *a, struct svy_est *e)
{
	est_empty(e, d);
	long double w = L(&a->w), wy = L(&a->wy);

	if (a->n == 0 || w == 0) {
		e->n = (double)a->n;
		return 0;
	}
	struct lin l = { a, a, wy / w, w, 0 };
	est_common(e, d, a);
	e->est = ratio_value(e, wy, w);
	e->x = xsum_value(&a->wy);
	e->proportion = a->n01 == a->n;
	if (linearise(d, &l, e) < 0)
		return -1;
	design_effect(e, &a->w, &a->wy, &a->wy2, a->n_pos, 0);
	return 0;
}

int svy_total(const struct svy_design *d, const struct svy_acc *a, struct svy_est *e)
{
	est_empty(e, d);
	if (a->n == 0) {
		e->n = 0;
		e->est = 0;
		return 0;
	}
	long double w = L(&a->w);
	struct lin l = { a, a, 0, w, 1 };
	est_common(e, d, a);
	e->est = xsum_value(&a->wy);
	e->x = e->est;
	if (linearise(d, &l, e) < 0)
		return -1;
	design_effect(e, &a->w, &a->wy, &a->wy2, a->n_pos, 1);
	return 0;
}

int svy_count(const struct svy_design *d, const struct svy_acc *cell,
	const struct svy_acc *base, struct svy_est *e)
{
	est_empty(e, d);
	if (base->n == 0) {
		e->est = 0;
		return 0;
	}
	long double w = L(&base->w);
	struct lin l = { cell, base, 0, w, 1 };
	est_common(e, d, base);
	e->est = xsum_value(&cell->wy);
	e->x = (double)cell->n;
	if (linearise(d, &l, e) < 0)
		return -1;
	design_effect(e, &base->w, &cell->wy, &cell->wy2, base->n_pos, 1);
	return 0;
}

int svy_ratio(const struct svy_design *d, const struct svy_acc *num,
	const struct svy_acc *den, struct svy_est *e)
{
	est_empty(e, d);
	long double w = L(&den->w), wy = L(&num->wy);

	if (den->n == 0 || w == 0) {
		e->n = (double)den->n;
		return 0;
	}
	struct lin l = { num, den, wy / w, w, 0 };
	est_common(e, d, den);
	e->est = ratio_value(e, wy, w);
	e->x = (double)num->n;
	e->proportion = 1;
	if (linearise(d, &l, e) < 0)
		return -1;
	design_effect(e, &den->w, &num->wy, &num->wy2, den->n_pos, 0);
	return 0;
}
