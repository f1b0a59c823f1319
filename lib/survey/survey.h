/* Design-based estimation for complex survey samples, as R's survey 4.1.1
 * computes it (Taylor linearisation, with-replacement PSUs, domain method).
 *
 * Three layers, all streaming and mergeable:
 *
 *   struct svy_design  the design registry.  Every accepted input row is
 *                      registered once (svy_design_row), over the FULL
 *                      sample, before any statistic sees it: it counts
 *                      n_h, the PSUs per stratum, and maps each row to a
 *                      struct svy_unit of small integers.
 *   struct svy_acc     the sums of one estimate's domain (a group cell for
 *                      one statistic variable): per PSU (cluster designs)
 *                      or per stratum (row-PSU designs) totals of w and w*y,
 *                      plus the totals deff needs.  PSU sums are sparse:
 *                      only the PSUs the domain has rows in take memory
 *                      (struct svy_psu_sums, 24 bytes; when PSUs come back
 *                      out of order, also an index of 4-byte slots at most
 *                      half full).  svy_acc_add is a few additions (rows
 *                      of one PSU usually come together, so the previous
 *                      row's cell is tried first); accumulators of
 *                      disjoint cells add up
 *                      (svy_acc_merge) to the accumulator of their union,
 *                      which is how a --within base, a Total row and a
 *                      merged --partial are formed.
 *   struct svy_values  the (y, w, unit) triples a quantile needs, with how
 *                      many times each came (a run from a partial stays
 *                      one entry): 32 bytes per entry held, plus up to 32
 *                      more while sorting.
 *
 * Estimators (svy_mean, svy_total, svy_ratio, svy_quantile) fill a
 * struct svy_est; interval.h turns it into a confidence interval.
 *
 * Sums are exact decimal sums while the data are exact decimals (and long
 * double, as R accumulates, once they are not); results are doubles.
 *
 * A typical run:
 *
 *	struct svy_design *d = svy_design_new(&opts);
 *	for each row:
 *		if (svy_design_row(d, stratum, slen, psu, plen, fpc, &u) < 0)
 *			reject the row with svy_design_error(d);
 *		for each estimate e the row belongs to, with y not missing:
 *			svy_acc_add(&e->acc, d, u, &w, &y);     (struct decnum, numscan.h)
 *	at the end, for each estimate:
 *		if (svy_mean(d, &e->acc, &est) < 0) fail with svy_design_error(d);
 *		interval_for(CI_T, &est, 0.95, &ci);
 *
 * Memory ownership: the design owns its strings and tables; an
 * accumulator owns its arrays (svy_acc_release frees them); struct svy_est
 * owns nothing. */
#ifndef CIVIC_SURVEY_H
#define CIVIC_SURVEY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "numscan.h"
#include "xsum.h"

/* What a stratum with a single PSU does to the variance (R's
 * options(survey.lonely.psu=)). */
enum svy_lonely {
	SVY_LONELY_FAIL,       /* error naming the stratum (R's default) */
	SVY_LONELY_REMOVE,     /* the stratum contributes 0 */
	SVY_LONELY_CERTAINTY,  /* the stratum contributes 0 (one-stage designs) */
	SVY_LONELY_ADJUST,     /* the PSU total is centred at 0, not its mean */
	SVY_LONELY_AVERAGE,    /* dropped; V scaled by strata present / strata kept */
};
/* "fail", "remove", … → 0 and *out; unknown name → -1. */
int svy_lonely_parse(const char *name, enum svy_lonely *out);
/* The name svy_lonely_parse() reads for a policy. */
const char *svy_lonely_name(enum svy_lonely policy);

struct svy_design_opts {
	int has_weights;       /* -w given (otherwise every w is 1) */
	int has_strata;        /* --strata: otherwise a single stratum */
	int has_psu;           /* --psu: otherwise each row is its own PSU */
	int has_fpc;           /* --fpc: N_h PSUs per stratum, or a fraction <= 1 */
	enum svy_lonely lonely;
	/* R's options(survey.adjust.domain.lonely = TRUE): a domain with one
	 * PSU in a stratum that has more has that PSU treated as lonely by
	 * "adjust" (not centred) and "average" (the stratum left out and V
	 * scaled); the other policies are unchanged. */
	int lonely_domain;
};

/* Where a row sits in the design.  With --psu, psu indexes the design's
 * PSU table (a PSU is the pair (stratum, psu id): nest semantics); without
 * it, psu is SVY_ROW_PSU and the row is a PSU of its own. */
struct svy_unit {
	uint32_t stratum;
	uint32_t psu;
};
#define SVY_ROW_PSU UINT32_MAX

struct svy_design;
struct svy_calib_sums;

struct svy_design *svy_design_new(const struct svy_design_opts *opts);
void svy_design_free(struct svy_design *d);

/* Registers one row of the full sample.  stratum/psu are the field bytes
 * (need not be NUL-terminated; ignored when the option is off); fpc is the
 * row's --fpc value (ignored without --fpc).  Returns 0 and fills *u, or
 * -1 with svy_design_error() set: empty stratum or PSU id, an fpc that is
 * not positive, an fpc that differs within a stratum.  A rejected row is
 * not counted. */
int svy_design_row(struct svy_design *d, const char *stratum, size_t slen,
	const char *psu, size_t plen, double fpc, struct svy_unit *u);

/* The last error's text, e.g. "stratum 'Central-rural' has only one PSU". */
const char *svy_design_error(const struct svy_design *d);

/* 1 when the run is a plain sample: no weights, strata, PSUs or fpc.
 * Shares then get binomial intervals (Wilson, Clopper-Pearson, Wald). */
int svy_design_simple(const struct svy_design *d);

/* Registers n rows of a plain sample (svy_design_simple) at once, as n
 * svy_design_row calls do. */
void svy_design_rows(struct svy_design *d, uint64_t n);

size_t svy_design_nstrata(const struct svy_design *d);
size_t svy_design_npsu(const struct svy_design *d);   /* rows when each row is a PSU */
/* df of the whole design: PSUs - strata (a replicate design: degf). */
double svy_design_df(const struct svy_design *d);
/* Checks every stratum of the whole sample for a lonely PSU under
 * SVY_LONELY_FAIL (a census stratum, f = 1, has no variance to estimate
 * and is never lonely, as in R); 0, or -1 with the error naming the
 * stratum.  The tally
 * calls it once at the end so the error does not depend on the groups. */
int svy_design_check_lonely(const struct svy_design *d);

/* ---- accumulators ---------------------------------------------------- */

/* Per stratum (row-PSU designs): everything is a sum over the rows. */
struct svy_stratum_sums {
	struct xsum w, wy;           /* Σw, Σwy */
	struct xsum w2, w2y, w2y2;   /* Σw², Σw²y, Σw²y² */
	uint64_t n;                  /* rows */
	uint64_t n_pos;              /* rows with w != 0 (degrees of freedom) */
};

/* Per PSU (cluster designs): one for each PSU the domain has rows in.
 * Its sums are m / 10^scale, the scale the accumulator's (cell_scale),
 * or, once the accumulator's cells are wide (a sum beyond 64 bits), sums
 * of their own (xsum.h, NULL for 0) that the accumulator owns. */
union svy_cell_num {
	int64_t m;
	struct xsum *x;
};
struct svy_psu_sums {
	union svy_cell_num w, wy;    /* Σw, Σwy over the PSU's rows in the domain */
	uint32_t psu;                /* the design's PSU index */
	uint32_t n;                  /* rows, up to 2^32 - 1 (only n > 0 matters) */
};

/* Fields are private to survey*.c; the struct is public so that callers
 * can embed it.  Zeroed memory is a valid empty accumulator.  The sums
 * are exact decimal sums (xsum.h) while the weights and values are exact
 * decimals, so accumulators added in any order, or merged, hold the same
 * figures as one run. */
struct svy_acc {
	struct xsum w, wy, wy2, w2;  /* domain totals: Σw, Σwy, Σwy², Σw² */
	uint64_t n;                  /* rows */
	uint64_t n_pos;              /* rows with w != 0 */
	uint64_t n01;                /* rows with y 0 or 1: a proportion when == n */
	void *cells;                 /* svy_stratum_sums[] by stratum index, or
	                              * svy_psu_sums[] in order of first row */
	size_t ncells;               /* strata: allocated (and zeroed); PSUs: used */
	size_t cap;                  /* PSUs: allocated */
	uint32_t *slot;              /* PSUs met out of order: open addressing,
	                              * cell + 1 (0 empty); NULL while sorted */
	uint32_t last;               /* PSUs: the previous row's cell */
	uint32_t max;                /* PSUs: the highest index in cells */
	unsigned char bits;          /* PSUs: 2^bits slots */
	unsigned char cell_wide;     /* PSUs: the cells hold xsums */
	int16_t cell_scale[2];       /* PSUs: the scale of the cells' Σw, Σwy */
	int kind;                    /* 0 empty, 1 stratum sums, 2 PSU sums */
	struct xsum *rep;            /* replicate designs: Σa_r, then Σa_r·y
	                              * (survey_rep.h); NULL while empty */
	double *rep_sketch;          /* … and the rank sketch of their a_r */
	size_t nrep;
	struct svy_calib_sums *cal;  /* per calibration cell (survey_calib.h), NULL uncalibrated */
};

void svy_acc_init(struct svy_acc *a);
void svy_acc_release(struct svy_acc *a);
/* Adds one row (w its weight, y its value; 1 for counts and shares). */
void svy_acc_add(struct svy_acc *a, const struct svy_design *d,
	struct svy_unit u, const struct decnum *w, const struct decnum *y);
/* Adds n rows of weight 1 and y 1 of a plain sample (svy_design_simple,
 * no replicates or calibration) in one step: the state n svy_acc_add
 * calls leave, every sum exactly n. */
void svy_acc_add_ones(struct svy_acc *a, uint64_t n);
/* dst += src (disjoint sets of rows of the same design). */
void svy_acc_merge(struct svy_acc *dst, const struct svy_acc *src);
/* dst += src, src's PSU indices mapped through psu_map (another design's
 * accumulator, psu_map from svy_design_absorb).  NULL: the same design. */
void svy_acc_merge_mapped(struct svy_acc *dst, const struct svy_acc *src, const uint32_t *psu_map,
	const uint32_t *stratum_map);
/* 1 while every sum is exact: only then does a merge equal one run. */
int svy_acc_exact(const struct svy_acc *a);

/* ---- estimates ------------------------------------------------------- */

struct svy_est {
	double est;            /* the estimate */
	double se, var;        /* sqrt(V), V */
	double df;             /* PSUs - strata over the domain's rows of weight
	                        * other than 0 (R's degf) */
	double n;              /* rows used (the base's rows for a ratio) */
	double x;              /* rows in the numerator (ratios/shares) */
	double sum_w;          /* Σw over the domain (the base for a ratio) */
	double deff;           /* V / V_srs (without-replacement SRS); Inf/NaN as R */
	double deff_replace;   /* V / V_srs with replacement */
	double n_eff_kish;     /* (Σw)²/Σw² of the base: for shares at 0 or 1 */
	int simple;            /* plain sample (svy_design_simple) */
	int proportion;        /* a share or a 0/1 mean: share intervals apply */
};

/* Each returns 0, or -1 with svy_design_error(d) set (lonely PSU under
 * "fail").  An empty domain gives est = NaN, se = NaN, n = 0, return 0. */
int svy_mean(const struct svy_design *d, const struct svy_acc *a, struct svy_est *e);
int svy_total(const struct svy_design *d, const struct svy_acc *a, struct svy_est *e);
/* Weighted count of cell's rows (added with y = 1), a subset of base's:
 * svytotal of the indicator "row in cell" over base's domain, R's
 * svytotal(~factor).  The variance is the cell's total's; df and the
 * design effect are base's (the indicator's s² over base). */
int svy_count(const struct svy_design *d, const struct svy_acc *cell,
	const struct svy_acc *base, struct svy_est *e);
/* Share of num's rows within den's: Σw_num / Σw_den, the mean of the
 * indicator "row in num" over den's domain.  num's rows must be a subset
 * of den's, and num added with y = 1 (den's y is not used). */
int svy_ratio(const struct svy_design *d, const struct svy_acc *num,
	const struct svy_acc *den, struct svy_est *e);

/* ---- quantiles ------------------------------------------------------- */

struct svy_value {
	double y, w;
	struct svy_unit u;
	uint64_t k;            /* times: 1 from a row, the run's length from a partial */
};

struct svy_values {
	struct svy_value *v;
	size_t n, cap;         /* entries */
	uint64_t count;        /* values: Σk */
	long double sum_w;     /* Σw in input order, as R's sum(w) */
};

void svy_values_init(struct svy_values *s);
void svy_values_release(struct svy_values *s);
void svy_values_add(struct svy_values *s, struct svy_unit u, double w, double y);
/* k copies of (y, w, u) as one entry, sum_w left alone (a partial carries
 * its own): memory does not grow with k. */
void svy_values_add_run(struct svy_values *s, struct svy_unit u, double w, double y, uint64_t k);
void svy_values_merge(struct svy_values *dst, const struct svy_values *src);
/* Sorts by y, ties in input order (R's order()); quantiles sort so anyway. */
void svy_values_sort(struct svy_value *v, size_t n);

/* The p-quantile (0 <= p <= 1) with a Woodruff interval at level: F̂, the
 * estimated share of values <= q, gets F̂ ± t·SE(F̂) (t with the values'
 * df, or the normal quantile when normal is set, R's df = Inf), and each
 * limit is mapped back through the rule that gives q; se = (hi - lo)/(2t).
 *   Plain samples (svy_design_simple): R's quantile(type = 7), which is
 *     svyquantile(qrule = "hf7") of the equal-weight design svydesign(ids
 *     = ~1): limits by linear interpolation, clamped to the smallest and
 *     largest value (where R's svyquantile gives NaN: civic's choice).
 *   Otherwise svyquantile(qrule = "math"): the inverse of the weighted CDF
 *     (a limit is NaN when F̂ ± t·SE leaves [0,1], as R).
 * Sorts s in place (stable); -1 with svy_design_error(d) set as svy_mean. */
struct svy_quantile {
	double q, lo, hi, se, df, n;
};
/* level 0: the quantile alone, lo, hi and se left NaN (the interval is
 * most of the cost). */
int svy_quantile(const struct svy_design *d, struct svy_values *s, double p,
	double level, int normal, struct svy_quantile *out);

/* ---- partials (--partial / --merge) --------------------------------- */

/* The design as JSON: options, strata names and fpc, PSU ids or rows per
 * stratum.  New reference; NULL never (out of memory exits). */
json_t *svy_design_to_json(const struct svy_design *d);

/* How the indices of a partial's design map onto the merged design. */
struct svy_map {
	uint32_t *stratum, *psu;
	size_t nstrata, npsu;
};
void svy_map_release(struct svy_map *m);

/* Adds the partial's design (from svy_design_to_json) to d: strata and
 * PSUs are united, rows per stratum added.  Fills *m for the partial's
 * accumulators.  -1 with svy_design_error() when the designs disagree
 * (other options, fpc differs, malformed). */
int svy_design_merge_json(struct svy_design *d, const json_t *j, struct svy_map *m);

/* Adds the design of another tally over the same options (the rest of
 * the same input, read by another thread) to d: strata and PSUs new to d
 * are appended in src's order, which is the order one run over d's rows
 * and then src's would have met them.  Fills *m for src's accumulators.
 * -1, d unchanged, when a stratum has another fpc in src than in d: one
 * run would have rejected the rows that brought it. */
int svy_design_absorb(struct svy_design *d, const struct svy_design *src, struct svy_map *m);

/* Accumulator and values as JSON (long doubles exactly, as [hi, lo]
 * double pairs when one double is not enough). */
json_t *svy_acc_to_json(const struct svy_acc *a);
/* The values sorted (svy_values_sort) and run-length coded: a run of k > 1
 * identical (y, w, stratum, PSU) is one entry with k last (a replicate
 * design's values carry their replicate weights instead of a unit:
 * svy_rep_value_json).  Sorting first
 * keeps a merge of partials equal to one run, ties and all; it leaves s
 * sorted. */
json_t *svy_values_to_json(const struct svy_design *d, struct svy_values *s);
/* a += the partial's accumulator / values, indices mapped by m.  -1 when
 * malformed (svy_design_error(d) says why). */
int svy_acc_merge_json(struct svy_acc *a, struct svy_design *d,
	const json_t *j, const struct svy_map *m);
/* For values, exactly `count` of them (the rows the partial says it used):
 * a damaged run length is an error, not a runaway. */
int svy_values_merge_json(struct svy_values *s, struct svy_design *d,
	const json_t *j, const struct svy_map *m, uint64_t count);

#endif
