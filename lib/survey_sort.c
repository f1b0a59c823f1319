/* Sorting held values by y, stably: ties keep their input order, as R's
 * order() does, so cumulative weights add up in R's order to the last bit.
 *
 * Values with few distinct y (days to resolve, Likert answers: the usual
 * medians here) are counted into buckets in linear time; any others are
 * merge-sorted. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "survey_impl.h"
#include "xalloc.h"

enum { FEW_DISTINCT = 4096, SLOTS = 2 * FEW_DISTINCT };

struct buckets {
	uint64_t bits[SLOTS];       /* the y of a slot, as bits */
	uint32_t id[SLOTS];         /* 1 + its index in y[]; 0: empty */
	double y[FEW_DISTINCT];
	size_t start[FEW_DISTINCT]; /* where the bucket goes in the output */
	size_t n;
};

static uint64_t bits_of(double y)
{
	uint64_t b;

	y += 0.0;                   /* -0 and +0 compare equal: one bucket */
	memcpy(&b, &y, sizeof b);
	return b;
}

/* The bucket of y, made if new; -1 past FEW_DISTINCT. */
static long bucket_of(struct buckets *t, double y)
{
	uint64_t b = bits_of(y), h = (b ^ (b >> 29)) * 0x9E3779B97F4A7C15u;

	for (size_t j = (size_t)(h >> 51) & (SLOTS - 1);; j = (j + 1) & (SLOTS - 1)) {
		if (t->id[j] && t->bits[j] == b)
			return (long)t->id[j] - 1;
		if (!t->id[j]) {
			if (t->n == FEW_DISTINCT)
				return -1;
			t->bits[j] = b;
			t->y[t->n] = y;
			t->id[j] = (uint32_t)++t->n;
			return (long)t->n - 1;
		}
	}
}

static const double *sorting_y;

static int by_y(const void *a, const void *b)
{
	double x = sorting_y[*(const uint32_t *)a], y = sorting_y[*(const uint32_t *)b];

	return (x > y) - (x < y);
}

/* Counting sort: 0, or -1 (nothing moved) when there are too many distinct
 * y or a NaN, which has no place in an order. */
static int bucket_sort(struct svy_value *v, size_t n)
{
	struct buckets *t = xcalloc(1, sizeof *t);
	uint32_t *of = xmalloc((n ? n : 1) * sizeof *of), order[FEW_DISTINCT];
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		long k = isnan(v[i].y) ? -1 : bucket_of(t, v[i].y);
		if (k < 0)
			goto out;
		of[i] = (uint32_t)k;
	}
	for (uint32_t k = 0; k < t->n; k++)
		order[k] = k;
	sorting_y = t->y;
	qsort(order, t->n, sizeof *order, by_y);
	size_t *count = xcalloc(t->n ? t->n : 1, sizeof *count);
	for (size_t i = 0; i < n; i++)
		count[of[i]]++;
	for (size_t r = 0, at = 0; r < t->n; r++) {
		t->start[order[r]] = at;
		at += count[order[r]];
	}
	free(count);
	struct svy_value *out = xmalloc((n ? n : 1) * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[t->start[of[i]]++] = v[i];
	memcpy(v, out, n * sizeof *v);
	free(out);
	rc = 0;
out:
	free(of);
	free(t);
	return rc;
}

/* Where the ascending (non-decreasing) runs of v start; ends with n. */
static size_t find_runs(const struct svy_value *v, size_t n, size_t *start)
{
	size_t r = 0;

	for (size_t i = 0; i < n; i++)
		if (i == 0 || v[i].y < v[i - 1].y)
			start[r++] = i;
	start[r] = n;
	return r;
}

static void merge_runs(const struct svy_value *a, struct svy_value *b, size_t lo, size_t mid, size_t hi)
{
	size_t i = lo, j = mid, k = lo;

	while (i < mid && j < hi)
		b[k++] = a[j].y < a[i].y ? a[j++] : a[i++];
	while (i < mid)
		b[k++] = a[i++];
	while (j < hi)
		b[k++] = a[j++];
}

/* Stable natural merge sort by y.  Natural, because merged partials
 * arrive as a few sorted runs (svy_values_to_json sorts), which then merge
 * in linear time. */
static void merge_sort(struct svy_value *v, size_t n)
{
	size_t *start = xmalloc((n + 1) * sizeof *start);
	size_t runs = find_runs(v, n, start);
	struct svy_value *tmp = xmalloc((n ? n : 1) * sizeof *tmp), *a = v, *b = tmp;

	while (runs > 1) {
		size_t kept = 0;
		for (size_t r = 0; r < runs; r += 2) {
			size_t hi = r + 2 <= runs ? start[r + 2] : start[runs];
			size_t mid = r + 1 <= runs ? start[r + 1] : hi;
			merge_runs(a, b, start[r], mid, hi);
			start[kept++] = start[r];
		}
		start[kept] = n;
		runs = kept;
		struct svy_value *t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof *v);
	free(tmp);
	free(start);
}

void svy_values_sort(struct svy_value *v, size_t n)
{
	/* Below a few thousand values the buckets' table would cost more
	 * than the sort, and a tally of many small groups sorts each. */
	if (n < FEW_DISTINCT || bucket_sort(v, n) != 0)
		merge_sort(v, n);
}
