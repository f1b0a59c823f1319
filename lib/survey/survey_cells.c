/* The sparse PSU cells of a survey accumulator (survey.h): one per PSU
 * the domain has rows in, holding Σw and Σwy.
 *
 * Cells are appended as PSUs first appear.  While they come in rising PSU
 * index (rows PSU by PSU: the design numbers PSUs as it meets them) the
 * cells stay sorted and a lookup is a binary search; the first PSU out of
 * order builds an open-addressing index over the cells.
 *
 * The sums are 64-bit integers at a scale common to the accumulator's
 * cells (value = m / 10^scale): exact, so they add up in any order, and a
 * cell with its PSU and row count takes 24 bytes (80 with two xsums).  A
 * term of a larger scale rescales every cell; one that cannot be held so
 * (beyond 64 bits, or not an exact decimal) gives every cell of the
 * accumulator two xsums of its own for good ("wide"): exact again, at
 * some 100 more bytes a cell. */
#include <stdlib.h>
#include <string.h>

#include "survey_impl.h"
#include "xalloc.h"

/* ---- finding and appending cells ------------------------------------ */

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

/* svy_cell_for when j is not the previous row's PSU. */
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

struct svy_psu_sums *svy_cells_other(struct svy_acc *a, uint32_t j)
{
	return psu_other(a, j);
}

struct svy_psu_sums *svy_acc_psu(struct svy_acc *a, uint32_t j)
{
	return svy_cell_for(a, j);
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

/* ---- exact sums -------------------------------------------------------- */

static union svy_cell_num *cell_num(struct svy_psu_sums *c, int k)
{
	return k == CELL_WY ? &c->wy : &c->w;
}

static const union svy_cell_num *cell_num_c(const struct svy_psu_sums *c, int k)
{
	return k == CELL_WY ? &c->wy : &c->w;
}

static struct xsum *cell_x(struct svy_psu_sums *c, int k)
{
	union svy_cell_num *v = cell_num(c, k);

	if (!v->x)
		v->x = xcalloc(1, sizeof *v->x);
	return v->x;
}

/* Every cell's sums become xsums of their own: exact however large. */
static void cells_go_wide(struct svy_acc *a)
{
	struct svy_psu_sums *c = a->cells;

	if (a->cell_wide)
		return;
	for (size_t i = 0; i < a->ncells; i++)
		for (int k = CELL_W; k <= CELL_WY; k++) {
			union svy_cell_num *v = cell_num(&c[i], k);
			int64_t m = v->m;
			v->x = NULL;
			if (m)
				xsum_add_dec(cell_x(&c[i], k), m, a->cell_scale[k]);
		}
	a->cell_wide = 1;
}

void svy_cells_release(struct svy_acc *a)
{
	struct svy_psu_sums *c = a->cells;

	if (a->kind != KIND_PSUS || !a->cell_wide)
		return;
	for (size_t i = 0; i < a->ncells; i++)
		for (int k = CELL_W; k <= CELL_WY; k++) {
			union svy_cell_num *v = cell_num(&c[i], k);
			if (v->x) {
				xsum_release(v->x);
				free(v->x);
				v->x = NULL;
			}
		}
}

int svy_cells_exact(const struct svy_acc *a)
{
	const struct svy_psu_sums *c = a->cells;

	if (a->kind != KIND_PSUS || !a->cell_wide)
		return 1;
	for (size_t i = 0; i < a->ncells; i++)
		if ((c[i].w.x && !xsum_exact(c[i].w.x)) || (c[i].wy.x && !xsum_exact(c[i].wy.x)))
			return 0;
	return 1;
}

/* Sum k of every cell to scale `to` (> its scale); -1, nothing changed,
 * when one would not fit 64 bits. */
static int cells_rescale(struct svy_acc *a, int k, int to)
{
	struct svy_psu_sums *c = a->cells;
	int64_t p, limit;

	if (to - a->cell_scale[k] > 18)
		return -1;
	p = (int64_t)xsum_pow10(to - a->cell_scale[k]);
	limit = INT64_MAX / p;
	for (size_t i = 0; i < a->ncells; i++) {
		int64_t m = cell_num(&c[i], k)->m;
		if (m > limit || m < -limit)
			return -1;
	}
	for (size_t i = 0; i < a->ncells; i++)
		cell_num(&c[i], k)->m *= p;
	a->cell_scale[k] = (int16_t)to;
	return 0;
}

void svy_cell_add_double(struct svy_acc *a, struct svy_psu_sums *c, int k, double d)
{
	cells_go_wide(a);
	xsum_add_double(cell_x(c, k), d);
}

void svy_cell_add_dec(struct svy_acc *a, struct svy_psu_sums *c, int k, __int128 m, int scale)
{
	__int128 t, r;

	if (a->cell_wide || scale > XSUM_MAX_SCALE)
		goto wide;
	if (scale > a->cell_scale[k] && cells_rescale(a, k, scale) < 0)
		goto wide;
	if (__builtin_mul_overflow(m, xsum_pow10(a->cell_scale[k] - scale), &t))
		goto wide;
	if (__builtin_add_overflow(t, (__int128)cell_num(c, k)->m, &r) || r > INT64_MAX || r < INT64_MIN)
		goto wide;
	cell_num(c, k)->m = (int64_t)r;
	return;
wide:
	cells_go_wide(a);
	xsum_add_dec(cell_x(c, k), m, scale);
}

long double svy_cell_unit(const struct svy_acc *a, int k)
{
	return a->cell_wide ? 1 : xsum_dec_long(1, a->cell_scale[k]);
}

void svy_cell_sum(const struct svy_acc *a, const struct svy_psu_sums *c, int k, struct xsum *out)
{
	const union svy_cell_num *v = cell_num_c(c, k);

	memset(out, 0, sizeof *out);
	if (a->cell_wide) {
		if (v->x)
			*out = *v->x;
	} else {
		out->m = v->m;
		out->scale = a->cell_scale[k];
	}
}

void svy_cell_add_xsum(struct svy_acc *a, struct svy_psu_sums *c, int k, const struct xsum *x)
{
	if (xsum_exact(x) && !x->big) {
		svy_cell_add_dec(a, c, k, x->m, x->scale);
	} else {
		cells_go_wide(a);
		xsum_merge(cell_x(c, k), x);
	}
}

/* ---- merging --------------------------------------------------------- */

/* src's sums of cell s into dst's cell t. */
static int same_form(const struct svy_acc *a, const struct svy_acc *b);

static void cell_add_from(struct svy_acc *dst, struct svy_psu_sums *t, const struct svy_acc *src,
	const struct svy_psu_sums *s)
{
	int64_t w, wy;

	/* The usual case: both exact at one scale, no overflow. */
	if (!dst->cell_wide && same_form(dst, src) && !__builtin_add_overflow(t->w.m, s->w.m, &w)
	    && !__builtin_add_overflow(t->wy.m, s->wy.m, &wy)) {
		t->w.m = w;
		t->wy.m = wy;
		t->n = svy_cell_rows(t->n, s->n);
		return;
	}
	for (int k = CELL_W; k <= CELL_WY; k++) {
		const union svy_cell_num *v = cell_num_c(s, k);
		if (!src->cell_wide)
			svy_cell_add_dec(dst, t, k, v->m, src->cell_scale[k]);
		else if (v->x)
			svy_cell_add_xsum(dst, t, k, v->x);
	}
	t->n = svy_cell_rows(t->n, s->n);
}

/* dst's cells in the form that can take src's values: wide if src is,
 * at least src's scales. */
static void cells_align(struct svy_acc *dst, const struct svy_acc *src)
{
	if (src->cell_wide) {
		cells_go_wide(dst);
		return;
	}
	for (int k = CELL_W; k <= CELL_WY && !dst->cell_wide; k++)
		if (src->cell_scale[k] > dst->cell_scale[k] && cells_rescale(dst, k, src->cell_scale[k]) < 0)
			cells_go_wide(dst);
}

/* Cells that add (or copy) as they are: integers at the same scales. */
static int same_form(const struct svy_acc *a, const struct svy_acc *b)
{
	return !a->cell_wide && !b->cell_wide && a->cell_scale[0] == b->cell_scale[0]
		&& a->cell_scale[1] == b->cell_scale[1];
}

/* The cells of a in rising PSU index: a itself while sorted, else
 * *owned (to free). */
const struct svy_psu_sums *svy_cells_sorted(const struct svy_acc *a, struct svy_psu_sums **owned)
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

/* a's cells in rising PSU order in place, its index dropped. */
static void cells_sort(struct svy_acc *a)
{
	struct svy_psu_sums *sorted;

	if (!a->slot)
		return;
	svy_cells_sorted(a, &sorted);
	free(a->cells);
	free(a->slot);
	a->cells = sorted;
	a->cap = a->ncells;
	a->slot = NULL;
	a->bits = 0;
	a->last = 0;
}

/* dst's cells (sorted) with an empty cell for each of the `fresh` PSUs
 * only s has, in place: the array grows (realloc keeps big arrays where
 * they are) and the two lists merge from the back, so a share base that
 * takes group after group allocates no new array per group. */
static void cells_widen(struct svy_acc *dst, const struct svy_psu_sums *s, size_t ns, size_t fresh)
{
	size_t nd = dst->kind == KIND_PSUS ? dst->ncells : 0, i = nd, j = ns, k = nd + fresh;
	struct svy_psu_sums *c;

	if (fresh == 0)
		return;
	if (dst->cap < nd + fresh) {
		dst->cap = nd + fresh;
		dst->cells = xrealloc(dst->cells, dst->cap * sizeof *c);
	}
	c = dst->cells;
	while (j > 0) {
		if (i > 0 && c[i - 1].psu >= s[j - 1].psu) {
			if (c[i - 1].psu == s[j - 1].psu)
				j--;
			c[--k] = c[--i];
		} else {
			memset(&c[--k], 0, sizeof c[k]);
			c[k].psu = s[--j].psu;
		}
	}
	dst->ncells = nd + fresh;
	dst->last = 0;
	dst->max = c[dst->ncells - 1].psu;
	dst->kind = KIND_PSUS;
}

/* How many of the PSUs of s (sorted) a's cells (sorted) lack. */
static size_t fresh_psus(const struct svy_acc *a, const struct svy_psu_sums *s, size_t ns)
{
	const struct svy_psu_sums *c = a->cells;
	size_t n = a->kind == KIND_PSUS ? a->ncells : 0, fresh = 0;

	for (size_t i = 0, j = 0; j < ns; j++) {
		while (i < n && c[i].psu < s[j].psu)
			i++;
		fresh += i == n || c[i].psu != s[j].psu;
	}
	return fresh;
}

/* Both in rising PSU order (dst sorted first if it is not), src's PSUs
 * widened into dst's array, then one pass adding src's sums; the result
 * is sorted too (no index to build, no sort when the variance walks it). */
static void merge_sorted(struct svy_acc *dst, const struct svy_acc *src)
{
	struct svy_psu_sums *own_s;
	const struct svy_psu_sums *s = svy_cells_sorted(src, &own_s);
	struct svy_psu_sums *t;

	cells_align(dst, src);
	cells_sort(dst);
	cells_widen(dst, s, src->ncells, fresh_psus(dst, s, src->ncells));
	t = dst->cells;
	for (size_t i = 0, j = 0; j < src->ncells; j++) {
		while (t[i].psu != s[j].psu)
			i++;
		cell_add_from(dst, &t[i], src, &s[j]);
	}
	free(own_s);
}

/* src's cells renamed into dst's design, in src's order.  Most are PSUs
 * new to dst, numbered above its own: those are copied to the end. */
static void merge_mapped(struct svy_acc *dst, const struct svy_acc *src, const uint32_t *map)
{
	const struct svy_psu_sums *s = src->cells;

	cells_align(dst, src);
	if (dst->cap < dst->ncells + src->ncells) {
		dst->cap = dst->ncells + src->ncells;
		dst->cells = xrealloc(dst->cells, dst->cap * sizeof *s);
	}
	for (size_t i = 0; i < src->ncells; i++) {
		uint32_t j = map[s[i].psu];
		if (dst->ncells > 0 && j <= dst->max) {
			cell_add_from(dst, svy_acc_psu(dst, j), src, &s[i]);
			continue;
		}
		if (dst->slot)
			psu_index_fit(dst);
		uint32_t k = psu_append(dst, j);
		struct svy_psu_sums *c = (struct svy_psu_sums *)dst->cells + k;
		if (same_form(dst, src)) {
			*c = s[i];
			c->psu = j;
		} else {
			cell_add_from(dst, c, src, &s[i]);
		}
		dst->max = j;
		if (dst->slot)
			psu_link(dst, k);
	}
}

void svy_cells_merge(struct svy_acc *dst, const struct svy_acc *src, const uint32_t *psu_map)
{
	if (psu_map)
		merge_mapped(dst, src, psu_map);
	else
		merge_sorted(dst, src);
}
