#include <string.h>

#include "numtext.h"
#include "trim.h"

/* The length of a thousands separator at s[i], or 0. */
static size_t separator_at(const char *s, size_t n, size_t i)
{
	if (s[i] == ' ')
		return 1;
	if (i + 1 < n && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xA0)
		return 2;
	if (i + 2 < n && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
	    (unsigned char)s[i + 2] == 0xAF)
		return 3;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Strips a trailing percent sign and the spaces before it. */
static int strip_percent(const char *s, size_t *n)
{
	if (*n == 0 || s[*n - 1] != '%')
		return 0;
	(*n)--;
	while (*n > 0 && separator_at(s, *n, *n - 1) == 1)
		(*n)--;
	while (*n >= 2 && (unsigned char)s[*n - 2] == 0xC2 && (unsigned char)s[*n - 1] == 0xA0)
		*n -= 2;
	return 1;
}

/* Each separator must have 1-3 digits before it (the first group) or
 * exactly three since the last one, and exactly three digits after it. */
static long drop_separators(const char *s, size_t n, char *buf)
{
	size_t j = 0, run = 0, groups = 0;

	for (size_t i = 0; i < n; ) {
		size_t sep = separator_at(s, n, i);
		if (sep == 0) {
			if (j + 1 >= NUMTEXT_MAX)
				return -1;
			run = is_digit(s[i]) ? run + 1 : (groups ? 4 : 0);
			buf[j++] = s[i++];
			continue;
		}
		if (run == 0 || run > 3 || (groups && run != 3) || i + sep + 3 > n ||
		    !is_digit(s[i + sep]) || !is_digit(s[i + sep + 1]) || !is_digit(s[i + sep + 2]) ||
		    (i + sep + 3 < n && is_digit(s[i + sep + 3])))
			return -1;
		groups++;
		run = 0;
		i += sep;
	}
	return (long)j;
}

long numtext_clean(const char *s, size_t n, int flags, char *buf)
{
	trim_blanks(&s, &n);
	if (flags & NUMTEXT_PERCENT)
		strip_percent(s, &n);
	if (flags & NUMTEXT_THOUSANDS)
		return drop_separators(s, n, buf);
	if (n >= NUMTEXT_MAX)
		return -1;
	memcpy(buf, s, n);
	return (long)n;
}

int numtext_has_separators(const char *s, size_t n)
{
	char buf[NUMTEXT_MAX];

	trim_blanks(&s, &n);
	if (n > 0 && s[n - 1] == '%')
		return 1;
	for (size_t i = 0; i < n; i++)
		if (separator_at(s, n, i))
			return drop_separators(s, n, buf) >= 0;
	return 0;
}
