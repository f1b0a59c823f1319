#include <string.h>

#include "agg_union.h"
#include "xalloc.h"

static int is_member(uint32_t g, const uint32_t *members, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (members[i] == g)
			return 1;
	return 0;
}

/* The share base of a group made after agg_finish. */
static void set_base(struct agg *a, uint32_t g)
{
	struct sbuf proj = SBUF_INIT;
	size_t len;
	const char *key = groups_key(&a->groups, g, &len);

	a->base_of = xrealloc(a->base_of, (a->groups.n + 1) * sizeof(*a->base_of));
	agg_project(a, key, len, &proj);
	long b = groups_find(&a->bases, proj.s, proj.len, key_hash(proj.s, proj.len));
	a->base_of[g] = b < 0 ? UINT32_MAX : (uint32_t)b;
	sbuf_release(&proj);
}

/* agg_estimate_all's figures for g no longer hold. */
static void forget_estimates(struct agg *a, uint32_t g)
{
	if (a->est_done && g < a->est_groups)
		memset(a->est_done + (size_t)g * a->nstats, 0, a->nstats);
}

static void union_distinct(struct agg *a, struct value_source *s, uint32_t g, const unsigned char *in)
{
	size_t nentries = s->distinct.n;
	struct sbuf value = SBUF_INIT;

	for (size_t i = 0; i < nentries; i++) {
		size_t len;
		const char *key = groups_key(&s->distinct, (uint32_t)i, &len);
		uint32_t m;
		memcpy(&m, key, 4);
		if (m == g || !in[m])
			continue;
		sbuf_reset(&value);
		sbuf_add(&value, key + 4, len - 4);    /* the table may move as it grows */
		agg_add_distinct(s, g, value.s, value.len, &a->tmp);
	}
	sbuf_release(&value);
}

long agg_union(struct agg *a, const char *key, size_t len, const uint32_t *members, size_t n)
{
	uint64_t h = key_hash(key, len);
	long had = groups_find(&a->groups, key, len, h);
	int added;

	if (had >= 0 && !is_member((uint32_t)had, members, n))
		return -1;
	uint32_t g = groups_intern(&a->groups, key, len, h, &added);
	if (added) {
		agg_reserve(a, (size_t)g + 1);
		set_base(a, g);
	}
	forget_estimates(a, g);
	unsigned char *in = xcalloc(a->groups.n + 1, 1);
	for (size_t i = 0; i < n; i++) {
		in[members[i]] = 1;
		if (members[i] != g)
			agg_merge_group(a, g, members[i]);
	}
	for (size_t i = 0; i < a->nsrc; i++)
		if (a->src[i].need & NEED_DISTINCT)
			union_distinct(a, &a->src[i], g, in);
	free(in);
	return g;
}
