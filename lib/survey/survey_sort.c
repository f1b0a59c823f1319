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

#include "value_set.h"
#include "survey_impl.h"
#include "xalloc.h"

/* Counting sort: 0, or -1 (nothing moved) when there are too many distinct
 * y or a NaN, which has no place in an order. */
static int bucket_sort(struct svy_value *v, size_t n)
{
	struct value_set *t = xcalloc(1, sizeof *t);
	uint32_t *of = xmalloc((n ? n : 1) * sizeof *of), order[VALUE_SET_MAX];
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		/* + 0.0 makes -0 into +0: they compare equal, so share a bucket. */
		long k = isnan(v[i].y) ? -1 : value_set_add(t, v[i].y + 0.0);
		if (k < 0)
			goto out;
		of[i] = (uint32_t)k;
	}
	value_set_order(t, order);
	size_t *start = xcalloc(t->n ? t->n : 1, sizeof *start);   /* counts, then where each goes */
	for (size_t i = 0; i < n; i++)
		start[of[i]]++;
	for (size_t r = 0, at = 0; r < t->n; r++) {
		size_t count = start[order[r]];
		start[order[r]] = at;
		at += count;
	}
	struct svy_value *out = xmalloc((n ? n : 1) * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[start[of[i]]++] = v[i];
	memcpy(v, out, n * sizeof *v);
	free(out);
	free(start);
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
	if (n < VALUE_SET_MAX || bucket_sort(v, n) != 0)
		merge_sort(v, n);
}
