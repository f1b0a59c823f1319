/* svy_contrast's variance in exact rational arithmetic (survey_contrast.h,
 * survey_contrast_exact.c). */
#ifndef CIVIC_SURVEY_CONTRAST_EXACT_H
#define CIVIC_SURVEY_CONTRAST_EXACT_H

#include "survey_contrast.h"

/* 1 with *V the variance of est(a) - est(b), rounded once; 0 when a sum
 * is not exact (a weight or value that is not a decimal: the caller
 * forms V in long double); -1 with svy_design_error(d) set (a lonely
 * PSU under "fail").  Both estimates must have a domain. */
int svy_contrast_exact(const struct svy_design *d, const struct svy_lin *a, const struct svy_lin *b, double *V);

#endif
