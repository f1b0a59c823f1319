/* Excel's date serials (a day number with the time of day as its
 * fraction) in civic's canonical forms: yyyy-mm-dd, yyyy-mm-ddTHH:MM:SS,
 * HH:MM:SS.
 *
 * The 1900 system counts 1900-01-01 as day 1 and, like Lotus 1-2-3,
 * believes 1900 a leap year: serial 60 is the 1900-02-29 that never was
 * (an error here), 59 is 1900-02-28 and 61 is 1900-03-01.  The 1904
 * system (old Mac workbooks) counts 1904-01-01 as day 0.  A time is
 * rounded to the nearest second (as Excel shows hh:mm:ss); 23:59:59.6
 * becomes the next day's 00:00:00. */
#ifndef CIVIC_WB_DATE_H
#define CIVIC_WB_DATE_H

#include "workbook.h"

enum { WB_DATE_BUF = 20 };

/* serial as type (CELL_DATE, CELL_DATETIME or CELL_TIME) into buf
 * (WB_DATE_BUF bytes): the length, or -1 with *why set to what is wrong
 * (negative, the phantom 1900-02-29, after 9999-12-31, not a number).
 * A CELL_TIME takes only the time of day, whatever the day. */
int wb_date_text(double serial, int date1904, enum cell_type type, char *buf, const char **why);

#endif
