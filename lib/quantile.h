/* Sample quantiles of plain (unweighted) data, as R's quantile(type = 7):
 * h = (n - 1) p, q = (1 - f) x[⌊h⌋] + f x[⌊h⌋ + 1] with f = h - ⌊h⌋,
 * x sorted ascending (0-based).  Weighted quantiles are survey.h's.
 *
 * struct dvec is a growable array of doubles; zeroed memory is empty. */
#ifndef CIVIC_QUANTILE_H
#define CIVIC_QUANTILE_H

#include <stddef.h>

struct dvec {
	double *v;
	size_t n, cap;
};

void dvec_push(struct dvec *d, double x);
void dvec_append(struct dvec *d, const struct dvec *src);
void dvec_release(struct dvec *d);

/* The p-quantile (0 <= p <= 1) of x[0..n); NaN when n is 0.  Reorders x
 * (selection, not a full sort: linear time on average). */
double quantile_type7(double *x, size_t n, double p);

/* The distinct values of x[0..n) in ascending order, each with how many
 * times it occurs (-0 and +0 apart, so they read back as they were).
 * Linear for a few thousand distinct values, a sort of a copy beyond. */
struct value_runs {
	double *value;
	size_t *times;
	size_t n;
};

void value_runs_count(struct value_runs *r, const double *x, size_t n);
void value_runs_release(struct value_runs *r);

#endif
