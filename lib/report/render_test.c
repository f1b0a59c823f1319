/* The note of civic-tally --test (render_test.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "render_test.h"
#include "sbuf.h"

static int is_test_col(const char *name)
{
	return strncmp(name, "rao_scott_", 10) == 0 || strncmp(name, "pearson_", 8) == 0;
}

static double figure(const struct rtable *t, const char *name)
{
	long c = rtable_find(t, name);

	return c >= 0 && t->nrows ? t->rows[0].val[c] : NAN;
}

/* A figure as the language writes it (%.*g). */
static void number(double v, int digits, char *out)
{
	char plain[48];

	snprintf(plain, sizeof(plain), "%.*g", digits, v);
	lang_number(plain, 0, out);
}

static void p_text(double p, struct sbuf *b)
{
	char v[160];

	if (isnan(p)) {
		lang_put(b, "test.p_undefined", NULL);
	} else if (p < 0.001) {
		number(0.001, 3, v);
		lang_put(b, "test.p_below", "p", v, NULL);
	} else {
		number(p, 2, v);
		lang_put(b, "test.p", "p", v, NULL);
	}
}

static void sentence(const struct rtable *t, char *note, size_t size)
{
	struct sbuf b = SBUF_INIT, p = SBUF_INIT;
	char x[160], d1[160], d2[160];

	if (rtable_find(t, "rao_scott_F") >= 0) {
		p_text(figure(t, "rao_scott_p"), &p);
		number(figure(t, "rao_scott_F"), 3, x);
		number(figure(t, "rao_scott_ndf"), 3, d1);
		number(figure(t, "rao_scott_ddf"), 3, d2);
		lang_put(&b, "test.rao_scott_f", "f", x, "ndf", d1, "ddf", d2, "p", sbuf_cstr(&p), NULL);
	} else {
		int rao_scott = rtable_find(t, "rao_scott_X2") >= 0;
		double df = figure(t, rao_scott ? "rao_scott_df" : "pearson_df");
		p_text(figure(t, rao_scott ? "rao_scott_p" : "pearson_p"), &p);
		number(figure(t, rao_scott ? "rao_scott_X2" : "pearson_X2"), 4, x);
		number(df, 6, d1);
		lang_put_n(&b, rao_scott ? "test.rao_scott_chisq" : "test.pearson",
			df >= 0 && df < 4e9 ? (unsigned long)df : 0,
			"x2", x, "df", d1, "p", sbuf_cstr(&p), NULL);
	}
	snprintf(note, size, "%s", sbuf_cstr(&b));
	sbuf_release(&b);
	sbuf_release(&p);
}

void render_test_take(struct rtable *t, char *note, size_t size)
{
	size_t first = t->ncols;

	note[0] = '\0';
	while (first > t->nkeys && is_test_col(t->cols[first - 1].name))
		first--;
	if (first == t->ncols)
		return;
	sentence(t, note, size);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = first; c < t->ncols; c++)
			free(t->rows[r].cell[c]);
	for (size_t c = first; c < t->ncols; c++)
		free(t->cols[c].name);
	t->ncols = first;
}
