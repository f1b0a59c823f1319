/* An exact sum of decimal numbers, so that a total does not depend on the
 * order of its terms: a run over all the data and a merge of partial runs
 * (civic-tally --merge) print the same digits.
 *
 * The sum is kept as an integer times 10^-scale while every term is an
 * exact decimal (struct decnum): a 128-bit integer, and beyond 128 bits a
 * GMP integer it spills into (allocated on the first overflow, freed by
 * xsum_release).  A term that is not an exact decimal (or of more than
 * XSUM_BIG_SCALE places) turns the sum into a long double (still close,
 * no longer order-free).  Zeroed memory is an empty sum; a sum copied by
 * value shares its GMP part, so only one copy may be added to or
 * released. */
#ifndef CIVIC_XSUM_H
#define CIVIC_XSUM_H

#include <stdint.h>
#include <gmp.h>
#include "numscan.h"

/* 10^k fits 128 bits up to XSUM_MAX_SCALE; sums of products of up to four
 * decimals of 30 places reach 120, kept exactly up to XSUM_BIG_SCALE. */
enum { XSUM_MAX_SCALE = 36, XSUM_BIG_SCALE = 240 };

struct xsum {
	union {
		__int128 m;            /* value = m / 10^scale while !inexact */
		long double ld;        /* the value once inexact */
	};
	int16_t scale;
	int16_t inexact;
	mpz_ptr big;               /* exact: value = (m + big) / 10^scale; NULL is 0 */
};

/* Frees the GMP part; s is an empty sum again. */
void xsum_release(struct xsum *s);

/* A decimal term m / 10^scale (scale 0..XSUM_BIG_SCALE), or a double. */
void xsum_add_dec(struct xsum *s, __int128 m, int scale);
/* 10^k for 0 <= k <= XSUM_MAX_SCALE. */
extern const __int128 xsum_p10[];
/* xsum_add_dec, inline for the usual cases: a term of the sum's scale, or
 * of fewer places (scaled up, as xsum_add_dec does: calibrated weights of
 * 15 or 16 digits have a scale that varies from row to row). */
static inline void xsum_add_same(struct xsum *s, __int128 m, int scale)
{
	__int128 r, t;

	if (!s->inexact && scale == s->scale && !__builtin_add_overflow(s->m, m, &r))
		s->m = r;
	else if (!s->inexact && scale < s->scale && s->scale - scale <= XSUM_MAX_SCALE &&
	    !__builtin_mul_overflow(m, xsum_p10[s->scale - scale], &t) && !__builtin_add_overflow(s->m, t, &r))
		s->m = r;
	else
		xsum_add_dec(s, m, scale);
}
void xsum_add_double(struct xsum *s, double d);
void xsum_add_long_double(struct xsum *s, long double d);
/* x·y, in long double when the double product would overflow (1e308²). */
void xsum_add_double_product(struct xsum *s, double x, double y);
static inline void xsum_add_num(struct xsum *s, const struct decnum *v)
{
	if (v->exact)
		xsum_add_same(s, v->m, v->scale);
	else
		xsum_add_double(s, v->d);
}
static inline void xsum_add_int(struct xsum *s, int64_t v)
{
	xsum_add_dec(s, v, 0);
}
void xsum_merge_slow(struct xsum *dst, const struct xsum *src);
static inline void xsum_merge(struct xsum *dst, const struct xsum *src)
{
	if (src->inexact || src->big)
		xsum_merge_slow(dst, src);
	else
		xsum_add_same(dst, src->m, src->scale);
}

/* The sum correctly rounded to double (exact case), or rounded once. */
double xsum_value(const struct xsum *s);
long double xsum_long(const struct xsum *s);
/* m / 10^scale as a long double. */
long double xsum_dec_long(__int128 m, int scale);
static inline __int128 xsum_pow10(int k)
{
	return xsum_p10[k];
}
/* a / b rounded once; b 0 gives NaN. */
double xsum_ratio(const struct xsum *a, const struct xsum *b);

/* The product of two decimal numbers as a term (x * y), exact when both
 * are; used for weighted sums Σ w·y. */
static inline void xsum_add_product(struct xsum *s, const struct decnum *x, const struct decnum *y)
{
	if (x->exact && y->exact)
		xsum_add_same(s, (__int128)x->m * y->m, x->scale + y->scale);
	else
		xsum_add_double_product(s, x->d, y->d);
}
/* The product of n factors (w·y·y, w·w·y…): exact while the digits fit
 * in 128 bits, else the product of the doubles. */
void xsum_add_product_n(struct xsum *s, const struct decnum *const *f, int n);
/* 1 while the sum is exact (so it does not depend on the order of terms). */
static inline int xsum_exact(const struct xsum *s)
{
	return !s->inexact;
}

/* Exact arithmetic on exact sums (GMP), for figures that subtract
 * nearly equal sums (variances): z = v; out = m / 10^scale; out = s's
 * value (s exact). */
void xsum_z_i128(mpz_t z, __int128 v);
void xsum_q_dec(mpq_t out, const mpz_t m, int scale);
void xsum_q(mpq_t out, const struct xsum *s);
/* q rounded to the nearest double (ties to even). */
double xsum_q_double(const mpq_t q);
/* svyvar's s² = n/(n-1)·(Σw·Σwy² - (Σwy)²)/(Σw)² of a weighted variable
 * (var() when every w is 1) from its three sums, exactly, rounded once:
 * no cancellation however large the mean is against the spread.  -1 when
 * a sum is inexact, Σw is 0 or n < 2. */
int xsum_svyvar(const struct xsum *w, const struct xsum *wy, const struct xsum *wy2, uint64_t n,
	double *out);

/* Text form for partial files: "m/scale" when exact, else a long double
 * in hexadecimal ("~0x1.8p+1"); parse returns 0 or -1. */
void xsum_format(const struct xsum *s, char *buf, size_t size);
int xsum_parse(struct xsum *s, const char *text);


#endif
