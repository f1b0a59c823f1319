/* The value of one cell: a statistic of one group (agg.h, agg_cell), and
 * the survey estimates of every group computed up front on two cores. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "parallel.h"
#include "stats.h"
#include "xalloc.h"

/* ---- cell values ------------------------------------------------------ */

static int compute_cell(struct agg *a, long gid, const char *key, size_t len, size_t stat,
	struct cell *out, char *err, size_t errsize)
{
	const struct statistic *st = &a->stats[stat];
	uint32_t g = (uint32_t)(gid >= 0 ? gid : a->empty);
	struct cell_at at = { gid, g, key, len };
	int rc;

	memset(out, 0, sizeof(*out));
	out->value = NAN;
	rc = st->def->value(a, st, &at, out);
	if (out->has_est && rc == 0)
		out->est.est = out->value;     /* the exact point estimate */
	if (rc < 0)
		snprintf(err, errsize, "%s", svy_design_error(a->design));
	return rc;
}

/* ---- survey estimates up front ---------------------------------------- */

/* A survey estimate walks its share base's PSUs: with many groups that is
 * most of the time after the last record.  agg_estimate_all computes them
 * all on two threads into a cache agg_cell answers from; above this many
 * cells (a few hundred bytes each) they are left to be computed as asked. */
enum { EST_CACHE_MAX = 1 << 16 };

static void estimate_job(void *ctx, size_t i)
{
	struct agg *a = ctx;
	uint32_t g = (uint32_t)(i / a->nstats);
	size_t stat = i % a->nstats;
	struct cell c;

	if ((long)g == a->empty || !stat_is_estimate(&a->stats[stat]))
		return;
	/* A cell that fails (a lonely PSU) is not cached and its message not
	 * kept here: agg_cell computes it again when the table asks for it,
	 * on one thread, and reports the failure with the group it concerns. */
	if (compute_cell(a, (long)g, NULL, 0, stat, &c, NULL, 0) == 0) {
		a->est_cache[i] = c;
		a->est_done[i] = 1;
	}
}

void agg_estimate_all(struct agg *a)
{
	size_t n = a->groups.n * a->nstats;

	if (!a->use_acc || n == 0 || n > EST_CACHE_MAX || parallel_mode() == PARALLEL_OFF)
		return;
	a->est_cache = xmalloc(n * sizeof(*a->est_cache));
	a->est_done = xcalloc(n, 1);
	a->est_groups = a->groups.n;
	parallel_for(n, estimate_job, a);
}

int agg_cell(struct agg *a, long gid, const char *key, size_t len, size_t stat,
	struct cell *out, char *err, size_t errsize)
{
	size_t i = (size_t)gid * a->nstats + stat;

	if (a->est_done && gid >= 0 && (size_t)gid < a->est_groups && a->est_done[i]) {
		*out = a->est_cache[i];
		return 0;
	}
	return compute_cell(a, gid, key, len, stat, out, err, errsize);
}
