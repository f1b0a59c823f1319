/* Periods and the periods before them (bulletin_period.h). */
#include <stdio.h>
#include <string.h>

#include "bulletin_def.h"
#include "bulletin_period.h"

static void set_label(struct bperiod *p)
{
	switch (p->kind) {
	case BPERIOD_MONTH: snprintf(p->label, sizeof(p->label), "%04d-%02d", p->year, p->n); break;
	case BPERIOD_QUARTER: snprintf(p->label, sizeof(p->label), "%04d-Q%d", p->year, p->n); break;
	case BPERIOD_YEAR: snprintf(p->label, sizeof(p->label), "%04d", p->year); break;
	case BPERIOD_ALL: snprintf(p->label, sizeof(p->label), "all"); break;
	}
}

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int bperiod_parse(struct bperiod *p, enum bperiod_kind kind, const char *t)
{
	size_t len = strlen(t);

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	if (kind == BPERIOD_ALL) {
		set_label(p);
		return 0;
	}
	if (len < 4 || !digits(t, 4))
		return -1;
	p->year = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
	if (p->year < 1)
		return -1;
	if (kind == BPERIOD_YEAR && len != 4)
		return -1;
	if (kind == BPERIOD_MONTH) {
		if (len != 7 || t[4] != '-' || !digits(t + 5, 2))
			return -1;
		p->n = (t[5] - '0') * 10 + (t[6] - '0');
		if (p->n < 1 || p->n > 12)
			return -1;
	}
	if (kind == BPERIOD_QUARTER) {
		if (len != 7 || t[4] != '-' || t[5] != 'Q' || t[6] < '1' || t[6] > '4')
			return -1;
		p->n = t[6] - '0';
	}
	set_label(p);
	return 0;
}

void bperiod_condition(const struct bperiod *p, const char *column, char *buf, size_t size)
{
	static const char *const fn[] = { "", "month", "quarter", "year" };

	if (p->kind == BPERIOD_ALL)
		buf[0] = '\0';
	else
		snprintf(buf, size, "%s(%s) = '%s'", fn[p->kind], column, p->label);
}

int bperiod_back(const struct bperiod *p, unsigned cmp, struct bperiod *out)
{
	*out = *p;
	switch (cmp) {
	case BCMP_PREV_MONTH:
		if (p->kind != BPERIOD_MONTH)
			return -1;
		if (--out->n == 0) {
			out->n = 12;
			out->year--;
		}
		break;
	case BCMP_YEAR_AGO_MONTH:
		if (p->kind != BPERIOD_MONTH)
			return -1;
		out->year--;
		break;
	case BCMP_PREV_QUARTER:
		if (p->kind != BPERIOD_QUARTER)
			return -1;
		if (--out->n == 0) {
			out->n = 4;
			out->year--;
		}
		break;
	case BCMP_YEAR_AGO_QUARTER:
		if (p->kind != BPERIOD_QUARTER)
			return -1;
		out->year--;
		break;
	case BCMP_PREV_YEAR:
		if (p->kind != BPERIOD_YEAR)
			return -1;
		out->year--;
		break;
	default:
		return -1;
	}
	if (out->year < 1)
		return -1;
	set_label(out);
	return 0;
}

int bperiod_from_label(struct bperiod *p, const char *label)
{
	static const enum bperiod_kind kinds[] = { BPERIOD_MONTH, BPERIOD_QUARTER, BPERIOD_YEAR };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (bperiod_parse(p, kinds[i], label) == 0)
			return 0;
	return -1;
}

static long first_month(const struct bperiod *p)
{
	long m = (long)p->year * 12;

	return p->kind == BPERIOD_MONTH ? m + p->n - 1 : p->kind == BPERIOD_QUARTER ? m + (p->n - 1) * 3 : m;
}

long bperiod_last_month(const struct bperiod *p)
{
	long m = (long)p->year * 12;

	return p->kind == BPERIOD_MONTH ? m + p->n - 1 : p->kind == BPERIOD_QUARTER ? m + p->n * 3 - 1 : m + 11;
}

int bperiod_is_before(const struct bperiod *q, const struct bperiod *p)
{
	if (q->kind == BPERIOD_ALL)
		return 0;
	if (p->kind == BPERIOD_ALL)
		return 1;
	return q->kind == p->kind && bperiod_last_month(q) < first_month(p);
}
