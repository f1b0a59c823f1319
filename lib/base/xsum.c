#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
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

/* GMP allocates through xalloc.h: out of memory is a message and exit 1
 * there too, not GMP's abort. */
static void *gmp_alloc(size_t n)
{
	return xmalloc(n);
}

static void *gmp_realloc(void *p, size_t old, size_t n)
{
	(void)old;
	return xrealloc(p, n);
}

static void gmp_free(void *p, size_t n)
{
	(void)n;
	free(p);
}

__attribute__((constructor)) static void gmp_use_xalloc(void)
{
	mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
}

void xsum_release(struct xsum *s)
{
	if (!s->inexact && s->big) {
		mpz_clear(s->big);
		free(s->big);
	}
	memset(s, 0, sizeof *s);
}

static mpz_ptr big_of(struct xsum *s)
{
	if (!s->big) {
		s->big = xmalloc(sizeof *s->big);
		mpz_init(s->big);
	}
	return s->big;
}

/* big += v · 10^by */
static void big_add(struct xsum *s, const mpz_t v, int by)
{
	mpz_ptr b = big_of(s);

	if (by == 0) {
		mpz_add(b, b, v);
	} else {
		mpz_t t;
		mpz_init(t);
		mpz_ui_pow_ui(t, 10, (unsigned long)by);
		mpz_mul(t, t, v);
		mpz_add(b, b, t);
		mpz_clear(t);
	}
}

static void big_add_i128(struct xsum *s, __int128 v, int by)
{
	mpz_t t;

	mpz_init(t);
	xsum_z_i128(t, v);
	big_add(s, t, by);
	mpz_clear(t);
}

/* The exact value's integer (m + big) at the sum's scale. */
static void total_z(mpz_t out, const struct xsum *s)
{
	xsum_z_i128(out, s->m);
	if (s->big)
		mpz_add(out, out, s->big);
}

/* z / 10^scale, correctly rounded (strtold reads decimal text so). */
static long double z_long(const mpz_t z, int scale)
{
	char *digits = mpz_get_str(NULL, 10, z);
	size_t n = strlen(digits) + 16;
	char *buf = xmalloc(n);
	long double v;

	snprintf(buf, n, "%se-%d", digits, scale);
	v = strtold(buf, NULL);
	free(buf);
	free(digits);
	return v;
}

static double z_double(const mpz_t z, int scale)
{
	mpq_t q;
	double d;

	mpq_init(q);
	xsum_q_dec(q, z, scale);
	d = xsum_q_double(q);
	mpq_clear(q);
	return d;
}

static long double exact_long(const struct xsum *s)
{
	if (!s->big)
		return dec_long(s->m, s->scale);
	mpz_t z;
	mpz_init(z);
	total_z(z, s);
	long double v = z_long(z, s->scale);
	mpz_clear(z);
	return v;
}

static void go_inexact(struct xsum *s)
{
	if (!s->inexact) {
		long double v = exact_long(s);
		xsum_release(s);
		s->ld = v;
		s->inexact = 1;
	}
}

void xsum_add_dec(struct xsum *s, __int128 m, int scale)
{
	if (!s->inexact) {
		__int128 term = m, r;
		int sc = s->scale;

		if (scale > XSUM_BIG_SCALE)
			goto inexact;
		if (scale > sc) {
			__int128 cur = s->m;
			if (scale_up(&cur, scale - sc) < 0) {
				/* m moves into big, which is rescaled with it */
				big_add_i128(s, s->m, 0);
				cur = 0;
			}
			if (s->big) {
				mpz_t p;
				mpz_init(p);
				mpz_ui_pow_ui(p, 10, (unsigned long)(scale - sc));
				mpz_mul(s->big, s->big, p);
				mpz_clear(p);
			}
			s->m = cur;
			s->scale = (int16_t)scale;
			sc = scale;
		} else if (scale < sc && scale_up(&term, sc - scale) < 0) {
			big_add_i128(s, m, sc - scale);
			return;
		}
		if (__builtin_add_overflow(s->m, term, &r)) {
			big_add_i128(s, s->m, 0);
			s->m = term;
		} else {
			s->m = r;
		}
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
	int scale = 0, exact = 1, fits = 1;
	double d = 1;
	long double ld = 1;

	for (int i = 0; i < n; i++) {
		d *= f[i]->d;
		ld *= f[i]->d;
		exact = exact && f[i]->exact;
		fits = fits && !__builtin_mul_overflow(m, (__int128)f[i]->m, &m);
		scale += f[i]->scale;
	}
	if (!exact || scale > XSUM_BIG_SCALE || (!fits && s->inexact)) {
		if (isinf(d) && isfinite(ld))     /* beyond double's range: 1e308·1e308 */
			xsum_add_long_double(s, ld);
		else
			xsum_add_double(s, d);
	} else if (fits) {
		xsum_add_same(s, m, scale);
	} else {
		/* beyond 128 bits: the product in GMP, at the sum's scale */
		mpz_t p;
		mpz_init_set_si(p, 1);
		for (int i = 0; i < n; i++)
			mpz_mul_si(p, p, (long)f[i]->m);
		xsum_add_dec(s, 0, scale);         /* the sum to at least this scale */
		big_add(s, p, s->scale - scale);
		mpz_clear(p);
	}
}

void xsum_merge_slow(struct xsum *dst, const struct xsum *src)
{
	if (src->inexact) {
		go_inexact(dst);
		dst->ld += src->ld;
		return;
	}
	xsum_add_dec(dst, src->m, src->scale);
	if (!src->big)
		return;
	if (dst->inexact) {
		dst->ld += z_long(src->big, src->scale);
		return;
	}
	xsum_add_dec(dst, 0, src->scale);
	big_add(dst, src->big, dst->scale - src->scale);
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
	if (s->inexact)
		return (double)s->ld;
	if (!s->big)
		return dec_double(s->m, s->scale);
	mpz_t z;
	mpz_init(z);
	total_z(z, s);
	double v = z_double(z, s->scale);
	mpz_clear(z);
	return v;
}

long double xsum_long(const struct xsum *s)
{
	return s->inexact ? s->ld : exact_long(s);
}

double xsum_ratio(const struct xsum *a, const struct xsum *b)
{
	if (!a->inexact && !b->inexact && !a->big && !b->big) {
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

	if (s->inexact) {
		snprintf(buf, size, "~%La", s->ld);
	} else if (s->big) {
		mpz_t z;
		mpz_init(z);
		total_z(z, s);
		if (mpz_sizeinbase(z, 10) + 12 <= size) {
			mpz_get_str(buf, 10, z);
			snprintf(buf + strlen(buf), size - strlen(buf), "/%d", s->scale);
		} else {
			snprintf(buf, size, "~%La", exact_long(s));
		}
		mpz_clear(z);
	} else {
		snprintf(buf, size, "%s/%d", i128_text(s->m, digits + sizeof(digits)), s->scale);
	}
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

	const char *digits = p += neg;
	int wide = 0;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(m, (__int128)10, &m) ||
		    __builtin_add_overflow(m, (__int128)(*p - '0'), &m))
			wide = 1;
	if (*p != '/')
		return -1;
	size_t ndig = (size_t)(p++ - digits);
	long sc = strtol(p, &end, 10);
	if (*end || end == p || sc < 0 || sc > XSUM_BIG_SCALE)
		return -1;
	s->scale = (int16_t)sc;
	if (!wide) {
		s->m = neg ? -m : m;
		return 0;
	}
	/* beyond 128 bits: the digits into the GMP part */
	char *t = xmalloc(ndig + 1);
	memcpy(t, digits, ndig);
	t[ndig] = '\0';
	mpz_set_str(big_of(s), t, 10);
	if (neg)
		mpz_neg(s->big, s->big);
	free(t);
	return 0;
}

void xsum_z_i128(mpz_t z, __int128 v)
{
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;

	mpz_set_ui(z, (unsigned long)(u >> 64));
	mpz_mul_2exp(z, z, 64);
	mpz_add_ui(z, z, (unsigned long)(uint64_t)u);
	if (v < 0)
		mpz_neg(z, z);
}

void xsum_q_dec(mpq_t out, const mpz_t m, int scale)
{
	mpq_set_z(out, m);
	if (scale > 0) {
		mpz_ui_pow_ui(mpq_denref(out), 10, (unsigned long)scale);
		mpq_canonicalize(out);
	}
}

void xsum_q(mpq_t out, const struct xsum *s)
{
	mpz_t m;

	mpz_init(m);
	total_z(m, s);
	xsum_q_dec(out, m, s->scale);
	mpz_clear(m);
}

static int mantissa_odd(double x)
{
	uint64_t bits;

	memcpy(&bits, &x, sizeof bits);
	return (int)(bits & 1);
}

double xsum_q_double(const mpq_t q)
{
	double d = mpq_get_d(q), u;     /* truncated toward zero */
	mpq_t mid, h;
	int c;

	if (mpq_sgn(q) == 0)
		return d;
	u = nextafter(d, mpq_sgn(q) > 0 ? INFINITY : -INFINITY);
	if (!isfinite(u))
		return d;
	mpq_inits(mid, h, NULL);
	mpq_set_d(mid, d);
	mpq_set_d(h, u);
	mpq_add(mid, mid, h);
	mpq_div_2exp(mid, mid, 1);      /* halfway between d and u, exactly */
	c = mpq_cmp(q, mid) * mpq_sgn(q);
	mpq_clears(mid, h, NULL);
	return c > 0 || (c == 0 && mantissa_odd(d)) ? u : d;
}

int xsum_svyvar(const struct xsum *w, const struct xsum *wy, const struct xsum *wy2, uint64_t n,
	double *out)
{
	mpq_t a, b, c;

	if (w->inexact || wy->inexact || wy2->inexact || n < 2)
		return -1;
	mpq_inits(a, b, c, NULL);
	xsum_q(a, w);
	if (mpq_sgn(a) == 0) {
		mpq_clears(a, b, c, NULL);
		return -1;
	}
	xsum_q(b, wy);
	xsum_q(c, wy2);
	mpq_mul(c, a, c);
	mpq_mul(b, b, b);
	mpq_sub(c, c, b);            /* Σw·Σwy² - (Σwy)² */
	mpq_mul(a, a, a);
	mpq_div(c, c, a);
	mpq_set_ui(a, (unsigned long)n, (unsigned long)(n - 1));
	mpq_mul(c, c, a);            /* · n/(n-1) */
	*out = xsum_q_double(c);
	mpq_clears(a, b, c, NULL);
	return 0;
}
