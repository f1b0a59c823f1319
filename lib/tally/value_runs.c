/* Counting a median's values into (value, times) runs, for partials. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "value_set.h"
#include "value_runs.h"
#include "xalloc.h"

static uint64_t bits_of(double x)
{
	uint64_t b;

	memcpy(&b, &x, sizeof b);
	return b;
}

static int by_value(const void *a, const void *b)
{
	return value_set_cmp(*(const double *)a, *(const double *)b);
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

/* Counting into a small table: 0, or -1 past VALUE_SET_MAX values. */
static int runs_by_counting(struct value_runs *r, const double *x, size_t n)
{
	struct value_set *t = xcalloc(1, sizeof *t);
	size_t times[VALUE_SET_MAX] = { 0 };
	uint32_t order[VALUE_SET_MAX];

	for (size_t i = 0; i < n; i++) {
		long k = value_set_add(t, x[i]);
		if (k < 0) {
			free(t);
			return -1;
		}
		times[k]++;
	}
	value_set_order(t, order);
	r->value = xmalloc((t->n ? t->n : 1) * sizeof *r->value);
	r->times = xmalloc((t->n ? t->n : 1) * sizeof *r->times);
	for (size_t k = 0; k < t->n; k++)
		push_run(r, t->value[order[k]], times[order[k]]);
	free(t);
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

struct run_entry {
	double value;
	size_t times;
};

static int by_entry(const void *a, const void *b)
{
	return value_set_cmp(((const struct run_entry *)a)->value, ((const struct run_entry *)b)->value);
}

void value_runs_of(struct value_runs *r, const struct dvec *d)
{
	if (!d->times) {
		value_runs_count(r, d->v, d->n);
		return;
	}
	size_t n = d->n;
	struct run_entry *e = xmalloc((n ? n : 1) * sizeof *e);
	for (size_t i = 0; i < n; i++)
		e[i] = (struct run_entry){ d->v[i], d->times[i] };
	qsort(e, n, sizeof *e, by_entry);
	memset(r, 0, sizeof(*r));
	r->value = xmalloc((n ? n : 1) * sizeof *r->value);
	r->times = xmalloc((n ? n : 1) * sizeof *r->times);
	for (size_t i = 0; i < n; i++) {
		if (r->n > 0 && bits_of(r->value[r->n - 1]) == bits_of(e[i].value))
			r->times[r->n - 1] += e[i].times;
		else
			push_run(r, e[i].value, e[i].times);
	}
	free(e);
}
