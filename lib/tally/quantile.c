#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "value_set.h"
#include "quantile.h"
#include "xalloc.h"

void dvec_push(struct dvec *d, double x)
{
	if (d->times) {
		dvec_push_run(d, x, 1);
		return;
	}
	if (d->n == d->cap)
		d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = x;
}

static void to_runs(struct dvec *d)
{
	d->times = xmalloc((d->cap ? d->cap : 1) * sizeof(*d->times));
	for (size_t i = 0; i < d->n; i++)
		d->times[i] = 1;
	d->total = d->n;
}

int dvec_push_run(struct dvec *d, double x, size_t k)
{
	if (k == 1 && !d->times) {
		dvec_push(d, x);
		return 0;
	}
	if (!d->times)
		to_runs(d);
	if (k > SIZE_MAX - d->total)
		return -1;
	if (d->n == d->cap) {
		d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
		d->times = xrealloc(d->times, d->cap * sizeof(*d->times));
	}
	d->v[d->n] = x;
	d->times[d->n++] = k;
	d->total += k;
	return 0;
}

void dvec_append(struct dvec *d, const struct dvec *src)
{
	if (src->n == 0)
		return;
	if (d->times || src->times) {
		for (size_t i = 0; i < src->n; i++)
			dvec_push_run(d, src->v[i], src->times ? src->times[i] : 1);
		return;
	}
	d->v = xgrow(d->v, &d->cap, d->n + src->n, sizeof(*d->v));
	for (size_t i = 0; i < src->n; i++)
		d->v[d->n + i] = src->v[i];
	d->n += src->n;
}

void dvec_release(struct dvec *d)
{
	free(d->v);
	free(d->times);
	memset(d, 0, sizeof(*d));
}

size_t dvec_count(const struct dvec *d)
{
	return d->times ? d->total : d->n;
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

/* Where type 7 falls among n sorted values: the 0-based position lo and
 * the fraction h towards lo + 1; 0 when the value at lo is the answer.  R
 * computes the 1-based index 1 + (n - 1) p and its fraction in this form;
 * so do we, for the same bits. */
static int type7_position(size_t n, double p, size_t *lo, double *h)
{
	double index = 1 + (double)(n - 1) * p;
	double lo1 = floor(index);

	*h = index - lo1;
	*lo = (size_t)lo1 - 1;
	return index > lo1 && *lo + 1 < n;
}

double quantile_type7(double *x, size_t n, double p)
{
	size_t lo;
	double h;

	if (n == 0)
		return NAN;
	int between = type7_position(n, p, &lo, &h);
	select_kth(x, n, lo);
	double qlo = x[lo];
	if (!between)
		return qlo;
	double qhi = x[lo + 1];
	for (size_t i = lo + 2; i < n; i++)
		if (x[i] < qhi)
			qhi = x[i];
	if (qhi == qlo)
		return qlo;
	return (1 - h) * qlo + h * qhi;
}

struct run {
	double value;
	size_t times;
};

static int by_run_value(const void *a, const void *b)
{
	return value_set_cmp(((const struct run *)a)->value, ((const struct run *)b)->value);
}

/* The value at 0-based position pos of runs r[0..n) sorted by value. */
static double run_at(const struct run *r, size_t n, size_t pos)
{
	size_t i = 0;

	for (; i + 1 < n && pos >= r[i].times; i++)
		pos -= r[i].times;
	return r[i].value;
}

/* As quantile_type7, with the same arithmetic, over sorted runs. */
static double runs_quantile(const struct run *r, size_t n, size_t count, double p)
{
	size_t lo;
	double h;

	if (count == 0)
		return NAN;
	int between = type7_position(count, p, &lo, &h);
	double qlo = run_at(r, n, lo);

	if (!between)
		return qlo;
	double qhi = run_at(r, n, lo + 1);
	if (qhi == qlo)
		return qlo;
	return (1 - h) * qlo + h * qhi;
}

double dvec_quantile(struct dvec *d, double p)
{
	if (!d->times)
		return quantile_type7(d->v, d->n, p);
	struct run *r = xmalloc((d->n ? d->n : 1) * sizeof(*r));
	for (size_t i = 0; i < d->n; i++)
		r[i] = (struct run){ d->v[i], d->times[i] };
	qsort(r, d->n, sizeof(*r), by_run_value);
	double q = runs_quantile(r, d->n, d->total, p);
	free(r);
	return q;
}
