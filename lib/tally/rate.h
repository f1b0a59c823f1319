/* Rates per population (civic-tally --per N --population FILE[:COLUMN]):
 * a group's rows per N people, with an exact Poisson (Garwood) interval.
 *
 * FILE is a CSV (or NDJSON) table whose key columns are those of its
 * columns named as -g keys, and whose COLUMN (default "population") holds
 * the denominator.  A cell's population is that of its key; a margin's
 * (Total) the sum over the population keys that groups of records have and
 * that agree with the margin's other parts (a region counts once in a
 * Total over channels, and a Total over regions is every region's with
 * records, whether or not this column has any); an --other row's the sum
 * over the population keys of the cells it joins, each once.  Registry
 * counts only: rows, not weights.
 *
 * Life cycle: rates_load (after agg_init: the keys are known) →
 * rates_bind (after agg_finish: every group's population) →
 * rates_union_add per --other cell → rates_population / rates_value →
 * rates_free.  The rates own everything they hold. */
#ifndef CIVIC_RATE_H
#define CIVIC_RATE_H

#include <stddef.h>
#include <stdint.h>

struct agg;
struct rates;

/* spec is FILE or FILE:COLUMN.  NULL after printing a message naming the
 * file (unreadable, no such column, no key column, a duplicate key, a
 * population that is not a positive number). */
struct rates *rates_load(const char *spec, unsigned long per, const struct agg *a);
void rates_free(struct rates *r);

/* The column name: "rate_per_N". */
const char *rates_name(const struct rates *r);

/* Checks that every group of records has a population and notes which
 * keys they have.  -1 after a message naming the key and the file when
 * one has none. */
int rates_bind(struct rates *r, const struct agg *a);
/* The row --other adds, whose cell has key[0..len), covers the cell
 * cell[0..clen) (a group or not): that cell's population keys count in
 * its population, each once. */
void rates_union_add(struct rates *r, const char *key, size_t len, const char *cell, size_t clen);

/* The population of group gid, or for gid < 0 (an empty cross-tab cell)
 * of the cell key[0..len); an --other row's as rates_union_add gave it.
 * NaN when there is none. */
double rates_population(struct rates *r, const struct agg *a, long gid,
	const char *key, size_t len);

struct rate_value {
	double rate, low, high;        /* per N; NaN without a population */
};

/* n events over pop people: n·N/pop, and the exact Poisson interval at
 * level (Garwood: qgamma((1−level)/2, n) and qgamma((1+level)/2, n+1),
 * times N/pop; the lower limit 0 when n is 0), as R's poisson.test. */
void rates_value(const struct rates *r, uint64_t n, double pop, double level, struct rate_value *out);

#endif
