/* Reliability flags: an estimate is marked when its effective sample size
 * is below min_n or its coefficient of variation (se / estimate) above
 * max_cv.  Effective n is p(1-p)/se² for a share with a standard error
 * (Korn and Graubard), n/deff for another estimate with a design effect,
 * and n otherwise; an estimate with neither an n nor a standard error (a
 * registry count: a census, not a sample) is never flagged. */
#ifndef CIVIC_RENDER_FLAGS_H
#define CIVIC_RENDER_FLAGS_H

#include "render_table.h"

/* Sets CELL_UNRELIABLE on the estimate cells concerned; returns how many. */
size_t flag_unreliable(struct rtable *t, double min_n, double max_cv);
/* The effective sample size of estimate c in row r, or NAN if unknown. */
double effective_n(const struct rtable *t, size_t r, size_t c);

#endif
