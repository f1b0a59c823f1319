#include "wb_date.h"

#include <math.h>
#include <stdio.h>

#include "date.h"

int wb_date_text(double serial, int date1904, enum cell_type type, char *buf, const char **why)
{
	buf[0] = '\0';
	*why = NULL;
	if (!isfinite(serial))
		*why = "date serial is not a number";
	else if (serial < 0)
		*why = "negative date serial";
	else if (serial >= DATE_EXCEL_SERIAL_MAX + 1.0)
		*why = "date serial after 9999-12-31";
	if (*why)
		return -1;
	double whole = floor(serial);
	long long day = (long long)whole;
	int secs = (int)lround((serial - whole) * 86400.0);
	if (secs == 86400) {
		day++;
		secs = 0;
	}
	int hh = secs / 3600, mm = secs / 60 % 60, ss = secs % 60;
	if (type == CELL_TIME)
		return snprintf(buf, WB_DATE_BUF, "%02d:%02d:%02d", hh, mm, ss);
	int32_t days;
	if (date1904) {
		days = days_from_civil(1904, 1, 1) + (int32_t)day;
	} else if (day == 60) {
		*why = "1900-02-29 does not exist (Excel's serial 60)";
		return -1;
	} else if (day == 0) {
		*why = "date serial 0 is Excel's 1900-01-00, not a date";
		return -1;
	} else {
		days = days_from_civil(1899, 12, 31) + (int32_t)day - (day > 60);
	}
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	if (y > 9999) {
		*why = "date serial after 9999-12-31";
		return -1;
	}
	if (type == CELL_DATE)
		return snprintf(buf, WB_DATE_BUF, "%04d-%02d-%02d", y, m, d);
	return snprintf(buf, WB_DATE_BUF, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, hh, mm, ss);
}
