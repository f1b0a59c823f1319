/* A small set of distinct doubles, told apart by their bits: counting held
 * values into buckets or runs in linear time when there are few of them
 * (days to resolve, Likert answers).  Fixed size: past DISTINCT_MAX values
 * distinct_add() says so, and the caller sorts instead. */
#ifndef CIVIC_DISTINCT_H
#define CIVIC_DISTINCT_H

#include <stddef.h>
#include <stdint.h>

enum { DISTINCT_MAX = 4096 };

struct distinct {
	uint64_t bits[2 * DISTINCT_MAX];
	uint32_t id[2 * DISTINCT_MAX];  /* 1 + index into value; 0: empty slot */
	double value[DISTINCT_MAX];
	size_t n;
};

/* The index of x, added if new; -1 when DISTINCT_MAX are there already.
 * t starts zeroed (xcalloc). */
long distinct_add(struct distinct *t, double x);
/* order[0..n) = the indices in ascending order of value. */
void distinct_order(const struct distinct *t, uint32_t *order);
/* That order: ascending, -0 before +0 and NaN last, so equal bits sort
 * together. */
int distinct_cmp(double x, double y);

#endif
