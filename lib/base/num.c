#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "trim.h"

/* strtod() is locale-free here because commands never set LC_NUMERIC.
 * Only the plain decimal syntax is accepted: no hex, inf, nan or "1e".
 * A comma or point followed by exactly three digits may group thousands
 * only when decimal_comma is off ("1 234,5" is not accepted either way). */
int num_parse_double(const char *s, size_t n, int decimal_comma, double *out)
{
	char buf[128], *end;
	size_t i = 0, j = 0, digits = 0;

	trim_blanks(&s, &n);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	if (s[i] == '+' || s[i] == '-')
		buf[j++] = s[i++];
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		buf[j++] = s[i];
	if (i < n && (s[i] == (decimal_comma ? ',' : '.'))) {
		buf[j++] = '.';
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
			buf[j++] = s[i];
	}
	if (digits == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t expdigits = 0;
		buf[j++] = s[i++];
		if (i < n && (s[i] == '+' || s[i] == '-'))
			buf[j++] = s[i++];
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, expdigits++)
			buf[j++] = s[i];
		if (expdigits == 0)
			return -1;
	}
	if (i != n)
		return -1;
	buf[j] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (errno == ERANGE && (*out == HUGE_VAL || *out == -HUGE_VAL))
		return -1;
	return 0;
}

int num_parse_int(const char *s, size_t n, long long *out)
{
	long long v = 0;
	size_t i = 0;
	int neg = 0;

	trim_blanks(&s, &n);
	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i++;
	}
	if (i == n)
		return -1;
	/* Accumulated as a negative number, whose range is one larger, so the
	 * smallest 64-bit integer reads too. */
	for (; i < n; i++) {
		int d = s[i] - '0';
		if (d < 0 || d > 9)
			return -1;
		if (v < (LLONG_MIN + d) / 10)
			return -1;
		v = v * 10 - d;
	}
	if (!neg && v == LLONG_MIN)
		return -1;
	*out = neg ? v : -v;
	return 0;
}

int num_format(double x, char *buf)
{
	if (isnan(x)) {
		buf[0] = '\0';
		return 0;
	}
	if (isinf(x))
		return snprintf(buf, 32, "%s", x > 0 ? "Inf" : "-Inf");
	if (x == 0)
		return snprintf(buf, 32, "0");
	if (fabs(x) < 1e15 && x == (double)(long long)x)
		return snprintf(buf, 32, "%lld", (long long)x);
	for (int prec = 15; prec <= 17; prec++) {
		int n = snprintf(buf, 32, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return n;
	}
	return snprintf(buf, 32, "%.17g", x);
}

int num_format_fixed(double x, int digits, char *buf)
{
	if (isnan(x)) {
		buf[0] = '\0';
		return 0;
	}
	if (isinf(x))
		return snprintf(buf, 64, "%s", x > 0 ? "Inf" : "-Inf");
	if (fabs(x) >= 1e40)
		return num_format(x, buf);
	int n = snprintf(buf, 64, "%.*f", digits, x);
	if (buf[0] == '-' && strspn(buf + 1, "0.") == (size_t)(n - 1))
		memmove(buf, buf + 1, (size_t)n--);   /* "-0.00" reads as "0.00" */
	return n;
}
