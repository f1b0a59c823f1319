/* The design registry: strata, PSUs and fpc over the full sample. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey_impl.h"
#include "survey_rep.h"
#include "xalloc.h"

static const struct {
	const char *name;
	enum svy_lonely policy;
} lonely_names[] = {
	{ "fail", SVY_LONELY_FAIL },
	{ "remove", SVY_LONELY_REMOVE },
	{ "certainty", SVY_LONELY_CERTAINTY },
	{ "adjust", SVY_LONELY_ADJUST },
	{ "average", SVY_LONELY_AVERAGE },
};

int svy_lonely_parse(const char *name, enum svy_lonely *out)
{
	for (size_t i = 0; i < sizeof lonely_names / sizeof lonely_names[0]; i++)
		if (strcmp(name, lonely_names[i].name) == 0) {
			*out = lonely_names[i].policy;
			return 0;
		}
	return -1;
}

const char *svy_lonely_name(enum svy_lonely policy)
{
	for (size_t i = 0; i < sizeof lonely_names / sizeof lonely_names[0]; i++)
		if (lonely_names[i].policy == policy)
			return lonely_names[i].name;
	return "fail";
}

int svy_fail(const struct svy_design *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, SVY_ERR_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

const char *svy_design_error(const struct svy_design *d)
{
	return d->err;
}

struct svy_design *svy_design_new(const struct svy_design_opts *opts)
{
	struct svy_design *d = xcalloc(1, sizeof *d);

	d->o = *opts;
	d->err = xcalloc(SVY_ERR_MAX, 1);
	d->last_stratum = d->last_psu = UINT32_MAX;
	groups_init(&d->stratum_ids);
	groups_init(&d->psu_ids);
	sbuf_init(&d->psu_key);
	return d;
}

void svy_design_free(struct svy_design *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nstrata; i++)
		free(d->strata[i].name);
	free(d->strata);
	free(d->psus);
	groups_release(&d->stratum_ids);
	groups_release(&d->psu_ids);
	sbuf_release(&d->psu_key);
	svy_rep_free(d->rep);
	free(d->err);
	free(d);
}

static int same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* The index of stratum s, or -1. */
static long stratum_find(const struct svy_design *d, const char *s, size_t len)
{
	return groups_find(&d->stratum_ids, s, len, key_hash(s, len));
}

uint32_t svy_stratum_intern(struct svy_design *d, const char *s, size_t len)
{
	int added;
	uint32_t h = groups_intern(&d->stratum_ids, s, len, key_hash(s, len), &added);

	if (added) {
		d->strata = xgrow(d->strata, &d->scap, d->nstrata + 1, sizeof *d->strata);
		struct svy_stratum *st = &d->strata[d->nstrata++];
		st->name = xstrndup(s, len);
		st->len = len;
		st->fpc = 0;
		st->npsu = 0;
	}
	return h;
}

/* A PSU is the pair (stratum, id), nest semantics: its key is the
 * stratum's index (4 bytes), then the id. */
static uint32_t psu_intern_key(struct svy_design *d, uint32_t stratum, const char *key, size_t len,
	uint64_t hash)
{
	int added;
	uint32_t i = groups_intern(&d->psu_ids, key, len, hash, &added);

	if (added) {
		d->psus = xgrow(d->psus, &d->pcap, d->npsu + 1, sizeof *d->psus);
		d->psus[d->npsu++].stratum = stratum;
		d->strata[stratum].npsu++;
	}
	return i;
}

uint32_t svy_psu_intern(struct svy_design *d, uint32_t stratum, const char *id, size_t len)
{
	struct sbuf *k = &d->psu_key;

	sbuf_reset(k);
	sbuf_add(k, &stratum, 4);
	sbuf_add(k, id, len);
	return psu_intern_key(d, stratum, k->s, k->len, key_hash(k->s, k->len));
}

static int same_psu(const struct svy_design *d, uint32_t p, uint32_t h, const char *id, size_t len)
{
	size_t n;
	const char *s = svy_psu_id(d, p, &n);

	return d->psus[p].stratum == h && same(s, n, id, len);
}

/* Rows usually come PSU by PSU, so the previous row's answer is tried
 * before the hash. */
static uint32_t row_stratum(struct svy_design *d, const char *s, size_t len)
{
	uint32_t h = d->last_stratum;

	if (h != UINT32_MAX && same(d->strata[h].name, d->strata[h].len, s, len))
		return h;
	return d->last_stratum = svy_stratum_intern(d, s, len);
}

static uint32_t row_psu(struct svy_design *d, uint32_t h, const char *id, size_t len)
{
	uint32_t p = d->last_psu;

	if (p != UINT32_MAX && same_psu(d, p, h, id, len))
		return p;
	return d->last_psu = svy_psu_intern(d, h, id, len);
}

static int check_fpc(const struct svy_design *d, struct svy_stratum *st, double fpc)
{
	if (!(fpc > 0) || !isfinite(fpc))
		return svy_fail(d, "fpc must be a positive number, not %g", fpc);
	if (st->fpc == 0)
		st->fpc = fpc;
	else if (st->fpc != fpc)
		return svy_fail(d, "fpc differs within stratum '%s' (%.17g and %.17g)",
			st->name, st->fpc, fpc);
	return 0;
}

int svy_design_row(struct svy_design *d, const char *stratum, size_t slen,
	const char *psu, size_t plen, double fpc, struct svy_unit *u)
{
	if (!d->o.has_strata)
		stratum = "", slen = 0;
	else if (slen == 0)
		return svy_fail(d, "empty stratum");
	if (d->o.has_psu && plen == 0)
		return svy_fail(d, "empty PSU id");

	uint32_t h = row_stratum(d, stratum, slen);
	if (d->o.has_fpc && check_fpc(d, &d->strata[h], fpc) < 0)
		return -1;
	u->stratum = h;
	if (d->o.has_psu) {
		u->psu = row_psu(d, h, psu, plen);
	} else {
		u->psu = SVY_ROW_PSU;
		d->strata[h].npsu++;
	}
	return 0;
}

void svy_design_rows(struct svy_design *d, uint64_t n)
{
	struct svy_unit u;

	if (n == 0 || svy_design_row(d, "", 0, "", 0, 0, &u) < 0)
		return;     /* a plain sample's row cannot fail */
	d->strata[u.stratum].npsu += n - 1;
}

int svy_design_simple(const struct svy_design *d)
{
	return !d->o.has_weights && !d->o.has_strata && !d->o.has_psu && !d->o.has_fpc;
}

size_t svy_design_nstrata(const struct svy_design *d)
{
	size_t n = 0;

	for (size_t h = 0; h < d->nstrata; h++)
		n += d->strata[h].npsu > 0;
	return n;
}

size_t svy_design_npsu(const struct svy_design *d)
{
	size_t n = 0;

	for (size_t h = 0; h < d->nstrata; h++)
		n += d->strata[h].npsu;
	return n;
}

double svy_design_df(const struct svy_design *d)
{
	if (d->rep)
		return svy_rep_design_degf(d);
	return (double)svy_design_npsu(d) - (double)svy_design_nstrata(d);
}

double svy_stratum_f(const struct svy_design *d, size_t h)
{
	const struct svy_stratum *st = &d->strata[h];

	if (!d->o.has_fpc)
		return 0;
	return st->fpc <= 1 ? st->fpc : (double)st->npsu / st->fpc;
}

/* As R's onestrat: f there is (N - n)/N, and a stratum where it is below
 * 1e-7 adds 0 to the variance before any lonely-PSU rule is looked at. */
int svy_stratum_census(const struct svy_design *d, size_t h)
{
	const struct svy_stratum *st = &d->strata[h];

	if (!d->o.has_fpc || st->npsu == 0 || !(st->fpc > 0))
		return 0;
	double n = (double)st->npsu, N = st->fpc <= 1 ? n / st->fpc : st->fpc;
	return N >= n && (N - n) / N < 1e-7;
}

int svy_design_check_lonely(const struct svy_design *d)
{
	for (size_t h = 0; h < d->nstrata; h++) {
		const struct svy_stratum *st = &d->strata[h];
		if (st->npsu == 1 && d->o.lonely == SVY_LONELY_FAIL && !svy_stratum_census(d, h))
			return svy_fail(d, "stratum '%s' has only one PSU "
				"(see --lonely-psu)", st->name);
		if (st->npsu > 0 && svy_stratum_f(d, h) > 1)
			return svy_fail(d, "fpc of stratum '%s' is smaller than its %llu sampled PSUs",
				st->name, (unsigned long long)st->npsu);
	}
	return 0;
}

/* ---- adding another design ------------------------------------------- */

/* -1 when a stratum of src has another fpc in d: the rows that bring it
 * would be rejects in one run over both. */
/* Two fpc values of one stratum that cannot both hold (0: none given). */
static int fpc_differs(double a, double b)
{
	return a != 0 && b != 0 && a != b;
}

int svy_stratum_merge(struct svy_design *d, const char *name, size_t len, double fpc, uint64_t rows,
	uint32_t *to)
{
	*to = svy_stratum_intern(d, name, len);
	struct svy_stratum *st = &d->strata[*to];

	if (fpc_differs(st->fpc, fpc))
		return svy_fail(d, "fpc differs within stratum '%s' (%.17g and %.17g)", st->name, st->fpc, fpc);
	if (fpc != 0)
		st->fpc = fpc;
	st->npsu += rows;
	return 0;
}

static int fpc_conflict(const struct svy_design *d, const struct svy_design *src)
{
	for (size_t h = 0; h < src->nstrata; h++) {
		long to = stratum_find(d, src->strata[h].name, src->strata[h].len);
		if (to >= 0 && fpc_differs(d->strata[to].fpc, src->strata[h].fpc))
			return -1;
	}
	return 0;
}

/* src's PSUs into d, keys renamed into d's strata.  The keys and their
 * hashes are made first, so that each key's slot in d's table can be
 * fetched a few keys ahead: with tens of thousands of PSUs the table is
 * larger than the caches, and the wait for it was most of the time. */
static void absorb_psus(struct svy_design *d, const struct svy_design *src, struct svy_map *m)
{
	enum { AHEAD = 8 };
	size_t n = src->npsu, *off = xmalloc((n + 1) * sizeof *off);
	uint64_t *hash = xmalloc((n + 1) * sizeof *hash);
	struct sbuf keys = SBUF_INIT;

	off[0] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *id = svy_psu_id(src, i, &len);
		uint32_t stratum = m->stratum[src->psus[i].stratum];
		sbuf_add(&keys, &stratum, 4);
		sbuf_add(&keys, id, len);
		off[i + 1] = keys.len;
	}
	for (size_t i = 0; i < n; i++)
		hash[i] = key_hash(keys.s + off[i], off[i + 1] - off[i]);
	groups_reserve(&d->psu_ids, n);
	sbuf_grow(&d->psu_ids.keys, keys.len);
	d->psus = xgrow(d->psus, &d->pcap, d->npsu + n + 1, sizeof *d->psus);
	for (size_t i = 0; i < n; i++) {
		if (i + AHEAD < n)
			groups_prefetch(&d->psu_ids, hash[i + AHEAD]);
		m->psu[i] = psu_intern_key(d, m->stratum[src->psus[i].stratum], keys.s + off[i],
			off[i + 1] - off[i], hash[i]);
	}
	sbuf_release(&keys);
	free(off);
	free(hash);
}

int svy_design_absorb(struct svy_design *d, const struct svy_design *src, struct svy_map *m)
{
	memset(m, 0, sizeof *m);
	if (fpc_conflict(d, src) < 0)
		return -1;
	m->nstrata = src->nstrata;
	m->npsu = src->npsu;
	m->stratum = xcalloc(m->nstrata + 1, sizeof *m->stratum);
	m->psu = xcalloc(m->npsu + 1, sizeof *m->psu);
	for (size_t h = 0; h < src->nstrata; h++) {
		const struct svy_stratum *from = &src->strata[h];
		/* No fpc conflict is left; with --psu, PSUs count as they come. */
		svy_stratum_merge(d, from->name, from->len, from->fpc, d->o.has_psu ? 0 : from->npsu,
			&m->stratum[h]);
	}
	absorb_psus(d, src, m);
	if (d->rep && src->rep)
		svy_rep_design_absorb(d, src);
	d->last_stratum = d->last_psu = UINT32_MAX;
	return 0;
}
