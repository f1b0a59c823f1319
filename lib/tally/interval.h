/* Confidence intervals for survey estimates (struct svy_est), with R's own
 * qt/qnorm/qbeta (libRmath), so limits agree with R's survey and stats
 * packages bit for bit.
 *
 * Shares (svy_est.proportion set):
 *   wilson  plain sample: Wilson score (prop.test(correct = FALSE)).
 *           Weighted/design: Wilson with n = n_eff = p(1-p)/V and a normal
 *           quantile (Kish-style effective n; not an R survey method).
 *   logit   svyciprop(method = "logit"), closed form:
 *           expit(logit p ± t·SE/(p(1-p))).  Plain sample: the same with
 *           V = p(1-p)/n and a normal quantile.
 *   beta    plain sample: Clopper-Pearson (binom.test).  Design:
 *           Korn-Graubard, svyciprop(method = "beta").
 *   wald    svyciprop(method = "mean"): p ± t·SE.  Plain: p ± z√(p(1-p)/n).
 *   asin    svyciprop(method = "asin").
 *   A share of 0 or 1 (no variance) gets the Clopper-Pearson interval with
 *   n_eff = n (plain) or Kish's (Σw)²/Σw²: [0, u] or [l, 1], never NaN.
 * Means, sums, counts:
 *   t       est ± qt(1-α/2, df)·SE   (confint(x, df = degf(design)))
 *   normal  est ± qnorm(1-α/2)·SE    (confint(x))
 * t and normal also apply to shares; the share methods only to shares
 * (interval_for returns -1 otherwise). */
#ifndef CIVIC_INTERVAL_H
#define CIVIC_INTERVAL_H

#include "survey.h"

enum ci_method {
	CI_NONE,
	CI_WILSON,
	CI_LOGIT,
	CI_BETA,
	CI_WALD,
	CI_ASIN,
	CI_T,
	CI_NORMAL,
};

enum {
	CI_SHARES = 1,         /* applies to shares */
	CI_ESTIMATES = 2,      /* applies to means, sums, counts */
};

struct interval;

/* One method: adding one is its enum value, its entry in ci_methods
 * (interval.c) and its function. */
struct ci_method_info {
	const char *name;
	enum ci_method method;
	int flags;
	/* The limits of e at level (e neither NaN nor of n 0). */
	void (*fn)(const struct svy_est *e, double level, struct interval *ci);
};

/* The vocabulary for --ci, terminated by a NULL name. */
extern const struct ci_method_info ci_methods[];
/* By name; NULL when unknown. */
const struct ci_method_info *ci_method_lookup(const char *name);

struct interval {
	double low, high;
};

/* Fills *ci at level (0 < level < 1).  -1 when the method does not apply
 * to this kind of estimate.  An estimate that is NaN gives NaN limits. */
int interval_for(enum ci_method m, const struct svy_est *e, double level,
	struct interval *ci);

/* The default method: shares wilson (plain) or logit (design); others t. */
enum ci_method ci_default(const struct svy_est *e);

#endif
