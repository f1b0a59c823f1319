/* quantile-cumsum: does summing a quantile's cumulative weights in long
 * double (R's cumsum(), which civic's survey quantiles follow: see
 * lib/README.md, "Numbers") ever pick another value than exact sums would?
 *
 *   quantile-cumsum FILE YCOL WCOL DOMCOL [HALVES]
 *
 * FILE is a CSV file without quoted fields; YCOL, WCOL and DOMCOL are
 * 0-based column numbers of the value, the weight (a decimal of at most 4
 * places) and a domain key.  Domains: the whole file, each value of
 * DOMCOL, and HALVES (default 2000) random halves.  For each and p =
 * 0.001 … 0.999, svyquantile's qrule "math" picks a value twice: with the
 * cumulative weights summed in long double and stored as doubles against
 * p·Σw (Σw in input order, as civic and R), and with exact integer sums
 * compared exactly.  Prints how often they differ, how often p·Σw falls
 * exactly on a cumulative weight, and how far the long double sums stray
 * from the exact ones. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct row {
	double y, w;
	int64_t wi;                /* w · 10^4, exactly */
	int dom, idx;
};

static int by_value(const void *a, const void *b)
{
	const struct row *x = a, *z = b;

	if (x->y != z->y)
		return x->y < z->y ? -1 : 1;
	return x->idx - z->idx;    /* R's order() is stable */
}

/* The sign of cw − p·sw, exactly (cw and sw in units of 10^-4). */
static int cmp_exact(int64_t cw, double p, int64_t sw)
{
	int e;
	double m = frexp(p, &e);
	int64_t mi = (int64_t)ldexp(m, 53);        /* p = mi · 2^(e − 53) */
	__int128 l = (__int128)cw << (53 - e), r = (__int128)mi * sw;

	return l < r ? -1 : l > r;
}

static int64_t ten_thousandths(const char *s)
{
	const char *dot = strchr(s, '.');
	int64_t f = 0;
	int d = 0;

	if (dot)
		for (const char *c = dot + 1; *c >= '0' && *c <= '9' && d < 4; c++, d++)
			f = f * 10 + (*c - '0');
	for (; d < 4; d++)
		f *= 10;
	return atoll(s) * 10000 + f;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: quantile-cumsum FILE YCOL WCOL DOMCOL [HALVES]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	int ycol = atoi(argv[2]), wcol = atoi(argv[3]), dcol = atoi(argv[4]);
	int halves = argc > 5 ? atoi(argv[5]) : 2000;
	char line[4096], keys[64][64];
	int ndom = 0;
	size_t n = 0, cap = 1024;
	struct row *all = malloc(cap * sizeof *all);

	if (!f || !fgets(line, sizeof line, f)) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof line, f)) {
		char *fld[64], *s = line;
		int k = 0;
		line[strcspn(line, "\r\n")] = '\0';
		for (char *c = strsep(&s, ","); c && k < 64; c = strsep(&s, ","))
			fld[k++] = c;
		if (k <= ycol || k <= wcol || k <= dcol || !*fld[ycol] || !*fld[wcol])
			continue;
		if (n == cap)
			all = realloc(all, (cap *= 2) * sizeof *all);
		struct row *r = &all[n];
		r->y = atof(fld[ycol]);
		r->w = atof(fld[wcol]);
		r->wi = ten_thousandths(fld[wcol]);
		r->idx = (int)n++;
		int g;
		for (g = 0; g < ndom && strcmp(keys[g], fld[dcol]) != 0; g++)
			;
		if (g == ndom && ndom < 64)
			snprintf(keys[ndom++], sizeof keys[0], "%s", fld[dcol]);
		r->dom = g;
	}
	struct row *dom = malloc((n ? n : 1) * sizeof *dom);
	double *cw = malloc((n ? n : 1) * sizeof *cw), worst = 0;
	int64_t *cwi = malloc((n ? n : 1) * sizeof *cwi);
	long choices = 0, differ = 0, ties = 0, strays = 0, sums = 0;

	srand(1);
	for (int d = -1; d < ndom + halves; d++) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (d < 0 || (d < ndom ? all[i].dom == d : rand() % 2))
				dom[m++] = all[i];
		if (m == 0)
			continue;
		long double lsw = 0;
		int64_t isw = 0;
		for (size_t i = 0; i < m; i++) {       /* Σw in input order */
			lsw += dom[i].w;
			isw += dom[i].wi;
		}
		double sw = (double)lsw;
		qsort(dom, m, sizeof *dom, by_value);
		long double run = 0;
		int64_t irun = 0;
		for (size_t i = 0; i < m; i++) {
			run += dom[i].w;
			irun += dom[i].wi;
			cw[i] = (double)run;
			cwi[i] = irun;
			double exact = (double)irun / 1e4, rel = fabs(cw[i] - exact) / exact;
			sums++;
			strays += cw[i] != exact;
			if (rel > worst)
				worst = rel;
		}
		for (int k = 1; k < 1000; k++) {
			double p = k / 1000.0, pw = p * sw;
			size_t pos = 0, xpos = 0;
			for (size_t i = 0; i < m && cw[i] <= pw; i++)
				pos = i;
			double a = p - cw[pos] / sw == 0 ? dom[pos].y : dom[pos + 1 < m ? pos + 1 : pos].y;
			for (size_t i = 0; i < m && cmp_exact(cwi[i], p, isw) <= 0; i++)
				xpos = i;
			int tie = cmp_exact(cwi[xpos], p, isw) == 0;
			double b = tie ? dom[xpos].y : dom[xpos + 1 < m ? xpos + 1 : xpos].y;
			choices++;
			ties += tie;
			differ += a != b;
		}
	}
	printf("%zu rows, %d domains, %ld choices: long double and exact differ in %ld; "
		"p*sum(w) exactly on a cumulative weight %ld; cumulative weights off the exact sum "
		"rounded %ld of %ld, at most %.3g relative\n",
		n, ndom + halves + 1, choices, differ, ties, strays, sums, worst);
	free(all);
	free(dom);
	free(cw);
	free(cwi);
	fclose(f);
	return 0;
}
