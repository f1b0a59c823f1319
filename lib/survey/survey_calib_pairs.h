/* The (PSU, cell) pairs a calibration's first pass meets, each with the
 * Σw of its rows' -w weights, exact so that two threads' halves add up to
 * one pass's sums.
 *
 * They are most of the first pass's memory (630,000 pairs on a million
 * rows), so a sum is kept in 8 bytes while it can be: an int64 count of
 * 10^-CALIB_PAIR_SCALE, as long as every weight is a decimal of at most
 * that many places and no sum overflows.  The first weight or merge that
 * does not fit turns every sum into an xsum (32 bytes), exact as before.
 * Either way a sum's value is the same rational, so calib_pairs_value
 * returns the same double.
 *
 *	struct calib_pairs p;  calib_pairs_init(&p);
 *	i = calib_pairs_new(&p, psu, cell);  calib_pairs_add(&p, i, &w);
 *	calib_pairs_value(&p, i);  calib_pairs_release(&p); */
#ifndef CIVIC_SURVEY_CALIB_PAIRS_H
#define CIVIC_SURVEY_CALIB_PAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "numscan.h"
#include "xsum.h"

enum { CALIB_PAIR_SCALE = 9 };

struct calib_pairs {
	uint32_t *psu, *cell;         /* two arrays: the steps that read only the PSUs read less */
	int64_t *m;                   /* compact sums, units of 10^-CALIB_PAIR_SCALE; NULL once wide */
	struct xsum *w;               /* wide sums; NULL while compact */
	size_t n, cap;
};

void calib_pairs_init(struct calib_pairs *p);
/* Frees the arrays and any GMP parts; p is empty again. */
void calib_pairs_release(struct calib_pairs *p);
/* Appends pair (psu, cell) with an empty sum; returns its index. */
size_t calib_pairs_new(struct calib_pairs *p, uint32_t psu, uint32_t cell);
/* Adds a weight to pair i's sum. */
void calib_pairs_add(struct calib_pairs *p, size_t i, const struct decnum *w);
/* Adds src's pair j's sum to p's pair i's. */
void calib_pairs_merge(struct calib_pairs *p, size_t i, const struct calib_pairs *src, size_t j);
/* Pair i's sum correctly rounded to double (as xsum_value). */
double calib_pairs_value(const struct calib_pairs *p, size_t i);
/* When the sums are compact and the pairs in PSU order: turns the sums
 * into their values in place (no second 8-byte-a-pair array), hands them
 * and the cells over (the caller frees both) and empties p.  NULL, p
 * unchanged, otherwise. */
double *calib_pairs_take_values(struct calib_pairs *p, uint32_t **cell);

#endif
