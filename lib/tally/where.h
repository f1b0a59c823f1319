/* Row filters: conditions (cond.h) that must all hold for a row to be
 * kept, as civic-tally --where and civic-filter apply them while reading.
 *
 * A condition that is false or missing (a test on an empty field) drops
 * the row; one that cannot be evaluated (not a number, not a date where
 * one is needed) rejects it.  Only empty and blank fields are missing
 * here: a filter selects rows, so dk or refused is a value like another.
 *
 * Memory: where_init copies the texts; where_release frees everything. */
#ifndef CIVIC_WHERE_H
#define CIVIC_WHERE_H

#include <stddef.h>
#include "cond.h"

struct where {
	struct cond *conds;
	size_t n;
};

/* 0, or -1 with err filled (cond_parse's message, caret included). */
int where_init(struct where *w, char *const *texts, size_t n, char *err, size_t errsize);
int where_bind(struct where *w, const struct header *h, char *err, size_t errsize);
void where_mark_columns(const struct where *w, unsigned char *want, size_t n);
/* 1 keep, 0 drop, -1 reject (why filled).  Every condition is evaluated. */
int where_keep(struct where *w, const struct record *rec, struct datecache *dc, struct reject *why);
/* A period's rows, and when up_to_end is given also those the period
 * leaves that it keeps (civic-bulletin's "rows": "to-period-end"): as
 * where_keep, with *before 1 for a row kept only by up_to_end. */
int where_keep_period(struct where *period, struct where *up_to_end, const struct record *rec,
	struct datecache *dc, struct reject *why, int *before);
void where_release(struct where *w);

#endif
