#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "agg_rep.h"
#include "num.h"
#include "parallel.h"
#include "ratio.h"
#include "stats.h"
#include "survey_calib.h"
#include "xalloc.h"

const char *stat_nearest(const char *name)
{
	const char *found = NULL;
	size_t best = strlen(name) / 3 + 2;

	for (const struct stat_def *d = stat_defs; d->name; d++) {
		size_t dist = edit_distance(name, d->name);
		if (dist < best) {
			best = dist;
			found = d->name;
		}
	}
	return found;
}

int stat_is_estimate(const struct statistic *s)
{
	return (s->def->flags & SF_ESTIMATE) != 0;
}

int stat_is_quantile(const struct statistic *s)
{
	return s->def->kind == ST_QUANTILE;
}

int stat_is_share(const struct statistic *s)
{
	return s->def->kind == ST_SHARE;
}

int stat_zero_when_empty(const struct statistic *s)
{
	return (s->def->flags & SF_ZERO) != 0;
}

enum stat_kind stat_kind(const struct statistic *s)
{
	return s->def->kind;
}

/* ---- parsing the spec ---------------------------------------------- */

static char **copy_list(char **v, size_t n)
{
	char **c = xcalloc(n ? n : 1, sizeof(*c));

	for (size_t i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int find_source(struct agg *a, enum src_kind kind, const char *text, int role)
{
	for (size_t i = 0; i < a->nsrc; i++)
		if (a->src[i].kind == kind && a->src[i].ratio_role == role && strcmp(a->src[i].text, text) == 0)
			return (int)i;
	return -1;
}

int agg_add_source(struct agg *a, enum src_kind kind, const char *text, int role,
	const char *expr, char *err, size_t errsize)
{
	int i = find_source(a, kind, text, role);

	if (i >= 0)
		return i;
	a->src = xrealloc(a->src, (a->nsrc + 1) * sizeof(*a->src));
	struct value_source *s = &a->src[a->nsrc];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->text = xstrdup(text);
	s->ratio_role = role;
	groups_init(&s->distinct);
	int rc = kind == SRC_COND ? cond_parse(&s->cond, expr, err, errsize)
		: keyexpr_parse(&s->kx, expr, err, errsize);
	a->nsrc++;
	return rc < 0 ? -1 : (int)a->nsrc - 1;
}

static int add_source(struct agg *a, enum src_kind kind, const char *text, char *err, size_t errsize)
{
	return agg_add_source(a, kind, text, 0, text, err, errsize);
}

static int bad_stat(const char *spec, const char *name, char *err, size_t errsize)
{
	const char *near = stat_nearest(name);

	if (near)
		snprintf(err, errsize, "unknown statistic '%s' (did you mean '%s'?)", spec, near);
	else
		snprintf(err, errsize, "unknown statistic '%s'", spec);
	return -1;
}

static int parse_stat(struct agg *a, struct statistic *st, const char *spec, char *err, size_t errsize)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *arg = colon ? colon + 1 : NULL;
	char *name = xstrndup(spec, nlen);
	int rc = -1;

	memset(st, 0, sizeof(*st));
	st->src = -1;
	st->spec = xstrdup(spec);
	st->def = stat_lookup(spec, nlen, &st->p);
	if (!st->def) {
		bad_stat(name, name, err, errsize);
		goto out;
	}
	if (arg && !*arg) {
		snprintf(err, errsize, "statistic '%s': expected a column after ':'", spec);
		goto out;
	}
	if (arg && !(st->def->flags & (SF_ARG | SF_ARG_OPT))) {
		snprintf(err, errsize, "statistic '%s' takes no column (use '%s')", spec, name);
		goto out;
	}
	if (!arg && (st->def->flags & SF_ARG)) {
		snprintf(err, errsize, "statistic '%s' needs a column, as in '%s:COLUMN'", spec, name);
		goto out;
	}
	if (arg) {
		st->src = st->def->sources ? st->def->sources(a, arg, err, errsize)
			: add_source(a, st->def->src, arg, err, errsize);
		if (st->src < 0)
			goto out;
		a->src[st->src].need |= st->def->need;
		st->name = xmalloc(nlen + 1 + strlen(arg) + 1);
		sprintf(st->name, "%s_%s", name, arg);
	} else {
		st->name = xstrdup(name);
	}
	if (st->def->need & NEED_VALUES)
		a->has_quantile = 1;
	rc = 0;
out:
	free(name);
	return rc;
}

static int parse_stats(struct agg *a, char *err, size_t errsize)
{
	a->nstats = a->spec.nstats;
	a->stats = xcalloc(a->nstats ? a->nstats : 1, sizeof(*a->stats));
	for (size_t i = 0; i < a->nstats; i++) {
		if (parse_stat(a, &a->stats[i], a->spec.stats[i], err, errsize) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->stats[j].name, a->stats[i].name) == 0) {
				snprintf(err, errsize, "statistic '%s' is given twice", a->stats[i].spec);
				return -1;
			}
	}
	return 0;
}

static int check_within(struct agg *a, char *err, size_t errsize)
{
	a->within_idx = xcalloc(a->spec.nwithin + 1, sizeof(*a->within_idx));
	for (size_t i = 0; i < a->spec.nwithin; i++) {
		size_t k;
		for (k = 0; k < a->spec.nkeys; k++)
			if (strcmp(a->spec.within[i], a->spec.keys[k]) == 0)
				break;
		if (k == a->spec.nkeys) {
			snprintf(err, errsize, "--within '%s' is not one of the group keys (-g or --pivot)",
				a->spec.within[i]);
			return -1;
		}
		a->within_idx[i] = k;
	}
	return 0;
}

/* share:trust=dk would count dk among answers that leave dk out: its
 * base never holds one, so the share would read 0 whatever the data. */
static int check_cond_values(const struct agg *a, char *err, size_t errsize)
{
	for (size_t i = 0; i < a->nsrc; i++) {
		if (a->src[i].kind != SRC_COND)
			continue;
		for (size_t j = 0; j < a->src[i].cond.ncmp; j++) {
			const struct kxcond *c = a->src[i].cond.cmp[j];
			if (missing_value(&a->miss, c->rhs, strlen(c->rhs))) {
				snprintf(err, errsize, "share:%s: '%s' is a missing-value code, which a condition "
					"never sees (its share is -g %s -s share; or change --missing)",
					a->src[i].cond.text, c->rhs, c->lhs.text);
				return -1;
			}
		}
	}
	return 0;
}

int agg_init(struct agg *a, const struct agg_spec *spec, char *err, size_t errsize)
{
	memset(a, 0, sizeof(*a));
	a->spec = *spec;
	a->spec.keys = copy_list(spec->keys, spec->nkeys);
	a->spec.stats = copy_list(spec->stats, spec->nstats);
	a->spec.within = copy_list(spec->within, spec->nwithin);
	a->spec.where = copy_list(spec->where, spec->nwhere);
	a->spec.weight = spec->weight ? xstrdup(spec->weight) : NULL;
	a->spec.strata = spec->strata ? xstrdup(spec->strata) : NULL;
	a->spec.psu = spec->psu ? xstrdup(spec->psu) : NULL;
	a->spec.fpc = spec->fpc ? xstrdup(spec->fpc) : NULL;
	a->spec.missing = spec->missing ? xstrdup(spec->missing) : NULL;
	a->spec.repweights = NULL;         /* agg_rep_init copies them */
	a->spec.rep = (struct svy_rep_spec){ 0 };
	a->wcol = a->scol = a->pcol = a->fcol = -1;
	groups_init(&a->groups);
	groups_init(&a->bases);
	a->own_dates = xcalloc(1, sizeof(*a->own_dates));     /* an empty cache */
	a->dates = a->own_dates;
	sbuf_init(&a->kb);
	sbuf_grow(&a->kb, GROUP_MEMO_BYTES);       /* bytes row_group() may read */
	group_memo_init(&a->memo);
	sbuf_init(&a->tmp);
	a->empty = -1;
	a->level = 0.95;
	a->keys = xcalloc(spec->nkeys ? spec->nkeys : 1, sizeof(*a->keys));
	for (size_t i = 0; i < spec->nkeys; i++)
		if (keyexpr_parse(&a->keys[i], spec->keys[i], err, errsize) < 0)
			return -1;
	if (missing_init(&a->miss, spec->missing, err, errsize) < 0 ||
	    parse_stats(a, err, errsize) < 0 || check_within(a, err, errsize) < 0 ||
	    check_cond_values(a, err, errsize) < 0 ||
	    where_init(&a->where, a->spec.where, a->spec.nwhere, err, errsize) < 0 ||
	    agg_rep_init(a, spec, err, errsize) < 0)
		return -1;
	a->weighted = spec->weight != NULL;
	a->use_acc = spec->survey;
	for (size_t i = 0; i < a->nstats; i++)
		if (a->stats[i].src < 0 && (a->stats[i].def->flags & SF_GROUP_ACC))
			a->core_acc = a->use_acc;
	a->use_design = spec->survey || spec->strata || spec->psu || spec->fpc ||
		(a->weighted && a->has_quantile);
	for (size_t i = 0; i < a->nsrc; i++)
		if (a->use_acc && (a->src[i].kind == SRC_COND || (a->src[i].need & NEED_MOMENTS)))
			a->src[i].need |= NEED_ACC;
	a->rv = xcalloc(a->nsrc ? a->nsrc : 1, sizeof(*a->rv));
	if (spec->nkeys == 0) {            /* one group, shown even for no rows */
		int added;
		groups_intern(&a->groups, "", 0, key_hash("", 0), &added);
		agg_reserve(a, 1);
	}
	return 0;
}

static int bind_option(const struct header *h, const char *opt, const char *name, long *col,
	char *err, size_t errsize)
{
	if (!name)
		return 0;
	*col = header_find(h, name);
	if (*col >= 0)
		return 0;
	const char *near = nearest_column(h, name);
	if (near)
		snprintf(err, errsize, "%s: no column '%s' (did you mean '%s'?)", opt, name, near);
	else
		snprintf(err, errsize, "%s: no column '%s'", opt, name);
	return -1;
}

int agg_bind(struct agg *a, const struct header *h, char *err, size_t errsize)
{
	if (where_bind(&a->where, h, err, errsize) < 0)
		return AGG_BIND_WHERE;
	for (size_t i = 0; i < a->spec.nkeys; i++)
		if (keyexpr_bind(&a->keys[i], h, err, errsize) < 0)
			return -1;
	for (size_t i = 0; i < a->nsrc; i++) {
		struct value_source *s = &a->src[i];
		int rc = s->kind == SRC_COND ? cond_bind(&s->cond, h, err, errsize)
			: keyexpr_bind(&s->kx, h, err, errsize);
		if (rc < 0)
			return -1;
	}
	if (bind_option(h, "-w", a->spec.weight, &a->wcol, err, errsize) < 0 ||
	    bind_option(h, "--strata", a->spec.strata, &a->scol, err, errsize) < 0 ||
	    bind_option(h, "--psu", a->spec.psu, &a->pcol, err, errsize) < 0 ||
	    bind_option(h, "--fpc", a->spec.fpc, &a->fcol, err, errsize) < 0 ||
	    agg_rep_bind(a, h, err, errsize) < 0)
		return -1;
	if (a->use_design)
		agg_make_design(a);
	return 0;
}

void agg_mark_columns(const struct agg *a, unsigned char *want, size_t n)
{
	const long options[] = { a->wcol, a->scol, a->pcol, a->fcol };

	for (size_t i = 0; i < a->spec.nkeys; i++)
		keyexpr_mark_columns(&a->keys[i], want, n);
	for (size_t i = 0; i < a->nsrc; i++)
		if (a->src[i].kind == SRC_COND)
			cond_mark_columns(&a->src[i].cond, want, n);
		else
			keyexpr_mark_columns(&a->src[i].kx, want, n);
	where_mark_columns(&a->where, want, n);
	for (size_t i = 0; i < sizeof(options) / sizeof(*options); i++)
		if (options[i] >= 0 && (size_t)options[i] < n)
			want[options[i]] = 1;
	agg_rep_mark_columns(a, want, n);
}

void agg_make_design(struct agg *a)
{
	struct svy_design_opts o = {
		.has_weights = a->weighted, .has_strata = a->spec.strata != NULL,
		.has_psu = a->spec.psu != NULL, .has_fpc = a->spec.fpc != NULL,
		.lonely = a->spec.lonely, .lonely_domain = a->spec.lonely_domain,
	};

	if (!a->design)
		a->design = svy_design_new(&o);
}

/* ---- per-group state ------------------------------------------------ */

#define GROW(arr, oldcap, cap) do { \
	(arr) = xrealloc((arr), (cap) * sizeof(*(arr))); \
	memset((arr) + (oldcap), 0, ((cap) - (oldcap)) * sizeof(*(arr))); \
} while (0)

static void reserve_source(struct agg *a, struct value_source *s, size_t old, size_t cap)
{
	GROW(s->used, old, cap);
	GROW(s->missing, old, cap);
	if (s->need & NEED_MOMENTS)
		GROW(s->mom, old, cap);
	if (s->need & NEED_MINMAX) {
		GROW(s->min, old, cap);
		GROW(s->max, old, cap);
	}
	if ((s->need & NEED_VALUES) && a->use_design)
		GROW(s->svals, old, cap);
	else if (s->need & NEED_VALUES)
		GROW(s->vals, old, cap);
	if (s->need & NEED_ACC)
		GROW(s->acc, old, cap);
	if (s->kind == SRC_COND) {
		GROW(s->hits, old, cap);
		GROW(s->hit_w, old, cap);
		if (s->need & NEED_ACC)
			GROW(s->hit_acc, old, cap);
	}
	if (s->need & NEED_DISTINCT)
		GROW(s->ndistinct, old, cap);
}

void agg_reserve(struct agg *a, size_t need)
{
	if (need <= a->cap)
		return;
	size_t old = a->cap, cap = old ? old * 2 : 16;
	while (cap < need)
		cap *= 2;
	GROW(a->n, old, cap);
	if (a->weighted)
		GROW(a->w, old, cap);
	if (a->core_acc)
		GROW(a->acc, old, cap);
	for (size_t i = 0; i < a->nsrc; i++)
		reserve_source(a, &a->src[i], old, cap);
	a->cap = cap;
}

/* ---- one row --------------------------------------------------------- */

static int eval_sources(struct agg *a, const struct record *rec, struct reject *why)
{
	for (size_t i = 0; i < a->nsrc; i++) {
		struct value_source *s = &a->src[i];
		struct rowval *v = &a->rv[i];
		int rc;

		switch (s->kind) {
		case SRC_NUMBER:
			rc = keyexpr_number(&s->kx, rec, a->dates, &a->miss, &v->v, why);
			break;
		case SRC_COND:
			rc = cond_eval(&s->cond, rec, a->dates, &a->miss, why);
			break;
		default:
			rc = keyexpr_text(&s->kx, rec, a->dates, v->buf, &v->text, &v->len, why);
			rc = rc < 0 ? -1 : !missing_value(&a->miss, v->text, v->len);
		}
		if (rc < 0)
			return -1;
		v->state = rc;
		if (s->ratio_role == 3)
			ratio_pair(v - 2);
	}
	return 0;
}

static int eval_weight(struct agg *a, const struct record *rec, struct decnum *w, struct reject *why)
{
	const char *s = rec_get(rec, (size_t)a->wcol);
	size_t n = rec_len(rec, (size_t)a->wcol);

	if (n == 0) {
		reject_set(why, "missing-weight", a->spec.weight, "no weight");
		return -1;
	}
	if (numscan(s, n, w) < 0) {
		reject_set(why, "not-a-number", a->spec.weight, "weight '%.*s' is not a number",
			(int)(n > 64 ? 64 : n), s);
		return -1;
	}
	if (w->d < 0 || !isfinite(w->d)) {
		reject_set(why, "bad-weight", a->spec.weight, "weight '%.*s' is negative",
			(int)(n > 64 ? 64 : n), s);
		return -1;
	}
	return 0;
}

static int eval_design(struct agg *a, const struct record *rec, struct svy_unit *u, struct reject *why)
{
	double fpc = 0;

	if (a->fcol >= 0) {
		const char *s = rec_get(rec, (size_t)a->fcol);
		size_t n = rec_len(rec, (size_t)a->fcol);
		if (num_parse_double(s, n, 0, &fpc) < 0) {
			reject_set(why, "not-a-number", a->spec.fpc, "fpc '%.*s' is not a number",
				(int)(n > 64 ? 64 : n), s);
			return -1;
		}
	}
	const char *st = a->scol >= 0 ? rec_get(rec, (size_t)a->scol) : "";
	size_t sl = a->scol >= 0 ? rec_len(rec, (size_t)a->scol) : 0;
	const char *ps = a->pcol >= 0 ? rec_get(rec, (size_t)a->pcol) : "";
	size_t pl = a->pcol >= 0 ? rec_len(rec, (size_t)a->pcol) : 0;

	if (svy_design_row(a->design, st, sl, ps, pl, fpc, u) == 0)
		return 0;
	reject_set(why, "design", NULL, "%s", svy_design_error(a->design));
	return -1;
}

static void add_moments(struct agg *a, struct moments *m, const struct decnum *w, const struct decnum *y)
{
	if (a->weighted) {
		xsum_add_num(&m->w, w);
		m->zero += w->d == 0;
		xsum_add_product(&m->wy, w, y);
		xsum_add_product_n(&m->wy2, (const struct decnum *[]){ w, y, y }, 3);
	} else {
		xsum_add_num(&m->wy, y);
		xsum_add_product(&m->wy2, y, y);
	}
}

static void update_number(struct agg *a, struct value_source *s, uint32_t g, const struct rowval *v,
	const struct decnum *w, struct svy_unit u)
{
	double y = v->v.d;

	if (!v->state) {
		s->missing[g]++;
		return;
	}
	if (s->need & NEED_MINMAX) {
		if (!s->used[g] || y < s->min[g])
			s->min[g] = y;
		if (!s->used[g] || y > s->max[g])
			s->max[g] = y;
	}
	s->used[g]++;
	if (s->need & NEED_MOMENTS)
		add_moments(a, &s->mom[g], w, &v->v);
	if (s->svals)
		svy_values_add(&s->svals[g], a->calib ? svy_calib_value_unit(a->calib, u) : u, w->d, y);
	else if (s->vals)
		dvec_push(&s->vals[g], y);
	if (s->acc)
		svy_acc_add(&s->acc[g], a->design, u, w, &v->v);
}

static void update_cond(struct agg *a, struct value_source *s, uint32_t g, const struct rowval *v,
	const struct decnum *w, struct svy_unit u)
{
	if (v->state == 2) {
		s->missing[g]++;
		return;
	}
	s->used[g]++;
	if (a->weighted)
		xsum_add_num(&s->mom[g].w, w);
	if (s->acc)
		svy_acc_add(&s->acc[g], a->design, u, w, &decnum_one);
	if (v->state != 1)
		return;
	s->hits[g]++;
	if (a->weighted)
		xsum_add_num(&s->hit_w[g], w);
	if (s->hit_acc)
		svy_acc_add(&s->hit_acc[g], a->design, u, w, &decnum_one);
}

static void add_distinct(struct value_source *s, uint32_t g, const char *text, size_t len, struct sbuf *tmp)
{
	int added;

	sbuf_reset(tmp);
	sbuf_add(tmp, &g, 4);
	sbuf_add(tmp, text, len);
	groups_intern(&s->distinct, tmp->s, tmp->len, key_hash(tmp->s, tmp->len), &added);
	s->ndistinct[g] += (uint64_t)added;
}

void agg_add_distinct(struct value_source *s, uint32_t g, const char *text, size_t len, struct sbuf *tmp)
{
	add_distinct(s, g, text, len, tmp);
}

static void update_text(struct agg *a, struct value_source *s, uint32_t g, const struct rowval *v)
{
	if (!v->state) {
		s->missing[g]++;
		return;
	}
	s->used[g]++;
	if (s->need & NEED_DISTINCT)
		add_distinct(s, g, v->text, v->len, &a->tmp);
}

/* Under --total the label Total means a margin and nothing else. */
static int is_total_label(const struct agg *a, const char *p, size_t n)
{
	return a->spec.total && n == 5 && memcmp(p, "Total", 5) == 0;
}

/* Part i of the row's key, unless it is the margins' label. */
static int add_key_part(struct agg *a, size_t i, const char *p, size_t n, struct reject *why)
{
	if (is_total_label(a, p, n)) {
		reject_set(why, "total-key", a->spec.keys[i],
			"'Total' is the label of the margins of --total (recode it, or leave out --total)");
		return -1;
	}
	keybuf_part(&a->kb, p, n);
	return 0;
}

static int build_key(struct agg *a, const struct record *rec, struct reject *why)
{
	sbuf_reset(&a->kb);
	for (size_t i = 0; i < a->spec.nkeys; i++) {
		char buf[32];
		const char *p;
		size_t n;
		if (keyexpr_text(&a->keys[i], rec, a->dates, buf, &p, &n, why) < 0 ||
		    add_key_part(a, i, p, n, why) < 0)
			return -1;
	}
	return 0;
}

/* ---- keys shared with other tallies (agg_share_keys) ------------------ */

/* Each key of a tally over a keyshare takes a number below KEY_IDS to
 * find its group in by_ids; past that, by the key's text. */
enum { KEY_IDS = 32, MAX_ID_KEYS = 2 };

static int shared_key_text(struct agg *a, const struct record *rec, struct reject *why)
{
	sbuf_reset(&a->kb);
	for (size_t i = 0; i < a->spec.nkeys; i++) {
		const char *p;
		size_t n;
		if (keyshare_text(a->ks, a->key_slot[i], rec, a->dates, &p, &n, why) < 0 ||
		    add_key_part(a, i, p, n, why) < 0)
			return -1;
	}
	return 0;
}

/* The tuple of the row's key numbers, or SIZE_MAX when one is too large. */
__attribute__((always_inline)) static inline int key_ids(struct agg *a, const struct record *rec, struct reject *why)
{
	size_t ix = 0;

	for (size_t i = 0; i < a->spec.nkeys; i++) {
		uint32_t id;
		if (keyshare_id(a->ks, a->key_slot[i], rec, a->dates, &id, why) < 0)
			return -1;
		if (id >= KEY_IDS) {
			a->row_ix = SIZE_MAX;
			return 0;
		}
		ix = ix * KEY_IDS + id;
	}
	a->row_ix = ix;
	return 0;
}

static int shared_key(struct agg *a, const struct record *rec, struct reject *why)
{
	return a->by_ids ? key_ids(a, rec, why) : shared_key_text(a, rec, why);
}

/* A merged partial made without --total may hold a group labelled Total. */
static int check_total_labels(const struct agg *a, char *err, size_t errsize)
{
	for (uint32_t g = 0; g < a->groups.n; g++) {
		size_t len, pos = 0, n;
		const char *key = groups_key(&a->groups, g, &len), *p;
		int total;
		for (size_t i = 0; key_next_part(key, len, &pos, &p, &n, &total); i++)
			if (!total && is_total_label(a, p, n)) {
				snprintf(err, errsize, "%s has a group 'Total', which --total would take for "
					"its margin (made without --total?)", a->spec.keys[i]);
				return -1;
			}
	}
	return 0;
}

/* The group of the key in a->kb: from the last few keys met when short,
 * else interned. */
__attribute__((always_inline)) static inline uint32_t row_group(struct agg *a, int *added)
{
	size_t len = a->kb.len;
	uint64_t w[GROUP_MEMO_BYTES / 8];
	long memo = -1;

	*added = 0;
	if (len <= GROUP_MEMO_BYTES) {
		group_memo_words(a->kb.s, len, w);        /* kb holds that many bytes (agg_init) */
		memo = group_memo_find(&a->memo, w, len);
	}
	if (memo >= 0)
		return (uint32_t)memo;
	uint32_t g = groups_intern(&a->groups, a->kb.s, len, key_hash(a->kb.s, len), added);
	if (len <= GROUP_MEMO_BYTES)
		group_memo_add(&a->memo, w, len, g);
	return g;
}

/* The row's group by its key numbers, its text built (from the shared
 * texts key_ids read) only for a tuple not met before. */
static uint32_t shared_group(struct agg *a, const struct record *rec, int *added)
{
	struct reject unused;

	*added = 0;
	if (a->row_ix != SIZE_MAX && a->by_ids[a->row_ix] != UINT32_MAX)
		return a->by_ids[a->row_ix];
	shared_key_text(a, rec, &unused);    /* cannot fail: key_ids read these texts */
	uint32_t g = row_group(a, added);
	if (a->row_ix != SIZE_MAX)
		a->by_ids[a->row_ix] = g;
	return g;
}

/* A plain sample's rows all add weight 1 and y 1 to the group's sums in
 * stratum 0, so the sums are the group's count: nothing to do a row. */
static int can_defer_acc(const struct agg *a)
{
	if (!a->core_acc || !a->design || !svy_design_simple(a->design) || a->weighted || a->calib ||
	    a->nrepcol)
		return 0;
	for (size_t i = 0; i < a->nsrc; i++)
		if (a->src[i].need & NEED_ACC)
			return 0;
	return 1;
}

void agg_settle(struct agg *a)
{
	if (!a->defer_acc)
		return;
	a->defer_acc = 0;
	a->counts_only = 0;
	svy_design_rows(a->design, a->rows);
	for (uint32_t g = 0; g < a->groups.n; g++)
		svy_acc_add_ones(&a->acc[g], a->n[g]);
}

void agg_share_dates(struct agg *a, struct datecache *dc)
{
	free(a->own_dates);          /* never written: a bulletin's many tallies fault no pages in */
	a->own_dates = NULL;
	a->dates = dc;
}

void agg_share_keys(struct agg *a, struct keyshare *ks)
{
	a->ks = ks;
	a->key_slot = xcalloc(a->spec.nkeys + 1, sizeof(*a->key_slot));
	for (size_t i = 0; i < a->spec.nkeys; i++)
		a->key_slot[i] = keyshare_add(ks, &a->keys[i]);
	a->defer_acc = can_defer_acc(a);
	/* Under --total a key's text is checked for the margins' label. */
	if (a->spec.total || a->spec.nkeys == 0 || a->spec.nkeys > MAX_ID_KEYS)
		return;
	size_t cells = KEY_IDS;
	for (size_t i = 1; i < a->spec.nkeys; i++)
		cells *= KEY_IDS;
	a->by_ids = xmalloc(cells * sizeof(*a->by_ids));
	memset(a->by_ids, 0xff, cells * sizeof(*a->by_ids));
	a->counts_only = a->where.n == 0 && a->nsrc == 0 && !a->weighted && !a->calib && !a->nrepcol &&
		(!a->design || a->defer_acc);
}

/* A row of a counts-only tally (agg_share_keys): what agg_row_any does for
 * it, without the tests of what it has not got. */
int agg_count_row(struct agg *a, const struct record *rec, struct reject *why)
{
	int added;

	if (key_ids(a, rec, why) < 0)
		return -1;
	uint32_t g = shared_group(a, rec, &added);
	if (added)
		agg_reserve(a, (size_t)g + 1);
	a->n[g]++;
	a->rows++;
	return 0;
}

int agg_row_any(struct agg *a, const struct record *rec, struct reject *why)
{
	struct decnum w = decnum_one;
	struct svy_unit u = { 0, SVY_ROW_PSU };
	int added;
	int keep = a->where.n ? where_keep(&a->where, rec, a->dates, why) : 1;

	if (keep <= 0)
		return keep;
	if ((a->ks ? shared_key(a, rec, why) : build_key(a, rec, why)) < 0 || eval_sources(a, rec, why) < 0)
		return -1;
	if (a->weighted && eval_weight(a, rec, &w, why) < 0)
		return -1;
	if (a->calib && svy_calib_weigh(a->calib, rec, &w, why) < 0)
		return -1;
	if (a->design && !a->defer_acc && eval_design(a, rec, &u, why) < 0)
		return -1;
	if (a->nrepcol && agg_rep_row(a, rec, &w, &u, why) < 0)
		return -1;
	uint32_t g = a->by_ids ? shared_group(a, rec, &added) : row_group(a, &added);
	if (added)
		agg_reserve(a, (size_t)g + 1);
	a->n[g]++;
	if (a->weighted)
		xsum_add_num(&a->w[g], &w);
	if (a->core_acc && !a->defer_acc)
		svy_acc_add(&a->acc[g], a->design, u, &w, &decnum_one);
	for (size_t i = 0; i < a->nsrc; i++) {
		struct value_source *s = &a->src[i];
		if (s->kind == SRC_NUMBER)
			update_number(a, s, g, &a->rv[i], &w, u);
		else if (s->kind == SRC_COND)
			update_cond(a, s, g, &a->rv[i], &w, u);
		else
			update_text(a, s, g, &a->rv[i]);
	}
	a->rows++;
	return 0;
}

/* ---- merging group states ------------------------------------------- */

static void merge_minmax(struct value_source *d, uint32_t g, const struct value_source *s, uint32_t sg)
{
	if (!s->used[sg])
		return;
	if (!d->used[g] || s->min[sg] < d->min[g])
		d->min[g] = s->min[sg];
	if (!d->used[g] || s->max[sg] > d->max[g])
		d->max[g] = s->max[sg];
}

void agg_merge_source_counts(struct value_source *d, uint32_t g, const struct value_source *s, uint32_t sg)
{
	if (d->min)
		merge_minmax(d, g, s, sg);
	d->used[g] += s->used[sg];
	d->missing[g] += s->missing[sg];
	if (d->mom) {
		xsum_merge(&d->mom[g].w, &s->mom[sg].w);
		xsum_merge(&d->mom[g].wy, &s->mom[sg].wy);
		xsum_merge(&d->mom[g].wy2, &s->mom[sg].wy2);
		d->mom[g].zero += s->mom[sg].zero;
	}
	if (d->vals)
		dvec_append(&d->vals[g], &s->vals[sg]);
	if (d->hits) {
		d->hits[g] += s->hits[sg];
		xsum_merge(&d->hit_w[g], &s->hit_w[sg]);
	}
}

static void merge_source(struct value_source *s, uint32_t dst, uint32_t src)
{
	agg_merge_source_counts(s, dst, s, src);
	if (s->svals)
		svy_values_merge(&s->svals[dst], &s->svals[src]);
	if (s->acc)
		svy_acc_merge(&s->acc[dst], &s->acc[src]);
	if (s->hit_acc)
		svy_acc_merge(&s->hit_acc[dst], &s->hit_acc[src]);
}

void agg_merge_group(struct agg *a, uint32_t dst, uint32_t src)
{
	a->n[dst] += a->n[src];
	if (a->w)
		xsum_merge(&a->w[dst], &a->w[src]);
	if (a->acc)
		svy_acc_merge(&a->acc[dst], &a->acc[src]);
	for (size_t i = 0; i < a->nsrc; i++)
		merge_source(&a->src[i], dst, src);
}

/* ---- margins and share bases --------------------------------------- */

/* Margins replace key parts by Total, a class of keys at a time: the
 * --within keys among the row keys, the other row keys, the pivot key.
 * Without --within the row keys are one class, so --total gives the grand
 * total row (and pivot margins); with it, also each --within group's
 * subtotal and the other keys' totals over every --within group. */
enum { KEYS_WITHIN = 1, KEYS_OTHER = 2, KEYS_PIVOT = 4, MAX_MARGINS = 7 };

static int key_class(const struct agg *a, size_t k)
{
	if ((long)k == a->spec.pivot)
		return KEYS_PIVOT;
	for (size_t i = 0; i < a->spec.nwithin; i++)
		if (a->within_idx[i] == k)
			return KEYS_WITHIN;
	return KEYS_OTHER;
}

/* The classes that hold keys, or'ed. */
static int key_classes(const struct agg *a)
{
	int c = 0;

	for (size_t k = 0; k < a->spec.nkeys; k++)
		c |= key_class(a, k);
	return c;
}

/* key with the parts of the classes in mask replaced by Total. */
static void margin_key(const struct agg *a, const char *key, size_t len, int mask, struct sbuf *out)
{
	size_t pos = 0;
	const char *p;
	size_t n;
	int total;

	sbuf_reset(out);
	for (size_t i = 0; key_next_part(key, len, &pos, &p, &n, &total); i++) {
		if (total || (mask & key_class(a, i)))
			keybuf_total(out);
		else
			keybuf_part(out, p, n);
	}
}

static int seen_key(struct sbuf *keys, size_t nkeys, const struct sbuf *k)
{
	for (size_t i = 0; i < nkeys; i++)
		if (keys[i].len == k->len && memcmp(keys[i].s, k->s, k->len) == 0)
			return 1;
	return 0;
}

/* The distinct margin keys of group g (not g's own) into out[0..n), n at
 * most MAX_MARGINS; out[MAX_MARGINS] holds g's key. */
static size_t margin_keys(const struct agg *a, uint32_t g, struct sbuf out[MAX_MARGINS + 1])
{
	size_t len, n = 0;
	const char *key = groups_key(&a->groups, g, &len);
	int classes = key_classes(a);

	sbuf_reset(&out[MAX_MARGINS]);
	sbuf_add(&out[MAX_MARGINS], key, len);
	for (int mask = 1; mask <= MAX_MARGINS; mask++) {
		if ((mask & classes) != mask)
			continue;
		margin_key(a, out[MAX_MARGINS].s, out[MAX_MARGINS].len, mask, &out[n]);
		if (!seen_key(out, n, &out[n]) && !seen_key(&out[MAX_MARGINS], 1, &out[n]))
			n++;
	}
	return n;
}

static uint32_t intern_group(struct agg *a, const struct sbuf *k)
{
	int added;
	uint32_t g = groups_intern(&a->groups, k->s, k->len, key_hash(k->s, k->len), &added);

	if (added)
		agg_reserve(a, (size_t)g + 1);
	return g;
}

static void margin_distinct(struct agg *a, struct value_source *s, struct sbuf mk[MAX_MARGINS + 1])
{
	size_t nentries = s->distinct.n;

	for (size_t i = 0; i < nentries; i++) {
		size_t len;
		const char *key = groups_key(&s->distinct, (uint32_t)i, &len);
		uint32_t g;
		memcpy(&g, key, 4);
		if (g >= a->nbase)
			continue;
		struct sbuf value = SBUF_INIT;
		sbuf_add(&value, key + 4, len - 4);
		size_t nm = margin_keys(a, g, mk);
		for (size_t m = 0; m < nm; m++)
			add_distinct(s, intern_group(a, &mk[m]), value.s, value.len, &a->tmp);
		sbuf_release(&value);
	}
}

static void sbufs_init(struct sbuf *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sbuf_init(&b[i]);
}

static void sbufs_release(struct sbuf *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sbuf_release(&b[i]);
}

static void add_margins(struct agg *a)
{
	struct sbuf mk[MAX_MARGINS + 1];

	sbufs_init(mk, MAX_MARGINS + 1);

	for (uint32_t g = 0; g < a->nbase; g++) {
		size_t nm = margin_keys(a, g, mk);
		for (size_t m = 0; m < nm; m++)
			agg_merge_group(a, intern_group(a, &mk[m]), g);
	}
	for (size_t i = 0; i < a->nsrc; i++)
		if (a->src[i].need & NEED_DISTINCT)
			margin_distinct(a, &a->src[i], mk);
	sbufs_release(mk, MAX_MARGINS + 1);
}

/* The parts of key at the --within positions: the share base's key. */
void agg_project(const struct agg *a, const char *key, size_t len, struct sbuf *out)
{
	sbuf_reset(out);
	for (size_t i = 0; i < a->spec.nwithin; i++) {
		const char *p;
		size_t n;
		int total;
		key_part(key, len, a->within_idx[i], &p, &n, &total);
		if (total)
			keybuf_total(out);
		else
			keybuf_part(out, p, n);
	}
	if (out->len == 0)
		sbuf_addc(out, '\0');      /* everything: one base */
}

static uint32_t intern_base(struct agg *a, const struct sbuf *k)
{
	int added;
	uint32_t b = groups_intern(&a->bases, k->s, k->len, key_hash(k->s, k->len), &added);

	if (added) {
		a->base = xrealloc(a->base, a->bases.n * sizeof(*a->base));
		memset(&a->base[b], 0, sizeof(*a->base));
	}
	return b;
}

/* Which groups add to which base, for their survey sums: pairs (base,
 * group) as they come, then grouped by base so that bases fill on two
 * threads, each base's groups in order. */
struct base_members {
	uint32_t *pair;            /* base, group, base, group … */
	size_t n, cap;
	size_t *start;             /* base b's groups: group[start[b] .. start[b+1]) */
	uint32_t *group;
	struct agg *a;
};

static void add_to_base(struct agg *a, uint32_t b, uint32_t g, struct base_members *bm)
{
	a->base[b].n += a->n[g];
	if (a->w)
		xsum_merge(&a->base[b].w, &a->w[g]);
	if (!a->acc)
		return;
	bm->pair = xgrow(bm->pair, &bm->cap, 2 * (bm->n + 1), sizeof(*bm->pair));
	bm->pair[2 * bm->n] = b;
	bm->pair[2 * bm->n + 1] = g;
	bm->n++;
}

static void fill_base(void *ctx, size_t b)
{
	struct base_members *bm = ctx;

	for (size_t i = bm->start[b]; i < bm->start[b + 1]; i++)
		svy_acc_merge(&bm->a->base[b].acc, &bm->a->acc[bm->group[i]]);
}

/* The survey sums of every base, from its groups' (counting sort by base,
 * stable, then one job per base). */
static void fill_bases(struct agg *a, struct base_members *bm)
{
	size_t nb = a->bases.n;

	bm->a = a;
	bm->start = xcalloc(nb + 2, sizeof(*bm->start));
	bm->group = xmalloc((bm->n + 1) * sizeof(*bm->group));
	for (size_t i = 0; i < bm->n; i++)
		bm->start[bm->pair[2 * i] + 2]++;
	for (size_t b = 0; b < nb; b++)
		bm->start[b + 2] += bm->start[b + 1];
	for (size_t i = 0; i < bm->n; i++)
		bm->group[bm->start[bm->pair[2 * i] + 1]++] = bm->pair[2 * i + 1];
	parallel_for(nb, fill_base, bm);
	free(bm->pair);
	free(bm->start);
	free(bm->group);
}

/* Each data group counts once towards the base of itself and of each of
 * its margins (with Total acting as "any" in the projection). */
static void build_bases(struct agg *a)
{
	struct sbuf mk[MAX_MARGINS + 1], proj[MAX_MARGINS + 1];

	sbufs_init(mk, MAX_MARGINS + 1);
	sbufs_init(proj, MAX_MARGINS + 1);

	struct base_members bm = { NULL, 0, 0, NULL, NULL, NULL };

	for (uint32_t g = 0; g < a->nbase; g++) {
		size_t nm = a->spec.total ? margin_keys(a, g, mk) : 0, np = 0;
		size_t len;
		const char *key = groups_key(&a->groups, g, &len);
		agg_project(a, key, len, &proj[np++]);
		for (size_t m = 0; m < nm; m++) {
			agg_project(a, mk[m].s, mk[m].len, &proj[np]);
			if (!seen_key(proj, np, &proj[np]))
				np++;
		}
		for (size_t i = 0; i < np; i++)
			add_to_base(a, intern_base(a, &proj[i]), g, &bm);
	}
	if (a->acc)
		fill_bases(a, &bm);
	a->base_of = xcalloc(a->groups.n + 1, sizeof(*a->base_of));
	for (uint32_t g = 0; g < a->groups.n; g++) {
		size_t len;
		const char *key = groups_key(&a->groups, g, &len);
		agg_project(a, key, len, &proj[0]);
		long b = groups_find(&a->bases, proj[0].s, proj[0].len, key_hash(proj[0].s, proj[0].len));
		a->base_of[g] = b < 0 ? UINT32_MAX : (uint32_t)b;
	}
	sbufs_release(mk, MAX_MARGINS + 1);
	sbufs_release(proj, MAX_MARGINS + 1);
}

int agg_finish(struct agg *a, char *err, size_t errsize)
{
	struct sbuf k = SBUF_INIT;

	agg_settle(a);
	a->nbase = a->groups.n;
	if (check_total_labels(a, err, errsize) < 0)
		return -1;
	if (a->spec.total)
		add_margins(a);
	build_bases(a);
	sbuf_addc(&k, '\xff');             /* no key encodes as one byte */
	a->empty = (long)intern_group(a, &k);
	sbuf_release(&k);
	agg_estimate_all(a);
	return 0;
}

/* ---- release ---------------------------------------------------------- */

static void release_source(struct value_source *s, size_t ngroups)
{
	for (size_t g = 0; g < ngroups; g++) {
		if (s->vals)
			dvec_release(&s->vals[g]);
		if (s->svals)
			svy_values_release(&s->svals[g]);
		if (s->acc)
			svy_acc_release(&s->acc[g]);
		if (s->hit_acc)
			svy_acc_release(&s->hit_acc[g]);
		if (s->mom) {
			xsum_release(&s->mom[g].w);
			xsum_release(&s->mom[g].wy);
			xsum_release(&s->mom[g].wy2);
		}
		if (s->hit_w)
			xsum_release(&s->hit_w[g]);
	}
	free(s->used);
	free(s->missing);
	free(s->mom);
	free(s->min);
	free(s->max);
	free(s->vals);
	free(s->svals);
	free(s->acc);
	free(s->hit_acc);
	free(s->hits);
	free(s->hit_w);
	free(s->ndistinct);
	groups_release(&s->distinct);
	if (s->kind == SRC_COND)
		cond_release(&s->cond);
	else
		keyexpr_release(&s->kx);
	free(s->text);
}

void agg_release(struct agg *a)
{
	size_t ng = a->groups.n;

	free(a->own_dates);

	for (size_t i = 0; i < a->nsrc; i++)
		release_source(&a->src[i], ng);
	free(a->src);
	for (size_t i = 0; i < a->nstats; i++) {
		free(a->stats[i].spec);
		free(a->stats[i].name);
	}
	free(a->stats);
	for (size_t i = 0; i < a->spec.nkeys; i++)
		keyexpr_release(&a->keys[i]);
	free(a->keys);
	free(a->key_slot);
	free(a->by_ids);
	if (a->acc)
		for (size_t g = 0; g < ng; g++)
			svy_acc_release(&a->acc[g]);
	free(a->acc);
	free(a->n);
	for (size_t g = 0; a->w && g < ng; g++)
		xsum_release(&a->w[g]);
	free(a->w);
	for (size_t b = 0; a->base && b < a->bases.n; b++) {
		svy_acc_release(&a->base[b].acc);
		xsum_release(&a->base[b].w);
	}
	free(a->base);
	free(a->base_of);
	free(a->est_cache);
	free(a->est_done);
	free(a->within_idx);
	groups_release(&a->groups);
	groups_release(&a->bases);
	sbuf_release(&a->kb);
	sbuf_release(&a->tmp);
	free(a->rv);
	if (a->design)
		svy_design_free(a->design);
	free_list(a->spec.keys, a->spec.nkeys);
	free_list(a->spec.stats, a->spec.nstats);
	free_list(a->spec.within, a->spec.nwithin);
	free_list(a->spec.where, a->spec.nwhere);
	where_release(&a->where);
	free((char *)a->spec.weight);
	free((char *)a->spec.strata);
	free((char *)a->spec.psu);
	free((char *)a->spec.fpc);
	free((char *)a->spec.missing);
	agg_rep_release(a);
	missing_release(&a->miss);
	memset(a, 0, sizeof(*a));
}
