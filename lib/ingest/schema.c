#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colname.h"
#include "error.h"
#include "numtext.h"
#include "schema_extend.h"
#include "schema.h"
#include "trim.h"
#include "xalloc.h"

static const char *const type_names[] = {
	[FT_STRING] = "string", [FT_INT] = "int", [FT_NUMBER] = "number",
	[FT_DATE] = "date", [FT_BOOL] = "bool", [FT_DATETIME] = "datetime",
};

const char *field_type_name(enum field_type t)
{
	return type_names[t];
}

enum coltype field_coltype(enum field_type t)
{
	switch (t) {
	case FT_INT:
	case FT_NUMBER:
		return COL_NUMBER;
	case FT_BOOL:
		return COL_BOOL;
	default:
		return COL_STRING;
	}
}

static int parse_type(const char *s, enum field_type *t)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(s, type_names[i]) == 0) {
			*t = (enum field_type)i;
			return 0;
		}
	return -1;
}

/* A name that folds to nothing (№, #) would match every column whose name
 * has no letter or digit: a row counter would silently become the field. */
static int add_from(const char *path, struct schema_field *f, const char *name, struct sbuf *fold)
{
	const char *s = name;
	size_t n = strlen(name);

	trim_blanks(&s, &n);
	colname_fold(fold, s, n);
	if (fold->len == 0) {
		civic_warn("%s: field '%s': source name '%s' has no letter or digit, so it would match any column without one (such as '#')",
			path, f->name, name);
		return -1;
	}
	f->from = xrealloc(f->from, (f->nfrom + 1) * sizeof(*f->from));
	f->exact = xrealloc(f->exact, (f->nfrom + 1) * sizeof(*f->exact));
	f->spelled = xrealloc(f->spelled, (f->nfrom + 1) * sizeof(*f->spelled));
	f->spelled[f->nfrom] = xstrndup(s, n);
	f->from[f->nfrom] = xstrdup(fold->s);
	colname_lower(fold, s, n);
	f->exact[f->nfrom++] = xstrdup(fold->s);
	return 0;
}

static int parse_window(const char *path, const char *field, json_t *v, int32_t *lo, int32_t *hi)
{
	json_t *a = json_array_get(v, 0), *b = json_array_get(v, 1);
	const char *sa = json_string_value(a), *sb = json_string_value(b);

	if (!json_is_array(v) || json_array_size(v) != 2 || !sa || !sb ||
	    date_parse(sa, strlen(sa), DATE_ISO, lo) != 0 || date_parse(sb, strlen(sb), DATE_ISO, hi) != 0) {
		civic_warn("%s: %s%s%s\"excel_window\" must be two dates: [\"yyyy-mm-dd\", \"yyyy-mm-dd\"]",
			path, field ? "field '" : "", field ? field : "", field ? "': " : "");
		return -1;
	}
	if (*lo > *hi || *lo < days_from_civil(1900, 1, 1)) {
		civic_warn("%s: %s%s%s\"excel_window\" must run forward from 1900-01-01 or later",
			path, field ? "field '" : "", field ? field : "", field ? "': " : "");
		return -1;
	}
	return 0;
}

static int load_window(const char *path, struct schema_field *f, json_t *v, const int32_t *dflt)
{
	f->window_min = dflt[0];
	f->window_max = dflt[1];
	if (v && f->type != FT_DATE && f->type != FT_DATETIME) {
		civic_warn("%s: field '%s': \"excel_window\" is for date fields", path, f->name);
		return -1;
	}
	if (v && parse_window(path, f->name, v, &f->window_min, &f->window_max) != 0)
		return -1;
	f->serial_min = date_excel_serial(f->window_min);
	f->serial_max = date_excel_serial(f->window_max);
	return 0;
}

static int load_formats(const char *path, struct schema_field *f, json_t *formats)
{
	size_t i;
	json_t *v;

	if (!formats) {
		static const enum date_format defaults[] = { DATE_ISO, DATE_DMY_DOT, DATE_DMY_SLASH };
		memcpy(f->formats, defaults, sizeof(defaults));
		f->nformats = 3;
		return 0;
	}
	if (!json_is_array(formats)) {
		civic_warn("%s: field '%s': \"formats\" must be a list", path, f->name);
		return -1;
	}
	json_array_foreach(formats, i, v) {
		int fmt = json_is_string(v) ? date_format_from_name(json_string_value(v)) : -1;
		if (fmt < 0) {
			civic_warn("%s: field '%s': unknown date format %s (known: yyyy-mm-dd, dd.mm.yyyy, dd/mm/yyyy, mm/dd/yyyy, dd.mm.yy, excel)",
				path, f->name, json_is_string(v) ? json_string_value(v) : "(not a string)");
			return -1;
		}
		if (f->nformats < DATE_NFORMATS)
			f->formats[f->nformats++] = (enum date_format)fmt;
	}
	return 0;
}

static int load_pii(const char *path, struct schema_field *f, json_t *pii)
{
	const char *s;

	if (!pii || json_is_false(pii) || json_is_null(pii))
		return 0;
	s = json_string_value(pii);
	if (s && strcmp(s, "drop") == 0)
		f->pii = PII_DROP;
	else if (s && (strcmp(s, "pseudonymize") == 0 || strcmp(s, "pseudonymise") == 0))
		f->pii = PII_PSEUDONYMIZE;
	else {
		civic_warn("%s: field '%s': \"pii\" must be \"drop\" or \"pseudonymize\"", path, f->name);
		return -1;
	}
	return 0;
}

/* "pivot_year" goes with the format dd.mm.yy, and only with it: a two-digit
 * year is never read without being told which century. */
static int load_pivot(const char *path, struct schema_field *f, json_t *obj)
{
	json_t *v = json_object_get(obj, "pivot_year");
	int yy = 0;

	for (size_t i = 0; i < f->nformats; i++)
		yy |= f->formats[i] == DATE_DMY_DOT_YY;
	if (!yy && !v)
		return 0;
	if (!yy || !json_is_integer(v) || json_integer_value(v) < 1000 || json_integer_value(v) > 9900) {
		civic_warn("%s: field '%s': the format dd.mm.yy and \"pivot_year\" (a year such as 1950: 50..99 read as 1950..1999, 00..49 as 2000..2049) go together",
			path, f->name);
		return -1;
	}
	f->pivot = (int)json_integer_value(v);
	return 0;
}

/* Most values are no code: their first byte or length says so at once. */
static void index_missing(struct schema_field *f)
{
	for (size_t i = 0; i < f->missing.n; i++) {
		unsigned char c = (unsigned char)f->missing.codes[i][0];
		size_t n = strlen(f->missing.codes[i]);
		f->missing_first[c / 8] |= (unsigned char)(1u << (c % 8));
		f->missing_lengths |= n < 64 ? (uint64_t)1 << n : 0;
		if (n > f->missing_longest)
			f->missing_longest = n;
	}
}

/* A "missing" list of strings into m; with none, a copy of dflt. */
static int load_missing(const char *path, const char *field, struct missing *m, json_t *list,
	const struct missing *dflt)
{
	size_t i;
	json_t *v;

	memset(m, 0, sizeof(*m));
	if (!list) {
		for (i = 0; dflt && i < dflt->n; i++)
			missing_add(m, dflt->codes[i], strlen(dflt->codes[i]));
		return 0;
	}
	if (!json_is_array(list)) {
		civic_warn("%s: %s%s%s\"missing\" must be a list of strings", path,
			field ? "field '" : "", field ? field : "", field ? "': " : "");
		return -1;
	}
	json_array_foreach(list, i, v) {
		if (!json_is_string(v)) {
			civic_warn("%s: %s%s%s\"missing\" must be a list of strings", path,
				field ? "field '" : "", field ? field : "", field ? "': " : "");
			return -1;
		}
		missing_add(m, json_string_value(v), json_string_length(v));
	}
	return 0;
}

static int load_field(const char *path, struct schema_field *f, json_t *obj, size_t index,
	const int32_t *window, const struct missing *missing, struct sbuf *fold)
{
	json_t *from, *v;
	size_t i;
	const char *type;

	memset(f, 0, sizeof(*f));
	if (!json_is_object(obj) || !json_is_string(json_object_get(obj, "name"))) {
		civic_warn("%s: field %zu needs a \"name\"", path, index + 1);
		return -1;
	}
	f->name = xstrdup(json_string_value(json_object_get(obj, "name")));
	f->not_before = -1;
	if (add_from(path, f, f->name, fold) != 0)
		return -1;
	from = json_object_get(obj, "from");
	if (from && !json_is_array(from)) {
		civic_warn("%s: field '%s': \"from\" must be a list of column names", path, f->name);
		return -1;
	}
	json_array_foreach(from, i, v) {
		if (!json_is_string(v)) {
			civic_warn("%s: field '%s': \"from\" must hold strings", path, f->name);
			return -1;
		}
		if (add_from(path, f, json_string_value(v), fold) != 0)
			return -1;
	}
	type = json_string_value(json_object_get(obj, "type"));
	if (!type)
		type = "string";
	if (parse_type(type, &f->type) != 0) {
		civic_warn("%s: field '%s': unknown type '%s' (string, int, number, date, datetime, bool)",
			path, f->name, type);
		return -1;
	}
	v = json_object_get(obj, "decimal_comma");
	f->decimal_comma = v && json_is_true(v);
	f->numtext = (json_is_true(json_object_get(obj, "thousands")) ? NUMTEXT_THOUSANDS : 0) |
		(json_is_true(json_object_get(obj, "percent")) ? NUMTEXT_PERCENT : 0);
	f->required = json_is_true(json_object_get(obj, "required"));
	if ((f->type == FT_DATE || f->type == FT_DATETIME) &&
	    (load_formats(path, f, json_object_get(obj, "formats")) != 0 || load_pivot(path, f, obj) != 0))
		return -1;
	if (load_missing(path, f->name, &f->missing, json_object_get(obj, "missing"), missing) != 0)
		return -1;
	index_missing(f);
	if (load_window(path, f, json_object_get(obj, "excel_window"), window) != 0)
		return -1;
	return load_pii(path, f, json_object_get(obj, "pii"));
}

/* "not_before": a date field that may not precede another one. */
static int load_order(const char *path, struct schema *s, size_t i, json_t *obj)
{
	struct schema_field *f = &s->fields[i];
	json_t *v = json_object_get(obj, "not_before");
	const char *other = json_string_value(v);

	if (!v)
		return 0;
	for (size_t j = 0; other && j < s->nfields; j++)
		if (strcmp(s->fields[j].name, other) == 0)
			f->not_before = (long)j;
	if (f->not_before < 0 || f->not_before == (long)i) {
		civic_warn("%s: field '%s': \"not_before\" must name another field of the schema", path, f->name);
		return -1;
	}
	if ((f->type != FT_DATE && f->type != FT_DATETIME) ||
	    (s->fields[f->not_before].type != FT_DATE && s->fields[f->not_before].type != FT_DATETIME)) {
		civic_warn("%s: field '%s': \"not_before\" compares dates: '%s' and '%s' must both be of type date",
			path, f->name, f->name, other);
		return -1;
	}
	return 0;
}

static int load_fields(const char *path, struct schema *s, json_t *fields, int decimal_comma,
	const int32_t *window, const struct missing *missing)
{
	struct sbuf fold = SBUF_INIT;
	size_t i;
	json_t *v;
	int rc = 0;

	if (!json_is_array(fields) || json_array_size(fields) == 0) {
		civic_warn("%s: a schema needs a non-empty \"fields\" list", path);
		return -1;
	}
	s->fields = xcalloc(json_array_size(fields), sizeof(*s->fields));
	json_array_foreach(fields, i, v) {
		s->nfields = i + 1;
		rc = load_field(path, &s->fields[i], v, i, window, missing, &fold);
		if (rc)
			break;
		if (!json_object_get(v, "decimal_comma"))
			s->fields[i].decimal_comma = decimal_comma;
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->fields[j].name, s->fields[i].name) == 0) {
				civic_warn("%s: field '%s' is defined twice", path, s->fields[i].name);
				rc = -1;
			}
		if (rc)
			break;
	}
	for (i = 0; rc == 0 && i < s->nfields; i++)
		rc = load_order(path, s, i, json_array_get(fields, i));
	sbuf_release(&fold);
	return rc;
}

int schema_load(struct schema *s, const char *path)
{
	json_t *root, *v;
	int32_t window[2];
	struct missing missing;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	memset(&missing, 0, sizeof(missing));
	root = schema_extend_load(path);
	if (!root)
		return -1;
	v = json_object_get(root, "name");
	s->name = xstrdup(json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(root, "version");
	s->version = xstrdup(json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(root, "other_columns");
	if (v && (!json_is_string(v) || (strcmp(json_string_value(v), "keep") != 0 &&
	    strcmp(json_string_value(v), "drop") != 0))) {
		civic_warn("%s: \"other_columns\" must be \"keep\" or \"drop\"", path);
		goto out;
	}
	s->keep_other_columns = v && strcmp(json_string_value(v), "keep") == 0;
	date_parse(SCHEMA_EXCEL_WINDOW_MIN, 10, DATE_ISO, &window[0]);
	date_parse(SCHEMA_EXCEL_WINDOW_MAX, 10, DATE_ISO, &window[1]);
	v = json_object_get(root, "excel_window");
	if (v && parse_window(path, NULL, v, &window[0], &window[1]) != 0)
		goto out;
	if (load_missing(path, NULL, &missing, json_object_get(root, "missing"), NULL) != 0)
		goto out;
	rc = load_fields(path, s, json_object_get(root, "fields"),
		json_is_true(json_object_get(root, "decimal_comma")), window, &missing);
out:
	missing_release(&missing);
	json_decref(root);
	if (rc != 0)
		schema_release(s);
	return rc;
}

void schema_release(struct schema *s)
{
	for (size_t i = 0; i < s->nfields; i++) {
		for (size_t j = 0; j < s->fields[i].nfrom; j++) {
			free(s->fields[i].from[j]);
			free(s->fields[i].exact[j]);
			free(s->fields[i].spelled[j]);
		}
		free(s->fields[i].spelled);
		free(s->fields[i].from);
		free(s->fields[i].exact);
		free(s->fields[i].name);
		missing_release(&s->fields[i].missing);
	}
	free(s->fields);
	free(s->name);
	free(s->version);
	memset(s, 0, sizeof(*s));
}

int schema_show(const char *path)
{
	struct schema s;
	json_t *root;
	int rc;

	if (schema_load(&s, path) != 0)
		return -1;
	schema_release(&s);
	root = schema_extend_load(path);
	if (!root)
		return -1;
	rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc == 0)
		putchar('\n');
	return rc;
}
