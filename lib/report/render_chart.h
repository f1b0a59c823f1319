/* The chart a section gets, chosen from the shape of its table unless
 * --chart says otherwise: a line chart (one line per combination of the
 * other keys) when a key is a calendar period with two or more values,
 * else a bar chart with one bar per row.  Margin ("Total") rows are left
 * out; hidden cells leave gaps.  Intervals come from X_low/X_high. */
#ifndef CIVIC_RENDER_CHART_H
#define CIVIC_RENDER_CHART_H

#include "render.h"

#define CHART_MAX_SERIES 8
#define CHART_MAX_BARS 40

struct chart_series {
	char *name;                  /* legend text ("" for a single series) */
	double *y, *lo, *hi;         /* ncat values each; NAN where missing */
	double *ref;                 /* ncat reference values; NAN where none */
};

struct chart {
	enum chart_kind kind;        /* CHART_BAR or CHART_LINE */
	char *title;
	char *xlabel, *ylabel;
	size_t ncat;
	char **cats;                 /* bars, or periods in table order */
	size_t nseries;
	struct chart_series *series;
	size_t dropped_series;       /* beyond CHART_MAX_SERIES, not drawn */
	int percent;                 /* values are shares: shown ×100 with % */
	int digits;
	int has_interval;
	char *reference_legend;      /* "reference: …"; NULL: no mark drawn */
};

/* The column a section's chart shows (-1: none), and the kind asked for. */
long chart_value_column(const struct report *rep, const struct report_section *s, const struct rtable *t);
enum chart_kind chart_kind_of(const struct report *rep, const struct report_section *s);
/* 1 and c filled when the section gets a chart, 0 when it gets none. */
int chart_build(struct chart *c, const struct report *rep, const struct report_section *s);
void chart_release(struct chart *c);
/* The value as the chart prints it ("17.8%"); buf needs 96 bytes. */
void chart_value_text(const struct chart *c, double v, char *buf);

/* render_svg.c: the chart as an <svg> element with a text alternative. */
void chart_svg(struct sbuf *out, const struct chart *c);

#endif
