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

#include "survey_impl.h"
#include "xalloc.h"

void svy_acc_init(struct svy_acc *a)
{
	memset(a, 0, sizeof *a);
}

void svy_acc_release(struct svy_acc *a)
{
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

/* ---- sparse PSU cells ------------------------------------------------
 *
 * Cells are appended as PSUs first appear.  While they come in rising PSU
 * index (rows PSU by PSU: the design numbers PSUs as it meets them) the
 * cells stay sorted and a lookup is a binary search; the first PSU out of
 * order builds an open-addressing index over the cells. */

static size_t psu_slot(const struct svy_acc *a, uint32_t j)
{
	return (uint32_t)(j * 0x9e3779b1u) >> (32 - a->bits);
}

static long psu_search(const struct svy_acc *a, uint32_t j)
{
	const struct svy_psu_sums *c = a->cells;
	size_t lo = 0, hi = a->ncells;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c[mid].psu < j)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->ncells && c[lo].psu == j ? (long)lo : -1;
}

/* The cell index of PSU j, or -1. */
static long psu_find(const struct svy_acc *a, uint32_t j)
{
	const struct svy_psu_sums *c = a->cells;

	if (a->ncells == 0 || j > a->max)
		return -1;
	if (!a->slot)
		return psu_search(a, j);
	size_t mask = ((size_t)1 << a->bits) - 1;
	for (size_t s = psu_slot(a, j); a->slot[s]; s = (s + 1) & mask)
		if (c[a->slot[s] - 1].psu == j)
			return (long)a->slot[s] - 1;
	return -1;
}

static void psu_link(struct svy_acc *a, uint32_t i)
{
	size_t mask = ((size_t)1 << a->bits) - 1, s = psu_slot(a, ((struct svy_psu_sums *)a->cells)[i].psu);

	while (a->slot[s])
		s = (s + 1) & mask;
	a->slot[s] = i + 1;
}

/* Makes room in the index for one more cell: at most half full. */
static void psu_index_fit(struct svy_acc *a)
{
	if (2 * (a->ncells + 1) <= (size_t)1 << a->bits)
		return;
	if (a->bits < 4)
		a->bits = 4;
	while (2 * (a->ncells + 1) > (size_t)1 << a->bits)
		a->bits++;
	free(a->slot);
	a->slot = xcalloc((size_t)1 << a->bits, sizeof *a->slot);
	for (size_t i = 0; i < a->ncells; i++)
		psu_link(a, (uint32_t)i);
}

static uint32_t psu_append(struct svy_acc *a, uint32_t j)
{
	struct svy_psu_sums *c;

	if (a->ncells == a->cap) {
		a->cap = a->cap ? a->cap + a->cap / 2 : 4;
		a->cells = xrealloc(a->cells, a->cap * sizeof *c);
	}
	c = (struct svy_psu_sums *)a->cells + a->ncells;
	memset(c, 0, sizeof *c);
	c->psu = j;
	a->kind = KIND_PSUS;
	return (uint32_t)a->ncells++;
}

/* svy_acc_psu when j is not the previous row's PSU. */
static struct svy_psu_sums *psu_other(struct svy_acc *a, uint32_t j)
{
	long i;

	if (a->ncells == 0 || j > a->max) {
		if (a->slot)
			psu_index_fit(a);
		i = psu_append(a, j);
		a->max = j;
		if (a->slot)
			psu_link(a, (uint32_t)i);
	} else if ((i = psu_find(a, j)) < 0) {
		psu_index_fit(a);
		i = psu_append(a, j);
		psu_link(a, (uint32_t)i);
	}
	a->last = (uint32_t)i;
	return (struct svy_psu_sums *)a->cells + i;
}

static inline struct svy_psu_sums *psu_cell(struct svy_acc *a, uint32_t j)
{
	struct svy_psu_sums *c = a->cells;

	if (a->last < a->ncells && c[a->last].psu == j)
		return &c[a->last];
	return psu_other(a, j);
}

struct svy_psu_sums *svy_acc_psu(struct svy_acc *a, uint32_t j)
{
	return psu_cell(a, j);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

uint32_t *svy_acc_psu_order(const struct svy_acc *a)
{
	if (a->kind != KIND_PSUS || a->ncells == 0)
		return NULL;
	const struct svy_psu_sums *c = a->cells;
	uint32_t *order = xmalloc(a->ncells * sizeof *order);

	if (!a->slot) {
		for (size_t i = 0; i < a->ncells; i++)
			order[i] = (uint32_t)i;
		return order;
	}
	uint64_t *key = xmalloc(a->ncells * sizeof *key);
	for (size_t i = 0; i < a->ncells; i++)
		key[i] = (uint64_t)c[i].psu << 32 | i;
	qsort(key, a->ncells, sizeof *key, cmp_u64);
	for (size_t i = 0; i < a->ncells; i++)
		order[i] = (uint32_t)key[i];
	free(key);
	return order;
}

/* ---- adding rows ----------------------------------------------------- */

void svy_acc_add(struct svy_acc *a, const struct svy_design *d,
	struct svy_unit u, double w, double y)
{
	double wy = w * y;

	(void)d;
	a->w += w;
	a->wy += wy;
	a->wy2 += wy * y;
	a->w2 += w * w;
	a->n++;
	a->n_pos += w != 0;
	a->n01 += y == 0 || y == 1;
	if (u.psu == SVY_ROW_PSU) {
		struct svy_stratum_sums *s = svy_acc_stratum(a, u.stratum);
		s->w += w;
		s->wy += wy;
		s->w2 += w * w;
		s->w2y += w * wy;
		s->w2y2 += wy * wy;
		s->n++;
	} else {
		struct svy_psu_sums *p = psu_cell(a, u.psu);
		p->w += w;
		p->wy += wy;
		p->n++;
	}
}

void svy_acc_merge(struct svy_acc *dst, const struct svy_acc *src)
{
	dst->w += src->w;
	dst->wy += src->wy;
	dst->wy2 += src->wy2;
	dst->w2 += src->w2;
	dst->n += src->n;
	dst->n_pos += src->n_pos;
	dst->n01 += src->n01;
	if (src->kind == KIND_STRATA) {
		const struct svy_stratum_sums *s = src->cells;
		svy_acc_stratum(dst, src->ncells - 1);
		struct svy_stratum_sums *t = dst->cells;
		for (size_t i = 0; i < src->ncells; i++) {
			t[i].w += s[i].w;
			t[i].wy += s[i].wy;
			t[i].w2 += s[i].w2;
			t[i].w2y += s[i].w2y;
			t[i].w2y2 += s[i].w2y2;
			t[i].n += s[i].n;
		}
	} else if (src->kind == KIND_PSUS) {
		const struct svy_psu_sums *s = src->cells;
		for (size_t i = 0; i < src->ncells; i++) {
			struct svy_psu_sums *t = svy_acc_psu(dst, s[i].psu);
			t->w += s[i].w;
			t->wy += s[i].wy;
			t->n += s[i].n;
		}
	}
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
	uint64_t psus;             /* PSUs in the domain */
};

/* Adds stratum h's contribution given Σ_j Z_j and Σ_j (Z_j - Z̄)² (or Σ Z_j²
 * for a lonely PSU).  -1 under --lonely-psu fail. */
static int stratum_add(const struct svy_design *d, size_t h, long double ss, long double sqsum,
	struct var_sum *vs)
{
	uint64_t nh = d->strata[h].npsu;
	long double f = svy_stratum_f(d, h);

	vs->present++;
	if (nh > 1) {
		vs->V += (1 - f) * ((long double)nh / (nh - 1)) * ss;
		vs->kept++;
		return 0;
	}
	switch (d->o.lonely) {
	case SVY_LONELY_FAIL:
		return svy_fail(d, "stratum '%s' has only one PSU (see --lonely-psu)",
			d->strata[h].name);
	case SVY_LONELY_REMOVE:
	case SVY_LONELY_CERTAINTY:
		vs->kept++;
		break;
	case SVY_LONELY_ADJUST:
		vs->V += (1 - f) * sqsum;
		vs->kept++;
		break;
	case SVY_LONELY_AVERAGE:
		break;
	}
	return 0;
}

static const struct svy_stratum_sums zero_stratum;

static const struct svy_stratum_sums *stratum_cell(const struct svy_acc *a, size_t h)
{
	return a->kind == KIND_STRATA && h < a->ncells ? (const struct svy_stratum_sums *)a->cells + h : &zero_stratum;
}


static int var_by_rows(const struct svy_design *d, const struct lin *l, struct var_sum *vs)
{
	for (size_t h = 0; h < d->nstrata; h++) {
		const struct svy_stratum_sums *a = stratum_cell(l->num, h), *b = stratum_cell(l->den, h);
		if (b->n == 0)
			continue;
		long double sz, szz;
		if (l->total) {
			sz = a->wy;
			szz = a->w2y2;
		} else {
			sz = (a->wy - l->r * b->w) / l->W;
			szz = (a->w2y2 - 2 * l->r * a->w2y + l->r * l->r * b->w2) / (l->W * l->W);
		}
		long double ss = szz - sz * sz / d->strata[h].npsu;
		/* Below the rounding error of the moments it is 0: a stratum
		 * whose influence values are all equal has no variance.  The
		 * bound is double's, the precision R computes in (and the one
		 * valgrind gives long double). */
		if (ss <= szz * 64 * DBL_EPSILON)
			ss = 0;
		vs->psus += b->n;
		if (stratum_add(d, h, ss, szz, vs) < 0)
			return -1;
	}
	return 0;
}

/* The influence total of den's PSU cell b (num's cell of that PSU may be
 * missing: its sums are 0). */
static long double psu_z(const struct lin *l, const struct svy_psu_sums *b)
{
	long double wy = 0;

	if (l->num == l->den) {
		wy = b->wy;
	} else {
		long i = psu_find(l->num, b->psu);
		if (i >= 0)
			wy = ((const struct svy_psu_sums *)l->num->cells)[i].wy;
	}
	if (l->total)
		return wy;
	return (wy - l->r * b->w) / l->W;
}

/* A PSU without rows in the domain has Z = 0: it adds nothing to the
 * stratum's sum, but (0 - Z̄)² to its squares, in PSU order as R adds. */
static int var_by_psus(const struct svy_design *d, const struct lin *l, struct var_sum *vs)
{
	size_t H = d->nstrata, k = l->den->kind == KIND_PSUS ? l->den->ncells : 0;
	long double *sum = xcalloc(H, sizeof *sum), *ss = xcalloc(H, sizeof *ss), *sq = xcalloc(H, sizeof *sq);
	long double *z = xcalloc(k ? k : 1, sizeof *z);
	uint64_t *seen = xcalloc(H, sizeof *seen);
	uint32_t *order = svy_acc_psu_order(l->den);
	const struct svy_psu_sums *cell = l->den->cells;
	int rc = 0;

	for (size_t i = 0; i < k; i++) {
		const struct svy_psu_sums *b = &cell[order[i]];
		uint32_t h = d->psus[b->psu].stratum;
		z[i] = psu_z(l, b);
		sum[h] += z[i];
		seen[h] += b->n > 0;
	}
	for (size_t j = 0, i = 0; j < d->npsu; j++) {
		uint32_t h = d->psus[j].stratum;
		long double zj = 0;
		if (i < k && cell[order[i]].psu == j)
			zj = z[i++];
		if (!seen[h])
			continue;          /* a stratum outside the domain adds nothing */
		long double dev = zj - sum[h] / d->strata[h].npsu;
		ss[h] += dev * dev;
		sq[h] += zj * zj;
	}
	for (size_t h = 0; h < H && rc == 0; h++) {
		if (seen[h] == 0)
			continue;
		vs->psus += seen[h];
		rc = stratum_add(d, h, ss[h], sq[h], vs);
	}
	free(sum);
	free(ss);
	free(sq);
	free(z);
	free(seen);
	free(order);
	return rc;
}

static int linearise(const struct svy_design *d, const struct lin *l, struct svy_est *e)
{
	struct var_sum vs = { 0, 0, 0, 0 };
	int rc = d->o.has_psu ? var_by_psus(d, l, &vs) : var_by_rows(d, l, &vs);

	if (rc < 0)
		return -1;
	if (d->o.lonely == SVY_LONELY_AVERAGE && vs.kept < vs.present)
		vs.V = vs.kept ? vs.V * vs.present / vs.kept : NAN;
	e->var = (double)vs.V;
	e->se = sqrt(e->var);
	e->df = (double)vs.psus - (double)vs.present;
	return 0;
}

static void est_empty(struct svy_est *e, const struct svy_design *d)
{
	memset(e, 0, sizeof *e);
	e->est = e->se = e->var = e->df = e->deff = e->deff_replace = NAN;
	e->n_eff_kish = NAN;
	e->simple = svy_design_simple(d);
}

/* deff and deff_replace from V and s² = n/(n-1)·Σw(y-ȳ)²/Σw (svyvar).
 * scale is N̂² for a total, 1 for a mean. */
static void design_effect(struct svy_est *e, long double sw, long double swy, long double swy2,
	uint64_t npos, long double scale)
{
	long double n = npos, ybar = swy / sw;
	long double s2 = n / (n - 1) * (swy2 - ybar * swy) / sw;
	long double vrep = scale * s2 / n;

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
	e->n = (double)base->n;
	e->sum_w = (double)base->w;
	e->n_eff_kish = (double)(base->w * base->w / base->w2);
	e->simple = svy_design_simple(d);
}

int svy_mean(const struct svy_design *d, const struct svy_acc *a, struct svy_est *e)
{
	est_empty(e, d);
	if (a->n == 0 || a->w == 0) {
		e->n = (double)a->n;
		return 0;
	}
	struct lin l = { a, a, a->wy / a->w, a->w, 0 };
	est_common(e, d, a);
	e->est = ratio_value(e, a->wy, a->w);
	e->x = (double)a->wy;
	e->proportion = a->n01 == a->n;
	if (linearise(d, &l, e) < 0)
		return -1;
	design_effect(e, a->w, a->wy, a->wy2, a->n_pos, 1);
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
	struct lin l = { a, a, 0, a->w, 1 };
	est_common(e, d, a);
	e->est = (double)a->wy;
	e->x = (double)a->wy;
	if (linearise(d, &l, e) < 0)
		return -1;
	design_effect(e, a->w, a->wy, a->wy2, a->n_pos, a->w * a->w);
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
	struct lin l = { cell, base, 0, base->w, 1 };
	est_common(e, d, base);
	e->est = (double)cell->wy;
	e->x = (double)cell->n;
	if (linearise(d, &l, e) < 0)
		return -1;
	design_effect(e, base->w, cell->wy, cell->wy2, base->n_pos, base->w * base->w);
	return 0;
}

int svy_ratio(const struct svy_design *d, const struct svy_acc *num,
	const struct svy_acc *den, struct svy_est *e)
{
	est_empty(e, d);
	if (den->n == 0 || den->w == 0) {
		e->n = (double)den->n;
		return 0;
	}
	struct lin l = { num, den, num->wy / den->w, den->w, 0 };
	est_common(e, d, den);
	e->est = ratio_value(e, num->wy, den->w);
	e->x = (double)num->n;
	e->proportion = 1;
	if (linearise(d, &l, e) < 0)
		return -1;
	design_effect(e, den->w, num->wy, num->wy2, den->n_pos, 1);
	return 0;
}
