/* Disclosure control of the tables a report publishes together
 * (civic-report's inputs, a bulletin's indicators): each table hidden at
 * its own threshold (suppress.h), each previous period shown beside one
 * hidden as it was published on its own, then every table and previous
 * period audited together (audit.h), each read at its own threshold, so
 * that what one table hides no other gives away. */
#ifndef CIVIC_TABLE_SET_H
#define CIVIC_TABLE_SET_H

#include <stddef.h>
#include "audit.h"
#include "rtable.h"
#include "suppress.h"

struct table_set_entry {
	struct rtable *table;        /* hidden in place (a pivot table through its long form) */
	struct rtable *prev;         /* its previous period, shown beside it; NULL: none */
	double k;                    /* its threshold: counts from 1 to k-1 are hidden */
	struct suppress_result supp; /* out: the rows hidden in table, the audit's included */
};

/* Hides and audits e[0 .. n) (what names the step in a message: "cannot
 * <what>: the table has no n or count column").  The tables are left as
 * far as hiding went, and e[].supp filled, even on failure.  Returns 0,
 * or -1 after a message: nothing must then be published. */
int table_set_suppress(struct table_set_entry *e, size_t n, double protection, const char *what,
	struct audit_result *res);

#endif
