#include <string.h>

#include "render_cell.h"
#include "writer.h"

static void str(struct sbuf *out, const char *s)
{
	json_append_string(out, s, strlen(s));
}

static void member(struct sbuf *out, const char *indent, const char *key, const char *value, int comma)
{
	sbuf_printf(out, "%s\"%s\": ", indent, key);
	if (value)
		str(out, value);
	else
		sbuf_addstr(out, "null");
	sbuf_addstr(out, comma ? ",\n" : "\n");
}

static const char *role(const struct rcol *col)
{
	static const char *const parts[] = { "estimate", "se", "low", "high", "deff" };

	if (col->is_key)
		return "key";
	if (col->kind == STAT_PREV)
		return "previous";
	if (col->kind == STAT_CHANGE)
		return "change";
	if (col->kind == STAT_CHANGE_PCT)
		return "change_pct";
	if (col->kind == STAT_CHANGE_SE)
		return "change_se";
	if (col->kind == STAT_CHANGE_P)
		return "change_p";
	return parts[col->part];
}

static void columns(struct sbuf *out, const struct report *rep, const struct rtable *t)
{
	struct sbuf label = SBUF_INIT;

	sbuf_addstr(out, "      \"columns\": [\n");
	for (size_t c = 0; c < t->ncols; c++) {
		const struct rcol *col = &t->cols[c];
		sbuf_reset(&label);
		render_col_label(&label, rep, t, render_col_dcol(t, c));
		sbuf_addstr(out, "        {\"name\": ");
		str(out, col->name);
		sbuf_addstr(out, ", \"label\": ");
		str(out, sbuf_cstr(&label));
		sbuf_printf(out, ", \"role\": \"%s\"}%s\n", role(col), c + 1 < t->ncols ? "," : "");
	}
	sbuf_addstr(out, "      ],\n");
	sbuf_release(&label);
}

static void value(struct sbuf *out, const struct report *rep, const struct rtable *t, size_t r, size_t c)
{
	char buf[96];
	size_t n;

	render_plain_value(rep, t, r, c, buf);
	n = strlen(buf);
	if (t->cols[c].is_key)
		json_append_string(out, buf, n);
	else if (n == 0)
		sbuf_addstr(out, "null");
	else if (json_text_is_number(buf, n))
		sbuf_addstr(out, buf);
	else
		json_append_string(out, buf, n);
}

static void rows(struct sbuf *out, const struct report *rep, const struct rtable *t)
{
	struct sbuf flags = SBUF_INIT;

	sbuf_addstr(out, "      \"rows\": [\n");
	for (size_t r = 0; r < t->nrows; r++) {
		sbuf_addstr(out, "        {");
		for (size_t c = 0; c < t->ncols; c++) {
			str(out, t->cols[c].name);
			sbuf_addstr(out, ": ");
			value(out, rep, t, r, c);
			sbuf_addstr(out, ", ");
		}
		sbuf_reset(&flags);
		sbuf_addstr(out, "\"flags\": [");
		render_row_flags(&flags, t, r, "\n");
		for (const char *p = sbuf_cstr(&flags); *p; ) {
			size_t n = strcspn(p, "\n");
			if (p != flags.s)
				sbuf_addstr(out, ", ");
			json_append_string(out, p, n);
			p += n + (p[n] != '\0');
		}
		sbuf_printf(out, "]}%s\n", r + 1 < t->nrows ? "," : "");
	}
	sbuf_addstr(out, "      ],\n");
	sbuf_release(&flags);
}

static void notes(struct sbuf *out, const struct report *rep, const struct report_section *s)
{
	struct note n[RENDER_MAX_NOTES];
	size_t nn = render_notes(rep, s, n);

	sbuf_addstr(out, "      \"footnotes\": [");
	for (size_t i = 0; i < nn; i++) {
		sbuf_addstr(out, i ? ", {\"mark\": " : "{\"mark\": ");
		str(out, n[i].mark);
		sbuf_addstr(out, ", \"text\": ");
		str(out, n[i].text);
		sbuf_addc(out, '}');
	}
	sbuf_addstr(out, "]\n");
}

static void section(struct sbuf *out, const struct report *rep, const struct report_section *s, int comma)
{
	struct sbuf h = SBUF_INIT;

	render_heading(&h, rep, s);
	sbuf_addstr(out, "    {\n");
	member(out, "      ", "heading", sbuf_cstr(&h), 1);
	member(out, "      ", "source", s->table.name, 1);
	columns(out, rep, &s->table);
	rows(out, rep, &s->table);
	notes(out, rep, s);
	sbuf_printf(out, "    }%s\n", comma ? "," : "");
	sbuf_release(&h);
}

static void provenance(struct sbuf *out, const struct provenance *p)
{
	sbuf_addstr(out, "  \"provenance\": {\n");
	member(out, "    ", "tool", p->tool, 1);
	member(out, "    ", "command", p->command, 1);
	member(out, "    ", "generated", p->when, 1);
	sbuf_addstr(out, "    \"files\": [\n");
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct prov_file *f = &p->files[i];
		sbuf_addstr(out, "      {\"role\": ");
		str(out, f->role);
		sbuf_addstr(out, ", \"name\": ");
		str(out, f->name);
		sbuf_addstr(out, ", \"version\": ");
		if (f->version)
			str(out, f->version);
		else
			sbuf_addstr(out, "null");
		sbuf_printf(out, ", \"sha256\": \"%s\"}%s\n", f->sha256, i + 1 < p->nfiles ? "," : "");
	}
	sbuf_addstr(out, "    ]\n  }\n");
}

void render_json(struct sbuf *out, const struct report *rep)
{
	sbuf_addstr(out, "{\n");
	member(out, "  ", "title", rep->title, 1);
	sbuf_addstr(out, "  \"notes\": [");
	for (size_t i = 0; i < rep->nnotes; i++) {
		if (i)
			sbuf_addstr(out, ", ");
		str(out, rep->notes[i]);
	}
	sbuf_addstr(out, "],\n  \"sections\": [\n");
	for (size_t i = 0; i < rep->nsec; i++)
		section(out, rep, &rep->sec[i], i + 1 < rep->nsec);
	sbuf_addstr(out, "  ],\n");
	if (rep->nannex) {
		sbuf_addstr(out, "  \"annex\": {");
		member(out, "", "heading", rep->annex_heading ? rep->annex_heading : "", 1);
		sbuf_addstr(out, "    \"paragraphs\": [");
		for (size_t i = 0; i < rep->nannex; i++) {
			if (i)
				sbuf_addstr(out, ", ");
			str(out, rep->annex[i]);
		}
		sbuf_addstr(out, "]\n  },\n");
	}
	provenance(out, &rep->prov);
	sbuf_addstr(out, "}\n");
}
