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

static long double L(const struct xsum *x)
{
	return xsum_long(x);
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
}

void svy_acc_add(struct svy_acc *a, const struct svy_design *d,
	struct svy_unit u, const struct decnum *w, const struct decnum *y)
{
	int one = is_one(y);

	(void)d;
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
	if (u.psu == SVY_ROW_PSU) {
		add_stratum_row(svy_acc_stratum(a, u.stratum), w, y);
	} else {
		struct svy_psu_sums *p = psu_cell(a, u.psu);
		xsum_add_num(&p->w, w);
		if (one)
			xsum_add_num(&p->wy, w);
		else
			xsum_add_product(&p->wy, w, y);
		p->n++;
	}
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
	}
}

/* The cells of a in rising PSU index: a itself while sorted, else
 * *owned (to free). */
static const struct svy_psu_sums *psu_sorted(const struct svy_acc *a, struct svy_psu_sums **owned)
{
	*owned = NULL;
	if (!a->slot)
		return a->cells;
	uint32_t *order = svy_acc_psu_order(a);
	*owned = xmalloc(a->ncells * sizeof **owned);
	for (size_t i = 0; i < a->ncells; i++)
		(*owned)[i] = ((const struct svy_psu_sums *)a->cells)[order[i]];
	free(order);
	return *owned;
}

static void psu_sum_into(struct svy_psu_sums *t, const struct svy_psu_sums *s)
{
	xsum_merge(&t->w, &s->w);
	xsum_merge(&t->wy, &s->wy);
	t->n += s->n;
}

/* Both in rising PSU order: one pass, and the result is sorted too (no
 * index to build, no sort when the variance walks it). */
static void merge_psu_cells(struct svy_acc *dst, const struct svy_acc *src)
{
	struct svy_psu_sums *own_d, *own_s, *out;
	const struct svy_psu_sums *d = psu_sorted(dst, &own_d), *s = psu_sorted(src, &own_s);
	size_t nd = dst->kind == KIND_PSUS ? dst->ncells : 0, ns = src->ncells, i = 0, j = 0, k = 0;

	out = xmalloc((nd + ns) * sizeof *out);
	while (i < nd || j < ns) {
		if (j == ns || (i < nd && d[i].psu < s[j].psu)) {
			out[k++] = d[i++];
		} else if (i == nd || s[j].psu < d[i].psu) {
			out[k++] = s[j++];
		} else {
			out[k] = d[i++];
			psu_sum_into(&out[k++], &s[j++]);
		}
	}
	free(own_d);
	free(own_s);
	free(dst->cells);
	free(dst->slot);
	dst->cells = out;
	dst->ncells = k;
	dst->cap = nd + ns;
	dst->slot = NULL;
	dst->bits = 0;
	dst->last = 0;
	dst->max = out[k - 1].psu;
	dst->kind = KIND_PSUS;
}

/* src's cells renamed into dst's design, in src's order.  Most are PSUs
 * new to dst, numbered above its own: those are copied to the end. */
static void merge_psu_cells_mapped(struct svy_acc *dst, const struct svy_acc *src, const uint32_t *map)
{
	const struct svy_psu_sums *s = src->cells;

	if (dst->cap < dst->ncells + src->ncells) {
		dst->cap = dst->ncells + src->ncells;
		dst->cells = xrealloc(dst->cells, dst->cap * sizeof *s);
	}
	for (size_t i = 0; i < src->ncells; i++) {
		uint32_t j = map[s[i].psu];
		if (dst->ncells > 0 && j <= dst->max) {
			psu_sum_into(svy_acc_psu(dst, j), &s[i]);
			continue;
		}
		if (dst->slot)
			psu_index_fit(dst);
		uint32_t k = psu_append(dst, j);
		struct svy_psu_sums *c = (struct svy_psu_sums *)dst->cells + k;
		*c = s[i];
		c->psu = j;
		dst->max = j;
		if (dst->slot)
			psu_link(dst, k);
	}
}

void svy_acc_merge_mapped(struct svy_acc *dst, const struct svy_acc *src, const uint32_t *psu_map,
	const uint32_t *stratum_map)
{
	merge_totals(dst, src);
	if (src->kind == KIND_STRATA)
		merge_stratum_cells(dst, src, stratum_map);
	else if (src->kind == KIND_PSUS && src->ncells > 0)
		psu_map ? merge_psu_cells_mapped(dst, src, psu_map) : merge_psu_cells(dst, src);
}

void svy_acc_merge(struct svy_acc *dst, const struct svy_acc *src)
{
	svy_acc_merge_mapped(dst, src, NULL, NULL);
}

int svy_acc_exact(const struct svy_acc *a)
{
	int exact = xsum_exact(&a->w) && xsum_exact(&a->wy) && xsum_exact(&a->wy2) && xsum_exact(&a->w2);

	if (a->kind == KIND_STRATA) {
		const struct svy_stratum_sums *s = a->cells;
		for (size_t i = 0; exact && i < a->ncells; i++)
			exact = xsum_exact(&s[i].w) && xsum_exact(&s[i].wy) && xsum_exact(&s[i].w2)
				&& xsum_exact(&s[i].w2y) && xsum_exact(&s[i].w2y2);
	} else if (a->kind == KIND_PSUS) {
		const struct svy_psu_sums *p = a->cells;
		for (size_t i = 0; exact && i < a->ncells; i++)
			exact = xsum_exact(&p[i].w) && xsum_exact(&p[i].wy);
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
		vs->psus += b->n;
		if (stratum_add(d, h, ss, szz, vs) < 0)
			return -1;
	}
	return 0;
}

/* The influence total of a PSU: wy from num's cell (0 when num has no
 * rows there), w from den's. */
static long double psu_z(const struct lin *l, const struct svy_psu_sums *num, const struct svy_psu_sums *den)
{
	long double wy = num ? L(&num->wy) : 0;

	if (l->total)
		return wy;
	return (wy - l->r * L(&den->w)) / l->W;
}

/* Per stratum: Σ Z_j over the domain's PSUs, Σ (Z_j - Z̄)² and Σ Z_j² over
 * all n_h PSUs of the stratum.  A PSU without rows in the domain has
 * Z = 0: it adds nothing to the sum, and Z̄² to the squared deviations. */
struct psu_moments {
	long double sum, ss, sq;
	uint64_t cells, seen;      /* den's cells in the stratum; those with rows */
};

static void moments_sums(const struct svy_design *d, const struct lin *l, const struct svy_psu_sums *den,
	size_t nden, const struct svy_psu_sums *num, size_t nnum, long double *z, struct psu_moments *m)
{
	for (size_t i = 0, j = 0; i < nden; i++) {
		while (j < nnum && num[j].psu < den[i].psu)
			j++;
		const struct svy_psu_sums *nc = l->num == l->den ? &den[i]
			: j < nnum && num[j].psu == den[i].psu ? &num[j] : NULL;
		struct psu_moments *mh = &m[d->psus[den[i].psu].stratum];
		z[i] = psu_z(l, nc, &den[i]);
		mh->sum += z[i];
		mh->cells++;
		mh->seen += den[i].n > 0;
	}
}

static int var_by_psus(const struct svy_design *d, const struct lin *l, struct var_sum *vs)
{
	size_t H = d->nstrata, nden = l->den->kind == KIND_PSUS ? l->den->ncells : 0;
	size_t nnum = l->num->kind == KIND_PSUS ? l->num->ncells : 0;
	struct svy_psu_sums *own_den, *own_num;
	const struct svy_psu_sums *den = nden ? psu_sorted(l->den, &own_den) : (own_den = NULL);
	const struct svy_psu_sums *num = nnum ? psu_sorted(l->num, &own_num) : (own_num = NULL);
	struct psu_moments *m = xcalloc(H ? H : 1, sizeof *m);
	long double *z = xmalloc((nden ? nden : 1) * sizeof *z);
	int rc = 0;

	moments_sums(d, l, den, nden, num, nnum, z, m);
	for (size_t i = 0; i < nden; i++) {
		struct psu_moments *mh = &m[d->psus[den[i].psu].stratum];
		long double dev = z[i] - mh->sum / d->strata[d->psus[den[i].psu].stratum].npsu;
		mh->ss += dev * dev;
		mh->sq += z[i] * z[i];
	}
	for (size_t h = 0; h < H && rc == 0; h++) {
		if (m[h].seen == 0)
			continue;          /* a stratum outside the domain adds nothing */
		long double mean = m[h].sum / d->strata[h].npsu;
		m[h].ss += (long double)(d->strata[h].npsu - m[h].cells) * mean * mean;
		vs->psus += m[h].seen;
		rc = stratum_add(d, h, m[h].ss, m[h].sq, vs);
	}
	free(m);
	free(z);
	free(own_den);
	free(own_num);
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
	design_effect(e, w, wy, L(&a->wy2), a->n_pos, 1);
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
	design_effect(e, w, L(&a->wy), L(&a->wy2), a->n_pos, w * w);
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
	design_effect(e, w, L(&cell->wy), L(&cell->wy2), base->n_pos, w * w);
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
	design_effect(e, w, wy, L(&num->wy2), den->n_pos, 1);
	return 0;
}
