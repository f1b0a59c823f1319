/* The tally: rows grouped by key expressions, statistics per group.
 *
 * Statistics are the table stat_defs (stats.h, one entry each): count, n, share,
 * share:COND, mean:C, sum:C, min:C, max:C, sd:C, median:C, pNN:C,
 * distinct:C, missing:C, n:C, ratio:A/B.  Each statistic reads a value source (a
 * column, days(A,B), or a condition); sources are shared, so mean:x and
 * median:x parse x once per row.
 *
 * State lives in arrays indexed by group id (groups.h), allocated only for
 * what the requested statistics need: counts and exact decimal sums
 * (xsum.h) always, survey accumulators (survey.h) when intervals, design
 * effects or partials are asked for, held values for quantiles, a set of
 * (group, value) pairs for distinct.  Nothing is allocated per row.
 *
 * Life cycle: agg_init (parse the spec) → agg_bind (columns of the input
 * header) → agg_row per record → agg_finish (Total margins, share bases)
 * → agg_cell per group and statistic → agg_release.  Partials add
 * agg_merge_* (partial.h). */
#ifndef CIVIC_AGG_H
#define CIVIC_AGG_H

#include <stddef.h>
#include <stdint.h>
#include "datecache.h"
#include "groups.h"
#include "interval.h"
#include "cond.h"
#include "keyexpr.h"
#include "keyshare.h"
#include "quantile.h"
#include "reject.h"
#include "survey.h"
#include "where.h"
#include "survey_rep.h"
#include "xsum.h"

/* The options that decide what is accumulated (a partial records them). */
struct agg_spec {
	char **keys;           /* -g, then the --pivot key if not among them */
	size_t nkeys;
	char **stats;          /* -s */
	size_t nstats;
	char **within;         /* --within (each one of keys) */
	size_t nwithin;
	long pivot;            /* index into keys, or -1 */
	const char *weight, *strata, *psu, *fpc;   /* NULL when not given */
	const char *missing;   /* --missing codes (missing.h); NULL: the default */
	enum svy_lonely lonely;
	int lonely_domain;     /* --lonely-psu-domain */
	int survey;            /* keep survey accumulators (--ci, --deff, --partial) */
	int total;             /* --total */
	char **where;          /* --where: conditions a row must meet to be tallied */
	size_t nwhere;
	const char *repweights;        /* --repweights pattern (agg_rep.h), or NULL */
	struct svy_rep_spec rep;       /* … and its options */
};

enum stat_kind {
	ST_COUNT, ST_N, ST_SHARE, ST_MEAN, ST_SUM, ST_MIN, ST_MAX, ST_SD,
	ST_QUANTILE, ST_DISTINCT, ST_MISSING,
	ST_RATIO,              /* ratio:A/B (ratio.h) */
	ST_OTHER,              /* one no code outside its entry (stats.c) asks for */
};

struct stat_def;

struct statistic {
	const struct stat_def *def;
	char *spec;            /* as written: "p90:days(a,b)" */
	char *name;            /* output column: "p90_days(a,b)" */
	int src;               /* value source, or -1 */
	double p;              /* quantile probability */
};

enum src_kind { SRC_NUMBER, SRC_TEXT, SRC_COND };

enum {
	NEED_MOMENTS = 1, NEED_MINMAX = 2, NEED_VALUES = 4, NEED_DISTINCT = 8,
	NEED_ACC = 16,
};

struct moments {
	struct xsum w, wy, wy2;        /* Σw, Σw·y, Σw·y² (w = 1 unweighted) */
	uint64_t zero;                 /* rows of weight 0: not in svyvar's n */
};

struct value_source {
	enum src_kind kind;
	char *text;
	struct keyexpr kx;             /* SRC_NUMBER, SRC_TEXT */
	struct cond cond;              /* SRC_COND */
	int need;
	int ratio_role;                /* ratio:A/B's sources: 1 A, 2 B, 3 A + B; else 0 */
	/* per group: */
	uint64_t *used, *missing;      /* rows with a value / empty */
	struct moments *mom;
	double *min, *max;
	struct dvec *vals;             /* plain samples */
	struct svy_values *svals;      /* weighted or designed samples */
	struct svy_acc *acc;           /* rows with a value (y = value; 1 for COND) */
	struct svy_acc *hit_acc;       /* COND: rows where it holds */
	uint64_t *hits;
	struct xsum *hit_w;
	uint64_t *ndistinct;
	struct groups distinct;        /* keys: 4-byte group id, then the value */
};

/* One evaluated row value of a source. */
struct rowval {
	int state;                     /* 1 value, 0 missing; COND: 1 true, 0 false, 2 missing */
	struct decnum v;
	const char *text;
	size_t len;
	char buf[32];                  /* a derived key's text */
};

/* The share base of a group: the rows of its --within group (or all). */
struct base {
	uint64_t n;
	struct xsum w;
	struct svy_acc acc;
};

struct agg {
	struct agg_spec spec;
	size_t *within_idx;            /* key index of each --within key */
	struct keyexpr *keys;
	struct statistic *stats;
	size_t nstats;
	struct value_source *src;
	size_t nsrc;
	long wcol, scol, pcol, fcol;
	struct missing miss;           /* what a statistic reads as no value */
	int weighted, use_design, use_acc, has_quantile;
	int core_acc;                  /* survey sums of the group rows (count, share) */
	struct svy_design *design;
	long *repcol;                  /* --repweights columns (agg_rep.h) */
	size_t nrepcol;
	struct svy_calib *calib;       /* weights calibrated (survey_calib.h), else NULL */

	struct groups groups;
	size_t cap;                    /* per-group arrays hold this many */
	uint64_t *n;                   /* rows */
	struct xsum *w;                /* Σw (weighted runs) */
	struct svy_acc *acc;           /* y = 1 over the group's rows */
	size_t nbase;                  /* groups from data; margins follow */

	struct groups bases;           /* projected keys → base index */
	struct base *base;
	uint32_t *base_of;             /* group id → base index */

	struct cell *est_cache;        /* agg_estimate_all: cell (group × statistic) */
	unsigned char *est_done;       /* … 1 where est_cache holds it */
	size_t est_groups;             /* groups it covers */

	double level;                  /* quantile intervals: the level (0.95); 0: none */
	int normal;                    /* … with a normal quantile, not t */
	uint64_t rows;                 /* rows accepted */
	struct datecache *own_dates;   /* its own (zeroed, so untouched until used), until shared */
	struct datecache *dates;       /* the one agg_row uses: own_dates, or agg_share_dates's */
	struct sbuf kb, tmp;
	struct group_memo memo;        /* short row keys met and their groups */
	struct rowval *rv;
	long empty;                    /* a group id with no rows, for empty cells */
	struct where where;            /* spec.where, parsed */
	struct keyshare *ks;           /* agg_share_keys's, or NULL */
	size_t *key_slot;              /* … each key's slot in it */
	uint32_t *by_ids;              /* group of each tuple of key numbers (keyshare_id), or UINT32_MAX */
	size_t row_ix;                 /* this row's tuple, or SIZE_MAX: find the group by its text */
	int defer_acc;                 /* core survey sums and design rows left to agg_settle */
	int counts_only;               /* over shared keys, a row is its group's counter only */
};

/* Parses the spec (copied: the agg owns its strings).  -1 with err. */
int agg_init(struct agg *a, const struct agg_spec *spec, char *err, size_t errsize);
/* 0, or -1 with err (a key or statistic's column), or AGG_BIND_WHERE
 * (a --where condition's: a usage error, the caret in err). */
enum { AGG_BIND_WHERE = -2 };
int agg_bind(struct agg *a, const struct header *h, char *err, size_t errsize);
/* After agg_bind: sets want[c] for every column the tally reads (c < n),
 * so the reader can leave the others empty. */
void agg_mark_columns(const struct agg *a, unsigned char *want, size_t n);
void agg_release(struct agg *a);
/* Creates the survey design from the spec (agg_bind does when needed). */
void agg_make_design(struct agg *a);

/* Adds one record, unless spec.where drops it.  0, or -1 with why filled
 * (the row is then not counted anywhere: a reject). */
int agg_row_any(struct agg *a, const struct record *rec, struct reject *why);
/* The same for a counts-only tally (agg_share_keys): its group's counter. */
int agg_count_row(struct agg *a, const struct record *rec, struct reject *why);
/* agg_row_any, or agg_count_row when that is all the row needs: the many
 * counts-only tallies of a bulletin skip the general row's set-up. */
static inline int agg_row(struct agg *a, const struct record *rec, struct reject *why)
{
	return a->counts_only ? agg_count_row(a, rec, why) : agg_row_any(a, rec, why);
}
/* Parsed dates from dc rather than a's own cache: tallies fed the same
 * records on one thread (civic-bulletin's indicators) then parse each date
 * string once, and keep one 128 KB cache warm rather than one each.  dc
 * must outlive a's rows and be used by this thread only. */
void agg_share_dates(struct agg *a, struct datecache *dc);

/* Group keys read from ks (keyshare.h), after agg_bind: tallies fed the
 * same records on one thread evaluate each distinct key expression once a
 * record.  The caller calls keyshare_next before each record's agg_row; ks
 * must outlive a's rows and be used by this thread only. */
void agg_share_keys(struct agg *a, struct keyshare *ks);

/* Brings the survey sums a tally over a keyshare leaves to the end up to
 * date: a plain sample's count and share (the Wilson interval's) sums are
 * its group counts, added once rather than a row at a time.  agg_finish,
 * partial_write and the two halves' merge call it; idempotent. */
void agg_settle(struct agg *a);

/* Margins and share bases; call once after the last row or merge.  -1 when
 * the design fails (lonely PSU), with the message in err. */
int agg_finish(struct agg *a, char *err, size_t errsize);

/* ---- results --------------------------------------------------------- */

/* What one statistic of one cell says.  est is filled only for estimates
 * (count, share, mean, sum) when the agg keeps survey sums; q (its
 * Woodruff interval at a->level) for quantiles when it keeps held values
 * with their design (a->use_design). */
struct cell {
	double value;                  /* NaN: empty */
	int has_est;
	struct svy_est est;
	int has_q;
	struct svy_quantile q;
};

/* Computes every survey estimate (count, share, mean, sum with --ci or
 * --deff) of every group on two threads, for agg_cell to answer from;
 * agg_finish calls it.  Nothing when one thread is wanted, or the cells
 * are too many to keep. */
void agg_estimate_all(struct agg *a);

/* gid is a group id, or -1 for an empty cross-tab cell whose key (for the
 * share base) is key[0..len).  -1 with err when the design fails. */
int agg_cell(struct agg *a, long gid, const char *key, size_t len, size_t stat,
	struct cell *out, char *err, size_t errsize);

/* 1 when the statistic can take an interval (count, share, mean, sum). */
int stat_is_estimate(const struct statistic *s);
/* 1 for median and pNN (an interval, no design effect). */
int stat_is_quantile(const struct statistic *s);
/* 1 for share and share:COND (share intervals apply). */
int stat_is_share(const struct statistic *s);
/* 1 when an empty cross-tab cell shows 0 (counts), not an empty field. */
int stat_zero_when_empty(const struct statistic *s);
enum stat_kind stat_kind(const struct statistic *s);

/* ---- helpers for partials and output ------------------------------- */

/* Makes room for group ids below need, zeroing the new state. */
void agg_reserve(struct agg *a, size_t need);
/* The key of a group's share base: its --within parts (nothing without
 * --within), in out. */
void agg_project(const struct agg *a, const char *key, size_t len, struct sbuf *out);
/* Adds source s's state of group sg to source d's of group g (the same
 * source of one agg or of two with the same spec): all but held design
 * values and survey sums, which need their design. */
void agg_merge_source_counts(struct value_source *d, uint32_t g, const struct value_source *s, uint32_t sg);
/* Counts text as a value of source s (NEED_DISTINCT) in group g, once;
 * tmp is scratch. */
void agg_add_distinct(struct value_source *s, uint32_t g, const char *text, size_t len, struct sbuf *tmp);
/* Merges group src's state into group dst (same agg). */
void agg_merge_group(struct agg *a, uint32_t dst, uint32_t src);
/* Adds src (same spec, before agg_finish) to dst, as if src's rows had
 * followed dst's in one run: its design's new strata and PSUs, its groups
 * and their state.  -1, dst unchanged, when the result would not be that
 * run's to the last digit: a sum of either has gone inexact (a value that
 * is not an exact decimal), a stratum's fpc differs, or the tally holds
 * design values for quantiles (their Σw is a long double in input order). */
int agg_absorb(struct agg *dst, const struct agg *src);
/* 1 when agg_absorb(dst, src) will merge them, for tallies without a
 * survey design (whose merge may also refuse). */
int agg_absorbable(const struct agg *dst, const struct agg *src);

/* A value source of kind reading expr, known by text and role (ratio:A/B's
 * parts: struct value_source's ratio_role; 0 otherwise), shared with an
 * earlier statistic's when both are the same: its index, or -1 with err.
 * For a statistic's sources hook (stats.h). */
int agg_add_source(struct agg *a, enum src_kind kind, const char *text, int role,
	const char *expr, char *err, size_t errsize);

/* The statistic names, for --help and "did you mean". */
const char *stat_nearest(const char *name);

#endif
