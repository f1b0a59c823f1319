/* A median's values as (value, times) runs: how partials carry held values
 * compactly. */
#ifndef CIVIC_VALUE_RUNS_H
#define CIVIC_VALUE_RUNS_H

#include <stddef.h>
#include "quantile.h"

/* The distinct values of x[0..n) in ascending order, each with how many
 * times it occurs (-0 and +0 apart, so they read back as they were).
 * Linear for a few thousand distinct values, a sort of a copy beyond. */
struct value_runs {
	double *value;
	size_t *times;
	size_t n;
};

void value_runs_count(struct value_runs *r, const double *x, size_t n);
/* The same runs for d's values, runs included. */
void value_runs_of(struct value_runs *r, const struct dvec *d);
void value_runs_release(struct value_runs *r);

#endif
