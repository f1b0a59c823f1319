/* Replicate-weight columns of the tally (agg_rep.h). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_rep.h"
#include "survey_rep.h"
#include "xalloc.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int agg_rep_init(struct agg *a, const struct agg_spec *spec, char *err, size_t errsize)
{
	const struct svy_rep_spec *r = &spec->rep;

	if (!spec->repweights)
		return 0;
	if (spec->strata || spec->psu || spec->fpc) {
		snprintf(err, errsize, "--repweights carries the design: --strata, --psu and --fpc do not apply");
		return -1;
	}
	if (!spec->weight) {
		snprintf(err, errsize, "--repweights needs -w, the full-sample weight");
		return -1;
	}
	if (svy_rep_check(r, err, errsize) < 0)
		return -1;
	a->spec.repweights = xstrdup(spec->repweights);
	a->spec.rep.type = dup_or_null(r->type);
	a->spec.rep.rho = dup_or_null(r->rho);
	a->spec.rep.scale = dup_or_null(r->scale);
	a->spec.rep.rscales = dup_or_null(r->rscales);
	a->spec.rep.mse = r->mse;
	a->spec.rep.factors = r->factors;
	return 0;
}

int agg_rep_bind(struct agg *a, const struct header *h, char *err, size_t errsize)
{
	if (!a->spec.repweights)
		return 0;
	free(a->repcol);
	a->repcol = xcalloc(h->n + 1, sizeof *a->repcol);
	a->nrepcol = 0;
	for (size_t i = 0; i < h->n; i++)
		if (fnmatch(a->spec.repweights, h->names[i], 0) == 0 && (long)i != a->wcol)
			a->repcol[a->nrepcol++] = (long)i;
	if (a->nrepcol == 0) {
		snprintf(err, errsize, "--repweights: no column matches '%s'", a->spec.repweights);
		return -1;
	}
	if (!a->use_design) {              /* no interval asked for: nothing to read */
		a->nrepcol = 0;
		return 0;
	}
	struct svy_rep *r = svy_rep_new(&a->spec.rep, a->nrepcol, err, errsize);
	if (!r)
		return -1;
	agg_make_design(a);
	svy_design_set_rep(a->design, r);
	if (a->has_quantile)
		svy_design_rep_hold(a->design);
	return 0;
}

void agg_rep_mark_columns(const struct agg *a, unsigned char *want, size_t n)
{
	for (size_t i = 0; i < a->nrepcol; i++)
		if ((size_t)a->repcol[i] < n)
			want[a->repcol[i]] = 1;
}

int agg_rep_row(struct agg *a, const struct record *rec, const struct decnum *w, struct svy_unit *u,
	struct reject *why)
{
	for (size_t i = 0; i < a->nrepcol; i++) {
		size_t c = (size_t)a->repcol[i];
		const char *s = rec_get(rec, c);
		size_t n = rec_len(rec, c);
		if (svy_rep_field(a->design, i, s, n) < 0) {
			reject_set(why, "bad-weight", NULL, "replicate weight '%.*s' is not a non-negative number",
				(int)(n > 64 ? 64 : n), s);
			return -1;
		}
	}
	svy_rep_row(a->design, w, u);
	return 0;
}

void agg_rep_release(struct agg *a)
{
	free(a->repcol);
	free((char *)a->spec.repweights);
	free((char *)a->spec.rep.type);
	free((char *)a->spec.rep.rho);
	free((char *)a->spec.rep.scale);
	free((char *)a->spec.rep.rscales);
}
