/* Disclosure control on a tally table.
 *
 * Primary suppression hides every row whose size (the n column, else
 * count) is from 1 to k-1.  Secondary suppression then makes sure no hidden
 * row can be worked out by subtraction: along each key (the rows that agree
 * on every other key form a line, whose total is published or derivable
 * from shares, or stands in the table as a civic-tally "Total" row) a line
 * never holds exactly one hidden row; where it would, the next smallest
 * row of that line is hidden too, and so on until every line is safe.
 * A hidden row has CELL_PRIMARY or CELL_SECONDARY set on all its
 * statistic cells.  This is where hiding starts: audit.h then proves, by
 * linear programming, that no hidden count can be worked out, hiding more
 * where it can. */
#ifndef CIVIC_SUPPRESS_H
#define CIVIC_SUPPRESS_H

#include <stddef.h>
#include "rtable.h"

struct suppress_result {
	size_t primary, secondary;
};

/* k <= 1 hides nothing.  A table without an n or count column cannot be
 * checked: returns -1 and hides nothing; 0 otherwise. */
int suppress_table(struct rtable *t, double k, struct suppress_result *res);

/* Hides every statistic cell of row r (flag: CELL_PRIMARY or CELL_SECONDARY). */
void suppress_hide_row(struct rtable *t, size_t r, unsigned char flag);
/* Counts the rows hidden, as suppress_table() reports them. */
void suppress_count(const struct rtable *t, struct suppress_result *res);

/* 1 when row r of t is hidden. */
int suppress_row_hidden(const struct rtable *t, size_t r);

#endif
