#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "value_set.h"
#include "xalloc.h"

enum { SLOTS = 2 * VALUE_SET_MAX };

long value_set_add(struct value_set *t, double x)
{
	uint64_t b, h;

	memcpy(&b, &x, sizeof b);
	h = (b ^ (b >> 29)) * 0x9E3779B97F4A7C15u;
	for (size_t j = (size_t)(h >> 51) & (SLOTS - 1);; j = (j + 1) & (SLOTS - 1)) {
		if (t->id[j] && t->bits[j] == b)
			return (long)t->id[j] - 1;
		if (!t->id[j]) {
			if (t->n == VALUE_SET_MAX)
				return -1;
			t->bits[j] = b;
			t->value[t->n] = x;
			t->id[j] = (uint32_t)++t->n;
			return (long)t->n - 1;
		}
	}
}

int value_set_cmp(double x, double y)
{
	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	if (x != y)
		return (x > y) - (x < y);
	return (signbit(y) != 0) - (signbit(x) != 0);
}

struct indexed {
	double value;
	uint32_t index;
};

static int by_value(const void *a, const void *b)
{
	return value_set_cmp(((const struct indexed *)a)->value, ((const struct indexed *)b)->value);
}

void value_set_order(const struct value_set *t, uint32_t *order)
{
	struct indexed *v = xmalloc((t->n ? t->n : 1) * sizeof *v);

	for (size_t k = 0; k < t->n; k++)
		v[k] = (struct indexed){ t->value[k], (uint32_t)k };
	qsort(v, t->n, sizeof *v, by_value);
	for (size_t k = 0; k < t->n; k++)
		order[k] = v[k].index;
	free(v);
}
