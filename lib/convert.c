#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "convert.h"
#include "num.h"
#include "trim.h"

int parse_bool(const char *s, size_t n, int *value)
{
	static const char *const yes[] = { "1", "true", "yes", "y", "t", "да", "Да", "ДА", "ha", "Ha", "HA", "ҳа", "Ҳа" };
	static const char *const no[] = { "0", "false", "no", "n", "f", "нет", "Нет", "НЕТ", "yo'q", "Yo'q", "YO'Q", "yoʻq", "Yoʻq", "йўқ", "Йўқ" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0) {
			*value = 1;
			return 1;
		}
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0) {
			*value = 0;
			return 1;
		}
	return -1;
}

static int convert_int(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	long long v;
	char buf[32];

	if (num_parse_int(s, n, &v) != 0) {
		reject_set(why, "bad-int", f->name, "'%.*s' is not a whole number", (int)(n > 64 ? 64 : n), s);
		return -1;
	}
	sbuf_add(out, buf, (size_t)snprintf(buf, sizeof(buf), "%lld", v));
	return 0;
}

static int convert_number(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	double v;
	char buf[32];

	if (num_parse_double(s, n, f->decimal_comma, &v) != 0) {
		reject_set(why, "bad-number", f->name, "'%.*s' is not a number%s", (int)(n > 64 ? 64 : n), s,
			f->decimal_comma ? " (decimal comma expected)" : "");
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

static int convert_date(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	char buf[16];

	if (date_parse_any_iso(s, n, f->formats, f->nformats, buf) < 0) {
		char formats[128];
		list_formats(f, formats, sizeof(formats));
		reject_set(why, "bad-date", f->name, "'%.*s' is not a valid date (expected %s)",
			(int)(n > 64 ? 64 : n), s, formats);
		return -1;
	}
	sbuf_add(out, buf, 10);
	return 0;
}

static int convert_bool(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	int v;

	if (parse_bool(s, n, &v) < 0) {
		reject_set(why, "bad-bool", f->name, "'%.*s' is not yes/no or true/false", (int)(n > 64 ? 64 : n), s);
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
};

int convert_field(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why)
{
	trim_blanks(&s, &n);
	if (n == 0) {
		if (f->required) {
			reject_set(why, "missing-value", f->name, "required value is empty");
			return -1;
		}
		return 0;
	}
	return converters[f->type](f, s, n, out, why);
}
