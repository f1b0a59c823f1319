/* A union of finished groups tallied as one group: the row that
 * civic-tally --other adds for the groups --top leaves out.  Its state is
 * its members' merged, the way margins and partials merge groups, so its
 * statistics are the union's own (means, medians, distinct counts, survey
 * estimates and their SEs), not sums of rows. */
#ifndef CIVIC_AGG_UNION_H
#define CIVIC_AGG_UNION_H

#include <stddef.h>
#include <stdint.h>
#include "agg.h"

/* After agg_finish: the group of key[0..len), holding the union of
 * members[0..n) (distinct groups), with its share base (that of its
 * --within parts).  When key is a group already it must be one of the
 * members: its state is kept and the others' added.  The id, or -1 when
 * key is a group that is not a member. */
long agg_union(struct agg *a, const char *key, size_t len, const uint32_t *members, size_t n);

#endif
