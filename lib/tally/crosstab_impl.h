/* The layout of a crosstab (crosstab.h) as its parts share it: the table
 * being built in crosstab.c, ranked (--sort, --top, --other) in
 * crosstab_rank.c.  Internal to those files. */
#ifndef CIVIC_CROSSTAB_IMPL_H
#define CIVIC_CROSSTAB_IMPL_H

#include "crosstab.h"

enum part { P_VALUE, P_N, P_SE, P_LOW, P_HIGH, P_DEFF, P_RATE, P_RATE_LOW, P_RATE_HIGH,
	P_DIFF, P_DIFF_SE, P_DIFF_LOW, P_DIFF_HIGH, P_DIFF_P };

/* A column of the rate per population: no statistic of its own. */
#define COL_RATE ((size_t)-2)

struct column {
	size_t stat;                   /* statistic index, or COL_RATE */
	enum part part;
};

enum sort_kind { SORT_TEXT, SORT_NUMBER, SORT_DATE, SORT_WEEKDAY };

struct layout {
	struct agg *a;
	const struct crosstab_opts *o;
	struct column *col;            /* statistic columns of one cell */
	size_t ncol;
	enum sort_kind *kind;          /* per key */
	double *sortval;               /* group × key */
	uint32_t *rows;                /* groups (no pivot) or row representatives */
	size_t nrows;
	uint32_t *cols;                /* pivot: column representatives */
	size_t ncols;
	struct sbuf cell_key;
	struct tally_test_result test; /* --test: figures repeated on every row */
	const char *ref;               /* --contrast: the reference value of its key */
	size_t reflen;
	struct sbuf ref_key;
};

/* Key part k of two groups in the table's key order (values, then empty,
 * then Total): <0, 0, >0. */
int compare_part(const struct layout *l, size_t k, uint32_t ga, uint32_t gb);
/* Two rows in key order (every key but the pivot). */
int layout_compare_rows(const struct layout *l, uint32_t ga, uint32_t gb);
/* The group at (row rep r, column rep c), or -1; its key left in l->cell_key. */
long cell_group(struct layout *l, uint32_t r, uint32_t c);
/* The output fields of row r (keys, then cells) into vals[0..*nv): key
 * labels in labels[] (one per key), numbers in store[].  0, or -1 after a
 * message when the design fails. */
int layout_row_values(struct layout *l, uint32_t r, struct sbuf *labels, char (*store)[64],
	const char **vals, size_t *nv);

/* Sorts l->rows by o->rank's columns (named as in h), keeps the first
 * o->rank->top of each --within group and adds the rest as one row
 * (o->rank->other).  0; -1 after a message (a design failure); -2 after a
 * message for a --sort column the table does not have. */
int crosstab_rank(struct layout *l, const struct header *h);

#endif
