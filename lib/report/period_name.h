/* Calendar periods as a reader names them, in the language in use
 * (lang.h): 2024-03 as "March 2024", "март 2024", "mart 2024"; 2024-Q1,
 * 2024-W05, 2024-03-05 and Mon likewise, from the lang files' month.N,
 * weekday.XXX and period.* texts. */
#ifndef CIVIC_PERIOD_NAME_H
#define CIVIC_PERIOD_NAME_H

#include "sbuf.h"

/* Appends value's name and returns 1 when it is a period key: the column
 * is year(), quarter(), month(), week(), day() or weekday() of something,
 * or the value has the shape of one (yyyy-mm, yyyy-Qn, yyyy-Www,
 * yyyy-mm-dd, a valid date).  0, appending nothing, otherwise. */
int period_name(struct sbuf *b, const char *column, const char *value);
/* The name of the period function a column is of ("month" for
 * month(received_at)), or NULL. */
const char *period_function(const char *column);

#endif
