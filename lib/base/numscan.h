/* Numbers read fast and exactly: a decimal such as "12", "-0.25" or "3e2"
 * is read as an integer mantissa and a count of decimal places as well as
 * a double, so sums over it can be kept exact (see xsum.h).
 *
 * numscan() accepts exactly what num_parse_double() accepts ('.' decimal
 * point, optional sign and exponent, spaces around), and gives the same
 * double, correctly rounded. */
#ifndef CIVIC_NUMSCAN_H
#define CIVIC_NUMSCAN_H

#include <stddef.h>
#include <stdint.h>

struct decnum {
	double d;          /* the value, correctly rounded */
	int64_t m;         /* when exact: value = m / 10^scale, with no trailing */
	int scale;         /* zero in m while scale > 0 ("0.500" is 5 / 10^1), so
	                    * equal values have one form; 0 .. NUMSCAN_MAX_SCALE */
	int exact;         /* m and scale hold the value exactly */
};

enum { NUMSCAN_MAX_SCALE = 30 };

/* 1, exactly: the y of a count or share, the w of an unweighted row. */
static const struct decnum decnum_one = { 1, 1, 0, 1 };

/* 0, or -1 when s[0..n) is not a number. */
int numscan(const char *s, size_t n, struct decnum *out);
/* numscan without its shortcut for plain fields (digits and a point): the
 * same answers, for the fuzzer to hold the shortcut to. */
int numscan_general(const char *s, size_t n, struct decnum *out);

#endif
