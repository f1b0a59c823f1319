/* The period a bulletin reports (--period yyyy-mm, --quarter yyyy-Qn,
 * --year yyyy), the condition that selects its rows, and the periods its
 * comparisons look back to. */
#ifndef CIVIC_BULLETIN_PERIOD_H
#define CIVIC_BULLETIN_PERIOD_H

#include <stddef.h>

enum bperiod_kind { BPERIOD_ALL, BPERIOD_MONTH, BPERIOD_QUARTER, BPERIOD_YEAR };

struct bperiod {
	enum bperiod_kind kind;
	int year, n;                   /* n: the month 1-12 or the quarter 1-4 */
	char label[16];                /* "2024-03", "2024-Q1", "2024", "all" */
};

/* 0, or -1 when text is not a period of that kind. */
int bperiod_parse(struct bperiod *p, enum bperiod_kind kind, const char *text);
/* The condition keeping column's rows in p ("month(received_at) = 2024-03"),
 * into buf; "" for BPERIOD_ALL. */
void bperiod_condition(const struct bperiod *p, const char *column, char *buf, size_t size);
/* The period comparison cmp (a BCMP_ bit other than BCMP_PREV_WAVE) looks
 * back to: 0, or -1 when it does not apply to p's kind. */
int bperiod_back(const struct bperiod *p, unsigned cmp, struct bperiod *out);
/* The period a label names, of whichever kind: 0, or -1 when it names
 * none ("all" included). */
int bperiod_from_label(struct bperiod *p, const char *label);
/* p's last month, counted from January of year 0: for ordering periods. */
long bperiod_last_month(const struct bperiod *p);
/* 1 when q may be looked back to from p: a period of p's kind that ends
 * before p begins (any period, when p is BPERIOD_ALL). */
int bperiod_is_before(const struct bperiod *q, const struct bperiod *p);

#endif
