/* Tests of association in a two-way table: the Rao–Scott adjusted
 * Pearson test of a survey cross-tab, as R's svychisq(~a + b, design,
 * statistic = "F") and "Chisq" (survey 4.1.1), and Pearson's X² of a plain
 * sample, as chisq.test(table(a, b), correct = FALSE).
 *
 * The table is nr × nc cells, cell (r, c) at r + nr·c; a cell's
 * accumulator holds its rows added with y = 1 (NULL: no rows).  Every row
 * of the sample is in one cell. */
#ifndef CIVIC_SURVEY_CHISQ_H
#define CIVIC_SURVEY_CHISQ_H

#include "survey.h"

enum svy_chisq_kind {
	SVY_CHISQ_F,           /* X²/tr Δ on F(d0, d0·ν), d0 = (tr Δ)²/tr Δ² */
	SVY_CHISQ_CHISQ,       /* X²/mean diag Δ on χ²((nr − 1)(nc − 1)) */
};

struct svy_chisq {
	double stat;           /* F; for CHISQ the X² R prints (unadjusted) */
	double ndf, ddf;       /* F: d0 and d0·ν; CHISQ: df and NaN */
	double p;
};

/* 0, or -1 with svy_design_error(d) set (a lonely PSU under "fail").
 * The X² is of the weighted table scaled to the rows of the sample. */
int svy_chisq_rao_scott(const struct svy_design *d, const struct svy_acc *const *cells,
	size_t nr, size_t nc, enum svy_chisq_kind kind, struct svy_chisq *out);

/* Pearson's X² of counts (nr × nc, as above), df (nr − 1)(nc − 1), p its
 * upper χ² tail; ddf NaN. */
void svy_chisq_pearson(const double *counts, size_t nr, size_t nc, struct svy_chisq *out);

#endif
