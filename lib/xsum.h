/* An exact sum of decimal numbers, so that a total does not depend on the
 * order of its terms: a run over all the data and a merge of partial runs
 * (civic-tally --merge) print the same digits.
 *
 * The sum is kept as a 128-bit integer times 10^-scale while every term is
 * an exact decimal (struct decnum) and nothing overflows; after that it
 * falls back to a long double sum (still close, no longer order-free).
 * Zeroed memory is an empty sum. */
#ifndef CIVIC_XSUM_H
#define CIVIC_XSUM_H

#include <stdint.h>
#include "numscan.h"

enum { XSUM_MAX_SCALE = 36 };

struct xsum {
	union {
		__int128 m;            /* value = m / 10^scale while !inexact */
		long double ld;        /* the value once inexact */
	};
	int16_t scale;
	int16_t inexact;
};

/* A decimal term m / 10^scale (scale 0..XSUM_MAX_SCALE), or a double. */
void xsum_add_dec(struct xsum *s, __int128 m, int scale);
/* xsum_add_dec, inline for the usual case: a term of the sum's scale. */
static inline void xsum_add_same(struct xsum *s, __int128 m, int scale)
{
	__int128 r;

	if (!s->inexact && scale == s->scale && !__builtin_add_overflow(s->m, m, &r))
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
void xsum_merge_inexact(struct xsum *dst, const struct xsum *src);
static inline void xsum_merge(struct xsum *dst, const struct xsum *src)
{
	if (src->inexact)
		xsum_merge_inexact(dst, src);
	else
		xsum_add_same(dst, src->m, src->scale);
}

/* The sum correctly rounded to double (exact case), or rounded once. */
double xsum_value(const struct xsum *s);
long double xsum_long(const struct xsum *s);
/* m / 10^scale as a long double. */
long double xsum_dec_long(__int128 m, int scale);
/* 10^k for 0 <= k <= XSUM_MAX_SCALE. */
extern const __int128 xsum_p10[];
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
	if (x->exact && y->exact && x->scale + y->scale <= XSUM_MAX_SCALE)
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

/* Text form for partial files: "m/scale" when exact, else a long double
 * in hexadecimal ("~0x1.8p+1"); parse returns 0 or -1. */
void xsum_format(const struct xsum *s, char *buf, size_t size);
int xsum_parse(struct xsum *s, const char *text);


#endif
