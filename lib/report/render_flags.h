/* Reliability flags: an estimate is marked when its effective sample size
 * is below min_n or its coefficient of variation (se / estimate) above
 * max_cv.  Effective n is p(1-p)/se² for a share with a standard error
 * (Korn and Graubard), n/deff for another estimate with a design effect,
 * and n otherwise (the estimate's base, estimate_base_n()); an estimate with neither an n nor a standard error (a
 * registry count: a census, not a sample) is never flagged. */
#ifndef CIVIC_RENDER_FLAGS_H
#define CIVIC_RENDER_FLAGS_H

#include "rtable.h"

/* Sets CELL_UNRELIABLE on the estimate cells concerned; returns how many. */
size_t flag_unreliable(struct rtable *t, double min_n, double max_cv);
/* The column holding estimate c's base: n_X, those who answered X, for
 * an estimate of X (mean_X, share_X>=4) where the table has it, else n,
 * the group's size; in a pivot table, its own value's.  -1 if none. */
long estimate_base_n(const struct rtable *t, size_t c);
/* The effective sample size of estimate c in row r, or NAN if unknown. */
double effective_n(const struct rtable *t, size_t r, size_t c);

#endif
