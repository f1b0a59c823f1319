#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "rejects.h"
#include "workbook.h"

enum { REJECTS_SHOWN_MAX = 20 };

int rejects_open(struct rejects *rj, const char *path)
{
	memset(rj, 0, sizeof(*rj));
	if (!path)
		return 0;
	if (output_open(&rj->out, path, 0600) != 0)
		return -1;
	rj->to_file = 1;
	return 0;
}

/* A workbook's record is placed by sheet and cell: "Sheet1!C14", or the
 * whole row "Sheet1!14:14" when no one field is at fault. */
static void sheet_place(const struct record *rec, const struct reject *why, char *buf, size_t size)
{
	char cell[32];

	if (why->field >= 0)
		wb_cell_name(rec->first_col + (unsigned)why->field, rec->line, cell);
	else
		snprintf(cell, sizeof(cell), "%lu:%lu", rec->line, rec->line);
	snprintf(buf, size, "%s!%s", rec->sheet, cell);
}

static void write_json(struct rejects *rj, const struct record *rec, const struct reject *why)
{
	struct sbuf *b = &rj->line;
	const char *file = rec->file ? rec->file : "-";

	sbuf_reset(b);
	sbuf_addstr(b, "{\"file\":");
	json_append_string(b, file, strlen(file));
	sbuf_printf(b, ",\"line\":%lu,", rec->line);
	if (rec->sheet) {
		char place[200];
		sheet_place(rec, why, place, sizeof(place));
		sbuf_addstr(b, "\"sheet\":");
		json_append_string(b, rec->sheet, strlen(rec->sheet));
		sbuf_addstr(b, ",\"cell\":");
		const char *cell = strchr(place, '!') + 1;
		json_append_string(b, cell, strlen(cell));
		sbuf_addc(b, ',');
	}
	sbuf_addstr(b, "\"reason\":");
	json_append_string(b, why->reason, strlen(why->reason));
	sbuf_addstr(b, ",\"column\":");
	if (why->column[0])
		json_append_string(b, why->column, strlen(why->column));
	else
		sbuf_addstr(b, "null");
	sbuf_addstr(b, ",\"message\":");
	json_append_string(b, why->message, strlen(why->message));
	sbuf_addstr(b, ",\"record\":");
	json_append_raw_text(b, sbuf_cstr(&rec->raw), rec->raw.len);
	sbuf_addstr(b, "}\n");
	fwrite(b->s, 1, b->len, rj->out.fp);
}

void rejects_add(struct rejects *rj, const struct record *rec, const struct reject *why)
{
	const char *file = rec->file ? rec->file : "-";

	rj->count++;
	if (rj->shown < REJECTS_SHOWN_MAX) {
		rj->shown++;
		char place[200];
		if (rec->sheet)
			sheet_place(rec, why, place, sizeof(place));
		if (rec->sheet && why->column[0])
			civic_warn("%s:%s: %s: %s", file, place, why->column, why->message);
		else if (rec->sheet)
			civic_warn("%s:%s: %s", file, place, why->message);
		else if (why->column[0])
			civic_warn_at(file, rec->line, "%s: %s", why->column, why->message);
		else
			civic_warn_at(file, rec->line, "%s", why->message);
	} else if (rj->shown == REJECTS_SHOWN_MAX) {
		rj->shown++;
		civic_warn("further rejects are not shown here%s",
			rj->to_file ? "; all are in the rejects file" : "; name a file with --rejects to keep them");
	}
	if (rj->to_file)
		write_json(rj, rec, why);
}

int rejects_close(struct rejects *rj)
{
	int rc = 0;

	if (rj->to_file)
		rc = output_close(&rj->out);
	sbuf_release(&rj->line);
	return rc;
}

void rejects_abort(struct rejects *rj)
{
	if (rj->to_file)
		output_abort(&rj->out);
	sbuf_release(&rj->line);
}

int reject_limit_parse(struct reject_limit *lim, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0 || !isfinite(v))
		return -1;
	lim->percent = *end == '%';
	if (lim->percent)
		end++;
	if (*end || (lim->percent && v > 100))
		return -1;
	lim->value = v;
	return 0;
}

int reject_limit_exceeded(const struct reject_limit *lim, unsigned long rejected, unsigned long total)
{
	if (lim->percent)
		return total > 0 && (double)rejected * 100.0 > lim->value * (double)total;
	return (double)rejected > lim->value;
}

int reject_limit_check(const struct reject_limit *lim, unsigned long rejected, unsigned long total)
{
	if (!reject_limit_exceeded(lim, rejected, total))
		return 0;
	civic_warn("%lu rejected record%s exceed%s the tolerance (--max-rejects)", rejected,
		rejected == 1 ? "" : "s", rejected == 1 ? "s" : "");
	return 1;
}
