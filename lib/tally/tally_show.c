/* A finished tally written as its table (tally_show.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xalloc.h"
#include "split_list.h"
#include "tally_show.h"

int tally_ci_parse(const char *list, struct crosstab_opts *co, char *err, size_t errsize)
{
	char **items;
	size_t n = split_list(list, &items);
	int share_given = 0, rc = 0;

	co->ci = 1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (strcmp(items[i], "default") == 0)
			continue;
		const struct ci_method_info *m = ci_method_lookup(items[i]);
		if (!m) {
			snprintf(err, errsize, "unknown --ci method '%s' (default, wilson, logit, beta, wald, asin, t, normal)",
				items[i]);
			rc = -1;
		} else if (m->flags & CI_ESTIMATES) {
			co->est_method = m->method;
			if (!share_given)
				co->share_method = m->method;
		} else {
			co->share_method = m->method;
			share_given = 1;
		}
	}
	split_list_free(items, n);
	return rc;
}

static long key_index(char **keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], name) == 0)
			return (long)i;
	return -1;
}

void tally_spec_keys(struct agg_spec *spec, const char *keys, const struct tally_show *show)
{
	char **k = NULL;
	size_t nk = keys ? split_list(keys, &k) : 0;

	spec->pivot = -1;
	if (show->pivot) {
		spec->pivot = key_index(k, nk, show->pivot);
		if (spec->pivot < 0) {
			k = xrealloc(k, (nk + 1) * sizeof(*k));
			k[nk] = xstrdup(show->pivot);
			spec->pivot = (long)nk++;
		}
	}
	spec->keys = k;
	spec->nkeys = nk;
	spec->nwithin = show->within ? split_list(show->within, &spec->within) : 0;
	spec->total = show->total;
}

void tally_spec_free(struct agg_spec *spec)
{
	split_list_free(spec->keys, spec->nkeys);
	split_list_free(spec->stats, spec->nstats);
	split_list_free(spec->within, spec->nwithin);
}

json_t *tally_show_to_json(const struct tally_show *s)
{
	json_t *j = json_object();

	if (!j)
		civic_die(CIVIC_EXIT_DATA, "out of memory");
	if (s->within)
		json_object_set_new(j, "within", json_string(s->within));
	if (s->pivot)
		json_object_set_new(j, "pivot", json_string(s->pivot));
	if (s->ci)
		json_object_set_new(j, "ci", json_string(s->ci));
	if (s->contrast)
		json_object_set_new(j, "contrast", json_string(s->contrast));
	if (s->test)
		json_object_set_new(j, "test", json_string(s->test));
	json_object_set_new(j, "level", json_real(s->level));
	json_object_set_new(j, "total", json_boolean(s->total));
	json_object_set_new(j, "deff", json_boolean(s->deff));
	if (s->digits >= 0)
		json_object_set_new(j, "digits", json_integer(s->digits));
	json_object_set_new(j, "format", json_string(s->format == FMT_NDJSON ? "ndjson" : "csv"));
	if (s->sort)
		json_object_set_new(j, "sort", json_string(s->sort));
	if (s->top)
		json_object_set_new(j, "top", json_integer((json_int_t)s->top));
	if (s->other)
		json_object_set_new(j, "other", json_string(s->other));
	if (s->per) {
		json_object_set_new(j, "per", json_integer((json_int_t)s->per));
		json_object_set_new(j, "population", json_string(s->population));
	}
	return j;
}

/* --sort, --top, --other into ro (its list malloc'd); NULL when none. */
static const struct rank_opts *rank_options(const struct tally_show *s, struct rank_opts *ro)
{
	memset(ro, 0, sizeof(*ro));
	if (!s->sort && !s->top)
		return NULL;
	ro->nsort = s->sort ? split_list(s->sort, &ro->sort) : 0;
	ro->top = s->top;
	ro->other = s->other;
	return ro;
}

int tally_write_table(struct agg *a, const struct tally_show *s, FILE *fp)
{
	struct crosstab_opts co = { 0, CI_NONE, CI_NONE, s->level, s->deff, s->digits,
		NULL, NULL, NULL, TALLY_TEST_NONE };
	struct rank_opts ro;
	struct contrast contrast;
	struct writer w;
	char err[512];
	int rc;

	if (s->ci && tally_ci_parse(s->ci, &co, err, sizeof(err)) < 0) {
		civic_warn("%s", err);
		return -2;
	}
	if ((co.ci || co.deff || s->contrast || s->test) && a->design && svy_design_check_lonely(a->design) < 0) {
		civic_warn("%s", svy_design_error(a->design));
		return -1;
	}
	if (s->per && !(co.rates = rates_load(s->population, s->per, a)))
		return -1;
	if (agg_finish(a, err, sizeof(err)) < 0) {
		civic_warn("%s", err);
		rates_free(co.rates);
		return -1;
	}
	if (co.rates && rates_bind(co.rates, a) < 0) {
		rates_free(co.rates);
		return -1;
	}
	co.rank = rank_options(s, &ro);
	if (s->test)
		tally_test_parse(s->test, &co.test);  /* checked when the tally began */
	if (s->contrast && contrast_init(&contrast, s->contrast, a, err, sizeof(err)) == 0)
		co.contrast = &contrast;     /* checked when the tally began */
	writer_init(&w, fp, s->format);
	rc = crosstab_write(a, &co, &w);
	writer_release(&w);
	split_list_free(ro.sort, ro.nsort);
	rates_free(co.rates);
	if (co.contrast)
		contrast_release(&contrast);
	return rc;
}
