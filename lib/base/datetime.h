/* Dates as offices type them, with or without a time of day:
 * "05.01.2024 14:30", "05.01.2024 14:30:15", "2024-01-05T14:30:00",
 * "2024-01-05 14:30", and Excel serials with a fraction of a day
 * ("45296.6041666667").  Two-digit years ("05.01.24") are read only in
 * the format dd.mm.yy, and then into the hundred years from the pivot
 * year on: pivot 1950 reads 49 as 2049 and 50 as 1950. */
#ifndef CIVIC_DATETIME_H
#define CIVIC_DATETIME_H

#include <stddef.h>
#include <stdint.h>
#include "date.h"

struct datetime {
	int32_t days;
	int32_t secs;        /* since midnight; 0 without a time */
	int has_time;
};

/* The date part in one of the n formats (an Excel serial alone, with its
 * fraction), then optionally 'T' or spaces and HH:MM or HH:MM:SS.
 * Surrounding spaces are ignored.  The index of the format that read the
 * date, or -1. */
int datetime_parse(const char *s, size_t n, const enum date_format *fmts, size_t nfmts, int pivot,
	struct datetime *dt);
/* "yyyy-mm-dd" or, with a time, "yyyy-mm-ddTHH:MM:SS"; buf needs 20 bytes.
 * Returns the length. */
size_t datetime_iso(const struct datetime *dt, char *buf);

#endif
