/* Period comparison: for the count and the share (else the first
 * estimate) of each row, the previous period's value, the change and the
 * relative change, matched on every key that is not a calendar period.
 * A change is flagged (CELL_UP/CELL_DOWN) when it lies beyond noise: for
 * an estimate with standard errors in both periods when
 * |a - b| > z * sqrt(se_a² + se_b²); for a count without them (Poisson)
 * when |a - b| > z * sqrt(a + b).  Cells of previous rows that were
 * suppressed stay hidden, and so does every change computed from them. */
#ifndef CIVIC_RENDER_COMPARE_H
#define CIVIC_RENDER_COMPARE_H

#include <stddef.h>
#include "rtable.h"

/* Returns the number of flagged changes, or -1 with a message naming
 * prev_name when the tables cannot be matched (different keys, or a key
 * that repeats because a table holds several periods). */
long compare_tables(struct rtable *cur, const struct rtable *prev, double z);
/* compare_tables, and with each change its test: BASE_change_se (the
 * difference's SE, sqrt(se_a² + se_b²), for estimates compared by their
 * standard errors) and BASE_change_p (the two-sided normal p-value of
 * the change over its SE; Poisson counts: over sqrt(a + b)), so that
 * p < 1 - level exactly when the change is flagged. */
long compare_tables_tested(struct rtable *cur, const struct rtable *prev, double z);

/* Which rules compare_tables applies to cur against prev: COMPARE_BY_SE
 * (estimates with standard errors in both periods, the periods taken as
 * independent samples) and COMPARE_POISSON (counts without them). */
enum { COMPARE_BY_SE = 1, COMPARE_POISSON = 2 };
int compare_rules(const struct rtable *cur, const struct rtable *prev);
/* The two-sided normal critical value of a level (0.95: 1.959964). */
double compare_z(double level);

#endif
