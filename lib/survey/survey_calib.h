/* Calibration of survey weights to population counts, as R's survey 4.1.1
 * does it: post-stratification (postStratify) and raking (rake, iterative
 * proportional fitting), with the variance of the calibrated design
 * (svyrecvar: residuals from the calibration, not the calibrated weights
 * taken as plain weights).
 *
 * Calibration factors depend only on the cell of a record: the
 * combination of its values of the calibration variables.  So a first
 * pass over the input (svy_calib_scan) keeps, per cell, the rows and Σw,
 * and per (PSU, cell) Σw; svy_calib_fit computes each cell's factor g;
 * the tally's pass then weighs each row w·g (svy_calib_weigh) and its
 * accumulators keep, besides their PSU sums, per-cell sums (n, Σy, Σw,
 * Σwy), from which the variance (svy_calib_linearise) forms the
 * residuals.  Memory grows with cells and PSUs, never with rows.
 *
 *	struct svy_calib *c = svy_calib_new(rake, epsilon, maxit);
 *	svy_calib_margin(c, vars, file)         once per margin
 *	svy_calib_bind(c, header, -w, --strata, --psu, --fpc, lonely)
 *	for each record:  svy_calib_scan(c, rec)
 *	svy_calib_fit(c)
 *	svy_calib_attach(c, tally design); then per record svy_calib_weigh. */
#ifndef CIVIC_SURVEY_CALIB_H
#define CIVIC_SURVEY_CALIB_H

#include <stddef.h>
#include <stdint.h>

#include "numscan.h"
#include "reader.h"
#include "record.h"
#include "survey.h"

/* R's rake(control = list(epsilon, maxit)) defaults are 1 and 10; civic
 * asks for more: a change below 1e-10 of Σw, in at most 100 sweeps. */
#define SVY_CALIB_EPSILON 1e-10
#define SVY_CALIB_MAXIT 100
/* svyrecvar's fixed number of backfitting sweeps for a raked design. */
#define SVY_CALIB_VAR_SWEEPS 10

struct svy_calib;

/* rake 0: post-stratification (one margin); epsilon < 1 is a fraction of
 * Σw, >= 1 an absolute weighted count (R's rule). */
struct svy_calib *svy_calib_new(int rake, double epsilon, unsigned maxit);
void svy_calib_free(struct svy_calib *c);

/* Reads a margin: a CSV file whose last column is the population count
 * and whose other columns are the variables (vars, comma-separated, must
 * name them in order; NULL: whatever they are).  -1 with
 * svy_calib_error() set. */
int svy_calib_margin(struct svy_calib *c, const char *vars, const char *file, const struct reader_opts *ro);

/* Finds the columns in the input's header; -1 with the error set. */
int svy_calib_bind(struct svy_calib *c, const struct header *h, const char *weight, const char *strata,
	const char *psu, const char *fpc, enum svy_lonely lonely);
/* The -w column's index in the header. */
long svy_calib_weight_column(const struct svy_calib *c);
/* Marks the columns the calibration reads. */
void svy_calib_want(const struct svy_calib *c, unsigned char *want, size_t n);

/* First pass: one record.  -1 with the error set (no weight, a value in
 * no margin, a bad design field): the calibration would depend on it. */
int svy_calib_scan(struct svy_calib *c, const struct record *rec);
/* The first pass on two threads: a part scans the records from a cut
 * on (svy_calib_scan) while c scans those before it; svy_calib_absorb
 * then adds the part's cells, sums (exact) and design to c, new ones
 * after c's, as one pass over both would have met them.  c must not
 * change while the part lives; -1 (c unchanged) when the designs would
 * not merge (svy_design_absorb).  Free the part with svy_calib_free. */
struct svy_calib *svy_calib_part(const struct svy_calib *c);
int svy_calib_absorb(struct svy_calib *c, const struct svy_calib *part);
/* Computes the factors; -1 with the error set (a category of a margin
 * without records, raking that does not converge, a lonely PSU). */
int svy_calib_fit(struct svy_calib *c);
/* Sweeps the fit took (1 for post-stratification). */
unsigned svy_calib_sweeps(const struct svy_calib *c);

/* Second pass: *w (the record's -w weight) becomes its calibrated weight;
 * remembers the record's cell for the accumulators.  -1 with why set
 * when the record's cell was not in the first pass. */
int svy_calib_weigh(struct svy_calib *c, const struct record *rec, struct decnum *w, struct reject *why);

/* Makes d a calibrated design: its accumulators keep per-cell sums and
 * its variances are the calibrated design's.  d must stay alive no longer
 * than c. */
void svy_calib_attach(struct svy_calib *c, struct svy_design *d);

/* After the second pass, before the estimates (which may run on several
 * threads): maps the tally's PSUs onto the first pass's. */
void svy_calib_ready(struct svy_calib *c);

const char *svy_calib_error(const struct svy_calib *c);

/* A fitted calibration for another thread's tally pass: it shares c's
 * factors (c must outlive it and not change) and has its own record
 * state, so svy_calib_weigh and svy_calib_attach may be used on it while
 * c weighs records on the first thread.  svy_calib_free frees only what
 * is its own. */
struct svy_calib *svy_calib_twin(const struct svy_calib *c);

/* What a held value (a quantile's) keeps as its unit: the PSU, and in
 * place of the stratum (the PSU's own) the calibration cell of the
 * record svy_calib_weigh saw last. */
struct svy_unit svy_calib_value_unit(const struct svy_calib *c, struct svy_unit u);

/* ---- estimates of a calibrated design (survey_calib_est.c) ----------- */

struct svy_lin;
/* svy_contrast (survey_contrast.h) of a calibrated design. */
int svy_calib_contrast(const struct svy_design *d, const struct svy_lin *a, const struct svy_lin *b,
	struct svy_est *e);
/* The K×K covariance of the cell proportions W_k/W of a table whose cells
 * (NULL: no rows) hold every row of the sample, for svychisq. */
int svy_calib_cells_cov(const struct svy_design *d, const struct svy_acc *const *cells, size_t K, long double *V);
/* F̂(q), the share of values <= q, with its SE, over values held with
 * svy_calib_value_unit's units. */
int svy_calib_cdf(const struct svy_design *d, const struct svy_values *s, double q, struct svy_est *F);

/* ---- used by survey_acc.c -------------------------------------------- */

/* Per-cell sums of an accumulator's rows, exact (xsum) so that two
 * threads' halves merge to one run's sums. */
struct svy_calib_sums {
	size_t ncells;
	uint64_t *n;
	struct xsum *y, *w, *wy;
};
void svy_calib_acc_add(struct svy_acc *a, const struct svy_calib *c, const struct decnum *w,
	const struct decnum *y);
/* … of a row of calibration cell `cell`. */
void svy_calib_acc_add_cell(struct svy_acc *a, const struct svy_calib *c, uint32_t cell, const struct decnum *w,
	const struct decnum *y);
void svy_calib_acc_merge(struct svy_acc *dst, const struct svy_acc *src);
/* 1 while every per-cell sum is exact (merges to one run's sums). */
int svy_calib_acc_exact(const struct svy_acc *a);
void svy_calib_acc_release(struct svy_acc *a);
/* One term of a linear combination of PSU totals: coef·Σw·y over acc's
 * rows (wy 1) or coef·Σw (wy 0).  An estimate's influence is such a
 * combination: a mean Σwy/W gives (acc, 1, 1/W) and (acc, 0, -r/W). */
struct svy_calib_term {
	const struct svy_acc *acc;
	int wy;
	long double coef;
};
/* The K×K covariance V of K combinations (terms[0..nterms[0]) the first,
 * the next nterms[1] the second, …) in the calibrated design d: each
 * combination's PSU totals less the calibration's residuals, over every
 * stratum and PSU of the sample.  -1 with svy_design_error(d) set. */
int svy_calib_cov(const struct svy_design *d, const struct svy_calib_term *terms, const size_t *nterms,
	size_t K, long double *V);
/* V, PSUs and strata (for df) of z = α·w·y over num's rows + β·w over
 * den's (a mean: α = 1/W, β = -r/W; a total: α = 1, β = 0), with the
 * calibration's residuals.  -1 with svy_design_error(d) set. */
int svy_calib_linearise(const struct svy_design *d, const struct svy_acc *num, const struct svy_acc *den,
	long double alpha, long double beta, long double *V, uint64_t *psus, size_t *strata);

#endif
