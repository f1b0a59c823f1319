#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "convert.h"
#include "datetime.h"
#include "numtext.h"
#include "num.h"
#include "rules.h"
#include "trim.h"

/* Longest yes/no spelling before folding (bytes), e.g. "YOʻQ". */
enum { BOOL_MAX = 16 };

static int in_list(const char *const *list, size_t count, const char *s, size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(list[i]) == n && strncasecmp(s, list[i], n) == 0)
			return 1;
	return 0;
}

int parse_bool(const char *s, size_t n, int *value)
{
	static const char *const yes[] = { "1", "true", "yes", "y", "t", "ha" };
	static const char *const no[] = { "0", "false", "no", "n", "f", "yo'q" };
	/* As rule books fold them: ҳа is ха, йўқ is йук, yoʻq is yo'q. */
	static const char *const yes_folded[] = { "да", "ха" };
	static const char *const no_folded[] = { "нет", "йук", "yo'q" };
	struct sbuf tmp = SBUF_INIT, folded = SBUF_INIT;
	int rc = -1;

	if (in_list(yes, sizeof(yes) / sizeof(*yes), s, n) || in_list(no, sizeof(no) / sizeof(*no), s, n)) {
		*value = in_list(yes, sizeof(yes) / sizeof(*yes), s, n);
		return 1;
	}
	if (n > BOOL_MAX)
		return -1;
	rules_fold_key(s, n, &tmp, &folded);
	if (in_list(yes_folded, sizeof(yes_folded) / sizeof(*yes_folded), folded.s, folded.len)) {
		*value = 1;
		rc = 1;
	} else if (in_list(no_folded, sizeof(no_folded) / sizeof(*no_folded), folded.s, folded.len)) {
		*value = 0;
		rc = 1;
	}
	sbuf_release(&tmp);
	sbuf_release(&folded);
	return rc;
}

/* The value itself opens the message, except in a personal-data column,
 * whose values never appear in a message (the rejects file keeps the raw
 * record, at mode 0600). */
static void reject_value(struct reject *why, const char *reason, const struct schema_field *f,
	const char *s, size_t n, const char *what)
{
	if (f->pii != PII_NONE)
		reject_set(why, reason, f->name, "the value %s", what);
	else
		reject_set(why, reason, f->name, "'%.*s' %s", (int)(n > 64 ? 64 : n), s, what);
}

/* What a number that failed might need from the schema: a decimal comma
 * (3326,422), thousands or a percent sign allowed. */
static const char *number_hint(const struct schema_field *f, const char *s, size_t n)
{
	char buf[NUMTEXT_MAX];
	long len = numtext_clean(s, n, NUMTEXT_THOUSANDS | NUMTEXT_PERCENT, buf);
	double d;

	if (f->pii != PII_NONE)
		return "";
	if (!f->decimal_comma && memchr(s, ',', n) && num_parse_double(s, n, 1, &d) == 0)
		return " (a decimal comma? the schema can say \"decimal_comma\": true)";
	if (len >= 0 && num_parse_double(buf, (size_t)len, f->decimal_comma, &d) == 0 &&
	    numtext_has_separators(s, n) && (f->numtext & (NUMTEXT_THOUSANDS | NUMTEXT_PERCENT)) !=
	    (NUMTEXT_THOUSANDS | NUMTEXT_PERCENT))
		return " (spaces between thousands or a % sign? the schema can say \"thousands\": true, \"percent\": true)";
	if (!f->decimal_comma && memchr(s, ',', n) && len >= 0 && num_parse_double(buf, (size_t)len, 1, &d) == 0)
		return " (a decimal comma? the schema can say \"decimal_comma\": true)";
	return "";
}

/* The field's text without the separators the schema allows; s and n
 * point into buf then.  -1 when a separator is misplaced. */
static int clean_number(const struct schema_field *f, const char **s, size_t *n, char *buf)
{
	long len;

	if (!f->numtext)
		return 0;
	len = numtext_clean(*s, *n, f->numtext, buf);
	if (len < 0)
		return -1;
	*s = buf;
	*n = (size_t)len;
	return 0;
}

static int convert_int(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	long long v;
	char buf[32], clean[NUMTEXT_MAX], what[160];
	const char *t = s;
	size_t tn = n;

	if (clean_number(f, &t, &tn, clean) != 0 || num_parse_int(t, tn, &v) != 0) {
		snprintf(what, sizeof(what), "is not a whole number%s", number_hint(f, s, n));
		reject_value(why, "bad-int", f, s, n, what);
		return -1;
	}
	sbuf_add(out, buf, (size_t)snprintf(buf, sizeof(buf), "%lld", v));
	return 0;
}

static int convert_number(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	double v;
	char buf[32], clean[NUMTEXT_MAX], what[160];
	const char *t = s;
	size_t tn = n;

	if (clean_number(f, &t, &tn, clean) != 0 || num_parse_double(t, tn, f->decimal_comma, &v) != 0) {
		snprintf(what, sizeof(what), "is not a number%s%s",
			f->decimal_comma ? " (decimal comma expected)" : "", number_hint(f, s, n));
		reject_value(why, "bad-number", f, s, n, what);
		return -1;
	}
	sbuf_add(out, buf, (size_t)num_format(v, buf));
	return 0;
}

static void list_formats(const struct schema_field *f, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < f->nformats && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
			date_format_name(f->formats[i]));
}

static int reads_excel(const struct schema_field *f)
{
	for (size_t i = 0; i < f->nformats; i++)
		if (f->formats[i] == DATE_EXCEL)
			return 1;
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* A number of digits where an Excel serial may come is read as one only
 * inside the field's window: 2024 is a year, 12 a count, not days of 1905
 * or 1900.  1 when s is such a number outside the window. */
static int implausible_serial(const struct schema_field *f, const char *s, size_t n)
{
	long v = 0;

	if (!reads_excel(f))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' && i > 0 && all_digits(s + i + 1, n - i - 1))
			break;      /* a serial with a time of day: its day is checked */
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (v <= DATE_EXCEL_SERIAL_MAX)
			v = v * 10 + (s[i] - '0');
	}
	return v < f->serial_min || v > f->serial_max;
}

static int convert_date(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	char buf[24], what[192];
	struct datetime dt;

	if (implausible_serial(f, s, n)) {
		char lo[11], hi[11];
		date_iso(f->window_min, lo);
		date_iso(f->window_max, hi);
		snprintf(what, sizeof(what),
			"is not a date: Excel serial days are read only within %s..%s (%ld..%ld), and a bare year or small number is not one",
			lo, hi, f->serial_min, f->serial_max);
		reject_value(why, "implausible-serial", f, s, n, what);
		return -1;
	}
	/* A plain date takes the fast path; a time of day, a two-digit year or
	 * an Excel fraction the full one.  A date column keeps the date. */
	if (f->type == FT_DATE && date_parse_any_iso(s, n, f->formats, f->nformats, buf) >= 0) {
		sbuf_add(out, buf, 10);
		return 0;
	}
	if (datetime_parse(s, n, f->formats, f->nformats, f->pivot, &dt) < 0) {
		char formats[128];
		list_formats(f, formats, sizeof(formats));
		snprintf(what, sizeof(what), "is not a valid date%s (expected %s%s)",
			f->type == FT_DATETIME ? " and time" : "", formats,
			f->type == FT_DATETIME ? ", with HH:MM[:SS] or not" : "");
		reject_value(why, "bad-date", f, s, n, what);
		return -1;
	}
	if (f->type == FT_DATE)
		dt.has_time = 0;
	sbuf_add(out, buf, datetime_iso(&dt, buf));
	return 0;
}

static int convert_bool(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	int v;

	if (parse_bool(s, n, &v) < 0) {
		reject_value(why, "bad-bool", f, s, n, "is not yes/no or true/false");
		return -1;
	}
	sbuf_addstr(out, v ? "true" : "false");
	return 0;
}

static int convert_string(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	(void)f;
	(void)why;
	sbuf_add(out, s, n);
	return 0;
}

typedef int convert_fn(const struct schema_field *, const char *, size_t, struct sbuf *, struct reject *);

static convert_fn *const converters[] = {
	[FT_STRING] = convert_string,
	[FT_INT] = convert_int,
	[FT_NUMBER] = convert_number,
	[FT_DATE] = convert_date,
	[FT_BOOL] = convert_bool,
	[FT_DATETIME] = convert_date,
};

int convert_field(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	trim_blanks(&s, &n);
	if (field_missing(f, s, n))
		n = 0;
	if (n == 0) {
		if (f->required) {
			reject_set(why, "missing-value", f->name, "required value is empty");
			return -1;
		}
		return 0;
	}
	return converters[f->type](f, s, n, out, why);
}

int check_not_before(const struct schema_field *f, const char *da, const struct schema_field *g,
	const char *db, struct reject *why)
{
	if (memcmp(da, db, 10) >= 0)
		return 0;
	if (f->pii != PII_NONE || g->pii != PII_NONE)
		reject_set(why, "date-order", f->name, "the date is before %s", g->name);
	else
		reject_set(why, "date-order", f->name, "%.10s is before %s %.10s", da, g->name, db);
	return -1;
}

int check_no_nul(const char *column, const char *s, size_t n, struct reject *why)
{
	const char *nul = memchr(s, '\0', n);

	if (!nul)
		return 0;
	reject_set(why, "nul-byte", column, "a NUL byte at byte %zu of the value (not text)", (size_t)(nul - s) + 1);
	return -1;
}
