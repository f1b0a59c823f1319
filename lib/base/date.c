#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "trim.h"

static const char *const format_names[DATE_NFORMATS] = {
	[DATE_ISO] = "yyyy-mm-dd",
	[DATE_DMY_DOT] = "dd.mm.yyyy",
	[DATE_DMY_SLASH] = "dd/mm/yyyy",
	[DATE_MDY_SLASH] = "mm/dd/yyyy",
	[DATE_EXCEL] = "excel",
	[DATE_DMY_DOT_YY] = "dd.mm.yy",
};

int date_format_from_name(const char *name)
{
	for (int i = 0; i < DATE_NFORMATS; i++)
		if (strcmp(name, format_names[i]) == 0)
			return i;
	if (strcmp(name, "iso") == 0)
		return DATE_ISO;
	return -1;
}

const char *date_format_name(enum date_format f)
{
	return format_names[f];
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int)doe - 719468);
}

void civil_from_days(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)yoe + era * 400 + (*m <= 2);
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

/* Reads exactly `width` digits (1..width when flexible) at s[*i]. */
static int digits(const char *s, size_t n, size_t *i, int minw, int maxw, int *out)
{
	int v = 0, w = 0;

	while (*i < n && w < maxw && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		w++;
	}
	if (w < minw)
		return -1;
	*out = v;
	return 0;
}

static int expect(const char *s, size_t n, size_t *i, char c)
{
	if (*i >= n || s[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

long date_excel_serial(int32_t days)
{
	return (long)(days - days_from_civil(1899, 12, 31)) + (days >= days_from_civil(1900, 3, 1));
}

static int parse_excel(const char *s, size_t n, int32_t *days)
{
	long v = 0;

	if (n == 0 || n > 6)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	/* Serial 60 is Excel's 1900-02-29, a day that never was. */
	if (v < 1 || v == 60 || v > DATE_EXCEL_SERIAL_MAX)
		return -1;
	*days = days_from_civil(1899, 12, 31) + (int32_t)v - (v > 60);
	return 0;
}

/* y, m, d of s in format f (not Excel); 0, or -1 when it is not a real date. */
static int parse_ymd(const char *s, size_t n, enum date_format f, int *y, int *m, int *d)
{
	size_t i = 0;
	int rc;

	switch (f) {
	case DATE_ISO:
		rc = digits(s, n, &i, 4, 4, y) || expect(s, n, &i, '-') ||
			digits(s, n, &i, 1, 2, m) || expect(s, n, &i, '-') ||
			digits(s, n, &i, 1, 2, d);
		break;
	case DATE_DMY_DOT:
	case DATE_DMY_SLASH: {
		char sep = f == DATE_DMY_DOT ? '.' : '/';
		rc = digits(s, n, &i, 1, 2, d) || expect(s, n, &i, sep) ||
			digits(s, n, &i, 1, 2, m) || expect(s, n, &i, sep) ||
			digits(s, n, &i, 4, 4, y);
		break;
	}
	case DATE_MDY_SLASH:
		rc = digits(s, n, &i, 1, 2, m) || expect(s, n, &i, '/') ||
			digits(s, n, &i, 1, 2, d) || expect(s, n, &i, '/') ||
			digits(s, n, &i, 4, 4, y);
		break;
	default:
		return -1;
	}
	return rc || i != n || !date_valid(*y, *m, *d) ? -1 : 0;
}

int date_parse(const char *s, size_t n, enum date_format f, int32_t *days)
{
	int y, m, d;

	trim_blanks(&s, &n);
	if (f == DATE_EXCEL)
		return parse_excel(s, n, days);
	if (parse_ymd(s, n, f, &y, &m, &d) != 0)
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

static void iso_from_ymd(int y, int m, int d, char *buf)
{
	buf[0] = (char)('0' + y / 1000 % 10);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

int date_parse_any_iso(const char *s, size_t n, const enum date_format *fmts, size_t nfmts, char *buf)
{
	int y, m, d;
	int32_t days;

	trim_blanks(&s, &n);
	for (size_t k = 0; k < nfmts; k++) {
		if (fmts[k] == DATE_EXCEL) {
			if (parse_excel(s, n, &days) == 0) {
				date_iso(days, buf);
				return (int)k;
			}
		} else if (parse_ymd(s, n, fmts[k], &y, &m, &d) == 0) {
			iso_from_ymd(y, m, d, buf);
			return (int)k;
		}
	}
	return -1;
}

int date_parse_any(const char *s, size_t n, const enum date_format *fmts, size_t nfmts, int32_t *days)
{
	for (size_t k = 0; k < nfmts; k++)
		if (date_parse(s, n, fmts[k], days) == 0)
			return (int)k;
	return -1;
}

void date_iso(int32_t days, char *buf)
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	iso_from_ymd(y, m, d, buf);
}

int date_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	int w = (int)((days % 7 + 7 + 3) % 7);
	return w + 1;
}

void date_iso_week(int32_t days, int *iso_year, int *week)
{
	int y, m, d;
	int32_t thursday = days - date_weekday(days) + 4;

	civil_from_days(thursday, &y, &m, &d);
	*iso_year = y;
	*week = (int)((thursday - days_from_civil(y, 1, 1)) / 7) + 1;
}
