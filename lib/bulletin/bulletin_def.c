/* Loading and checking a bulletin definition (bulletin_def.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xalloc.h"
#include "sha256.h"
#include "split_list.h"
#include "sbuf.h"
#include "interval.h"
#include "tally_test.h"
#include "bulletin_def.h"
#include "bulletin_placeholder.h"

const char *const bulletin_langs[BLANG_N] = { "en", "ru", "uz" };
const char *const bulletin_compare_names[BCMP_N] = {
	"previous-month", "same-month-last-year", "previous-quarter",
	"same-quarter-last-year", "previous-year", "previous-wave",
};

struct loader {
	struct bulletin *b;
	int errors;
	const struct bindicator *ind;   /* the indicator being read, for messages */
	const char *where;              /* "inputs.survey" and the like */
};

static void bad(struct loader *l, const char *member, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void bad(struct loader *l, const char *member, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->ind)
		civic_warn("%s: indicator '%s' (%zu), member '%s': %s", l->b->path,
			l->ind->id ? l->ind->id : "?", l->ind->pos, member, msg);
	else if (l->where)
		civic_warn("%s: %s, member '%s': %s", l->b->path, l->where, member, msg);
	else
		civic_warn("%s: member '%s': %s", l->b->path, member, msg);
	l->errors++;
}

const char *btext_get(const struct btext *t, int lang)
{
	return lang >= 0 && lang < BLANG_N && t->t[lang] ? t->t[lang] : t->t[BLANG_EN];
}

int bulletin_lang_index(const char *code)
{
	for (int i = 0; i < BLANG_N; i++)
		if (strcmp(code, bulletin_langs[i]) == 0)
			return i;
	if (strcmp(code, "uz-Latn") == 0)
		return BLANG_UZ;
	return -1;
}

/* Members other than these (and _comments) are mistakes. */
static void check_members(struct loader *l, json_t *obj, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		int ok = key[0] == '_';
		for (size_t i = 0; known[i] && !ok; i++)
			ok = strcmp(known[i], key) == 0;
		if (!ok)
			bad(l, key, "unknown member");
	}
}

static const char *get_string(struct loader *l, json_t *obj, const char *member, int required)
{
	json_t *v = json_object_get(obj, member);

	if (!v) {
		if (required)
			bad(l, member, "is required");
		return NULL;
	}
	if (!json_is_string(v) || (required && !json_string_value(v)[0])) {
		bad(l, member, required ? "takes a text, not empty" : "takes a text");
		return NULL;
	}
	return json_string_value(v);
}

/* A text per language, or one text for every language. */
static void get_btext(struct loader *l, json_t *obj, const char *member, int required, struct btext *t)
{
	json_t *v = json_object_get(obj, member);
	const char *key;
	json_t *s;

	memset(t, 0, sizeof(*t));
	if (!v) {
		if (required)
			bad(l, member, "is required");
		return;
	}
	if (json_is_string(v)) {
		for (int i = 0; i < BLANG_N; i++)
			t->t[i] = json_string_value(v);
		return;
	}
	if (!json_is_object(v)) {
		bad(l, member, "takes a text, or an object of texts by language (en, ru, uz)");
		return;
	}
	json_object_foreach(v, key, s) {
		int i = bulletin_lang_index(key);
		if (i < 0)
			bad(l, member, "unknown language '%s' (en, ru, uz)", key);
		else if (!json_is_string(s) || !json_string_value(s)[0])
			bad(l, member, "the '%s' text must be a text, not empty", key);
		else
			t->t[i] = json_string_value(s);
	}
	if (!t->t[BLANG_EN])
		bad(l, member, "needs an English text ('en')");
}

/* A whole number from min; -1 when absent (or wrong, with a message). */
static long get_ulong(struct loader *l, json_t *obj, const char *member, long min)
{
	json_t *v = json_object_get(obj, member);

	if (!v)
		return -1;
	if (!json_is_integer(v) || json_integer_value(v) < min) {
		bad(l, member, "takes a whole number from %ld", min);
		return -1;
	}
	return (long)json_integer_value(v);
}

static int get_bool(struct loader *l, json_t *obj, const char *member)
{
	json_t *v = json_object_get(obj, member);

	if (v && !json_is_boolean(v)) {
		bad(l, member, "takes true or false");
		return 0;
	}
	return v && json_is_true(v);
}

/* A comma list given as a text or an array of texts: the items, malloc'd. */
static size_t get_list(struct loader *l, json_t *obj, const char *member, char ***items)
{
	json_t *v = json_object_get(obj, member), *e;
	size_t i, n = 0;

	*items = NULL;
	if (!v)
		return 0;
	if (json_is_string(v))
		return split_list(json_string_value(v), items);
	if (!json_is_array(v)) {
		bad(l, member, "takes a comma list as a text, or an array of texts");
		return 0;
	}
	*items = xcalloc(json_array_size(v) + 1, sizeof(**items));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || !json_string_value(e)[0]) {
			bad(l, member, "item %zu is not a text", i + 1);
			continue;
		}
		(*items)[n++] = xstrdup(json_string_value(e));
	}
	return n;
}

static char *join_list(char **items, size_t n)
{
	struct sbuf b = SBUF_INIT;

	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_addc(&b, ',');
		sbuf_addstr(&b, items[i]);
	}
	char *s = xstrdup(sbuf_cstr(&b));
	sbuf_release(&b);
	return s;
}

/* Conditions: each item a whole condition (a text is one condition). */
static size_t get_conditions(struct loader *l, json_t *obj, const char *member, char ***items)
{
	json_t *v = json_object_get(obj, member), *e;
	size_t i, n = 0;

	*items = NULL;
	if (!v)
		return 0;
	if (json_is_string(v)) {
		*items = xmalloc(sizeof(**items));
		(*items)[0] = xstrdup(json_string_value(v));
		return 1;
	}
	if (!json_is_array(v)) {
		bad(l, member, "takes a condition, or an array of conditions");
		return 0;
	}
	*items = xcalloc(json_array_size(v) + 1, sizeof(**items));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || !json_string_value(e)[0])
			bad(l, member, "item %zu is not a condition", i + 1);
		else
			(*items)[n++] = xstrdup(json_string_value(e));
	}
	return n;
}

static long find_input(const struct bulletin *b, const char *role)
{
	for (size_t i = 0; i < b->ninputs; i++)
		if (strcmp(b->inputs[i].role, role) == 0)
			return (long)i;
	return -1;
}

static int role_name_ok(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static int id_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static void load_input(struct loader *l, const char *role, json_t *v, struct binput *in)
{
	static const char *const known[] = { "kind", "schema", "period", "wave", "design", "column", "optional", NULL };
	static const char *const design_known[] = { "weight", "strata", "psu", "fpc", "lonely_psu", "missing", NULL };
	char where[160];
	const char *kind;

	snprintf(where, sizeof(where), "input '%s'", role);
	l->where = where;
	memset(in, 0, sizeof(*in));
	in->role = role;
	if (!role_name_ok(role))
		bad(l, "inputs", "the role name '%s' must be lowercase letters, digits, _ and -, "
			"starting with a letter", role);
	if (!json_is_object(v)) {
		bad(l, "inputs", "the input '%s' must be an object", role);
		l->where = NULL;
		return;
	}
	check_members(l, v, known);
	kind = get_string(l, v, "kind", 1);
	if (kind && strcmp(kind, "registry") == 0)
		in->kind = BINPUT_REGISTRY;
	else if (kind && strcmp(kind, "survey") == 0)
		in->kind = BINPUT_SURVEY;
	else if (kind && strcmp(kind, "population") == 0)
		in->kind = BINPUT_POPULATION;
	else if (kind)
		bad(l, "kind", "unknown kind '%s' (registry, survey, population)", kind);
	in->schema = get_string(l, v, "schema", 0);
	in->period = get_string(l, v, "period", 0);
	in->wave = get_string(l, v, "wave", 0);
	in->column = get_string(l, v, "column", 0);
	in->optional = get_bool(l, v, "optional");
	if (in->period && in->wave)
		bad(l, "wave", "an input has a period or a wave, not both");
	if (in->kind == BINPUT_POPULATION) {
		if (in->period || in->wave || json_object_get(v, "design"))
			bad(l, "kind", "a population table takes no period, wave or design");
		if (!in->column)
			in->column = "population";
	} else if (in->column) {
		bad(l, "column", "only a population table has a people column");
	}
	if (in->kind == BINPUT_REGISTRY && (in->wave || json_object_get(v, "design")))
		bad(l, "kind", "a registry has no wave or design: give kind \"survey\"");
	if (in->kind == BINPUT_SURVEY) {
		json_t *d = json_object_get(v, "design");
		if (!json_is_object(d)) {
			bad(l, "design", "a survey needs its design: an object with weight (and strata, psu, fpc)");
		} else {
			check_members(l, d, design_known);
			in->weight = get_string(l, d, "weight", 1);
			in->strata = get_string(l, d, "strata", 0);
			in->psu = get_string(l, d, "psu", 0);
			in->fpc = get_string(l, d, "fpc", 0);
			in->lonely = get_string(l, d, "lonely_psu", 0);
			in->missing = get_string(l, d, "missing", 0);
			enum svy_lonely rule;
			if (in->lonely && svy_lonely_parse(in->lonely, &rule) < 0)
				bad(l, "lonely_psu", "unknown rule '%s' (fail, remove, certainty, adjust, average)",
					in->lonely);
		}
	}
	l->where = NULL;
}

static void load_compare(struct loader *l, json_t *v, struct bindicator *ind, const struct binput *in)
{
	json_t *e;
	size_t i;

	if (!v)
		return;
	if (!json_is_array(v)) {
		bad(l, "compare", "takes an array of comparisons");
		return;
	}
	json_array_foreach(v, i, e) {
		const char *name = json_is_string(e) ? json_string_value(e) : "";
		int k;
		for (k = 0; k < BCMP_N && strcmp(bulletin_compare_names[k], name) != 0; k++)
			;
		if (k == BCMP_N) {
			bad(l, "compare", "unknown comparison '%s' (previous-month, same-month-last-year, "
				"previous-quarter, same-quarter-last-year, previous-year, previous-wave)", name);
			continue;
		}
		if ((1u << k) == BCMP_PREV_WAVE && !(in && in->kind == BINPUT_SURVEY))
			bad(l, "compare", "previous-wave needs a survey input");
		if ((1u << k) != BCMP_PREV_WAVE && !(in && in->period))
			bad(l, "compare", "%s needs an input with a period (its date column)", name);
		ind->compare |= 1u << k;
	}
}

static void load_reference(struct loader *l, json_t *v, struct bindicator *ind)
{
	static const char *const known[] = { "column", "label", "source", "values", NULL };
	const char *key;
	json_t *x;

	if (!v)
		return;
	if (!json_is_object(v)) {
		bad(l, "reference", "takes an object: column, label, source, values");
		return;
	}
	check_members(l, v, known);
	ind->ref_column = get_string(l, v, "column", 1);
	ind->ref_source = get_string(l, v, "source", 0);
	get_btext(l, v, "label", 1, &ind->ref_label);
	ind->ref_values = json_object_get(v, "values");
	if (!json_is_object(ind->ref_values) || json_object_size(ind->ref_values) == 0) {
		bad(l, "reference", "'values' must be an object of key values and numbers");
		ind->ref_values = NULL;
		return;
	}
	json_object_foreach(ind->ref_values, key, x)
		if (!json_is_number(x))
			bad(l, "reference", "the value for '%s' is not a number", key);
}

/* The period's dates in its texts, checked with stand-ins, and the rows it
 * counts: those of the period, or every one dated up to its end. */
static void load_dates(struct loader *l, json_t *v, struct bindicator *ind, const struct binput *in)
{
	const char *rows = get_string(l, v, "rows", 0), *member;
	char err[512];

	if (rows && strcmp(rows, "to-period-end") == 0)
		ind->to_end = 1;
	else if (rows && strcmp(rows, "in-period") != 0)
		bad(l, "rows", "unknown rows '%s' (in-period, to-period-end)", rows);
	if (bindicator_dates(ind, &l->b->period, &member, err, sizeof(err)) < 0) {
		bad(l, member, "%s", err);
		return;
	}
	if (ind->to_end && in && !in->period)
		bad(l, "rows", "to-period-end needs an input with a period (its date column)");
	else if (ind->dated && in && !in->period)
		bad(l, "where", "the period's dates ({period_start}, {period_end}) need an input with a period "
			"(its date column)");
	if (ind->dated && ind->compare)
		bad(l, "compare", "the period's dates ({period_start}, {period_end}) make a different table "
			"each period: it cannot be compared with another period's");
}

/* What civic-tally would refuse, refused here with the indicator named. */
static void check_tally(struct loader *l, struct bindicator *ind)
{
	const struct binput *in = &l->b->inputs[ind->input];
	struct tally_show *s = &ind->show;
	struct crosstab_opts co;
	struct agg_spec spec;
	struct agg a;
	char err[512];

	memset(&co, 0, sizeof(co));
	if (s->ci && tally_ci_parse(s->ci, &co, err, sizeof(err)) < 0)
		bad(l, "ci", "%s", err);
	enum tally_test t;
	if (s->test && tally_test_parse(s->test, &t) < 0)
		bad(l, "test", "unknown test '%s' (rao-scott, rao-scott-chisq)", s->test);
	if (s->other && !s->top)
		bad(l, "other", "names the rows 'top' leaves out: give 'top'");
	if (ind->show.per && ind->population < 0)
		bad(l, "per", "needs 'population', the role of the population table");
	if (ind->population >= 0 && !ind->show.per)
		bad(l, "population", "goes with 'per'");
	if (in->kind == BINPUT_SURVEY && ind->show.per)
		bad(l, "per", "rates are for registry counts, not a survey");
	if (in->kind != BINPUT_SURVEY && (s->deff || s->contrast || s->test))
		bad(l, s->deff ? "deff" : s->contrast ? "contrast" : "test", "needs a survey input");
	if (s->contrast && s->other)
		bad(l, "contrast", "compares groups one by one: not with 'other'");
	bulletin_spec(l->b, (size_t)(ind - l->b->ind), NULL, &spec);
	for (size_t i = 0; i < spec.nkeys; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(spec.keys[i], spec.keys[j]) == 0)
				bad(l, "group", "key '%s' is given twice", spec.keys[i]);
	memset(&a, 0, sizeof(a));
	if (agg_init(&a, &spec, err, sizeof(err)) < 0)
		bad(l, ind->nwhere && strstr(err, "where") ? "where" : "stats", "%s", err);
	else if (s->test && a.spec.nkeys != 2)
		bad(l, "test", "needs a cross-tab of two keys (group a,b or group a and pivot b)");
	agg_release(&a);
	bulletin_spec_free(&spec);
}

static void load_indicator(struct loader *l, json_t *v, size_t pos, struct bindicator *ind)
{
	static const char *const known[] = {
		"id", "title", "definition", "input", "group", "stats", "where", "within", "pivot", "total",
		"sort", "top", "other", "per", "population", "ci", "level", "deff", "digits", "contrast",
		"test", "chart", "chart_column", "suppress", "compare", "reference", "rows", NULL,
	};
	const char *input, *pop;
	char **items;
	size_t n;
	long x;
	json_t *lv;

	memset(ind, 0, sizeof(*ind));
	ind->pos = pos;
	ind->population = -1;
	ind->suppress = -1;
	ind->show.level = 0.95;
	ind->show.digits = -1;
	ind->show.format = FMT_CSV;
	l->ind = ind;
	if (!json_is_object(v)) {
		bad(l, "indicators", "an indicator must be an object");
		l->ind = NULL;
		return;
	}
	ind->id = get_string(l, v, "id", 1);
	if (ind->id && !id_ok(ind->id))
		bad(l, "id", "'%s': lowercase letters, digits and -, starting with a letter or digit", ind->id);
	check_members(l, v, known);
	get_btext(l, v, "title", 1, &ind->title);
	get_btext(l, v, "definition", 1, &ind->definition);
	input = get_string(l, v, "input", 1);
	if (input) {
		long i = find_input(l->b, input);
		if (i < 0)
			bad(l, "input", "no input has the role '%s'", input);
		else if (l->b->inputs[i].kind == BINPUT_POPULATION)
			bad(l, "input", "'%s' is a population table: an indicator is computed from a registry or "
				"a survey", input);
		else
			ind->input = (size_t)i;
		if (i < 0 || l->b->inputs[i].kind == BINPUT_POPULATION)
			input = NULL;
	}
	n = get_list(l, v, "group", &items);
	ind->group_raw = join_list(items, n);
	split_list_free(items, n);
	ind->nstats = get_list(l, v, "stats", &ind->stats_raw);
	ind->nwhere = get_conditions(l, v, "where", &ind->where_raw);
	ind->show.within = get_string(l, v, "within", 0);
	ind->show.pivot = get_string(l, v, "pivot", 0);
	ind->show.total = get_bool(l, v, "total");
	n = get_list(l, v, "sort", &items);
	ind->show.sort = ind->sort = join_list(items, n);
	split_list_free(items, n);
	x = get_ulong(l, v, "top", 1);
	ind->show.top = x > 0 ? (unsigned long)x : 0;
	get_btext(l, v, "other", 0, &ind->other);
	ind->show.other = ind->other.t[BLANG_EN];
	if (ind->show.other && strcmp(ind->show.other, "Total") == 0)
		bad(l, "other", "needs a label other than 'Total'");
	x = get_ulong(l, v, "per", 1);
	ind->show.per = x > 0 ? (unsigned long)x : 0;
	pop = get_string(l, v, "population", 0);
	if (pop) {
		long i = find_input(l->b, pop);
		if (i < 0 || l->b->inputs[i].kind != BINPUT_POPULATION)
			bad(l, "population", "'%s' is not the role of a population table", pop);
		else
			ind->population = i;
	}
	ind->show.ci = get_string(l, v, "ci", 0);
	lv = json_object_get(v, "level");
	if (lv && (!json_is_number(lv) || !(json_number_value(lv) > 0 && json_number_value(lv) < 1)))
		bad(l, "level", "takes a probability between 0 and 1");
	else if (lv)
		ind->show.level = json_number_value(lv);
	ind->show.deff = get_bool(l, v, "deff");
	x = get_ulong(l, v, "digits", 0);
	if (x > 17)
		bad(l, "digits", "takes 0 to 17");
	else if (x >= 0)
		ind->show.digits = (int)x;
	ind->show.contrast = get_string(l, v, "contrast", 0);
	ind->show.test = get_string(l, v, "test", 0);
	ind->chart = get_string(l, v, "chart", 0);
	if (ind->chart && strcmp(ind->chart, "auto") && strcmp(ind->chart, "bar") &&
	    strcmp(ind->chart, "line") && strcmp(ind->chart, "none"))
		bad(l, "chart", "unknown chart kind '%s' (auto, bar, line, none)", ind->chart);
	ind->chart_column = get_string(l, v, "chart_column", 0);
	ind->suppress = get_ulong(l, v, "suppress", 0);
	if (ind->suppress == 1)
		bad(l, "suppress", "takes 0 (this table is not suppressed) or a threshold from 2 "
			"(counts below it are hidden)");
	load_compare(l, json_object_get(v, "compare"), ind, input ? &l->b->inputs[ind->input] : NULL);
	load_reference(l, json_object_get(v, "reference"), ind);
	load_dates(l, v, ind, input ? &l->b->inputs[ind->input] : NULL);
	for (size_t i = 0; ind->id && i + 1 < pos; i++)
		if (l->b->ind[i].id && strcmp(l->b->ind[i].id, ind->id) == 0)
			bad(l, "id", "'%s' is also indicator %zu's id", ind->id, i + 1);
	if (input && l->errors == 0)
		check_tally(l, ind);
	l->ind = NULL;
}

int bulletin_load(struct bulletin *b, const char *path)
{
	static const char *const known[] = { "format", "format_version", "name", "version", "title",
		"description", "suppress", "inputs", "indicators", NULL };
	struct loader l = { b, 0, NULL, NULL };
	json_error_t je;
	json_t *v, *e;
	const char *key, *fmt;
	size_t i;

	memset(b, 0, sizeof(*b));
	b->path = xstrdup(path);
	b->suppress = 5;
	bperiod_parse(&b->period, BPERIOD_ALL, "");
	if (sha256_file(path, b->sha256) != 0) {
		civic_warn("%s:", path);
		return 1;
	}
	b->root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!b->root) {
		if (je.line < 0)
			civic_warn("%s: %s", path, je.text);
		else
			civic_warn_at(path, (unsigned long)je.line, "not a bulletin definition: %s", je.text);
		return 2;
	}
	if (!json_is_object(b->root)) {
		civic_warn("%s: not a bulletin definition: a JSON object is expected", path);
		return 2;
	}
	check_members(&l, b->root, known);
	fmt = get_string(&l, b->root, "format", 1);
	if (fmt && strcmp(fmt, "civic-bulletin") != 0)
		bad(&l, "format", "'%s': a bulletin definition says \"civic-bulletin\"", fmt);
	v = json_object_get(b->root, "format_version");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		bad(&l, "format_version", "must be 1 (the version civic-bulletin(5) describes)");
	b->name = get_string(&l, b->root, "name", 1);
	if (b->name && !id_ok(b->name))
		bad(&l, "name", "'%s': lowercase letters, digits and -", b->name);
	b->version = get_string(&l, b->root, "version", 1);
	get_btext(&l, b->root, "title", 1, &b->title);
	get_btext(&l, b->root, "description", 0, &b->description);
	if (json_object_get(b->root, "suppress")) {
		long k = get_ulong(&l, b->root, "suppress", 0);
		if (k >= 0)
			b->suppress = k;
	}
	v = json_object_get(b->root, "inputs");
	if (!json_is_object(v) || json_object_size(v) == 0) {
		bad(&l, "inputs", "takes an object of inputs by role (registry, survey, population …)");
	} else {
		b->inputs = xcalloc(json_object_size(v), sizeof(*b->inputs));
		json_object_foreach(v, key, e)
			load_input(&l, key, e, &b->inputs[b->ninputs++]);
	}
	v = json_object_get(b->root, "indicators");
	if (!json_is_array(v) || json_array_size(v) == 0) {
		bad(&l, "indicators", "takes an array of one or more indicators");
	} else {
		int before = l.errors;
		b->ind = xcalloc(json_array_size(v), sizeof(*b->ind));
		json_array_foreach(v, i, e) {
			b->nind++;
			/* Each indicator's tally is checked when the rest is sound. */
			int saved = l.errors;
			l.errors = 0;
			load_indicator(&l, e, i + 1, &b->ind[i]);
			l.errors += saved;
		}
		(void)before;
	}
	return l.errors ? 2 : 0;
}

size_t bulletin_check_lang(const struct bulletin *b, int lang)
{
	size_t missing = 0;

	if (lang == BLANG_EN)
		return 0;
	if (!b->title.t[lang]) {
		civic_warn("%s: member 'title': no '%s' text", b->path, bulletin_langs[lang]);
		missing++;
	}
	for (size_t i = 0; i < b->nind; i++) {
		const struct bindicator *ind = &b->ind[i];
		if (!ind->title.t[lang] || !ind->definition.t[lang]) {
			civic_warn("%s: indicator '%s' (%zu), member '%s': no '%s' text", b->path, ind->id, ind->pos,
				!ind->title.t[lang] ? "title" : "definition", bulletin_langs[lang]);
			missing++;
		}
	}
	return missing;
}

void bulletin_spec(const struct bulletin *b, size_t i, const char *extra_where, struct agg_spec *spec)
{
	const struct bindicator *ind = &b->ind[i];
	const struct binput *in = &b->inputs[ind->input];

	memset(spec, 0, sizeof(*spec));
	tally_spec_keys(spec, ind->group, &ind->show);
	spec->stats = xcalloc(ind->nstats + 1, sizeof(*spec->stats));
	for (size_t k = 0; k < ind->nstats; k++)
		spec->stats[k] = xstrdup(ind->stats[k]);
	spec->nstats = ind->nstats;
	if (!spec->nstats) {
		spec->stats[0] = xstrdup("count");
		spec->nstats = 1;
	}
	spec->where = xcalloc(ind->nwhere + 2, sizeof(*spec->where));
	for (size_t k = 0; k < ind->nwhere; k++)
		spec->where[spec->nwhere++] = xstrdup(ind->where[k]);
	if (extra_where)
		spec->where[spec->nwhere++] = xstrdup(extra_where);
	if (in->kind == BINPUT_SURVEY) {
		spec->weight = in->weight;
		spec->strata = in->strata;
		spec->psu = in->psu;
		spec->fpc = in->fpc;
		spec->missing = in->missing;
		if (in->lonely)
			svy_lonely_parse(in->lonely, &spec->lonely);
	}
	spec->survey = ind->show.ci || ind->show.deff || ind->show.contrast || ind->show.test;
}

void bulletin_spec_free(struct agg_spec *spec)
{
	for (size_t k = 0; k < spec->nwhere; k++)
		free(spec->where[k]);
	free(spec->where);
	tally_spec_free(spec);
}

void bulletin_release(struct bulletin *b)
{
	for (size_t i = 0; i < b->nind; i++) {
		struct bindicator *ind = &b->ind[i];
		free(ind->group);
		free(ind->group_raw);
		free(ind->sort);
		for (size_t k = 0; k < ind->nstats; k++) {
			free(ind->stats ? ind->stats[k] : NULL);
			free(ind->stats_raw ? ind->stats_raw[k] : NULL);
		}
		for (size_t k = 0; k < ind->nwhere; k++) {
			free(ind->where ? ind->where[k] : NULL);
			free(ind->where_raw ? ind->where_raw[k] : NULL);
		}
		free(ind->stats);
		free(ind->stats_raw);
		free(ind->where);
		free(ind->where_raw);
	}
	free(b->ind);
	free(b->inputs);
	free(b->path);
	json_decref(b->root);
	memset(b, 0, sizeof(*b));
}
