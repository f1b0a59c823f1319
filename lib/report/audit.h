/* The disclosure audit: after suppress_table() has chosen what to hide,
 * every count hidden as below k is attacked the way a reader could, by
 * linear programming over everything a report publishes together, and
 * more cells are hidden until none can be narrowed below its protection
 * interval.
 *
 * What a reader is taken to know (the constraints):
 *   - every shown count, and that a count is never negative;
 *   - for a count shown as "<k", that it lies from 1 to k-1;
 *   - each Total margin is the sum of the rows it covers;
 *   - each line of a table (rows agreeing on every key but one), and the
 *     whole table, adds up to a known total where a shown count of at least
 *     k and its share give that total away (count / share);
 *   - across tables of one run (the inputs and the --compare tables): a
 *     table whose keys are among another's, for a period containing the
 *     other's periods (a quarter over months, a year over quarters, or the
 *     same period), is that table's sum over the other keys; equal when
 *     the published values add up exactly, at least the sum when the finer
 *     periods are only some of the coarser one's.
 * Tables of one audit may have different thresholds (audit_table.k): a
 * count shown as "<k" is read with its own table's k, and a cell shown in
 * one table that gives away a count hidden in another is hidden too.
 * Protection interval (sliding, as tau-ARGUS calls it): a reader must not
 * be able to narrow a count hidden as "<k" to a range less than p wide
 * (default 1: never to one value), or, where its label itself leaves less
 * room than that, to less than 1 to k-1.
 *
 * Each hidden count is checked on a neighbourhood of the hidden cells
 * linked to it, every other hidden cell held at its true value: that only
 * tells the reader more, so a neighbourhood that proves the interval
 * proves it for the whole report.  GLPK's simplex solves each LP. */
#ifndef CIVIC_AUDIT_H
#define CIVIC_AUDIT_H

#include <stddef.h>
#include "rtable.h"

struct audit_table {
	struct rtable *t;
	int frozen;                  /* published before (a --compare table): never hidden more */
	double k;                    /* its own threshold; 0: the audit's k */
};

struct audit_opts {
	double k;                    /* --suppress: each table's threshold unless it has its own */
	double protection;           /* p above; <= 0: 1 */
};

struct audit_result {
	size_t tables;               /* tables audited together */
	size_t checked;              /* hidden counts proved protected */
	size_t added;                /* cells the audit hid */
	size_t lps;                  /* linear programs solved */
	double min_width;            /* the narrowest range found for a hidden count */
};

/* Audits the tables (each already through suppress_table()), hiding
 * further rows of tables not frozen with CELL_SECONDARY.  Returns 0, or -1
 * after a message when some count cannot be protected within the audit's
 * limits (nothing must then be published). */
int audit_tables(struct audit_table *tabs, size_t n, const struct audit_opts *o, struct audit_result *res);

#endif
