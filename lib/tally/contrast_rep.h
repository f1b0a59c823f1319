/* --contrast on a replicate design (survey_rep.h): the difference of two
 * groups' estimates formed again with each replicate's weights, as R's
 * svycontrast on svyby(…, covmat = TRUE) of an svrepdesign. */
#ifndef CIVIC_CONTRAST_REP_H
#define CIVIC_CONTRAST_REP_H

#include <stdint.h>
#include "agg.h"
#include "survey.h"

/* e gets the difference diff (the point estimates' difference) of
 * statistic st between groups g and ref, with V = svrVar of the
 * replicates' differences and df the whole design's degf.  As svyby's
 * covariance matrix, a replicate in which any group of the table (margins
 * left out) has no estimate is dropped for every difference.  est NaN
 * when either group has none. */
void contrast_rep(const struct agg *a, uint32_t g, uint32_t ref, const struct statistic *st, double diff,
	struct svy_est *e);

#endif
