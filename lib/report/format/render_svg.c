#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lang.h"
#include "render_cell.h"
#include "render_chart.h"
#include "utf8.h"

#define SVG_WIDTH 640
#define FONT "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\""

static const char *const palette[CHART_MAX_SERIES] = {
	"#3b6ea5", "#d9822b", "#4c9a5b", "#b5485d", "#7a5ea8", "#8c6d31", "#2f8f9d", "#6b6b6b",
};

struct axis {
	double lo, hi, step;
	int decimals;
	double px0, px1;             /* pixels of lo and hi */
};

static double nice_step(double range)
{
	double raw = range / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;

	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

static void axis_fit(struct axis *a, double lo, double hi, double scale)
{
	if (!(hi > lo))
		hi = lo + 1;
	a->step = nice_step((hi - lo) * scale) / scale;
	a->lo = floor(lo / a->step + 1e-9) * a->step;
	a->hi = ceil(hi / a->step - 1e-9) * a->step;
	a->decimals = 0;
	for (double s = a->step * scale; a->decimals < 6 && fabs(s - round(s)) > 1e-9; s *= 10)
		a->decimals++;
}

static double axis_px(const struct axis *a, double v)
{
	return a->px0 + (v - a->lo) / (a->hi - a->lo) * (a->px1 - a->px0);
}

static void value_range(const struct chart *c, double *lo, double *hi)
{
	*lo = 0;
	*hi = 0;
	for (size_t s = 0; s < c->nseries; s++) {
		for (size_t i = 0; i < c->ncat; i++) {
			const double v[4] = { c->series[s].y[i], c->series[s].lo[i], c->series[s].hi[i],
				c->series[s].ref[i] };
			for (int k = 0; k < 4; k++) {
				if (isnan(v[k]))
					continue;
				*lo = fmin(*lo, v[k]);
				*hi = fmax(*hi, v[k]);
			}
		}
	}
}

static void text(struct sbuf *out, double x, double y, const char *anchor, const char *extra, const char *s)
{
	sbuf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra);
	render_html_escape(out, s);
	sbuf_addstr(out, "</text>\n");
}

static void tick_text(const struct chart *c, const struct axis *a, double v, char *buf)
{
	render_number(c->percent ? v * 100 : v, a->decimals, 1, 0, buf);
	if (c->percent)
		lang_percent(buf);
}

static void open_svg(struct sbuf *out, const struct chart *c, int width, int height)
{
	sbuf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" " FONT ">\n<title>", width, height, width, height);
	render_html_escape(out, c->title);
	sbuf_addstr(out, "</title>\n");
}

static void error_bar_h(struct sbuf *out, const struct axis *a, double lo, double hi, double y)
{
	if (isnan(lo) || isnan(hi))
		return;
	sbuf_printf(out, "<path class=\"ci\" d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fV%.1f\"/>\n",
		axis_px(a, lo), y - 5, y + 5, axis_px(a, lo), y, axis_px(a, hi), axis_px(a, hi), y - 5, y + 5);
}

static size_t widest_label(const struct chart *c)
{
	size_t w = 0;

	for (size_t i = 0; i < c->ncat; i++) {
		size_t n = utf8_width(c->cats[i], strlen(c->cats[i]));
		if (n > w)
			w = n;
	}
	return w;
}

/* Reference marks: dark, across the bar or dashed along the line, so that
 * neither is read as a value of the table. */
#define REFERENCE_STYLE "class=\"reference\" fill=\"none\" stroke-width=\"2.5\""
#define REFERENCE_COLOUR "#111"

static void reference_tick(struct sbuf *out, const struct axis *a, double v, double y0, double y1)
{
	if (isnan(v))
		return;
	sbuf_printf(out, "<path " REFERENCE_STYLE " stroke=\"" REFERENCE_COLOUR "\" d=\"M%.1f %.1fV%.1f\"/>\n",
		axis_px(a, v), y0, y1);
}

/* The legend's reference entry: the mark and its words, at (x, y). */
static void reference_key(struct sbuf *out, const struct chart *c, double x, double y, int dashed)
{
	if (dashed)
		sbuf_printf(out, "<path " REFERENCE_STYLE " stroke=\"" REFERENCE_COLOUR "\" stroke-dasharray=\"6 4\" "
			"d=\"M%.1f %.1fh18\"/>\n", x, y - 4);
	else
		sbuf_printf(out, "<path " REFERENCE_STYLE " stroke=\"" REFERENCE_COLOUR "\" d=\"M%.1f %.1fV%.1f\"/>\n",
			x + 9, y - 11, y + 3);
	text(out, x + 24, y, "start", " class=\"reference-legend\"", c->reference_legend);
}

/* Where a bar's value label may start: past the bar, its error bar and
 * its reference mark (fmax ignores a NAN). */
static double value_end(const struct chart_series *s, size_t i)
{
	return fmax(fmax(s->y[i], s->hi[i]), s->ref[i]);
}

static void bar_chart(struct sbuf *out, const struct chart *c)
{
	const double bar = 20, gap = 8, top = 24;
	double label_w = fmin(260, fmax(60, 7.0 * (double)widest_label(c) + 14));
	int height = (int)(top + (double)c->ncat * (bar + gap) + 46 + (c->reference_legend ? 22 : 0));
	struct axis a;
	double lo, hi, y;
	char buf[96];

	value_range(c, &lo, &hi);
	axis_fit(&a, lo, hi, c->percent ? 100 : 1);
	a.px0 = label_w;
	a.px1 = SVG_WIDTH - 72;
	open_svg(out, c, SVG_WIDTH, height);
	text(out, 4, 14, "start", " font-weight=\"bold\"", c->xlabel);
	y = top + (double)c->ncat * (bar + gap);
	for (double v = a.lo; v <= a.hi + a.step / 2; v += a.step) {
		sbuf_printf(out, "<path class=\"grid\" d=\"M%.1f %.1fV%.1f\"/>\n", axis_px(&a, v), top - 4, y);
		tick_text(c, &a, v, buf);
		text(out, axis_px(&a, v), y + 14, "middle", "", buf);
	}
	text(out, (a.px0 + a.px1) / 2, y + 36, "middle", " class=\"axis-title\"", c->ylabel);
	for (size_t i = 0; i < c->ncat; i++) {
		double v = c->series[0].y[i], yy = top + (double)i * (bar + gap);
		text(out, label_w - 6, yy + bar / 2 + 4, "end", "", c->cats[i]);
		if (isnan(v))
			continue;
		sbuf_printf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
			fmin(axis_px(&a, 0), axis_px(&a, v)), yy, fabs(axis_px(&a, v) - axis_px(&a, 0)), bar, palette[0]);
		error_bar_h(out, &a, c->series[0].lo[i], c->series[0].hi[i], yy + bar / 2);
		chart_value_text(c, v, buf);
		text(out, axis_px(&a, value_end(&c->series[0], i)) + 4, yy + bar / 2 + 4, "start", " class=\"value\"", buf);
	}
	/* Drawn last, over the bars; a bar left blank still shows its reference. */
	for (size_t i = 0; i < c->ncat; i++)
		reference_tick(out, &a, c->series[0].ref[i], top + (double)i * (bar + gap) - 3,
			top + (double)i * (bar + gap) + bar + 3);
	if (c->reference_legend)
		reference_key(out, c, a.px0, y + 58, 0);
	sbuf_addstr(out, "</svg>\n");
}

static void line_path(struct sbuf *out, const struct chart *c, const struct axis *a, size_t s,
	double x0, double dx)
{
	const struct chart_series *cs = &c->series[s];
	int pen = 0;

	sbuf_printf(out, "<path class=\"line\" stroke=\"%s\" d=\"", palette[s]);
	for (size_t i = 0; i < c->ncat; i++) {
		if (isnan(cs->y[i])) {
			pen = 0;
			continue;
		}
		sbuf_printf(out, "%s%.1f %.1f", pen ? "L" : "M", x0 + dx * ((double)i + 0.5), axis_px(a, cs->y[i]));
		pen = 1;
	}
	sbuf_addstr(out, "\"/>\n");
	for (size_t i = 0; i < c->ncat; i++) {
		double x = x0 + dx * ((double)i + 0.5);
		if (isnan(cs->y[i]))
			continue;
		if (!isnan(cs->lo[i]) && !isnan(cs->hi[i]))
			sbuf_printf(out, "<path class=\"ci\" stroke=\"%s\" d=\"M%.1f %.1fV%.1fM%.1f %.1fh6M%.1f %.1fh6\"/>\n",
				palette[s], x, axis_px(a, cs->lo[i]), axis_px(a, cs->hi[i]),
				x - 3, axis_px(a, cs->lo[i]), x - 3, axis_px(a, cs->hi[i]));
		sbuf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, axis_px(a, cs->y[i]), palette[s]);
	}
}

static void reference_path(struct sbuf *out, const struct chart *c, const struct axis *a, size_t s,
	double x0, double dx)
{
	const double *ref = c->series[s].ref;
	int pen = 0, any = 0;

	for (size_t i = 0; i < c->ncat; i++)
		any |= !isnan(ref[i]);
	if (!any)
		return;
	sbuf_printf(out, "<path " REFERENCE_STYLE " stroke=\"%s\" stroke-dasharray=\"6 4\" d=\"", palette[s]);
	for (size_t i = 0; i < c->ncat; i++) {
		if (isnan(ref[i])) {
			pen = 0;
			continue;
		}
		/* Each point's reference spans its category's width. */
		sbuf_printf(out, "%s%.1f %.1fH%.1f", pen ? "L" : "M", x0 + dx * (double)i + 2, axis_px(a, ref[i]),
			x0 + dx * ((double)i + 1) - 2);
		pen = 1;
	}
	sbuf_addstr(out, "\"/>\n");
}

static void legend(struct sbuf *out, const struct chart *c, double x, double top)
{
	for (size_t s = 0; s < c->nseries; s++) {
		double y = top + 18.0 * (double)s;
		sbuf_printf(out, "<path class=\"line\" stroke=\"%s\" d=\"M%.1f %.1fh18\"/>\n", palette[s], x, y - 4);
		text(out, x + 24, y, "start", "", c->series[s].name);
	}
}

static void line_chart(struct sbuf *out, const struct chart *c)
{
	const double left = 64, top = 14, bottom = 56, height = 320;
	double right = c->nseries > 1 ? 170 : 20, plot_w = SVG_WIDTH - left - right;
	double dx = plot_w / (double)c->ncat, lo, hi;
	size_t every = (size_t)ceil((7.0 * (double)widest_label(c) + 10) / dx);
	struct axis a;
	char buf[96];

	value_range(c, &lo, &hi);
	axis_fit(&a, lo, hi, c->percent ? 100 : 1);
	a.px0 = height - bottom;
	a.px1 = top;
	open_svg(out, c, SVG_WIDTH, (int)height + (c->reference_legend ? 22 : 0));
	for (double v = a.lo; v <= a.hi + a.step / 2; v += a.step) {
		sbuf_printf(out, "<path class=\"grid\" d=\"M%.1f %.1fH%.1f\"/>\n", left, axis_px(&a, v), left + plot_w);
		tick_text(c, &a, v, buf);
		text(out, left - 6, axis_px(&a, v) + 4, "end", "", buf);
	}
	if (every < 1)
		every = 1;
	for (size_t i = 0; i < c->ncat; i += every)
		text(out, left + dx * ((double)i + 0.5), height - bottom + 16, "middle", "", c->cats[i]);
	text(out, left + plot_w / 2, height - 14, "middle", " class=\"axis-title\"", c->xlabel);
	sbuf_printf(out, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" class=\"axis-title\" "
		"transform=\"rotate(-90 14 %.1f)\">", (top + height - bottom) / 2, (top + height - bottom) / 2);
	render_html_escape(out, c->ylabel);
	sbuf_addstr(out, "</text>\n");
	for (size_t s = 0; s < c->nseries; s++)
		line_path(out, c, &a, s, left, dx);
	for (size_t s = 0; s < c->nseries; s++)
		reference_path(out, c, &a, s, left, dx);
	if (c->nseries > 1)
		legend(out, c, left + plot_w + 14, top + 8);
	if (c->reference_legend)
		reference_key(out, c, left, height + 12, 1);
	sbuf_addstr(out, "</svg>\n");
}

void chart_svg(struct sbuf *out, const struct chart *c)
{
	if (c->kind == CHART_LINE)
		line_chart(out, c);
	else
		bar_chart(out, c);
}
