#include <stdio.h>
#include <string.h>

#include "lang.h"
#include "period_name.h"

static const char *const functions[] = { "year", "quarter", "month", "week", "day", "weekday" };
static const char *const weekdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

const char *period_function(const char *column)
{
	const char *paren = column ? strchr(column, '(') : NULL;

	for (size_t i = 0; paren && i < sizeof(functions) / sizeof(functions[0]); i++)
		if ((size_t)(paren - column) == strlen(functions[i]) &&
		    strncmp(column, functions[i], strlen(functions[i])) == 0)
			return functions[i];
	return NULL;
}

static int digits(const char *s, size_t n)
{
	return strspn(s, "0123456789") >= n;
}

static int number(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : days[m - 1];
}

static int month_name(struct sbuf *b, const char *v)
{
	char key[16], year[8];
	int m = number(v + 5, 2);

	if (m < 1 || m > 12)
		return 0;
	snprintf(key, sizeof(key), "month.%d", m);
	snprintf(year, sizeof(year), "%.4s", v);
	lang_put(b, "period.month", "month", lang_text(key), "year", year, NULL);
	return 1;
}

static int day_name(struct sbuf *b, const char *v)
{
	char key[16], year[8], mm[4], dd[4], d[4];
	int m = number(v + 5, 2), day = number(v + 8, 2);

	if (v[7] != '-' || m < 1 || m > 12 || day < 1 || day > days_in_month(number(v, 4), m))
		return 0;
	snprintf(key, sizeof(key), "month.%d", m);
	snprintf(year, sizeof(year), "%.4s", v);
	snprintf(mm, sizeof(mm), "%.2s", v + 5);
	snprintf(dd, sizeof(dd), "%.2s", v + 8);
	snprintf(d, sizeof(d), "%d", day);
	lang_put(b, "period.day", "year", year, "mm", mm, "dd", dd, "d", d, "month", lang_text(key), NULL);
	return 1;
}

static int quarter_name(struct sbuf *b, const char *v)
{
	static const char *const roman[] = { "I", "II", "III", "IV" };
	char year[8], q[4];
	int n = v[6] - '0';

	if (n < 1 || n > 4)
		return 0;
	snprintf(year, sizeof(year), "%.4s", v);
	snprintf(q, sizeof(q), "%d", n);
	lang_put(b, "period.quarter", "q", q, "roman", roman[n - 1], "year", year, NULL);
	return 1;
}

static int week_name(struct sbuf *b, const char *v)
{
	char year[8], w[4];
	int n = number(v + 6, 2);

	if (n < 1 || n > 53)
		return 0;
	snprintf(year, sizeof(year), "%.4s", v);
	snprintf(w, sizeof(w), "%d", n);
	lang_put(b, "period.week", "week", w, "year", year, NULL);
	return 1;
}

static int weekday_name(struct sbuf *b, const char *v)
{
	char key[16];

	for (size_t i = 0; i < 7; i++)
		if (strcmp(v, weekdays[i]) == 0) {
			snprintf(key, sizeof(key), "weekday.%s", v);
			sbuf_addstr(b, lang_text(key));
			return 1;
		}
	return 0;
}

int period_name(struct sbuf *b, const char *column, const char *value)
{
	const char *fn = period_function(column);
	size_t n = strlen(value);

	if (fn && strcmp(fn, "weekday") == 0)
		return weekday_name(b, value);
	if (n < 7 || !digits(value, 4) || value[4] != '-')
		return 0;
	if (n == 7 && digits(value + 5, 2))
		return month_name(b, value);
	if (n == 7 && value[5] == 'Q' && digits(value + 6, 1))
		return quarter_name(b, value);
	if (n == 8 && value[5] == 'W' && digits(value + 6, 2))
		return week_name(b, value);
	if (n == 10 && digits(value + 5, 2) && digits(value + 8, 2))
		return day_name(b, value);
	return 0;
}
