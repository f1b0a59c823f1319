/* civic-tally --test (tally_test.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey_chisq.h"
#include "tally_test.h"
#include "xalloc.h"

int tally_test_parse(const char *name, enum tally_test *out)
{
	if (strcmp(name, "rao-scott") == 0)
		*out = TALLY_TEST_RAO_SCOTT;
	else if (strcmp(name, "rao-scott-chisq") == 0)
		*out = TALLY_TEST_RAO_SCOTT_CHISQ;
	else
		return -1;
	return 0;
}

/* The distinct values of key k among the groups, interned into g; *idx
 * gets each group's value index (UINT32_MAX for a margin). */
static size_t levels(const struct agg *a, size_t k, struct groups *g, uint32_t *idx)
{
	for (uint32_t i = 0; i < a->groups.n; i++) {
		size_t len, n;
		const char *key = groups_key(&a->groups, i, &len), *p;
		int total, added;
		idx[i] = UINT32_MAX;
		if ((long)i == a->empty)
			continue;
		key_part(key, len, k, &p, &n, &total);
		if (!total)
			idx[i] = groups_intern(g, p, n, key_hash(p, n), &added);
	}
	return g->n;
}

static void set(struct tally_test_result *out, const char *const *names, const struct svy_chisq *r, int ddf)
{
	double v[] = { r->stat, r->ndf, ddf ? r->ddf : r->p, r->p };

	out->n = ddf ? 4 : 3;
	for (size_t i = 0; i < out->n; i++) {
		out->name[i] = names[i];
		out->value[i] = v[i];
	}
}

int tally_test_run(struct agg *a, enum tally_test t, struct tally_test_result *out,
	char *err, size_t errsize)
{
	struct groups rows, cols;
	uint32_t *ri = xcalloc(a->groups.n + 1, sizeof *ri), *ci = xcalloc(a->groups.n + 1, sizeof *ci);
	int design = a->acc && !svy_design_simple(a->design), rc = 0;
	struct svy_chisq r;

	if (a->spec.nkeys != 2) {
		snprintf(err, errsize, "--test needs a cross-tab of two keys (-g a,b or -g a --pivot b)");
		free(ri);
		free(ci);
		return -1;
	}
	groups_init(&rows);
	groups_init(&cols);
	size_t nr = levels(a, 0, &rows, ri), nc = levels(a, 1, &cols, ci);
	const struct svy_acc **cells = xcalloc(nr * nc + 1, sizeof *cells);
	double *counts = xcalloc(nr * nc + 1, sizeof *counts);
	for (uint32_t g = 0; g < a->groups.n; g++) {
		if (ri[g] == UINT32_MAX || ci[g] == UINT32_MAX)
			continue;
		size_t k = ri[g] + nr * ci[g];
		counts[k] = (double)a->n[g];
		if (design)
			cells[k] = &a->acc[g];
	}
	if (design) {
		rc = svy_chisq_rao_scott(a->design, cells, nr, nc,
			t == TALLY_TEST_RAO_SCOTT ? SVY_CHISQ_F : SVY_CHISQ_CHISQ, &r);
		if (rc < 0)
			snprintf(err, errsize, "%s", svy_design_error(a->design));
		else if (t == TALLY_TEST_RAO_SCOTT)
			set(out, (const char *[]){ "rao_scott_F", "rao_scott_ndf", "rao_scott_ddf", "rao_scott_p" }, &r, 1);
		else
			set(out, (const char *[]){ "rao_scott_X2", "rao_scott_df", "rao_scott_p" }, &r, 0);
	} else {
		svy_chisq_pearson(counts, nr, nc, &r);
		set(out, (const char *[]){ "pearson_X2", "pearson_df", "pearson_p" }, &r, 0);
	}
	groups_release(&rows);
	groups_release(&cols);
	free(cells);
	free(counts);
	free(ri);
	free(ci);
	return rc;
}
