/* Replicate-weight variance, as R's survey 4.1.1 svrepdesign() computes it.
 *
 * Each row carries R replicate weights (columns of the input, given by a
 * pattern).  Every estimate θ is formed again with each replicate's
 * analysis weights a_r — the columns themselves (combined.weights = TRUE,
 * R's default) or the columns times -w (combined.weights = FALSE) — and
 *
 *	V = scale · Σ_r rscales_r · (θ_r - θ̄)²
 *
 * with θ̄ the mean of the θ_r whose rscale is positive, or θ itself under
 * --mse.  The point estimate uses -w.  A replicate whose θ_r is NaN (a
 * domain none of whose rows the replicate keeps) is dropped with its
 * rscale, as svrVar's na.omit does.
 *
 * Streaming: an accumulator (survey.h) of a replicate design keeps, beside
 * its totals, the exact decimal sums Σa_r and Σa_r·y for every replicate
 * (2R sums: linear in R per row, nothing per row kept), and accumulators
 * still add up, in any order, to the same digits (the sketch is of
 * doubles, but only its rank is read).  Quantiles are the
 * exception: their Woodruff interval needs F̂_r at the estimated quantile,
 * so a run that asks for one holds each row's R replicate weights.
 *
 * Ratios, differences and tests take the replicates of each estimate
 * (svy_rep_thetas) and their svrVar (svy_rep_var_of, svy_rep_cov) from
 * the same sums: a difference's replicates are the differences of its
 * estimates', a test's V is the covariance of the cell shares'.
 *
 * Degrees of freedom: R's degf() of the design restricted to an
 * estimate's rows (svyby's subsets) is the rank of their n × R matrix of
 * analysis weights (qr, tolerance 1e-5) minus 1.  Each accumulator keeps,
 * instead of the matrix, a sparse sketch of it: 2R rows, each input row
 * added with signs to four of them, chosen by a hash of the row's
 * weights (2R² doubles).  The sketch has the matrix's rank except with
 * vanishing probability; its rank is found by R's own pivoting rule
 * (LINPACK dqrdc2).  Sketches add up as the sums do.  The design keeps
 * one of every row it registers, for degf(design) (differences, tests).
 *
 * Memory ownership: the design owns its struct svy_rep (svy_design_free
 * frees it); an accumulator owns its replicate sums (svy_acc_release). */
#ifndef CIVIC_SURVEY_REP_H
#define CIVIC_SURVEY_REP_H

#include <stddef.h>
#include <jansson.h>

#include "numscan.h"
#include "survey.h"

/* The most replicate columns a design takes: a group's rank sketch holds
 * 2R² doubles (100 KB at R = 80, 16 MB at 1000). */
enum { SVY_REP_MAX = 1000 };

enum svy_rep_type {
	SVY_REP_JK1, SVY_REP_JKN, SVY_REP_BRR, SVY_REP_FAY, SVY_REP_BOOTSTRAP, SVY_REP_SDR,
};

/* The options as given (strings, NULL when absent), as a partial records
 * them. */
struct svy_rep_spec {
	const char *type, *rho, *scale, *rscales;
	int mse;               /* --mse: deviations from θ, not from θ̄ */
	int factors;           /* --rep-factors: columns multiply -w */
};

struct svy_rep;

/* Checks the options and, for R columns, makes the configuration: scale
 * and rscales as svrepdesign's defaults for the type (JK1 (R-1)/R,
 * bootstrap 1/(R-1), BRR 1/R, Fay 1/(R(1-ρ)²), successive-difference
 * 4/R; JKn needs --rscales).  NULL with err filled when they do not fit. */
struct svy_rep *svy_rep_new(const struct svy_rep_spec *s, size_t nrep, char *err, size_t errsize);
/* Only the checks that need no column count (for usage errors). */
int svy_rep_check(const struct svy_rep_spec *s, char *err, size_t errsize);
void svy_rep_free(struct svy_rep *r);

/* The design takes r (owning it); every row then needs svy_rep_row. */
void svy_design_set_rep(struct svy_design *d, struct svy_rep *r);
/* 1 when d is a replicate design. */
int svy_design_is_rep(const struct svy_design *d);
/* Rows will be held for quantiles (svy_rep_row then gives each an index). */
void svy_design_rep_hold(struct svy_design *d);

/* The current row's replicate column i (0 <= i < R): -1 when it is not a
 * non-negative number. */
int svy_rep_field(struct svy_design *d, size_t i, const char *s, size_t n);
/* Completes the row whose fields svy_rep_field took (w its -w weight):
 * the analysis weights are formed, the sketch updated, the row held when
 * asked.  The unit's stratum becomes the held row's index (a replicate
 * design has no strata of its own). */
void svy_rep_row(struct svy_design *d, const struct decnum *w, struct svy_unit *u);

/* ---- inside the survey layer ---------------------------------------- */

/* Adds the current row to a's replicate sums, y its value. */
void svy_rep_acc_add(struct svy_acc *a, const struct svy_design *d, const struct decnum *y);
void svy_rep_acc_merge(struct svy_acc *dst, const struct svy_acc *src);
void svy_rep_acc_release(struct svy_acc *a);
int svy_rep_acc_exact(const struct svy_acc *a);
/* V, se and df of e from the replicates: θ_r = Σ_num a_r·y, or that over
 * Σ_den a_r (ratio).  e->est must hold θ. */
void svy_rep_variance(const struct svy_design *d, const struct svy_acc *num, const struct svy_acc *den,
	int total, struct svy_est *e);
/* An estimate's replicates θ_r: a total Σ_num a_r·y, a mean Σ_num a_r·y /
 * Σ_den a_r, a ratio of totals Σ_num a_r·y / Σ_den a_r·y (NaN where the
 * denominator is 0: the replicate is dropped, as svrVar's na.omit). */
enum svy_rep_form { SVY_REP_TOTAL, SVY_REP_MEAN, SVY_REP_RATIO };
void svy_rep_thetas(const struct svy_design *d, const struct svy_acc *num, const struct svy_acc *den,
	enum svy_rep_form form, long double *theta);
/* R, the number of replicates (0: not a replicate design). */
size_t svy_rep_count(const struct svy_design *d);
/* V of an estimate est from its replicates theta (R of them). */
double svy_rep_var_of(const struct svy_design *d, const long double *theta, double est);
/* The covariance matrix V (K × K) of K estimates from their replicates
 * theta[k·R + r], as svrVar of the R × K matrix: a replicate in which any
 * is NaN is dropped for all; est the full-sample estimates (--mse). */
void svy_rep_cov(const struct svy_design *d, const long double *theta, size_t K, const long double *est,
	long double *V);
/* The covariance of the cell proportions p_k = Σa_k/Σa over the K cells
 * (rows added with y = 1; NULL: none), the Rao–Scott V of a replicate
 * design (svymean of the cell indicators); p the full-sample ones. */
void svy_rep_props_cov(const struct svy_design *d, const struct svy_acc *const *cells, size_t K,
	const long double *p, long double *V);
/* degf of an accumulator's rows (NaN when it has none), and of the whole
 * sample: R's degf(design), the rank of the analysis weights minus 1. */
double svy_rep_acc_degf(const struct svy_design *d, const struct svy_acc *a);
double svy_rep_design_degf(const struct svy_design *d);
/* F̂ at q over the held values of s and its replicate SE, as svymean(x <=
 * q) on the replicate design. */
void svy_rep_cdf(const struct svy_design *d, const struct svy_values *s, double q, struct svy_est *F);

/* Held rows (svy_design_rep_hold): row i's R analysis weights, NULL when
 * there is no row i; a row of R weights a held, its index returned (a
 * value merged from a partial brings its own). */
const double *svy_rep_held(const struct svy_design *d, uint32_t i);
uint32_t svy_rep_hold(struct svy_design *d, const double *a);
/* x[0..n) as a JSON array of numbers in a partial, and back: j must hold
 * exactly n numbers, put into x (added to x when add); 0, or -1 when it
 * does not. */
json_t *svy_rep_doubles_json(const double *x, size_t n);
int svy_rep_doubles_read(const json_t *j, double *x, size_t n, int add);
/* A held value in a partial: [y, w, [a_1, …, a_R]], k last when k > 1
 * (8·(R + 2) bytes a value in memory, about 20·R in the partial); and
 * its merge, the weights held anew in d.  *left is how many values may
 * still come; -1 when malformed. */
json_t *svy_rep_value_json(const struct svy_design *d, const struct svy_value *v, uint64_t k);
int svy_rep_value_merge(struct svy_values *s, struct svy_design *d, const json_t *e, uint64_t *left);

/* Partials: the sketch and the configuration; accumulators' sums. */
json_t *svy_rep_design_json(const struct svy_design *d);
int svy_rep_design_merge_json(struct svy_design *d, const json_t *j);
/* Another tally's design over the same options: its sketch added. */
void svy_rep_design_absorb(struct svy_design *d, const struct svy_design *src);
json_t *svy_rep_acc_json(const struct svy_acc *a);
int svy_rep_acc_merge_json(struct svy_acc *a, const struct svy_design *d, const json_t *j);

#endif
