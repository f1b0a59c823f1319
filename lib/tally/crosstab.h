/* Laying out a finished tally as a table: one row per group sorted by key,
 * or with --pivot one row per remaining key and one column per pivot
 * value (and statistic), Total margins last.
 *
 * Sort order per key: weekday names Monday first; numbers numerically
 * when every value is a number; dates chronologically when every value is
 * a date; otherwise byte order (code point order for UTF-8).  Empty
 * values sort after the others, Total after everything. */
#ifndef CIVIC_CROSSTAB_H
#define CIVIC_CROSSTAB_H

#include "writer.h"
#include "agg.h"
#include "interval.h"
#include "rate.h"

/* --sort, --top, --other (crosstab_rank.c). */
struct rank_opts {
	char **sort;                   /* output column names, '-' first: descending */
	size_t nsort;
	unsigned long top;             /* keep this many rows per --within group; 0: all */
	const char *other;             /* label of one row for the rest; NULL: none */
};
#include "contrast.h"
#include "tally_test.h"

struct crosstab_opts {
	int ci;                        /* add _se, _low, _high */
	enum ci_method share_method;   /* CI_NONE: the default */
	enum ci_method est_method;     /* CI_NONE: t */
	double level;
	int deff;                      /* add _deff */
	int digits;                    /* -1: shortest round-trip */
	const struct rank_opts *rank;  /* NULL: key order, every row */
	struct rates *rates;           /* NULL: no rate per population */
	const struct contrast *contrast;   /* --contrast: diff_ columns; NULL: none */
	enum tally_test test;          /* --test: its columns on every row */
};

/* Writes the header and every row.  0; -1 on a write error (reported by
 * the caller's output_close) or a design failure (printed); -2 after a
 * message when a --sort column is not in the table or an --other label is
 * taken (a usage error). */
int crosstab_write(struct agg *a, const struct crosstab_opts *o, struct writer *w);

#endif
