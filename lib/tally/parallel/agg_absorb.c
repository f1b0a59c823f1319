/* Adding one tally to another in memory (agg.h, agg_absorb).  The state of
 * a tally is counts, exact sums, min/max, held values and survey sums;
 * every one of them adds up exactly, so the union of two tallies is the
 * tally of one run over both inputs, as long as no sum has gone inexact. */
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "parallel.h"
#include "xalloc.h"

static int moments_exact(const struct moments *m)
{
	return xsum_exact(&m->w) && xsum_exact(&m->wy) && xsum_exact(&m->wy2);
}

static int source_exact(const struct value_source *s, uint32_t g)
{
	return (!s->mom || moments_exact(&s->mom[g])) && (!s->hit_w || xsum_exact(&s->hit_w[g]))
		&& (!s->acc || svy_acc_exact(&s->acc[g])) && (!s->hit_acc || svy_acc_exact(&s->hit_acc[g]));
}

/* 1 when every sum of a is exact (and so adds up in any order). */
static int agg_exact(const struct agg *a)
{
	for (uint32_t g = 0; g < a->groups.n; g++) {
		if ((a->w && !xsum_exact(&a->w[g])) || (a->acc && !svy_acc_exact(&a->acc[g])))
			return 0;
		for (size_t i = 0; i < a->nsrc; i++)
			if (!source_exact(&a->src[i], g))
				return 0;
	}
	return 1;
}

/* src's (group, value) pairs, their groups renamed through gmap. */
static void absorb_distinct(struct agg *dst, struct value_source *d, const struct value_source *s, const uint32_t *gmap)
{
	for (uint32_t i = 0; i < s->distinct.n; i++) {
		size_t len;
		const char *key = groups_key(&s->distinct, i, &len);
		uint32_t sg;
		memcpy(&sg, key, 4);
		int added;
		sbuf_reset(&dst->tmp);
		sbuf_add(&dst->tmp, &gmap[sg], 4);
		sbuf_add(&dst->tmp, key + 4, len - 4);
		groups_intern(&d->distinct, dst->tmp.s, dst->tmp.len, key_hash(dst->tmp.s, dst->tmp.len), &added);
		d->ndistinct[gmap[sg]] += (uint64_t)added;
	}
}

/* Group sg of src, all but its survey sums (absorb_sums): interned in dst,
 * which may move dst's per-group arrays. */
static uint32_t absorb_group(struct agg *dst, const struct agg *src, uint32_t sg)
{
	size_t len;
	const char *key = groups_key(&src->groups, sg, &len);
	int added;
	uint32_t g = groups_intern(&dst->groups, key, len, src->groups.hash[sg], &added);

	if (added)
		agg_reserve(dst, (size_t)g + 1);
	dst->n[g] += src->n[sg];
	if (dst->w)
		xsum_merge(&dst->w[g], &src->w[sg]);
	for (size_t i = 0; i < dst->nsrc; i++)
		agg_merge_source_counts(&dst->src[i], g, &src->src[i], sg);
	return g;
}

/* The survey sums, one src group per job (parallel.h): each job writes
 * only its own group of dst. */
struct absorbing {
	struct agg *dst;
	const struct agg *src;
	const uint32_t *gmap;
	const struct svy_map *m;
};

static void absorb_sums(void *ctx, size_t sg)
{
	const struct absorbing *ab = ctx;
	struct agg *dst = ab->dst;
	const struct agg *src = ab->src;
	uint32_t g = ab->gmap[sg];
	const uint32_t *psu = ab->m->psu, *stratum = ab->m->stratum;

	if (dst->acc)
		svy_acc_merge_mapped(&dst->acc[g], &src->acc[sg], psu, stratum);
	for (size_t i = 0; i < dst->nsrc; i++) {
		struct value_source *d = &dst->src[i];
		const struct value_source *s = &src->src[i];
		if (d->acc)
			svy_acc_merge_mapped(&d->acc[g], &s->acc[sg], psu, stratum);
		if (d->hit_acc)
			svy_acc_merge_mapped(&d->hit_acc[g], &s->hit_acc[sg], psu, stratum);
	}
}

/* Held values with a design keep a long double Σw in input order, which
 * a merge would add in another. */
static int holds_design_values(const struct agg *a)
{
	for (size_t i = 0; i < a->nsrc; i++)
		if (a->src[i].svals)
			return 1;
	return 0;
}

int agg_absorbable(const struct agg *dst, const struct agg *src)
{
	return !holds_design_values(dst) && agg_exact(dst) && agg_exact(src);
}

int agg_absorb(struct agg *dst, const struct agg *src)
{
	struct svy_map m;

	if (!agg_absorbable(dst, src))
		return -1;
	memset(&m, 0, sizeof m);
	if (dst->design && src->design && svy_design_absorb(dst->design, src->design, &m) < 0)
		return -1;
	uint32_t *gmap = xmalloc((src->groups.n + 1) * sizeof *gmap);
	for (uint32_t g = 0; g < src->groups.n; g++)
		gmap[g] = absorb_group(dst, src, g);
	if (dst->use_acc) {
		struct absorbing ab = { dst, src, gmap, &m };
		parallel_for(src->groups.n, absorb_sums, &ab);
	}
	for (size_t i = 0; i < dst->nsrc; i++)
		if (dst->src[i].ndistinct)
			absorb_distinct(dst, &dst->src[i], &src->src[i], gmap);
	dst->rows += src->rows;
	free(gmap);
	svy_map_release(&m);
	return 0;
}
