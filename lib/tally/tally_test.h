/* civic-tally --test: a test of association between the two keys of a
 * cross-tab, written as columns repeated on every row: the Rao–Scott test
 * with a design (survey_chisq.h), Pearson's X² without one. */
#ifndef CIVIC_TALLY_TEST_H
#define CIVIC_TALLY_TEST_H

#include "agg.h"

enum tally_test {
	TALLY_TEST_NONE,
	TALLY_TEST_RAO_SCOTT,          /* svychisq(statistic = "F") */
	TALLY_TEST_RAO_SCOTT_CHISQ,    /* svychisq(statistic = "Chisq") */
};

/* "rao-scott", "rao-scott-chisq" → 0 and *out; else -1. */
int tally_test_parse(const char *name, enum tally_test *out);

struct tally_test_result {
	const char *name[4];           /* column names (static strings) */
	double value[4];
	size_t n;
};

/* The test over a's groups (two keys; margins left out).  0, or -1 with
 * err: not two keys, or the design fails (a lonely PSU under "fail"). */
int tally_test_run(struct agg *a, enum tally_test t, struct tally_test_result *out,
	char *err, size_t errsize);

#endif
