/* Sample quantiles of plain (unweighted) data, as R's quantile(type = 7):
 * h = (n - 1) p, q = (1 - f) x[⌊h⌋] + f x[⌊h⌋ + 1] with f = h - ⌊h⌋,
 * x sorted ascending (0-based).  Weighted quantiles are survey.h's.
 *
 * struct dvec is a growable array of doubles; zeroed memory is empty.
 * Values merged from partials come as (value, times) runs and stay so
 * (times non-NULL): a run costs one entry however many rows it counts. */
#ifndef CIVIC_QUANTILE_H
#define CIVIC_QUANTILE_H

#include <stddef.h>

struct dvec {
	double *v;
	size_t n, cap;
	size_t *times;         /* NULL: each v[i] once; else v[i] times[i] times */
	size_t total;          /* with times: Σ times */
};

void dvec_push(struct dvec *d, double x);
/* x, k times (k >= 1); -1, d unchanged, when the count would overflow. */
int dvec_push_run(struct dvec *d, double x, size_t k);
void dvec_append(struct dvec *d, const struct dvec *src);
void dvec_release(struct dvec *d);
/* How many values d holds, runs counted with their times. */
size_t dvec_count(const struct dvec *d);
/* quantile_type7 of d's values, runs expanded in thought only; reorders d. */
double dvec_quantile(struct dvec *d, double p);

/* The p-quantile (0 <= p <= 1) of x[0..n); NaN when n is 0.  Reorders x
 * (selection, not a full sort: linear time on average). */
double quantile_type7(double *x, size_t n, double p);

#endif
