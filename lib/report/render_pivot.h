/* A --pivot table: civic-tally spreads one key into columns, naming each
 * STAT_VALUE (share_form1, share_se_form1, count_Total) when a value has
 * several columns, and VALUE alone for a lone statistic (read as a count
 * when every value is whole).  Such a table is read
 * as a block of columns per value, each column knowing its statistic and
 * value, so that it is labelled, formatted and flagged as any other table.
 * For disclosure control it is spread back into the long table it came
 * from (the pivot key a key again), which suppress.h and audit.h know. */
#ifndef CIVIC_RENDER_PIVOT_H
#define CIVIC_RENDER_PIVOT_H

#include "rtable.h"

/* Recognises a pivot table (nkeys < 0: keys found from the names) and
 * classifies its columns: sets t->nkeys, pvalues, pstats, and each
 * statistic column's pvalue, stat, kind, part and base.  Returns 1 for a
 * pivot, 0 (t untouched) otherwise. */
int pivot_classify(struct rtable *t, long nkeys);

/* The long table of pivot table t: t's keys, then a key "pivot" holding
 * the value, then one column per statistic; row r * npvalues + v is row r
 * at value v.  lng is initialised here; the caller releases it. */
void pivot_unspread(const struct rtable *t, struct rtable *lng);
/* Sets on t the cell flags lng's cells carry (hidden, …). */
void pivot_copy_flags(struct rtable *t, const struct rtable *lng);

/* The column of t holding statistic stat for pivot value v, or -1. */
long pivot_find(const struct rtable *t, long v, const char *stat);

#endif
