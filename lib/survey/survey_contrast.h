/* The difference of two survey estimates of one design, with its variance
 * from the joint linearisation, as R's svyby(…, covmat = TRUE) followed by
 * svycontrast: the two estimates' influence values are subtracted PSU by
 * PSU and the difference's PSU totals go through the design's variance
 * over the whole sample (every stratum and PSU of it), so the covariance
 * through PSUs and strata the two domains share is counted.
 *
 * The two estimates must be over disjoint rows (two groups of a key): for
 * designs where each row is a PSU only the strata's sums are kept, and
 * there the product of the two influence values of a row is 0 only then. */
#ifndef CIVIC_SURVEY_CONTRAST_H
#define CIVIC_SURVEY_CONTRAST_H

#include "survey.h"

/* An estimate as its linearisation sees it: a ratio Σ(w·y over num's
 * rows) / Σ(w over den's rows) (a mean: num = den; a share: num's rows a
 * subset of den's, added with y = 1), or with total set the total
 * Σ(w·y over num's rows) (den only gives the domain). */
struct svy_lin {
	const struct svy_acc *num, *den;
	int total;
};

/* est(a) - est(b) in e->est, its variance and SE, e->n the rows of both
 * domains, e->df the whole
 * design's degrees of freedom (PSUs - strata), e->simple as the design.
 * Lonely PSUs as in svy_mean, but over the whole sample (a domain's one
 * PSU of a larger stratum is not lonely, and "average" scales by the
 * strata of the design).  An empty domain gives NaN.  0, or -1 with
 * svy_design_error(d) set (a lonely PSU under "fail"). */
int svy_contrast(const struct svy_design *d, const struct svy_lin *a, const struct svy_lin *b,
	struct svy_est *e);

#endif
