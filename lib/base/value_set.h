/* A small set of distinct doubles, told apart by their bits: counting held
 * values into buckets or runs in linear time when there are few of them
 * (days to resolve, Likert answers).  Fixed size: past VALUE_SET_MAX values
 * value_set_add() says so, and the caller sorts instead. */
#ifndef CIVIC_VALUE_SET_H
#define CIVIC_VALUE_SET_H

#include <stddef.h>
#include <stdint.h>

enum { VALUE_SET_MAX = 4096 };

struct value_set {
	uint64_t bits[2 * VALUE_SET_MAX];
	uint32_t id[2 * VALUE_SET_MAX];  /* 1 + index into value; 0: empty slot */
	double value[VALUE_SET_MAX];
	size_t n;
};

/* The index of x, added if new; -1 when VALUE_SET_MAX are there already.
 * t starts zeroed (xcalloc). */
long value_set_add(struct value_set *t, double x);
/* order[0..n) = the indices in ascending order of value. */
void value_set_order(const struct value_set *t, uint32_t *order);
/* That order: ascending, -0 before +0 and NaN last, so equal bits sort
 * together. */
int value_set_cmp(double x, double y);

#endif
