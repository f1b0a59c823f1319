/* civic-tally --contrast KEY[=REF]: each group's estimate minus the one of
 * the group that differs from it only in KEY, where KEY reads REF (or the
 * first value of KEY in the table's order), with the SE of the difference
 * from the joint linearisation (survey_contrast.h), a t interval with the
 * whole design's degrees of freedom and a two-sided p-value.
 *
 * Life cycle: contrast_init (after agg_init, whose keys and statistics it
 * checks) → contrast_value per cell → contrast_release.  A contrast
 * owns its copy of REF. */
#ifndef CIVIC_CONTRAST_H
#define CIVIC_CONTRAST_H

#include "agg.h"
#include "sbuf.h"

struct contrast {
	size_t key;            /* index of KEY among the tally's keys */
	char *ref;             /* REF, or NULL: the first value in table order */
};

/* Parses "KEY" or "KEY=REF".  KEY must be a key (-g) other than the
 * --pivot key, and a count share (-s share) needs KEY among --within, so
 * that the compared groups are disjoint.  -1 with err. */
int contrast_init(struct contrast *c, const char *arg, const struct agg *a, char *err, size_t errsize);
void contrast_release(struct contrast *c);

/* The group g is compared with: g's key with KEY's part made ref (len
 * bytes); -1 when no row had that key, or when g's KEY part is Total.
 * tmp is scratch space. */
long contrast_ref_group(const struct agg *a, const struct contrast *c, uint32_t g,
	const char *ref, size_t len, struct sbuf *tmp);

struct svy_lin;
/* The linearisation of statistic st in group g (survey_contrast.h); 0
 * when it has none (a statistic that is not an estimate). */
int contrast_lin(const struct agg *a, uint32_t g, const struct statistic *st, struct svy_lin *l);

struct contrast_val {
	double diff, se, low, high, p;  /* NaN: no difference (g is the reference) */
};

/* The difference of statistic stat (an estimate: count, share, mean, sum)
 * between groups g and ref, at level (normal: the normal quantile for the
 * interval and p, as --ci normal; else t with the design's df).  0, or -1
 * with err (a lonely PSU under "fail"). */
int contrast_value(struct agg *a, uint32_t g, long ref, size_t stat, double level, int normal,
	struct contrast_val *out, char *err, size_t errsize);

#endif
