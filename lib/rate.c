#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "error.h"
#include "keyexpr.h"
#include "num.h"
#include "rate.h"
#include "reader.h"
#include "xalloc.h"

struct rates {
	char *file;                    /* for messages */
	char name[48];                 /* rate_per_N */
	double per;
	size_t *keyidx;                /* -g key index of each population key column, ascending */
	size_t nkeys;
	struct groups keys;            /* population key → id */
	double *pop;                   /* per id */
	unsigned long *line;           /* per id: where FILE gives it */
	struct groups pairs;           /* (group, population id): each once */
	double *sum;                   /* per group: its population */
	struct groups ukeys;           /* --other rows' keys → union id */
	struct groups upairs;          /* (union, population id): each once */
	double *usum;                  /* per union: its population */
	size_t cap;
	struct sbuf kb;
};

/* ---- reading FILE ------------------------------------------------------ */

static void split_spec(const char *spec, char **file, const char **column)
{
	const char *colon = strrchr(spec, ':');

	if (colon && colon[1] && !strchr(colon, '/')) {
		*file = xstrndup(spec, (size_t)(colon - spec));
		*column = colon + 1;
	} else {
		*file = xstrdup(spec);
		*column = "population";
	}
}

/* The columns of h that are -g keys, in key order, into r->keyidx; the
 * population column's index in *pcol.  -1 after a message. */
static int bind_columns(struct rates *r, const struct header *h, const char *column,
	const struct agg *a, size_t **col)
{
	long pcol = -1;

	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->names[i], column) == 0)
			pcol = (long)i;
	if (pcol < 0) {
		const char *near = nearest_column(h, column);
		civic_warn("%s: no column '%s'%s%s%s", r->file, column,
			near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		return -1;
	}
	r->keyidx = xcalloc(a->spec.nkeys + 1, sizeof(*r->keyidx));
	*col = xcalloc(a->spec.nkeys + 2, sizeof(**col));
	for (size_t k = 0; k < a->spec.nkeys; k++)
		for (size_t i = 0; i < h->n; i++)
			if ((long)i != pcol && strcmp(h->names[i], a->spec.keys[k]) == 0) {
				r->keyidx[r->nkeys] = k;
				(*col)[r->nkeys++] = i;
			}
	(*col)[r->nkeys] = (size_t)pcol;
	if (r->nkeys == 0) {
		civic_warn("%s: no column is named as a -g key (%s…), so no population belongs to a group",
			r->file, a->spec.nkeys ? a->spec.keys[0] : "none given");
		return -1;
	}
	return 0;
}

/* "region 'A', year '2024'" for the key in r->kb. */
static void describe_key(const struct rates *r, const struct agg *a, const char *key, size_t len,
	struct sbuf *out)
{
	size_t pos = 0, n;
	const char *p;
	int total;

	sbuf_reset(out);
	for (size_t i = 0; key_next_part(key, len, &pos, &p, &n, &total); i++) {
		sbuf_printf(out, "%s%s '", i ? ", " : "", a->spec.keys[r->keyidx[i]]);
		sbuf_add(out, p, n);
		sbuf_addc(out, '\'');
	}
}

static int add_population(struct rates *r, const struct agg *a, const struct record *rec,
	const size_t *col)
{
	const char *v = rec_get(rec, col[r->nkeys]);
	size_t vlen = rec_len(rec, col[r->nkeys]);
	struct sbuf what = SBUF_INIT;
	double pop;
	int added, rc = 0;

	sbuf_reset(&r->kb);
	for (size_t i = 0; i < r->nkeys; i++)
		keybuf_part(&r->kb, rec_get(rec, col[i]), rec_len(rec, col[i]));
	describe_key(r, a, r->kb.s, r->kb.len, &what);
	uint32_t id = groups_intern(&r->keys, r->kb.s, r->kb.len, key_hash(r->kb.s, r->kb.len), &added);
	if (!added) {
		civic_warn_at(r->file, rec->line, "%s is given twice (first on line %lu)",
			sbuf_cstr(&what), r->line[id]);
		rc = -1;
	} else if (num_parse_double(v, vlen, 0, &pop) < 0 || !(pop > 0) || !isfinite(pop)) {
		civic_warn_at(r->file, rec->line, "the population of %s is not a positive number: '%.*s'",
			sbuf_cstr(&what), (int)vlen, v);
		rc = -1;
	} else {
		r->pop = xrealloc(r->pop, r->keys.n * sizeof(*r->pop));
		r->line = xrealloc(r->line, r->keys.n * sizeof(*r->line));
		r->pop[id] = pop;
		r->line[id] = rec->line;
	}
	sbuf_release(&what);
	return rc;
}

static int read_table(struct rates *r, const char *column, const struct agg *a)
{
	struct reader_opts opts;
	struct record rec;
	struct reject why;
	size_t *col = NULL;
	int rc;

	memset(&opts, 0, sizeof(opts));
	struct reader *in = reader_open(r->file, &opts);
	if (!in)
		return -1;
	rec_init(&rec);
	rc = bind_columns(r, reader_header(in), column, a, &col);
	while (rc == 0) {
		int got = reader_next(in, &rec, &why);
		if (got == READ_EOF)
			break;
		if (got == READ_REJECT)
			civic_warn_at(r->file, rec.line, "%s", why.message);
		if (got != READ_OK || add_population(r, a, &rec, col) < 0)
			rc = -1;
	}
	if (rc == 0 && r->keys.n == 0) {
		civic_warn("%s: no populations", r->file);
		rc = -1;
	}
	free(col);
	rec_release(&rec);
	reader_close(in);
	return rc;
}

struct rates *rates_load(const char *spec, unsigned long per, const struct agg *a)
{
	struct rates *r = xcalloc(1, sizeof(*r));
	const char *column;

	split_spec(spec, &r->file, &column);
	r->per = (double)per;
	snprintf(r->name, sizeof(r->name), "rate_per_%lu", per);
	groups_init(&r->keys);
	groups_init(&r->pairs);
	groups_init(&r->ukeys);
	groups_init(&r->upairs);
	sbuf_init(&r->kb);
	if (read_table(r, column, a) < 0) {
		rates_free(r);
		return NULL;
	}
	return r;
}

void rates_free(struct rates *r)
{
	if (!r)
		return;
	free(r->file);
	free(r->keyidx);
	groups_release(&r->keys);
	groups_release(&r->pairs);
	groups_release(&r->ukeys);
	groups_release(&r->upairs);
	free(r->usum);
	free(r->pop);
	free(r->line);
	free(r->sum);
	sbuf_release(&r->kb);
	free(r);
}

const char *rates_name(const struct rates *r)
{
	return r->name;
}

/* ---- populations of groups --------------------------------------------- */

/* The population key of key[0..len) into r->kb: 0, or -1 when a part of
 * it is a Total margin. */
static int population_key(struct rates *r, const char *key, size_t len)
{
	sbuf_reset(&r->kb);
	for (size_t i = 0; i < r->nkeys; i++) {
		const char *p;
		size_t n;
		int total;
		key_part(key, len, r->keyidx[i], &p, &n, &total);
		if (total)
			return -1;
		keybuf_part(&r->kb, p, n);
	}
	return 0;
}

static long find_population(const struct rates *r)
{
	return groups_find(&r->keys, r->kb.s, r->kb.len, key_hash(r->kb.s, r->kb.len));
}

static void reserve_groups(struct rates *r, size_t n)
{
	if (n <= r->cap)
		return;
	r->sum = xrealloc(r->sum, n * sizeof(*r->sum));
	memset(r->sum + r->cap, 0, (n - r->cap) * sizeof(*r->sum));
	r->cap = n;
}

static void add_pair(struct rates *r, uint32_t g, uint32_t id)
{
	uint32_t pair[2] = { g, id };
	int added;

	groups_intern(&r->pairs, (const char *)pair, sizeof(pair), key_hash(pair, sizeof(pair)), &added);
	if (added)
		r->sum[g] += r->pop[id];
}

/* Margins put Total in place of a class of keys at a time, as agg_finish
 * forms them: the --within keys, the other row keys, the pivot key. */
static int key_class(const struct agg *a, size_t k)
{
	if ((long)k == a->spec.pivot)
		return 4;
	for (size_t i = 0; i < a->spec.nwithin; i++)
		if (a->within_idx[i] == k)
			return 1;
	return 2;
}

static void add_to_margins(struct rates *r, const struct agg *a, uint32_t g, uint32_t id, struct sbuf *mk)
{
	size_t len;
	const char *key = groups_key(&a->groups, g, &len);

	for (int mask = 1; mask <= 7; mask++) {
		size_t pos = 0, n;
		const char *p;
		int total;
		sbuf_reset(mk);
		for (size_t k = 0; key_next_part(key, len, &pos, &p, &n, &total); k++)
			if (mask & key_class(a, k))
				keybuf_total(mk);
			else
				keybuf_part(mk, p, n);
		long m = groups_find(&a->groups, mk->s, mk->len, key_hash(mk->s, mk->len));
		if (m >= 0 && (uint32_t)m != g)
			add_pair(r, (uint32_t)m, id);
	}
}

int rates_bind(struct rates *r, const struct agg *a)
{
	struct sbuf mk = SBUF_INIT, what = SBUF_INIT;
	int rc = 0;

	reserve_groups(r, a->groups.n);
	for (uint32_t g = 0; g < a->nbase && rc == 0; g++) {
		size_t len;
		const char *key = groups_key(&a->groups, g, &len);
		long id;
		if ((long)g == a->empty)
			continue;
		population_key(r, key, len);
		if ((id = find_population(r)) < 0) {
			describe_key(r, a, r->kb.s, r->kb.len, &what);
			civic_warn("%s: no population for %s", r->file, sbuf_cstr(&what));
			rc = -1;
			break;
		}
		add_pair(r, g, (uint32_t)id);
		if (a->spec.total)
			add_to_margins(r, a, g, (uint32_t)id, &mk);
	}
	sbuf_release(&mk);
	sbuf_release(&what);
	return rc;
}

static void add_union_pair(struct rates *r, uint32_t u, uint32_t id)
{
	uint32_t pair[2] = { u, id };
	int added;

	groups_intern(&r->upairs, (const char *)pair, sizeof(pair), key_hash(pair, sizeof(pair)), &added);
	if (added)
		r->usum[u] += r->pop[id];
}

void rates_union_add(struct rates *r, const struct agg *a, const char *key, size_t len,
	const char *cell, size_t clen)
{
	int added;
	uint32_t u = groups_intern(&r->ukeys, key, len, key_hash(key, len), &added);
	long id, g;

	if (added) {
		r->usum = xrealloc(r->usum, r->ukeys.n * sizeof(*r->usum));
		r->usum[u] = 0;
	}
	if (population_key(r, cell, clen) == 0) {
		if ((id = find_population(r)) >= 0)
			add_union_pair(r, u, (uint32_t)id);
		return;
	}
	if ((g = groups_find(&a->groups, cell, clen, key_hash(cell, clen))) < 0)
		return;
	for (size_t i = 0; i < r->pairs.n; i++) {
		size_t plen;
		uint32_t pair[2];
		memcpy(pair, groups_key(&r->pairs, (uint32_t)i, &plen), sizeof(pair));
		if (pair[0] == (uint32_t)g)
			add_union_pair(r, u, pair[1]);
	}
}

double rates_population(struct rates *r, const struct agg *a, long gid,
	const char *key, size_t len)
{
	long id, u;

	if (gid >= 0)
		key = groups_key(&a->groups, (uint32_t)gid, &len);
	if (key && (u = groups_find(&r->ukeys, key, len, key_hash(key, len))) >= 0)
		return r->usum[u];
	if (gid >= 0)
		return (size_t)gid < r->cap && r->sum[gid] > 0 ? r->sum[gid] : NAN;
	if (!key || population_key(r, key, len) < 0 || (id = find_population(r)) < 0)
		return NAN;
	return r->pop[id];
}

void rates_value(const struct rates *r, uint64_t n, double pop, double level, struct rate_value *out)
{
	double alpha = (1 - level) / 2, scale = r->per / pop;

	out->rate = (double)n * r->per / pop;
	out->low = n == 0 ? 0 : qgamma(alpha, (double)n, 1, 1, 0) * scale;
	out->high = qgamma(1 - alpha, (double)n + 1, 1, 1, 0) * scale;
	if (isnan(pop))
		out->rate = out->low = out->high = NAN;
}
