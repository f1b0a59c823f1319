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
	unsigned char *in_data;        /* per id: a group of records has it */
	struct groups ukeys;           /* --other rows' keys → union id */
	struct groups upairs;          /* (union, population id): each once */
	double *usum;                  /* per union: its population */
	double sum;                    /* rates_population's */
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
	groups_release(&r->ukeys);
	groups_release(&r->upairs);
	free(r->usum);
	free(r->pop);
	free(r->line);
	free(r->in_data);
	sbuf_release(&r->kb);
	free(r);
}

const char *rates_name(const struct rates *r)
{
	return r->name;
}

/* ---- populations of cells ----------------------------------------------- */

/* The population key of key[0..len) into r->kb, with a bit per part in
 * *any for a Total margin part (its bytes left out).  1 when *any is 0. */
static int population_key(struct rates *r, const char *key, size_t len, uint64_t *any)
{
	*any = 0;
	sbuf_reset(&r->kb);
	for (size_t i = 0; i < r->nkeys; i++) {
		const char *p;
		size_t n;
		int total;
		key_part(key, len, r->keyidx[i], &p, &n, &total);
		if (total)
			*any |= UINT64_C(1) << (i < 63 ? i : 63);
		else
			keybuf_part(&r->kb, p, n);
	}
	return *any == 0;
}

static long find_population(const struct rates *r)
{
	return groups_find(&r->keys, r->kb.s, r->kb.len, key_hash(r->kb.s, r->kb.len));
}

/* 1 when population id agrees with the fixed parts (those not in any) of
 * the key in r->kb. */
static int matches(const struct rates *r, uint32_t id, uint64_t any)
{
	size_t len, n, m, pos = 0, qpos = 0;
	const char *key = groups_key(&r->keys, id, &len), *p, *q;
	int total;

	for (size_t i = 0; key_next_part(key, len, &pos, &p, &n, &total); i++) {
		if (any & (UINT64_C(1) << (i < 63 ? i : 63)))
			continue;
		key_next_part(r->kb.s, r->kb.len, &qpos, &q, &m, &total);
		if (n != m || memcmp(p, q, n) != 0)
			return 0;
	}
	return 1;
}

/* Calls add(ctx, id) for each population key of the cell key[0..len): its
 * own, or for a margin every key the records have that agrees with the
 * cell's other parts. */
static void cell_populations(struct rates *r, const char *key, size_t len,
	void (*add)(void *ctx, uint32_t id), void *ctx)
{
	uint64_t any;
	long id;

	if (population_key(r, key, len, &any)) {
		if ((id = find_population(r)) >= 0)
			add(ctx, (uint32_t)id);
		return;
	}
	for (uint32_t i = 0; i < r->keys.n; i++)
		if (r->in_data[i] && matches(r, i, any))
			add(ctx, i);
}

int rates_bind(struct rates *r, const struct agg *a)
{
	struct sbuf what = SBUF_INIT;
	uint64_t any;

	r->in_data = xcalloc(r->keys.n + 1, 1);
	for (uint32_t g = 0; g < a->nbase; g++) {
		size_t len;
		const char *key = groups_key(&a->groups, g, &len);
		long id;
		if ((long)g == a->empty)
			continue;
		population_key(r, key, len, &any);
		if ((id = find_population(r)) < 0) {
			describe_key(r, a, r->kb.s, r->kb.len, &what);
			civic_warn("%s: no population for %s", r->file, sbuf_cstr(&what));
			sbuf_release(&what);
			return -1;
		}
		r->in_data[id] = 1;
	}
	sbuf_release(&what);
	return 0;
}

struct union_add {
	struct rates *r;
	uint32_t u;
};

static void add_to_union(void *ctx, uint32_t id)
{
	struct union_add *ua = ctx;
	uint32_t pair[2] = { ua->u, id };
	int added;

	groups_intern(&ua->r->upairs, (const char *)pair, sizeof(pair), key_hash(pair, sizeof(pair)), &added);
	if (added)
		ua->r->usum[ua->u] += ua->r->pop[id];
}

void rates_union_add(struct rates *r, const char *key, size_t len, const char *cell, size_t clen)
{
	int added;
	struct union_add ua = { r, groups_intern(&r->ukeys, key, len, key_hash(key, len), &added) };

	if (added) {
		r->usum = xrealloc(r->usum, r->ukeys.n * sizeof(*r->usum));
		r->usum[ua.u] = 0;
	}
	cell_populations(r, cell, clen, add_to_union, &ua);
}

static void add_to_sum(void *ctx, uint32_t id)
{
	struct rates *r = ctx;

	r->sum += r->pop[id];
}

double rates_population(struct rates *r, const struct agg *a, long gid,
	const char *key, size_t len)
{
	long u;

	if (gid >= 0)
		key = groups_key(&a->groups, (uint32_t)gid, &len);
	if (!key)
		return NAN;
	if ((u = groups_find(&r->ukeys, key, len, key_hash(key, len))) >= 0)
		return r->usum[u];
	r->sum = 0;
	cell_populations(r, key, len, add_to_sum, r);
	return r->sum > 0 ? r->sum : NAN;
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
