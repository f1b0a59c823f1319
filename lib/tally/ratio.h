/* ratio:A/B — the ratio of two totals, Σw·A / Σw·B, as R's svyratio.
 *
 * A ratio reads three number sources of its own, added one after the
 * other: A, B, and A + B, each counted only on rows where both A and B
 * have a value (R's na.rm = TRUE: a row missing either is out of the
 * ratio's domain).  Their moments give the ratio; their survey sums give
 * its linearised variance, V(Â − R·B̂)/B̂², with the covariance of Â and
 * B̂ by polarisation, Cov = (V(Â+B̂) − V(Â) − V(B̂))/2, so the partial,
 * merge and second-thread paths of number sources carry ratios as they
 * are.  On a replicate design the ratio is formed again in each replicate
 * from A's and B's replicate sums instead (survey_rep.h). */
#ifndef CIVIC_RATIO_H
#define CIVIC_RATIO_H

#include <stdint.h>
#include "agg.h"

/* Where a ratio's argument splits, "A/B" → the '/'; NULL when it has none
 * or either side is empty. */
const char *ratio_split(const char *arg);

/* After the three sources of a ratio are evaluated (rv[0..2]: A, B, and A
 * again): each holds a value only when A and B both do, rv[2] then A + B. */
void ratio_pair(struct rowval *rv);

/* The ratio of group g (a statistic ST_RATIO) and, with survey sums, its
 * linearised estimate.  -1 with svy_design_error set as svy_total. */
int ratio_cell(struct agg *a, const struct statistic *st, uint32_t g, struct cell *out);

/* 1 when one of the statistics is a ratio. */
int agg_has_ratio(const struct agg *a);

#endif
