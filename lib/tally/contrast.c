/* Differences between groups of a key (contrast.h). */
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contrast.h"
#include "contrast_rep.h"
#include "interval.h"
#include "survey_contrast.h"
#include "survey_rep.h"
#include "xalloc.h"

static long find_key(const struct agg *a, const char *name, size_t len)
{
	for (size_t k = 0; k < a->spec.nkeys; k++)
		if (strlen(a->spec.keys[k]) == len && memcmp(a->spec.keys[k], name, len) == 0)
			return (long)k;
	return -1;
}

static int key_within(const struct agg *a, size_t k)
{
	for (size_t i = 0; i < a->spec.nwithin; i++)
		if (a->within_idx[i] == k)
			return 1;
	return 0;
}

int contrast_init(struct contrast *c, const char *arg, const struct agg *a, char *err, size_t errsize)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	long k = find_key(a, arg, len);

	memset(c, 0, sizeof *c);
	if (k < 0) {
		snprintf(err, errsize, "--contrast '%.*s' is not a key of -g", (int)len, arg);
		return -1;
	}
	if (k == a->spec.pivot) {
		snprintf(err, errsize, "--contrast '%.*s': the differences are columns, so not of the --pivot key",
			(int)len, arg);
		return -1;
	}
	for (size_t i = 0; i < a->nstats; i++)
		if (stat_kind(&a->stats[i]) == ST_SHARE && a->stats[i].src < 0 && !key_within(a, (size_t)k)) {
			snprintf(err, errsize, "--contrast '%.*s': a share compared across %.*s needs --within %.*s "
				"(shares of one base are not of disjoint groups)", (int)len, arg, (int)len, arg,
				(int)len, arg);
			return -1;
		}
	c->key = (size_t)k;
	c->ref = eq ? xstrdup(eq + 1) : NULL;
	return 0;
}

void contrast_release(struct contrast *c)
{
	free(c->ref);
	c->ref = NULL;
}

long contrast_ref_group(const struct agg *a, const struct contrast *c, uint32_t g,
	const char *ref, size_t len, struct sbuf *tmp)
{
	size_t klen, pos = 0, n;
	const char *key = groups_key(&a->groups, g, &klen), *p;
	int total;

	sbuf_reset(tmp);
	for (size_t k = 0; key_next_part(key, klen, &pos, &p, &n, &total); k++) {
		if (k == c->key && total)
			return -1;
		if (k == c->key)
			keybuf_part(tmp, ref, len);
		else if (total)
			keybuf_total(tmp);
		else
			keybuf_part(tmp, p, n);
	}
	return groups_find(&a->groups, tmp->s, tmp->len, key_hash(tmp->s, tmp->len));
}

/* The linearisation of statistic st in group g; 0 when it has none. */
static int lin_of(const struct agg *a, uint32_t g, const struct statistic *st, struct svy_lin *l)
{
	const struct value_source *s = st->src >= 0 ? &a->src[st->src] : NULL;
	uint32_t b = a->base_of[g];
	const struct svy_acc *base = b == UINT32_MAX ? &a->acc[g] : &a->base[b].acc;

	switch (stat_kind(st)) {
	case ST_MEAN:
		*l = (struct svy_lin){ &s->acc[g], &s->acc[g], 0 };
		return s->acc != NULL;
	case ST_SUM:
		*l = (struct svy_lin){ &s->acc[g], &s->acc[g], 1 };
		return s->acc != NULL;
	case ST_SHARE:
		if (s)
			*l = (struct svy_lin){ s->hit_acc ? &s->hit_acc[g] : NULL, s->acc ? &s->acc[g] : NULL, 0 };
		else
			*l = (struct svy_lin){ a->acc ? &a->acc[g] : NULL, a->acc ? base : NULL, 0 };
		return l->num && l->den;
	case ST_COUNT:
		*l = (struct svy_lin){ a->acc ? &a->acc[g] : NULL, a->acc ? base : NULL, 1 };
		return a->acc != NULL;
	default:
		return 0;
	}
}

int contrast_lin(const struct agg *a, uint32_t g, const struct statistic *st, struct svy_lin *l)
{
	return lin_of(a, g, st, l);
}

static void no_value(struct contrast_val *out)
{
	out->diff = out->se = out->low = out->high = out->p = NAN;
}

int contrast_value(struct agg *a, uint32_t g, long ref, size_t stat, double level, int normal,
	struct contrast_val *out, char *err, size_t errsize)
{
	const struct statistic *st = &a->stats[stat];
	struct svy_lin la, lb;
	struct cell ca, cb;
	struct svy_est e;
	struct interval ci;

	no_value(out);
	if (ref < 0 || (uint32_t)ref == g || !lin_of(a, g, st, &la) || !lin_of(a, (uint32_t)ref, st, &lb))
		return 0;
	if (agg_cell(a, (long)g, NULL, 0, stat, &ca, err, errsize) < 0
	    || agg_cell(a, ref, NULL, 0, stat, &cb, err, errsize) < 0)
		return -1;
	if (svy_design_is_rep(a->design))
		contrast_rep(a, g, (uint32_t)ref, st, ca.value - cb.value, &e);
	else if (svy_contrast(a->design, &la, &lb, &e) < 0) {
		snprintf(err, errsize, "%s", svy_design_error(a->design));
		return -1;
	}
	if (isnan(e.est))
		return 0;
	e.est = ca.value - cb.value;   /* the exact point estimates' difference */
	if (normal)
		e.df = INFINITY;
	interval_for(normal ? CI_NORMAL : CI_T, &e, level, &ci);
	out->diff = e.est;
	out->se = e.se;
	out->low = ci.low;
	out->high = ci.high;
	double t = fabs(e.est / e.se);
	out->p = isinf(e.df) ? 2 * pnorm5(-t, 0, 1, 1, 0) : e.df > 0 ? 2 * pt(-t, e.df, 1, 0) : NAN;
	return 0;
}
