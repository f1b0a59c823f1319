/* Partials: the design, accumulators and held values as JSON, and their
 * merge into a running design.  Sums travel exactly, as xsum text
 * ("m/scale", or "~" and a hexadecimal long double once inexact); partials
 * of format 1 held long doubles as a number or as [hi, lo] with hi + lo
 * the long double, which still read (as inexact sums). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "survey_impl.h"
#include "survey_rep.h"
#include "json_build.h"
#include "error.h"
#include "xalloc.h"

static const char *const kind_names[] = { "empty", "strata", "psus" };

static json_t *jlong(long double x)
{
	double hi = (double)x, lo = (double)(x - hi);

	if (lo == 0)
		return json_real(hi);
	json_t *a = jb_check(json_array());
	jb_push(a, json_real(hi));
	jb_push(a, json_real(lo));
	return a;
}

static json_t *jsum(const struct xsum *x)
{
	char buf[512];

	xsum_format(x, buf, sizeof buf);
	return json_string(buf);
}

json_t *svy_sum_to_json(const struct xsum *x)
{
	return jsum(x);
}

static json_t *jcount(uint64_t n)
{
	return json_integer((json_int_t)n);
}

/* Readers: 0 on success, -1 when the value has the wrong type. */
static int get_long(const json_t *j, long double *out)
{
	if (json_is_number(j)) {
		*out = json_number_value(j);
		return 0;
	}
	if (json_is_array(j) && json_array_size(j) == 2 && json_is_number(json_array_get(j, 0))
		&& json_is_number(json_array_get(j, 1))) {
		*out = (long double)json_number_value(json_array_get(j, 0))
			+ json_number_value(json_array_get(j, 1));
		return 0;
	}
	return -1;
}

static int get_sum(const json_t *j, struct xsum *out)
{
	long double ld;

	if (json_is_string(j))
		return xsum_parse(out, json_string_value(j));
	if (get_long(j, &ld) < 0)
		return -1;
	memset(out, 0, sizeof *out);
	xsum_add_long_double(out, ld);
	return 0;
}

int svy_sum_from_json(const json_t *j, struct xsum *out)
{
	return get_sum(j, out);
}

static int get_count(const json_t *j, uint64_t *out)
{
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(j);
	return 0;
}

static int get_flag(const json_t *obj, const char *key)
{
	const json_t *j = json_object_get(obj, key);

	return json_is_true(j) ? 1 : json_is_false(j) ? 0 : -1;
}

/* ---- design ---------------------------------------------------------- */

json_t *svy_design_to_json(const struct svy_design *d)
{
	json_t *j = jb_check(json_object()), *strata = jb_check(json_array()), *psus = jb_check(json_array());

	jb_set(j, "weights", json_boolean(d->o.has_weights));
	jb_set(j, "strata", json_boolean(d->o.has_strata));
	jb_set(j, "psu", json_boolean(d->o.has_psu));
	jb_set(j, "fpc", json_boolean(d->o.has_fpc));
	jb_set(j, "lonely_psu", json_string(svy_lonely_name(d->o.lonely)));
	if (d->o.lonely_domain)
		jb_set(j, "lonely_domain", json_true());
	for (size_t h = 0; h < d->nstrata; h++) {
		json_t *s = jb_check(json_array());
		jb_push(s, json_stringn(d->strata[h].name, d->strata[h].len));
		jb_push(s, json_real(d->strata[h].fpc));
		jb_push(s, jcount(d->o.has_psu ? 0 : d->strata[h].npsu));
		jb_push(strata, s);
	}
	for (size_t i = 0; i < d->npsu; i++) {
		json_t *p = jb_check(json_array());
		size_t len;
		const char *id = svy_psu_id(d, i, &len);
		jb_push(p, jcount(d->psus[i].stratum));
		jb_push(p, json_stringn(id, len));
		jb_push(psus, p);
	}
	jb_set(j, "stratum_list", strata);
	jb_set(j, "psu_list", psus);
	if (d->rep)
		jb_set(j, "replicates", svy_rep_design_json(d));
	return j;
}

void svy_map_release(struct svy_map *m)
{
	free(m->stratum);
	free(m->psu);
	memset(m, 0, sizeof *m);
}

static int same_options(const struct svy_design *d, const json_t *j)
{
	const json_t *lonely = json_object_get(j, "lonely_psu");

	return get_flag(j, "weights") == d->o.has_weights && get_flag(j, "strata") == d->o.has_strata
		&& get_flag(j, "psu") == d->o.has_psu && get_flag(j, "fpc") == d->o.has_fpc
		&& json_is_string(lonely) && strcmp(json_string_value(lonely), svy_lonely_name(d->o.lonely)) == 0
		&& json_is_true(json_object_get(j, "lonely_domain")) == !!d->o.lonely_domain;
}

static int merge_stratum(struct svy_design *d, const json_t *s, uint32_t *to)
{
	const json_t *name = json_array_get(s, 0), *fpc = json_array_get(s, 1);
	uint64_t rows;

	if (!json_is_string(name) || !json_is_number(fpc) || get_count(json_array_get(s, 2), &rows) < 0)
		return svy_fail(d, "malformed stratum in partial");
	/* rows are counted here only when each row is a PSU; an fpc is given
	 * only with --fpc, and is then positive (0: none seen yet) */
	double f = json_number_value(fpc);
	if ((d->o.has_psu && rows != 0) || !(f == 0 || (d->o.has_fpc && f > 0 && isfinite(f))))
		return svy_fail(d, "stratum in partial does not fit its design");
	return svy_stratum_merge(d, json_string_value(name), json_string_length(name), json_number_value(fpc),
		rows, to);
}

int svy_design_merge_json(struct svy_design *d, const json_t *j, struct svy_map *m)
{
	const json_t *strata = json_object_get(j, "stratum_list"), *psus = json_object_get(j, "psu_list");

	memset(m, 0, sizeof *m);
	if (!json_is_object(j) || !json_is_array(strata) || !json_is_array(psus))
		return svy_fail(d, "malformed design in partial");
	if (!same_options(d, j) || (d->rep && !json_object_get(j, "replicates")))
		return svy_fail(d, "partial was made with other design options");
	if (json_object_get(j, "replicates") && svy_rep_design_merge_json(d, json_object_get(j, "replicates")) < 0)
		return -1;
	m->nstrata = json_array_size(strata);
	m->npsu = json_array_size(psus);
	m->stratum = xcalloc(m->nstrata + 1, sizeof *m->stratum);
	m->psu = xcalloc(m->npsu + 1, sizeof *m->psu);
	for (size_t h = 0; h < m->nstrata; h++)
		if (merge_stratum(d, json_array_get(strata, h), &m->stratum[h]) < 0)
			return -1;
	for (size_t i = 0; i < m->npsu; i++) {
		const json_t *p = json_array_get(psus, i), *id = json_array_get(p, 1);
		uint64_t h;
		if (get_count(json_array_get(p, 0), &h) < 0 || h >= m->nstrata || !json_is_string(id))
			return svy_fail(d, "malformed PSU in partial");
		m->psu[i] = svy_psu_intern(d, m->stratum[h], json_string_value(id), json_string_length(id));
	}
	d->last_stratum = d->last_psu = UINT32_MAX;
	return 0;
}

/* ---- accumulators ---------------------------------------------------- */

static json_t *stratum_cell_json(size_t i, const struct svy_stratum_sums *s)
{
	json_t *c = jb_check(json_array());

	jb_push(c, jcount(i));
	jb_push(c, jcount(s->n));
	jb_push(c, jsum(&s->w));
	jb_push(c, jsum(&s->wy));
	jb_push(c, jsum(&s->w2));
	jb_push(c, jsum(&s->w2y));
	jb_push(c, jsum(&s->w2y2));
	if (s->n_pos != s->n)          /* rows of weight 0: written only when there are some */
		jb_push(c, jcount(s->n_pos));
	return c;
}

static json_t *psu_cell_json(const struct svy_acc *a, const struct svy_psu_sums *p)
{
	json_t *c = jb_check(json_array());
	struct xsum w, wy;

	svy_cell_sum(a, p, CELL_W, &w);
	svy_cell_sum(a, p, CELL_WY, &wy);
	jb_push(c, jcount(p->psu));
	jb_push(c, jcount(p->n));
	jb_push(c, jsum(&w));
	jb_push(c, jsum(&wy));
	return c;
}

json_t *svy_acc_to_json(const struct svy_acc *a)
{
	json_t *j = jb_check(json_object()), *cells = jb_check(json_array());

	jb_set(j, "w", jsum(&a->w));
	jb_set(j, "wy", jsum(&a->wy));
	jb_set(j, "wy2", jsum(&a->wy2));
	jb_set(j, "w2", jsum(&a->w2));
	jb_set(j, "n", jcount(a->n));
	jb_set(j, "n_pos", jcount(a->n_pos));
	jb_set(j, "n01", jcount(a->n01));
	jb_set(j, "kind", json_string(kind_names[a->kind]));
	if (a->kind == KIND_STRATA) {
		for (size_t i = 0; i < a->ncells; i++) {
			const struct svy_stratum_sums *s = (const struct svy_stratum_sums *)a->cells + i;
			if (s->n > 0)
				jb_push(cells, stratum_cell_json(i, s));
		}
	} else if (a->kind == KIND_PSUS) {
		uint32_t *order = svy_acc_psu_order(a);
		for (size_t i = 0; i < a->ncells; i++) {
			const struct svy_psu_sums *p = (const struct svy_psu_sums *)a->cells + order[i];
			if (p->n > 0)
				jb_push(cells, psu_cell_json(a, p));
		}
		free(order);
	}
	jb_set(j, "cells", cells);
	if (a->rep)
		jb_set(j, "replicates", svy_rep_acc_json(a));
	return j;
}

static int kind_of(const json_t *j)
{
	const char *s = json_string_value(json_object_get(j, "kind"));

	for (int k = 0; s && k < 3; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

/* A stratum cell's rows of weight other than 0: its 8th element, else
 * all of them. */
static int cell_n_pos(const json_t *c, uint64_t n, uint64_t *npos)
{
	*npos = n;
	if (json_array_size(c) == 8 && (get_count(json_array_get(c, 7), npos) < 0 || *npos > n))
		return -1;
	return 0;
}

static int merge_cell(struct svy_acc *a, int kind, const json_t *c, const struct svy_map *m)
{
	uint64_t i, n, npos;
	struct xsum v[5] = { { .m = 0 } };
	size_t nv = kind == KIND_STRATA ? 5 : 2, size = json_array_size(c);
	int rc = 0;

	if (!json_is_array(c) || (size != 2 + nv && !(kind == KIND_STRATA && size == 8))
		|| get_count(json_array_get(c, 0), &i) < 0 || get_count(json_array_get(c, 1), &n) < 0
		|| n == 0 || cell_n_pos(c, n, &npos) < 0)
		return -1;                 /* a cell is written only when it has rows */
	if (i >= (kind == KIND_STRATA ? m->nstrata : m->npsu))
		return -1;
	for (size_t k = 0; k < nv && rc == 0; k++)
		rc = get_sum(json_array_get(c, 2 + k), &v[k]);
	if (rc < 0)
		;
	else if (kind == KIND_STRATA) {
		struct svy_stratum_sums *s = svy_acc_stratum(a, m->stratum[i]);
		s->n += n;
		s->n_pos += npos;
		xsum_merge(&s->w, &v[0]);
		xsum_merge(&s->wy, &v[1]);
		xsum_merge(&s->w2, &v[2]);
		xsum_merge(&s->w2y, &v[3]);
		xsum_merge(&s->w2y2, &v[4]);
	} else {
		struct svy_psu_sums *p = svy_acc_psu(a, m->psu[i]);
		p->n = svy_cell_rows(p->n, n);
		svy_cell_add_xsum(a, p, CELL_W, &v[0]);
		svy_cell_add_xsum(a, p, CELL_WY, &v[1]);
	}
	for (size_t k = 0; k < nv; k++)
		xsum_release(&v[k]);
	return rc;
}

int svy_acc_merge_json(struct svy_acc *a, struct svy_design *d,
	const json_t *j, const struct svy_map *m)
{
	const json_t *cells = json_object_get(j, "cells");
	struct xsum t[4] = { { .m = 0 } };
	uint64_t n = 0, npos = 0, n01 = 0;
	int kind = kind_of(j), rc = 0;

	if (!json_is_object(j) || kind < 0 || !json_is_array(cells)
		|| get_sum(json_object_get(j, "w"), &t[0]) < 0 || get_sum(json_object_get(j, "wy"), &t[1]) < 0
		|| get_sum(json_object_get(j, "wy2"), &t[2]) < 0 || get_sum(json_object_get(j, "w2"), &t[3]) < 0
		|| get_count(json_object_get(j, "n"), &n) < 0 || get_count(json_object_get(j, "n_pos"), &npos) < 0
		|| get_count(json_object_get(j, "n01"), &n01) < 0)
		rc = svy_fail(d, "malformed accumulator in partial");
	else if (npos > n || n01 > n)
		rc = svy_fail(d, "accumulator in partial counts more rows of a kind than rows");
	else if (kind != KIND_EMPTY && a->kind != KIND_EMPTY && kind != a->kind)
		rc = svy_fail(d, "accumulator of another design in partial");
	for (size_t i = 0; rc == 0 && i < json_array_size(cells); i++)
		if (merge_cell(a, kind, json_array_get(cells, i), m) < 0)
			rc = svy_fail(d, "malformed accumulator cell in partial");
	const json_t *rep = json_object_get(j, "replicates");
	if (rc == 0 && rep && (!d->rep || svy_rep_acc_merge_json(a, d, rep) < 0))
		rc = d->rep ? -1 : svy_fail(d, "replicate sums in a partial without replicate weights");
	else if (rc == 0 && !rep && d->rep && n > 0)
		rc = svy_fail(d, "accumulator in partial has no replicate sums");
	if (rc == 0) {
		xsum_merge(&a->w, &t[0]);
		xsum_merge(&a->wy, &t[1]);
		xsum_merge(&a->wy2, &t[2]);
		xsum_merge(&a->w2, &t[3]);
		a->n += n;
		a->n_pos += npos;
		a->n01 += n01;
	}
	for (int k = 0; k < 4; k++)
		xsum_release(&t[k]);
	return rc;
}

/* ---- held values ----------------------------------------------------- */

static int same_value(const struct svy_value *a, const struct svy_value *b)
{
	return a->y == b->y && a->w == b->w && a->u.stratum == b->u.stratum && a->u.psu == b->u.psu;
}

json_t *svy_values_to_json(const struct svy_design *d, struct svy_values *s)
{
	json_t *j = jb_check(json_object()), *v = jb_check(json_array());

	svy_values_sort(s->v, s->n);
	jb_set(j, "sum_w", jlong(s->sum_w));
	for (size_t i = 0, end; i < s->n; i = end) {
		uint64_t k = s->v[i].k;
		for (end = i + 1; end < s->n && same_value(&s->v[i], &s->v[end]); end++)
			k += s->v[end].k;
		if (svy_design_is_rep(d)) {
			jb_push(v, svy_rep_value_json(d, &s->v[i], k));
			continue;
		}
		json_t *e = jb_check(json_array());
		jb_push(e, json_real(s->v[i].y));
		jb_push(e, json_real(s->v[i].w));
		jb_push(e, jcount(s->v[i].u.stratum));
		jb_push(e, s->v[i].u.psu == SVY_ROW_PSU ? json_integer(-1) : jcount(s->v[i].u.psu));
		if (k > 1)
			jb_push(e, jcount(k));
		jb_push(v, e);
	}
	jb_set(j, "values", v);
	return j;
}

/* One entry [y, w, stratum, psu] or [y, w, stratum, psu, k]; *left is how
 * many values may still come. */
static int merge_value(struct svy_values *s, const struct svy_design *d, const json_t *e,
	const struct svy_map *m, uint64_t *left)
{
	const json_t *y = json_array_get(e, 0), *w = json_array_get(e, 1), *p = json_array_get(e, 3);
	uint64_t h, k = 1;

	if (!json_is_number(y) || !json_is_number(w) || get_count(json_array_get(e, 2), &h) < 0
		|| h >= m->nstrata || !json_is_integer(p))
		return -1;
	if (json_array_size(e) == 5 ? get_count(json_array_get(e, 4), &k) < 0 || k < 2
	    : json_array_size(e) != 4)
		return -1;
	json_int_t pi = json_integer_value(p);
	if (pi < -1 || (pi >= 0 && (uint64_t)pi >= m->npsu) || k > *left)
		return -1;
	/* a PSU with --psu (and none without), in the value's own stratum */
	if (d->o.has_psu ? pi < 0 || d->psus[m->psu[pi]].stratum != m->stratum[h] : pi != -1)
		return -1;
	*left -= k;
	struct svy_unit u = { m->stratum[h], pi < 0 ? SVY_ROW_PSU : m->psu[pi] };
	svy_values_add_run(s, u, json_number_value(w), json_number_value(y), k);
	return 0;
}

int svy_values_merge_json(struct svy_values *s, struct svy_design *d,
	const json_t *j, const struct svy_map *m, uint64_t count)
{
	const json_t *v = json_object_get(j, "values");
	long double sw;

	if (!json_is_object(j) || !json_is_array(v) || get_long(json_object_get(j, "sum_w"), &sw) < 0)
		return svy_fail(d, "malformed values in partial");
	for (size_t i = 0; i < json_array_size(v); i++)
		if ((svy_design_is_rep(d) ? svy_rep_value_merge(s, d, json_array_get(v, i), &count)
		    : merge_value(s, d, json_array_get(v, i), m, &count)) < 0)
			return svy_fail(d, "malformed value in partial");
	if (count != 0)
		return svy_fail(d, "a partial holds fewer values than rows it used");
	s->sum_w += sw;
	return 0;
}
