/* The disclosure audit's model (audit_model.c), shared with its checks
 * (audit.c): every count of a report as a cell, and what a reader knows
 * of them as linear constraints.  Private to the audit. */
#ifndef CIVIC_AUDIT_IMPL_H
#define CIVIC_AUDIT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include "audit.h"

enum { SHOWN, PRIMARY, SECONDARY };

#define NONE SIZE_MAX

struct cell {
	size_t table, row;
	double v;                    /* the true count */
	unsigned char state, frozen, keep;   /* keep: a margin that shares would reveal */
};

struct cells_list {
	size_t *v, n, cap;
};

/* Constraint c is lo[c] <= sum of coef * cell over terms start[c] ..
 * start[c + 1] <= hi[c]; every constraint holds at the true counts. */
struct universe {
	const struct audit_opts *o;
	struct audit_table *tabs;
	size_t ntabs;
	struct cell *cell;
	size_t ncell, cellcap;
	size_t **cell_of;            /* [table][row]: the cell, NONE without a count */
	size_t *start, ncons, conscap;
	double *lo, *hi;
	size_t *term, nterm, termcap;
	double *coef;
	size_t *astart, *adj;        /* cell -> the constraints it is in */
	double *acoef;               /* … with its coefficient there */
	double *tsum;                /* [constraint]: its sum at the true counts */
	struct cells_list *hid;      /* [constraint]: its hidden cells */
};

/* Fills u (o, tabs and ntabs set, the rest zero) from the tables;
 * audit_model_release() frees it. */
void audit_model_build(struct universe *u);
void audit_model_release(struct universe *u);
/* Records that cell c is now hidden, in its constraints' lists. */
void audit_model_hide(struct universe *u, size_t c);
/* The threshold of table ti: its own, else the audit's. */
double audit_table_k(const struct universe *u, size_t ti);

#endif
