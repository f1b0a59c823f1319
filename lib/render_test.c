/* The note of civic-tally --test (render_test.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_test.h"

static int is_test_col(const char *name)
{
	return strncmp(name, "rao_scott_", 10) == 0 || strncmp(name, "pearson_", 8) == 0;
}

static double figure(const struct rtable *t, const char *name)
{
	long c = rtable_find(t, name);

	return c >= 0 && t->nrows ? t->rows[0].val[c] : NAN;
}

static void p_text(double p, char *buf, size_t size)
{
	if (isnan(p))
		snprintf(buf, size, "p not defined");
	else if (p < 0.001)
		snprintf(buf, size, "p < 0.001");
	else
		snprintf(buf, size, "p = %.2g", p);
}

static void sentence(const struct rtable *t, char *note, size_t size)
{
	char p[32];

	if (rtable_find(t, "rao_scott_F") >= 0) {
		p_text(figure(t, "rao_scott_p"), p, sizeof(p));
		snprintf(note, size, "Association of the keys: Rao–Scott adjusted F = %.3g on %.3g and %.3g "
			"degrees of freedom, %s (R's svychisq)", figure(t, "rao_scott_F"), figure(t, "rao_scott_ndf"),
			figure(t, "rao_scott_ddf"), p);
	} else if (rtable_find(t, "rao_scott_X2") >= 0) {
		p_text(figure(t, "rao_scott_p"), p, sizeof(p));
		double df = figure(t, "rao_scott_df");
		snprintf(note, size, "Association of the keys: Pearson's X² = %.4g with %g degree%s of freedom, "
			"%s after the Rao–Scott first-order correction (R's svychisq, \"Chisq\")",
			figure(t, "rao_scott_X2"), df, df == 1 ? "" : "s", p);
	} else {
		p_text(figure(t, "pearson_p"), p, sizeof(p));
		double df = figure(t, "pearson_df");
		snprintf(note, size, "Association of the keys: Pearson's X² = %.4g with %g degree%s of freedom, %s",
			figure(t, "pearson_X2"), df, df == 1 ? "" : "s", p);
	}
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
