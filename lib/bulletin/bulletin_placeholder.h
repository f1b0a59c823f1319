/* The period's dates in a definition's texts (civic-bulletin(5),
 * "Placeholders"): {period_start} and {period_end}, each with an optional
 * +N or -N days, in an indicator's group, stats and where, replaced by
 * yyyy-mm-dd once the run's period is known; and the condition keeping
 * the rows dated up to the period's end ("rows": "to-period-end"). */
#ifndef CIVIC_BULLETIN_PLACEHOLDER_H
#define CIVIC_BULLETIN_PLACEHOLDER_H

#include <stddef.h>
#include <stdint.h>
#include "bulletin_def.h"
#include "bulletin_period.h"

/* p's first and last day (days since 1970-01-01): 0, or -1 for BPERIOD_ALL. */
int bperiod_dates(const struct bperiod *p, int32_t *first, int32_t *last);

/* text with each placeholder replaced by its date, malloc'd.  With p of
 * BPERIOD_ALL the dates are stand-ins (for checking a definition without a
 * period).  *used is set when text holds a placeholder.  NULL when one is
 * unknown or out of range, with the reason in err. */
char *bplaceholder_expand(const char *text, const struct bperiod *p, int *used, char *err, size_t size);

/* Rewrites ind's group, stats and where from the texts as written with
 * p's dates (stand-ins for BPERIOD_ALL); sets ind->dated.  0, or -1 with
 * the member and the reason. */
int bindicator_dates(struct bindicator *ind, const struct bperiod *p, const char **member, char *err, size_t size);

/* The condition keeping column's rows dated on or before p's last day
 * ("received_at <= 2024-03-31") into buf; "" for BPERIOD_ALL. */
void bperiod_to_end_condition(const struct bperiod *p, const char *column, char *buf, size_t size);

/* Sets b's period and writes its dates into every indicator's group,
 * stats and where.  0; -1 after a message naming each indicator that
 * needs the period's dates when p is BPERIOD_ALL. */
int bulletin_set_period(struct bulletin *b, const struct bperiod *p);

#endif
