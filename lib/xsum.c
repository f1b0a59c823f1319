#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsum.h"

/* 10^0 … 10^XSUM_MAX_SCALE. */
#define P19 ((__int128)10000000000000000000ULL)
const __int128 xsum_p10[XSUM_MAX_SCALE + 1] = {
	(__int128)1ULL, (__int128)10ULL, (__int128)100ULL,
	(__int128)1000ULL, (__int128)10000ULL, (__int128)100000ULL,
	(__int128)1000000ULL, (__int128)10000000ULL, (__int128)100000000ULL,
	(__int128)1000000000ULL, (__int128)10000000000ULL, (__int128)100000000000ULL,
	(__int128)1000000000000ULL, (__int128)10000000000000ULL, (__int128)100000000000000ULL,
	(__int128)1000000000000000ULL, (__int128)10000000000000000ULL, (__int128)100000000000000000ULL,
	(__int128)1000000000000000000ULL, (__int128)10000000000000000000ULL, P19 * 10ULL,
	P19 * 100ULL, P19 * 1000ULL, P19 * 10000ULL,
	P19 * 100000ULL, P19 * 1000000ULL, P19 * 10000000ULL,
	P19 * 100000000ULL, P19 * 1000000000ULL, P19 * 10000000000ULL,
	P19 * 100000000000ULL, P19 * 1000000000000ULL, P19 * 10000000000000ULL,
	P19 * 100000000000000ULL, P19 * 1000000000000000ULL, P19 * 10000000000000000ULL,
	P19 * 100000000000000000ULL,
};
#undef P19

static int scale_up(__int128 *m, int by)
{
	if (by <= 0)
		return 0;
	if (by > XSUM_MAX_SCALE)
		return -1;
	return __builtin_mul_overflow(*m, xsum_p10[by], m) ? -1 : 0;
}

/* Powers of ten are exact in long double up to 10^27 (5^27 < 2^64).  An
 * m that fits 64 bits converts in one instruction; a wider one through a
 * library call. */
long double xsum_dec_long(__int128 m, int scale)
{
	static const long double p10[] = { 1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L,
		1e7L, 1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L,
		1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L,
		1e27L };
	long double x = m >= INT64_MIN && m <= INT64_MAX ? (long double)(int64_t)m : (long double)m;

	if (scale < (int)(sizeof p10 / sizeof p10[0]))
		return x / p10[scale];
	return x / powl(10.0L, scale);
}

#define dec_long xsum_dec_long

static void go_inexact(struct xsum *s)
{
	if (!s->inexact) {
		long double v = dec_long(s->m, s->scale);
		s->ld = v;
		s->inexact = 1;
	}
}

void xsum_add_dec(struct xsum *s, __int128 m, int scale)
{
	if (!s->inexact) {
		__int128 cur = s->m, term = m;
		int sc = s->scale;

		if (scale > XSUM_MAX_SCALE)
			goto inexact;
		if (scale > sc) {
			if (scale_up(&cur, scale - sc) < 0)
				goto inexact;
			sc = scale;
		} else if (scale < sc && scale_up(&term, sc - scale) < 0) {
			goto inexact;
		}
		if (__builtin_add_overflow(cur, term, &cur))
			goto inexact;
		s->m = cur;
		s->scale = (int16_t)sc;
		return;
	}
inexact:
	go_inexact(s);
	s->ld += dec_long(m, scale);
}

void xsum_add_double(struct xsum *s, double d)
{
	go_inexact(s);
	s->ld += d;
}

void xsum_add_long_double(struct xsum *s, long double d)
{
	go_inexact(s);
	s->ld += d;
}

void xsum_add_double_product(struct xsum *s, double x, double y)
{
	double d = x * y;

	if (isinf(d) && isfinite(x) && isfinite(y))
		xsum_add_long_double(s, (long double)x * y);
	else
		xsum_add_double(s, d);
}

void xsum_add_product_n(struct xsum *s, const struct decnum *const *f, int n)
{
	__int128 m = 1;
	int scale = 0, exact = 1;
	double d = 1;
	long double ld = 1;

	for (int i = 0; i < n; i++) {
		d *= f[i]->d;
		ld *= f[i]->d;
		exact = exact && f[i]->exact && !__builtin_mul_overflow(m, (__int128)f[i]->m, &m);
		scale += f[i]->scale;
	}
	if (exact && scale <= XSUM_MAX_SCALE)
		xsum_add_same(s, m, scale);
	else if (isinf(d) && isfinite(ld))     /* beyond double's range: 1e308·1e308 */
		xsum_add_long_double(s, ld);
	else
		xsum_add_double(s, d);
}

void xsum_merge_inexact(struct xsum *dst, const struct xsum *src)
{
	go_inexact(dst);
	dst->ld += src->ld;
}

static char *i128_text(__int128 m, char *end)
{
	unsigned __int128 u = m < 0 ? -(unsigned __int128)m : (unsigned __int128)m;
	char *p = end;

	*--p = '\0';
	do {
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (m < 0)
		*--p = '-';
	return p;
}

/* Small enough: one exact division.  Otherwise the decimal text read back
 * by strtod, which rounds correctly. */
static double dec_double(__int128 m, int scale)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
		1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
		1e19, 1e20, 1e21, 1e22 };
	const __int128 lim = (__int128)1 << 53;
	char digits[48], buf[64];

	if (m > -lim && m < lim && scale <= 22)
		return (double)m / p10[scale];
	snprintf(buf, sizeof(buf), "%se-%d", i128_text(m, digits + sizeof(digits)), scale);
	return strtod(buf, NULL);
}

double xsum_value(const struct xsum *s)
{
	return s->inexact ? (double)s->ld : dec_double(s->m, s->scale);
}

long double xsum_long(const struct xsum *s)
{
	return s->inexact ? s->ld : dec_long(s->m, s->scale);
}

double xsum_ratio(const struct xsum *a, const struct xsum *b)
{
	if (!a->inexact && !b->inexact) {
		__int128 x = a->m, y = b->m;
		int sa = a->scale, sb = b->scale;

		if (y == 0)
			return NAN;
		/* Bring both to one scale; then a/b = x/y exactly as integers. */
		if ((sa < sb && scale_up(&x, sb - sa) == 0) ||
		    (sb < sa && scale_up(&y, sa - sb) == 0) || sa == sb)
			return (double)((long double)x / (long double)y);
	}
	long double den = xsum_long(b);
	return den == 0 ? NAN : (double)(xsum_long(a) / den);
}

void xsum_format(const struct xsum *s, char *buf, size_t size)
{
	char digits[48];

	if (s->inexact)
		snprintf(buf, size, "~%La", s->ld);
	else
		snprintf(buf, size, "%s/%d", i128_text(s->m, digits + sizeof(digits)), s->scale);
}

int xsum_parse(struct xsum *s, const char *text)
{
	char *end;

	memset(s, 0, sizeof(*s));
	if (text[0] == '~') {
		s->ld = strtold(text + 1, &end);
		s->inexact = 1;
		return *end || end == text + 1 ? -1 : 0;
	}
	const char *p = text;
	int neg = *p == '-';
	__int128 m = 0;

	p += neg;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(m, (__int128)10, &m) ||
		    __builtin_add_overflow(m, (__int128)(*p - '0'), &m))
			return -1;
	if (*p++ != '/')
		return -1;
	long sc = strtol(p, &end, 10);
	if (*end || end == p || sc < 0 || sc > XSUM_MAX_SCALE)
		return -1;
	s->m = neg ? -m : m;
	s->scale = (int16_t)sc;
	return 0;
}
