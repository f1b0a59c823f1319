/* Counting a median's values into (value, times) runs, for partials. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quantile.h"
#include "xalloc.h"

enum { FEW_DISTINCT = 4096, SLOTS = 2 * FEW_DISTINCT };

static uint64_t bits_of(double x)
{
	uint64_t b;

	memcpy(&b, &x, sizeof b);
	return b;
}

/* Ascending; -0 before +0 and NaN last, so equal bits sort together. */
static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	if (x != y)
		return (x > y) - (x < y);
	return (signbit(y) != 0) - (signbit(x) != 0);
}

static const double *sorting;

static int by_index(const void *a, const void *b)
{
	return by_value(&sorting[*(const uint32_t *)a], &sorting[*(const uint32_t *)b]);
}

static void push_run(struct value_runs *r, double value, size_t times)
{
	r->value[r->n] = value;
	r->times[r->n++] = times;
}

/* Sorting a copy: for many distinct values. */
static void runs_by_sorting(struct value_runs *r, const double *x, size_t n)
{
	double *c = xmalloc((n ? n : 1) * sizeof *c);

	memcpy(c, x, n * sizeof *c);
	qsort(c, n, sizeof *c, by_value);
	r->value = xmalloc((n ? n : 1) * sizeof *r->value);
	r->times = xmalloc((n ? n : 1) * sizeof *r->times);
	for (size_t i = 0, k; i < n; i += k) {
		for (k = 1; i + k < n && bits_of(c[i + k]) == bits_of(c[i]); k++)
			;
		push_run(r, c[i], k);
	}
	free(c);
}

struct tally_table {
	uint64_t bits[SLOTS];
	uint32_t id[SLOTS];          /* 1 + index into value/times; 0: empty */
};

/* Counting in a small hash table: 0, or -1 past FEW_DISTINCT values. */
static int runs_by_counting(struct value_runs *r, const double *x, size_t n)
{
	struct tally_table *t = xcalloc(1, sizeof *t);
	double value[FEW_DISTINCT];
	size_t times[FEW_DISTINCT], d = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t b = bits_of(x[i]), h = (b ^ (b >> 29)) * 0x9E3779B97F4A7C15u;
		size_t j = (size_t)(h >> 51) & (SLOTS - 1);
		while (t->id[j] && t->bits[j] != b)
			j = (j + 1) & (SLOTS - 1);
		if (!t->id[j]) {
			if (d == FEW_DISTINCT) {
				free(t);
				return -1;
			}
			t->bits[j] = b;
			value[d] = x[i];
			times[d] = 0;
			t->id[j] = (uint32_t)++d;
		}
		times[t->id[j] - 1]++;
	}
	free(t);
	/* The distinct values sorted, carrying their counts along. */
	uint32_t *order = xmalloc((d ? d : 1) * sizeof *order);
	for (uint32_t k = 0; k < d; k++)
		order[k] = k;
	sorting = value;
	qsort(order, d, sizeof *order, by_index);
	r->value = xmalloc((d ? d : 1) * sizeof *r->value);
	r->times = xmalloc((d ? d : 1) * sizeof *r->times);
	for (size_t k = 0; k < d; k++)
		push_run(r, value[order[k]], times[order[k]]);
	free(order);
	return 0;
}

void value_runs_count(struct value_runs *r, const double *x, size_t n)
{
	memset(r, 0, sizeof(*r));
	if (runs_by_counting(r, x, n) != 0)
		runs_by_sorting(r, x, n);
}

void value_runs_release(struct value_runs *r)
{
	free(r->value);
	free(r->times);
	memset(r, 0, sizeof(*r));
}
