/* Tallying a large file on two cores.  A second thread opens the same
 * (mapped) file, moves to the first line break past the middle, and
 * tallies from there to the end into an agg of its own, while the caller
 * reads from the start.  The cut is a guess: it may fall inside a quoted
 * field.  It is right when the caller, reading sequentially, finds a
 * record starting exactly where the second thread's first record did; only
 * then are the two tallies merged.  Otherwise, or when the second half
 * holds a reject (whose line number only a sequential read knows), the
 * caller reads on and the second tally is dropped: the answer is always
 * that of one sequential read.
 *
 * The two tallies merge in memory (agg_absorb), exactly: counts, exact
 * decimal sums, held values, and survey designs and sums, the second
 * half's strata and PSUs renamed into the first's.  Where that would not
 * give one run's digits (a sum gone inexact, an fpc that differs between
 * the halves) the caller reads on too.  Not for quantiles with a design,
 * whose held values keep a long double Σw in input order.  A calibrated
 * tally (agg.calib) splits too: the second half weighs its records with a
 * twin of the fitted calibration, and its per-cell sums are exact.
 */
#ifndef CIVIC_SPLIT_HALF_H
#define CIVIC_SPLIT_HALF_H

#include <pthread.h>
#include <stdatomic.h>

#include "agg.h"
#include "reader.h"
#include "survey_calib.h"

struct split_half {
	pthread_t thread;
	struct reader *r;
	struct agg agg;                /* the second half's tally (split_half_start) */
	struct svy_calib *calib;       /* its view of the caller's calibration (svy_calib_twin) */
	struct agg *many;              /* or its tallies (split_half_start_many) */
	const unsigned char *use;      /* many[i] is tallied */
	size_t nmany;
	struct where period;           /* and the condition they all share */
	int has_period;
	struct where to_end;           /* rows the period leaves that to_end_use[i] take */
	int has_to_end;
	const unsigned char *to_end_use;
	struct keyshare keys;          /* their group keys, evaluated once a record */
	struct datecache *dates;       /* and their parsed dates */
	const char *path;
	unsigned long long cut;        /* where the second half begins */
	unsigned long long first;      /* where its first record began */
	unsigned long rows;            /* records it tallied */
	int ok;                        /* read to the end, no reject */
	atomic_int stop;
};

/* 1 when a second thread is tallying the second half of path under a's
 * spec; 0 when the caller should read everything itself.  first is the
 * caller's reader of path, its header read: path must be a named file it
 * maps, at least min_bytes long (any length with CIVIC_THREADS=2; never
 * with CIVIC_THREADS=1 or one CPU). */
int split_half_start(struct split_half *h, struct reader *first, const char *path,
	const struct reader_opts *ro, const struct agg *a, const unsigned char *want, size_t nwant,
	size_t min_bytes);
/* Waits for the second thread.  When the caller's sequential read has a
 * record starting at `seen` (>= cut) and the second half is valid for it,
 * merges the second tally into a, adds its rows to *rows and returns 1;
 * else 0.  Either way the second half is released. */
int split_half_finish(struct split_half *h, unsigned long long seen, struct agg *a, unsigned long *rows);
/* Which records the tallies of split_half_start_many see: those period (a
 * condition; NULL or "" none) keeps, and for a[i] with to_end_use[i] set
 * also those it leaves and to_end (NULL: none) keeps. */
struct split_rows {
	const char *period;
	const char *to_end;
	const unsigned char *to_end_use;
};

/* The same for several tallies fed every record, civic-bulletin's
 * indicators of one input: a[i] for every i < n with use[i] set, each
 * seeing the records rows says, as one sequential read feeds them.  A record that any of them or
 * the period rejects ends the second half (read again sequentially).  Not
 * when any has a design with quantiles or an fpc (whose merge may refuse). */
int split_half_start_many(struct split_half *h, struct reader *first, const char *path,
	const struct reader_opts *ro, const struct agg *a, const unsigned char *use, size_t n,
	const struct split_rows *rows, const unsigned char *want, size_t nwant, size_t min_bytes);
/* As split_half_finish, merging every tally or none. */
int split_half_finish_many(struct split_half *h, unsigned long long seen, struct agg *a, unsigned long *rows);
/* Stops and releases it without merging. */
void split_half_abandon(struct split_half *h);

/* For other passes split the same way (calib_half.h): path opened again
 * and placed at *cut, the first record past its middle, or NULL when the
 * caller should read everything itself (as split_half_start decides). */
struct reader *split_half_reader(struct reader *first, const char *path, const struct reader_opts *ro,
	const unsigned char *want, size_t nwant, size_t min_bytes, unsigned long long *cut);
/* CIVIC_THREADS_REPORT=1: says on standard error what became of the
 * second half (tests and the curious can tell a merge from a reread). */
void split_half_report(const char *path, const char *what);

#endif
