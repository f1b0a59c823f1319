/* The tally's side of replicate weights (survey_rep.h): the columns that
 * --repweights names, read on every row into the design. */
#ifndef CIVIC_AGG_REP_H
#define CIVIC_AGG_REP_H

#include "agg.h"

/* Copies the spec's replicate options into a (agg_init).  -1 with err when
 * they do not fit together or with the rest of the spec. */
int agg_rep_init(struct agg *a, const struct agg_spec *spec, char *err, size_t errsize);
/* The columns whose names match the pattern, in input order; the design's
 * replicate configuration.  -1 with err when none match. */
int agg_rep_bind(struct agg *a, const struct header *h, char *err, size_t errsize);
/* Marks the replicate columns as read. */
void agg_rep_mark_columns(const struct agg *a, unsigned char *want, size_t n);
/* The row's replicate weights into the design (w its -w weight), the unit
 * completed.  -1 with why when one is not a non-negative number. */
int agg_rep_row(struct agg *a, const struct record *rec, const struct decnum *w, struct svy_unit *u,
	struct reject *why);
void agg_rep_release(struct agg *a);

#endif
