#include <string.h>

#include "datetime.h"
#include "trim.h"

static int two_digits(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

/* HH:MM or HH:MM:SS (hour of one or two digits). */
static int parse_time(const char *s, size_t n, int32_t *secs)
{
	int h, m, sec = 0;
	size_t i = 0;

	if (n >= 2 && s[1] == ':' && s[0] >= '0' && s[0] <= '9') {
		h = s[0] - '0';
		i = 2;
	} else if (n >= 3 && s[2] == ':' && two_digits(s, &h) == 0) {
		i = 3;
	} else {
		return -1;
	}
	if (n - i < 2 || two_digits(s + i, &m) != 0)
		return -1;
	i += 2;
	if (i < n && (n - i != 3 || s[i] != ':' || two_digits(s + i + 1, &sec) != 0))
		return -1;
	if (h > 23 || m > 59 || sec > 59)
		return -1;
	*secs = h * 3600 + m * 60 + sec;
	return 0;
}

/* dd.mm.yy into the hundred years from pivot on. */
static int parse_yy(const char *s, size_t n, int pivot, int32_t *days)
{
	int d, m, yy, y;

	if (n != 8 || s[2] != '.' || s[5] != '.' || two_digits(s, &d) || two_digits(s + 3, &m) ||
	    two_digits(s + 6, &yy) || pivot < 1 || pivot > 9900)
		return -1;
	y = pivot - pivot % 100 + yy;
	if (y < pivot)
		y += 100;
	if (!date_valid(y, m, d))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

/* An Excel serial with a fraction of a day: 45296.5 is noon. */
static int parse_serial_time(const char *s, size_t n, struct datetime *dt)
{
	const char *dot = memchr(s, '.', n);
	double frac = 0, scale = 1;
	size_t k;

	if (!dot || dot + 1 == s + n || date_parse(s, (size_t)(dot - s), DATE_EXCEL, &dt->days) != 0)
		return -1;
	for (k = (size_t)(dot - s) + 1; k < n && k < (size_t)(dot - s) + 16; k++) {
		if (s[k] < '0' || s[k] > '9')
			return -1;
		scale /= 10;
		frac += (s[k] - '0') * scale;
	}
	for (; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return -1;
	dt->secs = (int32_t)(frac * 86400 + 0.5);
	if (dt->secs >= 86400) {
		dt->secs -= 86400;
		if (++dt->days > days_from_civil(9999, 12, 31))
			return -1;
	}
	dt->has_time = 1;
	return 0;
}

static int parse_date(const char *s, size_t n, enum date_format f, int pivot, int32_t *days)
{
	return f == DATE_DMY_DOT_YY ? parse_yy(s, n, pivot, days) : date_parse(s, n, f, days);
}

int datetime_parse(const char *s, size_t n, const enum date_format *fmts, size_t nfmts, int pivot,
	struct datetime *dt)
{
	size_t datelen = 0, t;

	memset(dt, 0, sizeof(*dt));
	trim_blanks(&s, &n);
	while (datelen < n && s[datelen] != ' ' && s[datelen] != 'T')
		datelen++;
	t = datelen;
	if (t < n && s[t] == 'T')
		t++;
	else
		while (t < n && s[t] == ' ')
			t++;
	for (size_t k = 0; k < nfmts; k++) {
		if (datelen == n && fmts[k] == DATE_EXCEL && parse_serial_time(s, n, dt) == 0)
			return (int)k;
		if (parse_date(s, datelen, fmts[k], pivot, &dt->days) != 0)
			continue;
		if (datelen == n)
			return (int)k;
		if (fmts[k] != DATE_EXCEL && parse_time(s + t, n - t, &dt->secs) == 0) {
			dt->has_time = 1;
			return (int)k;
		}
	}
	return -1;
}

size_t datetime_iso(const struct datetime *dt, char *buf)
{
	date_iso(dt->days, buf);
	if (!dt->has_time)
		return 10;
	unsigned secs = (unsigned)dt->secs % 86400u;
	unsigned part[3] = { secs / 3600, secs / 60 % 60, secs % 60 };

	buf[10] = 'T';
	for (int i = 0; i < 3; i++) {
		buf[11 + 3 * i] = (char)('0' + part[i] / 10);
		buf[12 + 3 * i] = (char)('0' + part[i] % 10);
		buf[13 + 3 * i] = i < 2 ? ':' : '\0';
	}
	return 19;
}
