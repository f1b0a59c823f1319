#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "render_cell.h"
#include "xalloc.h"

/* Text as Markdown shows it literally: no table breaks, no emphasis, no
 * raw HTML, no formulas for a spreadsheet that imports the table. */
static void md_text(struct sbuf *out, const char *s)
{
	struct sbuf b = SBUF_INIT;

	render_neutralise(&b, s);
	for (const char *p = sbuf_cstr(&b); *p; p++) {
		switch (*p) {
		case '<': sbuf_addstr(out, "&lt;"); break;
		case '>': sbuf_addstr(out, "&gt;"); break;
		case '&': sbuf_addstr(out, "&amp;"); break;
		case '\n': case '\r': case '\t': sbuf_addc(out, ' '); break;
		case '\\': case '|': case '*': case '_': case '`': case '[': case ']': case '#':
			sbuf_addc(out, '\\');
			/* fall through */
		default:
			sbuf_addc(out, *p);
		}
	}
	sbuf_release(&b);
}

static void table(struct sbuf *out, const struct report *rep, const struct rtable *t)
{
	struct dcol *dc = xmalloc((3 * t->ncols + 1) * sizeof(*dc));
	size_t nd = render_display_cols(rep, t, dc);
	struct sbuf cell = SBUF_INIT;
	struct cellparts cp;

	sbuf_addc(out, '|');
	for (size_t j = 0; j < nd; j++) {
		sbuf_reset(&cell);
		render_col_label(&cell, rep, t, dc[j]);
		sbuf_addc(out, ' ');
		md_text(out, sbuf_cstr(&cell));
		sbuf_addstr(out, " |");
	}
	sbuf_addstr(out, "\n|");
	for (size_t j = 0; j < nd; j++)
		sbuf_addstr(out, dc[j].part == D_KEY ? ":---|" : "---:|");
	sbuf_addc(out, '\n');
	for (size_t r = 0; r < t->nrows; r++) {
		sbuf_addc(out, '|');
		for (size_t j = 0; j < nd; j++) {
			render_cell_parts(rep, t, r, dc[j], 1, &cp);
			sbuf_reset(&cell);
			render_cell_join(&cell, rep, &cp);
			sbuf_addc(out, ' ');
			md_text(out, sbuf_cstr(&cell));
			sbuf_addstr(out, " |");
		}
		sbuf_addc(out, '\n');
	}
	sbuf_release(&cell);
	free(dc);
}

static void section(struct sbuf *out, const struct report *rep, const struct report_section *s)
{
	struct sbuf h = SBUF_INIT;
	struct note notes[RENDER_MAX_NOTES];
	size_t nn = render_notes(rep, s, notes);

	render_heading(&h, rep, s);
	sbuf_addstr(out, "## ");
	md_text(out, sbuf_cstr(&h));
	sbuf_addstr(out, "\n\n");
	if (s->table.nrows == 0)
		sbuf_printf(out, "%s\n", lang_text("report.no_rows"));
	else
		table(out, rep, &s->table);
	if (nn)
		sbuf_addc(out, '\n');
	for (size_t i = 0; i < nn; i++) {
		sbuf_addstr(out, "- ");
		if (notes[i].mark[0]) {
			md_text(out, notes[i].mark);
			sbuf_addstr(out, " ");
		}
		md_text(out, notes[i].text);
		sbuf_addc(out, '\n');
	}
	sbuf_addc(out, '\n');
	sbuf_release(&h);
}

static void provenance(struct sbuf *out, const struct provenance *p)
{
	struct sbuf text = SBUF_INIT;

	lang_put(&text, "prov.made_by_at", "tool", p->tool, "when", p->when, NULL);
	sbuf_addstr(out, "---\n\n");
	md_text(out, sbuf_cstr(&text));
	sbuf_addstr(out, ".  \n");
	md_text(out, lang_text("prov.command"));
	sbuf_addstr(out, ": `");
	for (const char *c = p->command; *c; c++)
		sbuf_addc(out, *c == '`' ? '\'' : *c == '\n' ? ' ' : *c);
	sbuf_addstr(out, "`\n\n");
	for (size_t i = 0; i < p->nfiles; i++) {
		sbuf_addstr(out, "- ");
		prov_role_text(&text, p->files[i].role);
		md_text(out, sbuf_cstr(&text));
		sbuf_addstr(out, " ");
		md_text(out, p->files[i].name);
		if (p->files[i].version) {
			sbuf_reset(&text);
			lang_put(&text, "prov.version", "version", p->files[i].version, NULL);
			sbuf_addstr(out, " (");
			md_text(out, sbuf_cstr(&text));
			sbuf_addc(out, ')');
		}
		sbuf_printf(out, ", sha256 `%s`\n", p->files[i].sha256);
	}
	sbuf_release(&text);
}

void render_md(struct sbuf *out, const struct report *rep)
{
	sbuf_addstr(out, "# ");
	md_text(out, rep->title ? rep->title : lang_text("report.title"));
	sbuf_addstr(out, "\n\n");
	for (size_t i = 0; i < rep->nnotes; i++) {
		md_text(out, rep->notes[i]);
		sbuf_addstr(out, "\n\n");
	}
	for (size_t i = 0; i < rep->nsec; i++)
		section(out, rep, &rep->sec[i]);
	if (rep->nannex) {
		sbuf_addstr(out, "## ");
		md_text(out, rep->annex_heading ? rep->annex_heading : "");
		sbuf_addstr(out, "\n\n");
		for (size_t i = 0; i < rep->nannex; i++) {
			md_text(out, rep->annex[i]);
			sbuf_addstr(out, "\n\n");
		}
	}
	provenance(out, &rep->prov);
}
