#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json_build.h"
#include "num.h"
#include "partial.h"
#include "quantile.h"
#include "value_runs.h"
#include "xalloc.h"


static json_t *string_list(char **v, size_t n)
{
	json_t *arr = jb_check(json_array());

	for (size_t i = 0; i < n; i++)
		jb_push(arr, json_string(v[i]));
	return arr;
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *xsum_json(const struct xsum *x)
{
	char buf[512];

	xsum_format(x, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *spec_json(const struct agg *a)
{
	json_t *s = jb_check(json_object());

	jb_set(s, "keys", string_list(a->spec.keys, a->spec.nkeys));
	jb_set(s, "stats", string_list(a->spec.stats, a->spec.nstats));
	jb_set(s, "weight", opt_string(a->spec.weight));
	jb_set(s, "strata", opt_string(a->spec.strata));
	jb_set(s, "psu", opt_string(a->spec.psu));
	jb_set(s, "fpc", opt_string(a->spec.fpc));
	jb_set(s, "lonely", json_string(svy_lonely_name(a->spec.lonely)));
	if (a->spec.lonely_domain)
		jb_set(s, "lonely_domain", json_true());
	jb_set(s, "survey", json_boolean(a->spec.survey));
	if (a->spec.repweights) {
		const struct svy_rep_spec *r = &a->spec.rep;
		jb_set(s, "repweights", json_string(a->spec.repweights));
		jb_set(s, "rep_type", opt_string(r->type));
		jb_set(s, "rho", opt_string(r->rho));
		jb_set(s, "scale", opt_string(r->scale));
		jb_set(s, "rscales", opt_string(r->rscales));
		jb_set(s, "mse", json_boolean(r->mse));
		jb_set(s, "rep_factors", json_boolean(r->factors));
	}
	if (!missing_is_default(&a->miss))     /* so partials of before --missing read the same */
		jb_set(s, "missing", string_list(a->miss.codes, a->miss.n));
	if (a->spec.nwhere)                    /* partials of other rows never merge */
		jb_set(s, "where", string_list(a->spec.where, a->spec.nwhere));
	return s;
}

static json_t *key_json(const struct agg *a, uint32_t g)
{
	json_t *arr = jb_check(json_array());
	size_t len, pos = 0, n;
	const char *key = groups_key(&a->groups, g, &len), *p;
	int total;

	while (key_next_part(key, len, &pos, &p, &n, &total))
		jb_push(arr, json_stringn(p, n));
	return arr;
}

/* A plain median's values as (value, times) runs in ascending order: a
 * value seen once is a number, one seen k > 1 times the pair [value, k].
 * Days to resolve take a few hundred entries where the rows are millions. */
static json_t *values_json(const struct dvec *v)
{
	json_t *arr = jb_check(json_array());
	struct value_runs runs;

	value_runs_of(&runs, v);
	for (size_t i = 0; i < runs.n; i++) {
		if (runs.times[i] == 1) {
			jb_push(arr, json_real(runs.value[i]));
			continue;
		}
		json_t *pair = jb_check(json_array());
		jb_push(pair, json_real(runs.value[i]));
		jb_push(pair, json_integer((json_int_t)runs.times[i]));
		jb_push(arr, pair);
	}
	value_runs_release(&runs);
	return arr;
}

static json_t *distinct_json(const struct value_source *s, uint32_t g)
{
	json_t *arr = jb_check(json_array());

	for (uint32_t i = 0; i < s->distinct.n; i++) {
		size_t len;
		const char *key = groups_key(&s->distinct, i, &len);
		uint32_t owner;
		memcpy(&owner, key, 4);
		if (owner == g)
			jb_push(arr, json_stringn(key + 4, len - 4));
	}
	return arr;
}

static json_t *source_json(const struct svy_design *d, const struct value_source *s, uint32_t g)
{
	json_t *o = jb_check(json_object());

	jb_set(o, "used", json_integer((json_int_t)s->used[g]));
	jb_set(o, "missing", json_integer((json_int_t)s->missing[g]));
	if (s->mom) {
		json_t *m = jb_check(json_array());
		jb_push(m, xsum_json(&s->mom[g].w));
		jb_push(m, xsum_json(&s->mom[g].wy));
		jb_push(m, xsum_json(&s->mom[g].wy2));
		if (s->mom[g].zero)            /* rows of weight 0, when there are some */
			jb_push(m, json_integer((json_int_t)s->mom[g].zero));
		jb_set(o, "mom", m);
	}
	if (s->min && s->used[g]) {
		jb_set(o, "min", json_real(s->min[g]));
		jb_set(o, "max", json_real(s->max[g]));
	}
	if (s->vals)
		jb_set(o, "vals", values_json(&s->vals[g]));
	if (s->svals)
		jb_set(o, "svals", svy_values_to_json(d, &s->svals[g]));
	if (s->acc)
		jb_set(o, "acc", svy_acc_to_json(&s->acc[g]));
	if (s->hits) {
		jb_set(o, "hits", json_integer((json_int_t)s->hits[g]));
		jb_set(o, "hit_w", xsum_json(&s->hit_w[g]));
	}
	if (s->hit_acc)
		jb_set(o, "hit_acc", svy_acc_to_json(&s->hit_acc[g]));
	if (s->ndistinct)
		jb_set(o, "distinct", distinct_json(s, g));
	return o;
}

static json_t *group_json(const struct agg *a, uint32_t g, const char *id)
{
	json_t *o = jb_check(json_object()), *src = jb_check(json_array());

	jb_set(o, "part", json_string(id));

	jb_set(o, "key", key_json(a, g));
	jb_set(o, "n", json_integer((json_int_t)a->n[g]));
	if (a->w)
		jb_set(o, "w", xsum_json(&a->w[g]));
	if (a->acc)
		jb_set(o, "acc", svy_acc_to_json(&a->acc[g]));
	for (size_t i = 0; i < a->nsrc; i++)
		jb_push(src, source_json(a->design, &a->src[i], g));
	jb_set(o, "src", src);
	return o;
}

static int write_line(FILE *fp, json_t *j)
{
	int rc = json_dumpf(j, fp, JSON_COMPACT | JSON_ENSURE_ASCII) == 0 && putc('\n', fp) != EOF;

	json_decref(j);
	return rc && !ferror(fp) ? 0 : -1;
}

/* Group lines name the design they index by a hash of it, so partials
 * may be concatenated or even sorted line by line (Hadoop Streaming) and
 * still merge: headers sort before groups ("civic…" < "part"). */
static void part_id(json_t *design, char id[24])
{
	char *text = json_dumps(design, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	if (!text)
		civic_die(CIVIC_EXIT_DATA, "out of memory");
	snprintf(id, 24, "%016llx", (unsigned long long)key_hash(text, strlen(text)));
	free(text);
}

int partial_write(FILE *fp, struct agg *a, json_t *options)
{
	agg_settle(a);
	json_t *h = jb_check(json_object());
	json_t *design = a->design ? svy_design_to_json(a->design) : json_null();
	char id[24];

	part_id(design, id);
	jb_set(h, "civic_tally_partial", json_integer(PARTIAL_FORMAT));
	jb_set(h, "part", json_string(id));
	jb_set(h, "spec", spec_json(a));
	jb_set(h, "options", options ? json_incref(options) : json_object());
	jb_set(h, "design", design);
	if (write_line(fp, h) < 0)
		return -1;
	for (uint32_t g = 0; g < a->groups.n; g++)
		if (write_line(fp, group_json(a, g, id)) < 0)
			return -1;
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

static int bad(const struct partial_in *p, const char *what)
{
	civic_warn_at(p->name, p->line, "%s", what);
	return -1;
}

/* The next line as JSON: 1, 0 at the end, -1 on error (printed). */
static int next_json(struct partial_in *p, json_t **out)
{
	ssize_t n = getline(&p->buf, &p->cap, p->fp);
	json_error_t e;

	if (n < 0) {
		if (ferror(p->fp)) {
			civic_warn("%s: read error:", p->name);
			return -1;
		}
		return 0;
	}
	p->line++;
	*out = json_loadb(p->buf, (size_t)n, JSON_REJECT_DUPLICATES, &e);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		return bad(p, "not a civic-tally partial (a line is not a JSON object)");
	}
	return 1;
}

int partial_open(struct partial_in *p, const char *path)
{
	FILE *fp = stdin;

	if (strcmp(path, "-") != 0 && !(fp = fopen(path, "r"))) {
		civic_warn("%s:", path);
		return -1;
	}
	return partial_open_stream(p, fp, strcmp(path, "-") == 0 ? "(standard input)" : path);
}

int partial_open_stream(struct partial_in *p, FILE *fp, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->fp = fp;
	p->name = name;
	int rc = next_json(p, &p->header);
	if (rc == 0)
		civic_warn("%s: empty file, not a civic-tally partial", p->name);
	json_int_t format = rc == 1 ? json_integer_value(json_object_get(p->header, "civic_tally_partial")) : 0;
	if (rc == 1 && format > PARTIAL_FORMAT)
		rc = bad(p, "a partial of a newer format than this civic-tally reads");
	else if (rc == 1 && format < 1)
		rc = bad(p, "not a civic-tally partial (written by civic-tally --partial)");
	if (rc != 1) {
		partial_close(p);
		return -1;
	}
	return 0;
}

void partial_close(struct partial_in *p)
{
	if (p->fp && p->fp != stdin)
		fclose(p->fp);
	free(p->buf);
	json_decref(p->header);
	memset(p, 0, sizeof(*p));
}

json_t *partial_options(const struct partial_in *p)
{
	return json_object_get(p->header, "options");
}

static char **list_from(const json_t *arr, size_t *n)
{
	size_t i;
	json_t *v;
	char **out;

	*n = json_array_size(arr);
	out = xcalloc(*n + 1, sizeof(*out));
	json_array_foreach(arr, i, v)
		out[i] = xstrdup(json_is_string(v) ? json_string_value(v) : "");
	return out;
}

static const char *str_or_null(const json_t *spec, const char *key)
{
	const char *s = json_string_value(json_object_get(spec, key));

	return s ? xstrdup(s) : NULL;
}

/* The "missing" codes as the comma list --missing takes. */
static int missing_list(const struct partial_in *p, const json_t *codes, const char **list)
{
	struct sbuf b;
	size_t i;
	json_t *code;

	if (!codes)
		return 0;
	if (!json_is_array(codes))
		return bad(p, "partial header: \"missing\" is not a list");
	sbuf_init(&b);
	json_array_foreach(codes, i, code) {
		const char *c = json_string_value(code);
		if (!c || strchr(c, ',')) {
			sbuf_release(&b);
			return bad(p, "partial header: a \"missing\" code is not a string without commas");
		}
		if (i)
			sbuf_add(&b, ",", 1);
		sbuf_add(&b, c, strlen(c));
	}
	*list = xstrndup(b.s ? b.s : "", b.len);
	sbuf_release(&b);
	return 0;
}

int partial_spec(const struct partial_in *p, struct agg_spec *spec)
{
	const json_t *s = json_object_get(p->header, "spec");

	memset(spec, 0, sizeof(*spec));
	spec->pivot = -1;
	if (!json_is_object(s) || !json_is_array(json_object_get(s, "keys")) ||
	    !json_is_array(json_object_get(s, "stats")))
		return bad(p, "partial header has no valid \"spec\"");
	spec->keys = list_from(json_object_get(s, "keys"), &spec->nkeys);
	spec->stats = list_from(json_object_get(s, "stats"), &spec->nstats);
	spec->weight = str_or_null(s, "weight");
	spec->strata = str_or_null(s, "strata");
	spec->psu = str_or_null(s, "psu");
	spec->fpc = str_or_null(s, "fpc");
	if (missing_list(p, json_object_get(s, "missing"), &spec->missing) < 0)
		return -1;
	/* Partials of the first format kept survey sums always. */
	spec->survey = !json_is_false(json_object_get(s, "survey"));
	const char *lonely = json_string_value(json_object_get(s, "lonely"));
	if (lonely && svy_lonely_parse(lonely, &spec->lonely) < 0)
		return bad(p, "partial header: unknown lonely-PSU rule");
	spec->lonely_domain = json_is_true(json_object_get(s, "lonely_domain"));
	if (json_is_array(json_object_get(s, "where")))
		spec->where = list_from(json_object_get(s, "where"), &spec->nwhere);
	spec->repweights = str_or_null(s, "repweights");
	spec->rep.type = str_or_null(s, "rep_type");
	spec->rep.rho = str_or_null(s, "rho");
	spec->rep.scale = str_or_null(s, "scale");
	spec->rep.rscales = str_or_null(s, "rscales");
	spec->rep.mse = json_is_true(json_object_get(s, "mse"));
	spec->rep.factors = json_is_true(json_object_get(s, "rep_factors"));
	return 0;
}

void partial_spec_free(struct agg_spec *spec)
{
	for (size_t i = 0; i < spec->nkeys; i++)
		free(spec->keys[i]);
	for (size_t i = 0; i < spec->nstats; i++)
		free(spec->stats[i]);
	for (size_t i = 0; i < spec->nwhere; i++)
		free(spec->where[i]);
	free(spec->keys);
	free(spec->stats);
	free(spec->where);
	free((char *)spec->weight);
	free((char *)spec->strata);
	free((char *)spec->psu);
	free((char *)spec->fpc);
	free((char *)spec->missing);
	free((char *)spec->repweights);
	free((char *)spec->rep.type);
	free((char *)spec->rep.rho);
	free((char *)spec->rep.scale);
	free((char *)spec->rep.rscales);
	memset(spec, 0, sizeof(*spec));
}

/* ---- merging ------------------------------------------------------------ */

static int xsum_from(const json_t *j, struct xsum *out)
{
	const char *s = json_string_value(j);

	return s && xsum_parse(out, s) == 0 ? 0 : -1;
}

static int merge_xsum(const json_t *j, struct xsum *dst)
{
	struct xsum x;

	if (xsum_from(j, &x) < 0)
		return -1;
	xsum_merge(dst, &x);
	xsum_release(&x);
	return 0;
}

static uint64_t count_of(const json_t *o, const char *key, int *bad_value)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		*bad_value = 1;
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

static int merge_minmax(struct value_source *s, uint32_t g, const json_t *o, uint64_t used_before)
{
	json_t *mn = json_object_get(o, "min"), *mx = json_object_get(o, "max");

	if (!mn && !mx)
		return 0;
	if (!json_is_number(mn) || !json_is_number(mx))
		return -1;
	double a = json_number_value(mn), b = json_number_value(mx);
	if (!used_before || a < s->min[g])
		s->min[g] = a;
	if (!used_before || b > s->max[g])
		s->max[g] = b;
	return 0;
}

/* A plain median's values: exactly as many as the partial says were used.
 * A run stays one (value, times) entry (quantile.h), so its length costs
 * no memory, whatever it claims. */
static int merge_vals(struct dvec *v, const json_t *arr, uint64_t used)
{
	size_t i;
	uint64_t got = 0;
	json_t *x;

	if (!json_is_array(arr))
		return -1;
	json_array_foreach(arr, i, x) {
		json_t *val = json_is_number(x) ? x : json_array_get(x, 0), *times = json_array_get(x, 1);
		uint64_t k = 1;
		if (!json_is_number(x)) {
			if (json_array_size(x) != 2 || !json_is_number(val) || !json_is_integer(times) ||
			    json_integer_value(times) < 2)
				return -1;
			k = (uint64_t)json_integer_value(times);
		}
		if (k > used - got || dvec_push_run(v, json_number_value(val), k) < 0)
			return -1;
		got += k;
	}
	return got == used ? 0 : -1;
}

static int merge_distinct(struct agg *a, struct value_source *s, uint32_t g, const json_t *arr)
{
	size_t i;
	json_t *x;

	if (!json_is_array(arr))
		return -1;
	json_array_foreach(arr, i, x) {
		if (!json_is_string(x))
			return -1;
		int added;
		sbuf_reset(&a->tmp);
		sbuf_add(&a->tmp, &g, 4);
		sbuf_add(&a->tmp, json_string_value(x), json_string_length(x));
		groups_intern(&s->distinct, a->tmp.s, a->tmp.len, key_hash(a->tmp.s, a->tmp.len), &added);
		s->ndistinct[g] += (uint64_t)added;
	}
	return 0;
}

/* *dst += v, -1 when it would overflow. */
static int add_count(uint64_t *dst, uint64_t v)
{
	return __builtin_add_overflow(*dst, v, dst) ? -1 : 0;
}

/* What a source's line says must add up before anything is expanded: it
 * used or missed at most the group's n rows, and hit, held as distinct
 * values or weighed 0 at most the rows it used. */
static int source_consistent(const json_t *o, uint64_t n, uint64_t *used, uint64_t *missing)
{
	int badv = 0;
	json_t *hits = json_object_get(o, "hits"), *zero = json_array_get(json_object_get(o, "mom"), 3);

	*used = count_of(o, "used", &badv);
	*missing = count_of(o, "missing", &badv);
	if (badv || *used > n || *missing > n - *used)
		return -1;
	if (hits && (!json_is_integer(hits) || (uint64_t)json_integer_value(hits) > *used))
		return -1;
	if (json_array_size(json_object_get(o, "distinct")) > *used)
		return -1;
	return zero && json_is_integer(zero) && (uint64_t)json_integer_value(zero) > *used ? -1 : 0;
}

static int merge_source(struct agg *a, struct value_source *s, uint32_t g, const json_t *o,
	const struct svy_map *m, uint64_t n)
{
	int badv = 0;
	uint64_t used_before = s->used[g], used, missing;

	if (!json_is_object(o) || source_consistent(o, n, &used, &missing) < 0 ||
	    add_count(&s->used[g], used) < 0 || add_count(&s->missing[g], missing) < 0)
		return -1;
	if (s->mom) {
		json_t *mom = json_object_get(o, "mom"), *zero = json_array_get(mom, 3);
		if ((json_array_size(mom) != 3 && json_array_size(mom) != 4) ||
		    merge_xsum(json_array_get(mom, 0), &s->mom[g].w) < 0 ||
		    merge_xsum(json_array_get(mom, 1), &s->mom[g].wy) < 0 ||
		    merge_xsum(json_array_get(mom, 2), &s->mom[g].wy2) < 0 ||
		    (zero && (!json_is_integer(zero) || json_integer_value(zero) <= 0)))
			return -1;
		s->mom[g].zero += zero ? (uint64_t)json_integer_value(zero) : 0;
	}
	if (s->min && merge_minmax(s, g, o, used_before) < 0)
		return -1;
	if (s->vals && merge_vals(&s->vals[g], json_object_get(o, "vals"), s->used[g] - used_before) < 0)
		return -1;
	if (s->svals && svy_values_merge_json(&s->svals[g], a->design, json_object_get(o, "svals"), m,
	    s->used[g] - used_before) < 0)
		return -1;
	if (s->acc && svy_acc_merge_json(&s->acc[g], a->design, json_object_get(o, "acc"), m) < 0)
		return -1;
	if (s->hits) {
		s->hits[g] += count_of(o, "hits", &badv);
		if (merge_xsum(json_object_get(o, "hit_w"), &s->hit_w[g]) < 0)
			return -1;
	}
	if (s->hit_acc && svy_acc_merge_json(&s->hit_acc[g], a->design, json_object_get(o, "hit_acc"), m) < 0)
		return -1;
	if (s->ndistinct && merge_distinct(a, s, g, json_object_get(o, "distinct")) < 0)
		return -1;
	return badv ? -1 : 0;
}

static int group_key(struct agg *a, const json_t *key)
{
	size_t i;
	json_t *v;

	if (!json_is_array(key) || json_array_size(key) != a->spec.nkeys)
		return -1;
	sbuf_reset(&a->kb);
	json_array_foreach(key, i, v) {
		if (!json_is_string(v))
			return -1;
		keybuf_part(&a->kb, json_string_value(v), json_string_length(v));
	}
	return 0;
}

static int merge_group(struct agg *a, const json_t *o, const struct svy_map *m)
{
	int added, badv = 0;
	json_t *src = json_object_get(o, "src");

	if (group_key(a, json_object_get(o, "key")) < 0 || json_array_size(src) != a->nsrc)
		return -1;
	uint64_t n = count_of(o, "n", &badv);
	if (badv)
		return -1;
	uint32_t g = groups_intern(&a->groups, a->kb.s, a->kb.len, key_hash(a->kb.s, a->kb.len), &added);
	if (added)
		agg_reserve(a, (size_t)g + 1);
	if (add_count(&a->n[g], n) < 0)
		return -1;
	if (a->w && merge_xsum(json_object_get(o, "w"), &a->w[g]) < 0)
		return -1;
	if (a->acc && svy_acc_merge_json(&a->acc[g], a->design, json_object_get(o, "acc"), m) < 0)
		return -1;
	for (size_t i = 0; i < a->nsrc; i++)
		if (merge_source(a, &a->src[i], g, json_array_get(src, i), m, n) < 0)
			return -1;
	return badv ? -1 : 0;
}

struct part_maps {
	struct part_map {
		char *id;
		struct svy_map map;
	} *v;
	size_t n;
};

static void maps_release(struct part_maps *pm)
{
	for (size_t i = 0; i < pm->n; i++) {
		free(pm->v[i].id);
		svy_map_release(&pm->v[i].map);
	}
	free(pm->v);
}

static const struct svy_map *map_for(const struct part_maps *pm, const json_t *o)
{
	const char *id = json_string_value(json_object_get(o, "part"));

	for (size_t i = pm->n; id && i-- > 0;)
		if (strcmp(pm->v[i].id, id) == 0)
			return &pm->v[i].map;
	return NULL;
}

/* A header line: its spec must agree, its design joins a's. */
static int merge_header(struct partial_in *p, struct agg *a, const json_t *h, struct part_maps *pm)
{
	json_t *design = json_object_get(h, "design");
	const char *id = json_string_value(json_object_get(h, "part"));
	json_t *mine = spec_json(a);
	int eq = json_equal(mine, json_object_get(h, "spec"));

	json_decref(mine);
	if (!eq)
		return bad(p, "this partial was made with other -g, -s, -w, design, --ci or --deff options than the first");
	/* Without survey sums or held design values there is no design. */
	if (!id || (a->use_design ? !json_is_object(design) : !json_is_null(design)))
		return bad(p, "partial header has no design, or one its spec does not call for");
	pm->v = xrealloc(pm->v, (pm->n + 1) * sizeof(*pm->v));
	struct part_map *m = &pm->v[pm->n++];
	m->id = xstrdup(id);
	memset(&m->map, 0, sizeof(m->map));
	if (!a->use_design)
		return 0;
	agg_make_design(a);
	if (svy_design_merge_json(a->design, design, &m->map) < 0) {
		civic_warn_at(p->name, p->line, "%s", svy_design_error(a->design));
		return -1;
	}
	return 0;
}

static int merge_line(struct partial_in *p, struct agg *a, const json_t *o, struct part_maps *pm)
{
	if (json_object_get(o, "civic_tally_partial"))
		return merge_header(p, a, o, pm);
	const struct svy_map *m = map_for(pm, o);
	if (!m)
		return bad(p, "group of a partial whose header line is missing");
	if (merge_group(a, o, m) < 0)
		return bad(p, "malformed group in partial");
	return 0;
}

int partial_merge(struct partial_in *p, struct agg *a)
{
	struct part_maps pm = { NULL, 0 };
	json_t *o;
	int rc = merge_header(p, a, p->header, &pm);

	while (rc == 0 && (rc = next_json(p, &o)) == 1) {
		rc = merge_line(p, a, o, &pm);
		json_decref(o);
	}
	maps_release(&pm);
	return rc;
}
