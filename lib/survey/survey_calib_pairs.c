/* A calibration's (PSU, cell) pairs and their exact sums (survey_calib_pairs.h). */
#include <stdlib.h>
#include <string.h>

#include "survey_calib_pairs.h"
#include "xalloc.h"

void calib_pairs_init(struct calib_pairs *p)
{
	*p = (struct calib_pairs){ 0 };
	p->m = xmalloc(sizeof *p->m);
}

void calib_pairs_release(struct calib_pairs *p)
{
	if (p->w)
		for (size_t i = 0; i < p->n; i++)
			xsum_release(&p->w[i]);
	free(p->psu);
	free(p->cell);
	free(p->m);
	free(p->w);
	*p = (struct calib_pairs){ 0 };
}

/* Every sum an xsum from now on, holding the same value. */
static void widen(struct calib_pairs *p)
{
	if (p->w)
		return;
	p->w = xmalloc((p->cap ? p->cap : 1) * sizeof *p->w);
	for (size_t i = 0; i < p->n; i++) {
		p->w[i] = (struct xsum){ 0 };
		xsum_add_dec(&p->w[i], p->m[i], CALIB_PAIR_SCALE);
	}
	free(p->m);
	p->m = NULL;
}

size_t calib_pairs_new(struct calib_pairs *p, uint32_t psu, uint32_t cell)
{
	if (p->n >= p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->psu = xrealloc(p->psu, p->cap * sizeof *p->psu);
		p->cell = xrealloc(p->cell, p->cap * sizeof *p->cell);
		if (p->w)
			p->w = xrealloc(p->w, p->cap * sizeof *p->w);
		else
			p->m = xrealloc(p->m, p->cap * sizeof *p->m);
	}
	p->psu[p->n] = psu;
	p->cell[p->n] = cell;
	if (p->w)
		p->w[p->n] = (struct xsum){ 0 };
	else
		p->m[p->n] = 0;
	return p->n++;
}

/* m·10^(CALIB_PAIR_SCALE - scale) added to the compact sum *s; 0 when it
 * does not fit (*s unchanged). */
static int add_compact(int64_t *s, int64_t m, int scale)
{
	int64_t t, r;

	if (scale < 0 || scale > CALIB_PAIR_SCALE ||
	    __builtin_mul_overflow(m, (int64_t)xsum_p10[CALIB_PAIR_SCALE - scale], &t) ||
	    __builtin_add_overflow(*s, t, &r))
		return 0;
	*s = r;
	return 1;
}

void calib_pairs_add(struct calib_pairs *p, size_t i, const struct decnum *w)
{
	if (!p->w && w->exact && add_compact(&p->m[i], w->m, w->scale))
		return;
	widen(p);
	xsum_add_num(&p->w[i], w);
}

void calib_pairs_merge(struct calib_pairs *p, size_t i, const struct calib_pairs *src, size_t j)
{
	if (!src->w) {
		if (!p->w && add_compact(&p->m[i], src->m[j], CALIB_PAIR_SCALE))
			return;
		widen(p);
		xsum_add_dec(&p->w[i], src->m[j], CALIB_PAIR_SCALE);
		return;
	}
	widen(p);
	xsum_merge(&p->w[i], &src->w[j]);
}

double calib_pairs_value(const struct calib_pairs *p, size_t i)
{
	const int64_t lim = (int64_t)1 << 53;

	if (p->w)
		return xsum_value(&p->w[i]);
	if (p->m[i] > -lim && p->m[i] < lim)     /* both exact: one rounding, as xsum_value's */
		return (double)p->m[i] / (double)xsum_p10[CALIB_PAIR_SCALE];
	struct xsum s = { 0 };
	xsum_add_dec(&s, p->m[i], CALIB_PAIR_SCALE);
	double v = xsum_value(&s);
	xsum_release(&s);
	return v;
}

static int in_psu_order(const struct calib_pairs *p)
{
	for (size_t i = 1; i < p->n; i++)
		if (p->psu[i] < p->psu[i - 1])
			return 0;
	return 1;
}

double *calib_pairs_take_values(struct calib_pairs *p, uint32_t **cell)
{
	_Static_assert(sizeof(double) == sizeof(int64_t), "a value takes its sum's place");
	if (p->w || !in_psu_order(p))
		return NULL;
	unsigned char *at = (unsigned char *)p->m;
	for (size_t i = 0; i < p->n; i++) {
		double v = calib_pairs_value(p, i);
		memcpy(at + i * sizeof v, &v, sizeof v);
	}
	double *values = (double *)(void *)p->m;
	*cell = p->cell;
	p->m = NULL;
	p->cell = NULL;
	calib_pairs_release(p);
	return values;
}
