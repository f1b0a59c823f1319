#include <string.h>

#include "num.h"
#include "numscan.h"

/* Powers of ten that a double holds exactly (Clinger's fast path). */
static const double exact_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

enum { MAX_DIGITS = 18 };            /* mantissas below 10^18 fit int64 */

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int read_exponent(const char *s, size_t n, size_t *i, long *exp)
{
	int neg = 0;
	long e = 0;
	size_t start;

	if (*i < n && (s[*i] == '+' || s[*i] == '-'))
		neg = s[(*i)++] == '-';
	start = *i;
	for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++)
		if (e < 100000)
			e = e * 10 + (s[*i] - '0');
	if (*i == start)
		return -1;
	*exp = neg ? -e : e;
	return 0;
}

/* Scans the syntax, collecting up to MAX_DIGITS significant digits;
 * *digits says how many digits there were in all (beyond 18: not exact). */
static int scan(const char *s, size_t n, int *neg, uint64_t *mant, int *sig,
	long *scale, int *lost)
{
	size_t i = 0, ndig = 0;
	long exp = 0;

	*neg = 0, *mant = 0, *sig = 0, *scale = 0, *lost = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		*neg = s[i++] == '-';
	for (int frac = 0; ; frac = 1) {
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ndig++) {
			int dgt = s[i] - '0';
			if (*sig == 0 && dgt == 0) {
				*scale += frac;
				continue;
			}
			if (*sig < MAX_DIGITS) {
				*mant = *mant * 10 + (uint64_t)dgt;
				(*sig)++;
				*scale += frac;
			} else if (dgt != 0 || !frac) {
				*lost = 1;
				if (!frac)
					(*scale)--;
			}
		}
		if (frac || i >= n || s[i] != '.')
			break;
		i++;
	}
	if (ndig == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (read_exponent(s, n, &i, &exp) < 0)
			return -1;
	}
	if (i != n)
		return -1;
	*scale -= exp;
	return 0;
}

/* The usual field, digits with at most one point and no more than 18
 * characters: no sign, space or exponent.  0, or -1 to take the general
 * way (which gives the same answer for these). */
static int scan_plain(const char *s, size_t n, struct decnum *out)
{
	uint64_t mant = 0;
	size_t dot = n, digits = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d < 10) {
			mant = mant * 10 + d;
			digits++;
		} else if (s[i] == '.' && dot == n) {
			dot = i;
		} else {
			return -1;
		}
	}
	if (digits == 0 || mant >= (UINT64_C(1) << 53))
		return -1;
	int scale = dot == n ? 0 : (int)(n - 1 - dot);
	if (mant == 0)
		scale = 0;
	while (scale > 0 && mant % 10 == 0)
		mant /= 10, scale--;
	out->m = (int64_t)mant;
	out->scale = scale;
	out->exact = 1;
	out->d = (double)mant / exact_pow10[scale];
	return 0;
}

int numscan(const char *s, size_t n, struct decnum *out)
{
	if (scan_plain(s, n, out) == 0)
		return 0;
	return numscan_general(s, n, out);
}

int numscan_general(const char *s, size_t n, struct decnum *out)
{
	int neg, sig, lost;

	uint64_t mant;
	long scale;

	while (n && is_space(*s))
		s++, n--;
	while (n && is_space(s[n - 1]))
		n--;
	if (scan(s, n, &neg, &mant, &sig, &scale, &lost) < 0)
		return -1;
	if (mant == 0 && !lost) {
		out->d = neg ? -0.0 : 0.0;
		out->m = 0, out->scale = 0, out->exact = 1;
		return 0;
	}
	while (scale < 0 && mant < UINT64_C(100000000000000000) && !lost) {
		mant *= 10;
		scale++;
	}
	while (scale > 0 && mant % 10 == 0 && !lost)
		mant /= 10, scale--;
	out->exact = !lost && scale >= 0 && scale <= NUMSCAN_MAX_SCALE &&
		mant < (UINT64_C(1) << 62);
	out->m = neg ? -(int64_t)mant : (int64_t)mant;
	out->scale = out->exact ? (int)scale : 0;
	if (!lost && mant < (UINT64_C(1) << 53) && scale >= 0 && scale <= 22) {
		double d = (double)mant / exact_pow10[scale];
		out->d = neg ? -d : d;
		return 0;
	}
	return num_parse_double(s, n, 0, &out->d);
}
