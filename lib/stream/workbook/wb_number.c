#include "wb_number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* p significant digits as an integer mantissa and a power of ten:
 * |x| ≈ *mant × 10^*exp10, correctly rounded (glibc's printf is exact). */
static void decompose(double ax, int p, unsigned long long *mant, int *exp10)
{
	char s[40];
	snprintf(s, sizeof s, "%.*e", p - 1, ax);
	unsigned long long m = 0;
	const char *c = s;
	for (; *c && *c != 'e'; c++)
		if (*c >= '0' && *c <= '9')
			m = m * 10 + (unsigned)(*c - '0');
	*mant = m;
	*exp10 = atoi(c + 1) - (p - 1);
}

static double value_of(unsigned long long mant, int exp10)
{
	char s[48];
	snprintf(s, sizeof s, "%llue%d", mant, exp10);
	return strtod(s, NULL);
}

/* Plain digits of mant × 10^exp10 (trailing zeros of mant already gone). */
static int plain(int neg, unsigned long long mant, int exp10, char *buf)
{
	char d[24];
	int k = snprintf(d, sizeof d, "%llu", mant);
	char *o = buf;
	if (neg)
		*o++ = '-';
	if (exp10 >= 0) {
		memcpy(o, d, (size_t)k);
		o += k;
		memset(o, '0', (size_t)exp10);
		o += exp10;
	} else if (k + exp10 > 0) {
		int ip = k + exp10;
		memcpy(o, d, (size_t)ip);
		o += ip;
		*o++ = '.';
		memcpy(o, d + ip, (size_t)(k - ip));
		o += k - ip;
	} else {
		*o++ = '0';
		*o++ = '.';
		memset(o, '0', (size_t)(-exp10 - k));
		o += -exp10 - k;
		memcpy(o, d, (size_t)k);
		o += k;
	}
	*o = '\0';
	return (int)(o - buf);
}

int wb_number_text(double x, char *buf)
{
	buf[0] = '\0';
	if (!isfinite(x))
		return -1;
	if (x == 0)
		return snprintf(buf, WB_NUMBER_BUF, "0");
	if (fabs(x) < 9007199254740992.0 && x == (double)(long long)x)
		return snprintf(buf, WB_NUMBER_BUF, "%lld", (long long)x);
	double ax = fabs(x);
	unsigned long long mant = 0;
	int exp10 = 0;
	for (int p = 1; p <= 17; p++) {
		decompose(ax, p, &mant, &exp10);
		double v = value_of(mant, exp10);
		if (v == ax)
			break;
		/* The nearest p-digit decimal misses; by a power of two the
		 * interval that reads back is wider above than below, and the
		 * decimal on the other side of x may still be in it. */
		unsigned long long other = v < ax ? mant + 1 : mant - 1;
		if (other > 0 && value_of(other, exp10) == ax) {
			mant = other;
			break;
		}
	}
	while (mant % 10 == 0) {
		mant /= 10;
		exp10++;
	}
	return plain(x < 0, mant, exp10, buf);
}
