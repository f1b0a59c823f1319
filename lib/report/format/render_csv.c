#include "render_cell.h"
#include "writer.h"

/* The published table: every column of the input (and the change columns),
 * rounded as published, hidden cells empty, and a flags column saying why.
 * One table only: the command refuses CSV for several inputs. */
static void table(struct sbuf *out, const struct report *rep, const struct rtable *t)
{
	struct sbuf cell = SBUF_INIT, flags = SBUF_INIT;
	char buf[96];

	for (size_t c = 0; c < t->ncols; c++) {
		sbuf_reset(&cell);
		render_neutralise(&cell, t->cols[c].name);
		csv_append_field(out, cell.s, cell.len);
		sbuf_addc(out, ',');
	}
	sbuf_addstr(out, "flags\n");
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			sbuf_reset(&cell);
			render_plain_value(rep, t, r, c, buf);
			render_neutralise(&cell, buf);
			csv_append_field(out, sbuf_cstr(&cell), cell.len);
			sbuf_addc(out, ',');
		}
		sbuf_reset(&flags);
		render_row_flags(&flags, t, r, " ");
		csv_append_field(out, sbuf_cstr(&flags), flags.len);
		sbuf_addc(out, '\n');
	}
	sbuf_release(&cell);
	sbuf_release(&flags);
}

void render_csv(struct sbuf *out, const struct report *rep)
{
	for (size_t i = 0; i < rep->nsec; i++)
		table(out, rep, &rep->sec[i].table);
}
