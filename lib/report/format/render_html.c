#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "render_cell.h"
#include "render_chart.h"
#include "xalloc.h"

/* One self-contained page: no script, no fetch (the policy forbids both),
 * readable on screen and printed on A4. */
static const char css[] =
	"@page{size:A4;margin:16mm 14mm}\n"
	"body{font-family:\"DejaVu Sans\",Arial,sans-serif;color:#222;margin:2em auto;max-width:60em;"
	"padding:0 1em;line-height:1.4}\n"
	"h1{font-size:1.6em;margin-bottom:.3em}h2{font-size:1.2em;margin-top:1.8em;"
	"border-bottom:1px solid #ccc;padding-bottom:.2em}\n"
	"section{break-inside:avoid-page}figure{margin:1em 0;break-inside:avoid}\n"
	"svg.chart{max-width:100%;height:auto}svg .grid{stroke:#ddd;stroke-width:1}\n"
	"svg .ci{stroke:#222;stroke-width:1.2;fill:none}svg .line{fill:none;stroke-width:2}\n"
	"svg .axis-title{font-weight:bold}svg .value{fill:#333}\n"
	"table{border-collapse:collapse;margin:.5em 0;font-variant-numeric:tabular-nums}\n"
	"th,td{padding:.25em .7em;border-bottom:1px solid #e4e4e4;vertical-align:top}\n"
	"thead th{border-bottom:2px solid #888;text-align:left}th.num,td.num{text-align:right}td.num{white-space:nowrap}\n"
	"td.num .ci{color:#555}tr.total td{font-weight:bold;border-top:1px solid #888}\n"
	"td.hidden{color:#777}sup{font-size:.75em}ul.notes{font-size:.9em;color:#333;padding-left:1.2em}\n"
	"footer{margin-top:3em;font-size:.8em;color:#555;border-top:1px solid #ccc}\n"
	"footer code{word-break:break-all}thead{display:table-header-group}\n";

static void esc(struct sbuf *out, const char *s)
{
	render_html_escape(out, s);
}

static void head(struct sbuf *out, const struct report *rep)
{
	sbuf_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n", lang_code());
	sbuf_addstr(out, "<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"");
	esc(out, rep->prov.tool);
	sbuf_addstr(out, "\">\n<title>");
	esc(out, rep->title ? rep->title : lang_text("report.title"));
	sbuf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
	esc(out, rep->title ? rep->title : lang_text("report.title"));
	sbuf_addstr(out, "</h1>\n");
	for (size_t i = 0; i < rep->nnotes; i++) {
		sbuf_addstr(out, "<p class=\"note\">");
		esc(out, rep->notes[i]);
		sbuf_addstr(out, "</p>\n");
	}
}

static void number_cell(struct sbuf *out, const struct cellparts *cp)
{
	sbuf_printf(out, "<td class=\"num%s\">", cp->hidden ? " hidden" : "");
	esc(out, cp->est);
	if (cp->lo[0]) {
		sbuf_addstr(out, "<span class=\"ci\"> (");
		esc(out, cp->lo);
		sbuf_addstr(out, EN_DASH);
		esc(out, cp->hi);
		sbuf_addstr(out, ")</span>");
	} else if (cp->half[0]) {
		sbuf_addstr(out, "<span class=\"ci\"> " PLUS_MINUS " ");
		esc(out, cp->half);
		sbuf_addstr(out, "</span>");
	}
	if (cp->mark[0]) {
		sbuf_addstr(out, "<sup>");
		esc(out, cp->mark);
		sbuf_addstr(out, "</sup>");
	}
	sbuf_addstr(out, "</td>");
}

static void table(struct sbuf *out, const struct report *rep, const struct rtable *t)
{
	struct dcol *dc = xmalloc((3 * t->ncols + 1) * sizeof(*dc));
	size_t nd = render_display_cols(rep, t, dc);
	struct sbuf label = SBUF_INIT;
	struct cellparts cp;

	sbuf_addstr(out, "<table>\n<thead><tr>");
	for (size_t j = 0; j < nd; j++) {
		sbuf_reset(&label);
		render_col_label(&label, rep, t, dc[j]);
		sbuf_printf(out, "<th scope=\"col\"%s>", dc[j].part == D_KEY ? "" : " class=\"num\"");
		esc(out, sbuf_cstr(&label));
		sbuf_addstr(out, "</th>");
	}
	sbuf_addstr(out, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < t->nrows; r++) {
		sbuf_addstr(out, t->rows[r].total ? "<tr class=\"total\">" : "<tr>");
		for (size_t j = 0; j < nd; j++) {
			render_cell_parts(rep, t, r, dc[j], 1, &cp);
			if (dc[j].part != D_KEY) {
				number_cell(out, &cp);
				continue;
			}
			sbuf_addstr(out, "<td>");
			esc(out, cp.est);
			sbuf_addstr(out, "</td>");
		}
		sbuf_addstr(out, "</tr>\n");
	}
	sbuf_addstr(out, "</tbody>\n</table>\n");
	sbuf_release(&label);
	free(dc);
}

static void figure(struct sbuf *out, const struct chart *c)
{
	struct sbuf text = SBUF_INIT;
	char shown[32], total[32];

	sbuf_addstr(out, "<figure>\n");
	chart_svg(out, c);
	if (c->has_interval || c->dropped_series) {
		sbuf_addstr(out, "<figcaption>");
		if (c->has_interval) {
			esc(out, lang_text("chart.error_bars"));
			sbuf_addc(out, ' ');
		}
		if (c->dropped_series) {
			snprintf(shown, sizeof(shown), "%d", CHART_MAX_SERIES);
			snprintf(total, sizeof(total), "%zu", c->nseries + c->dropped_series);
			lang_put(&text, "chart.series_dropped", "shown", shown, "total", total, NULL);
			esc(out, sbuf_cstr(&text));
		}
		sbuf_addstr(out, "</figcaption>\n");
	}
	sbuf_addstr(out, "</figure>\n");
	sbuf_release(&text);
}

static void section(struct sbuf *out, const struct report *rep, const struct report_section *s)
{
	struct sbuf h = SBUF_INIT;
	struct note notes[RENDER_MAX_NOTES];
	size_t nn = render_notes(rep, s, notes);
	struct chart c;

	render_heading(&h, rep, s);
	sbuf_addstr(out, "<section>\n<h2>");
	esc(out, sbuf_cstr(&h));
	sbuf_addstr(out, "</h2>\n");
	if (chart_build(&c, rep, s)) {
		figure(out, &c);
		chart_release(&c);
	}
	if (s->table.nrows == 0)
		sbuf_printf(out, "<p>%s</p>\n", lang_text("report.no_rows"));
	else
		table(out, rep, &s->table);
	if (nn)
		sbuf_addstr(out, "<ul class=\"notes\">\n");
	for (size_t i = 0; i < nn; i++) {
		sbuf_addstr(out, "<li>");
		if (notes[i].mark[0]) {
			sbuf_addstr(out, "<b>");
			esc(out, notes[i].mark);
			sbuf_addstr(out, "</b> ");
		}
		esc(out, notes[i].text);
		sbuf_addstr(out, "</li>\n");
	}
	if (nn)
		sbuf_addstr(out, "</ul>\n");
	sbuf_addstr(out, "</section>\n");
	sbuf_release(&h);
}

static void provenance(struct sbuf *out, const struct provenance *p)
{
	struct sbuf text = SBUF_INIT;

	sbuf_addstr(out, "<footer>\n<h2>");
	esc(out, lang_text("prov.heading"));
	sbuf_addstr(out, "</h2>\n<dl>\n<dt>");
	esc(out, lang_text("prov.made_by"));
	sbuf_addstr(out, "</dt><dd>");
	lang_put(&text, "prov.tool_at", "tool", p->tool, "when", p->when, NULL);
	esc(out, sbuf_cstr(&text));
	sbuf_addstr(out, "</dd>\n<dt>");
	esc(out, lang_text("prov.command"));
	sbuf_addstr(out, "</dt><dd><code>");
	esc(out, p->command);
	sbuf_addstr(out, "</code></dd>\n<dt>");
	esc(out, lang_text("prov.files"));
	sbuf_addstr(out, "</dt>\n");
	for (size_t i = 0; i < p->nfiles; i++) {
		sbuf_addstr(out, "<dd>");
		prov_role_text(&text, p->files[i].role);
		esc(out, sbuf_cstr(&text));
		sbuf_addstr(out, ": ");
		esc(out, p->files[i].name);
		if (p->files[i].version) {
			sbuf_reset(&text);
			lang_put(&text, "prov.version", "version", p->files[i].version, NULL);
			sbuf_addstr(out, " (");
			esc(out, sbuf_cstr(&text));
			sbuf_addc(out, ')');
		}
		sbuf_printf(out, "<br><code>sha256:%s</code></dd>\n", p->files[i].sha256);
	}
	sbuf_addstr(out, "</dl>\n</footer>\n");
	sbuf_release(&text);
}

void render_html(struct sbuf *out, const struct report *rep)
{
	head(out, rep);
	for (size_t i = 0; i < rep->nsec; i++)
		section(out, rep, &rep->sec[i]);
	if (rep->nannex) {
		sbuf_addstr(out, "<section class=\"annex\">\n<h2>");
		esc(out, rep->annex_heading ? rep->annex_heading : "");
		sbuf_addstr(out, "</h2>\n");
		for (size_t i = 0; i < rep->nannex; i++) {
			sbuf_addstr(out, "<p>");
			esc(out, rep->annex[i]);
			sbuf_addstr(out, "</p>\n");
		}
		sbuf_addstr(out, "</section>\n");
	}
	provenance(out, &rep->prov);
	sbuf_addstr(out, "</main>\n</body>\n</html>\n");
}
