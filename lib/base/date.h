/* Calendar dates as day numbers (days since 1970-01-01, proleptic
 * Gregorian), parsed strictly: 31.02.2024 is an error, never rolled over. */
#ifndef CIVIC_DATE_H
#define CIVIC_DATE_H

#include <stddef.h>
#include <stdint.h>

enum date_format {
	DATE_ISO,        /* yyyy-mm-dd */
	DATE_DMY_DOT,    /* dd.mm.yyyy */
	DATE_DMY_SLASH,  /* dd/mm/yyyy */
	DATE_MDY_SLASH,  /* mm/dd/yyyy */
	DATE_EXCEL,      /* Excel serial day number (1900 system, 60 = the phantom 1900-02-29) */
	DATE_DMY_DOT_YY, /* dd.mm.yy: needs a pivot year, so only datetime_parse() reads it */
	DATE_NFORMATS
};

/* "dd.mm.yyyy" etc. to the enum; -1 when unknown. */
int date_format_from_name(const char *name);
const char *date_format_name(enum date_format f);

int32_t days_from_civil(int y, int m, int d);
void civil_from_days(int32_t days, int *y, int *m, int *d);
int date_valid(int y, int m, int d);

/* Excel's serial day number of a date from 1900-01-01 on (1900 system,
 * counting the phantom 1900-02-29), and the serials Excel can show. */
long date_excel_serial(int32_t days);
enum { DATE_EXCEL_SERIAL_MAX = 2958465 };        /* 9999-12-31 */

/* Parses s[0..n) (surrounding spaces ignored) in format f.  0 or -1. */
int date_parse(const char *s, size_t n, enum date_format f, int32_t *days);
/* Tries each of the n formats in order; returns the index that matched or -1. */
int date_parse_any(const char *s, size_t n, const enum date_format *fmts, size_t nfmts, int32_t *days);

/* As date_parse_any, writing the date as yyyy-mm-dd to buf (11 bytes)
 * without going through a day number. */
int date_parse_any_iso(const char *s, size_t n, const enum date_format *fmts, size_t nfmts, char *buf);

/* Writers; buf needs 11 bytes (9 for week "yyyy-Www"). */
void date_iso(int32_t days, char *buf);
int date_weekday(int32_t days);                 /* 1 = Monday … 7 = Sunday */
void date_iso_week(int32_t days, int *iso_year, int *week);

#endif
