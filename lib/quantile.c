#include <math.h>
#include <stdlib.h>

#include "quantile.h"
#include "xalloc.h"

void dvec_push(struct dvec *d, double x)
{
	if (d->n == d->cap)
		d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = x;
}

void dvec_append(struct dvec *d, const struct dvec *src)
{
	if (src->n == 0)
		return;
	d->v = xgrow(d->v, &d->cap, d->n + src->n, sizeof(*d->v));
	for (size_t i = 0; i < src->n; i++)
		d->v[d->n + i] = src->v[i];
	d->n += src->n;
}

void dvec_release(struct dvec *d)
{
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

static void swap(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

static size_t median_of_three(double *x, size_t a, size_t b, size_t c)
{
	if (x[a] < x[b])
		return x[b] < x[c] ? b : (x[a] < x[c] ? c : a);
	return x[a] < x[c] ? a : (x[b] < x[c] ? c : b);
}

/* Puts the k-th smallest at x[k], smaller ones before, larger after
 * (Hoare partition around a median of three; equal keys split both ways
 * so runs of ties stay linear). */
static void select_kth(double *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (hi > lo) {
		size_t m = median_of_three(x, lo, lo + (hi - lo) / 2, hi);
		double pivot = x[m];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (x[i] < pivot)
				i++;
			while (x[j] > pivot)
				j--;
			if (i <= j) {
				swap(&x[i], &x[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* R computes the 1-based index 1 + (n - 1) p and its fraction in that form;
 * so do we, for the same bits. */
double quantile_type7(double *x, size_t n, double p)
{
	if (n == 0)
		return NAN;
	double index = 1 + (double)(n - 1) * p;
	double lo1 = floor(index);
	double h = index - lo1;
	size_t lo = (size_t)lo1 - 1;

	select_kth(x, n, lo);
	double qlo = x[lo];
	if (!(index > lo1) || lo + 1 >= n)
		return qlo;
	double qhi = x[lo + 1];
	for (size_t i = lo + 2; i < n; i++)
		if (x[i] < qhi)
			qhi = x[i];
	if (qhi == qlo)
		return qlo;
	return (1 - h) * qlo + h * qhi;
}
