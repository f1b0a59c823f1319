/* How a section's cells are shown to a reader: which columns appear, their
 * labels, decimals and units, markers, and the escaping each format needs. */
#ifndef CIVIC_RENDER_CELL_H
#define CIVIC_RENDER_CELL_H

#include "render.h"

enum dpart { D_KEY, D_EST, D_LOW, D_HIGH, D_SE, D_DEFF };

struct dcol {
	size_t col;
	enum dpart part;
};

/* Markers after an estimate, footnoted under the table. */
#define MARK_UNRELIABLE "\xe2\x80\xa0"   /* † */
#define MARK_UP "\xe2\x96\xb2"           /* ▲ */
#define MARK_DOWN "\xe2\x96\xbc"         /* ▼ */
#define EN_DASH "\xe2\x80\x93"
#define PLUS_MINUS "\xc2\xb1"

/* The columns a reader sees: keys, estimates (and in CI_STYLE_COLUMNS style
 * every part the tally has: low, high, standard error, design effect),
 * change columns; each column at most once, so out needs room for
 * t->ncols.  Returns the count. */
size_t render_display_cols(const struct report *rep, const struct rtable *t, struct dcol *out);

/* Column c of the table as a display column: a key, an estimate, or the
 * part of one (low, high, standard error, design effect). */
struct dcol render_col_dcol(const struct rtable *t, size_t c);

/* A --label for name, or NULL. */
const char *render_user_label(const struct report *rep, const char *name);
/* 1 when the --label NAME=TEXT spec renames something in some section: a
 * column, what a statistic column is of (x in mean_x), or a key value. */
int render_label_used(const struct report *rep, const char *spec);
/* The NAME of a spec, for messages: up to its first '=' that is not part
 * of <= >= != ==.  Allocated; the caller frees it. */
char *render_label_name(const char *spec);
/* The column name or key value nearest to name, for a "did you mean";
 * allocated (the caller frees it), or NULL when none is close. */
char *render_label_nearest(const struct report *rep, const char *name);
/* The heading of a display column ("Share", "Mean age", "Share, low",
 * "Share, SE", "Share, design effect"). */
void render_col_label(struct sbuf *b, const struct report *rep, const struct rtable *t, struct dcol d);
/* A key cell of column: its --label, else a calendar period's name in the
 * language (period_name.h), else its label from a label file, else a code
 * such as in_person written as "In person", else the value itself. */
void render_key_text(struct sbuf *b, const struct report *rep, const char *column, const char *value);
/* The section heading: --heading, else "Count and share by register". */
void render_heading(struct sbuf *b, const struct report *rep, const struct report_section *s);

/* Decimals for column c, and the factor between stored and shown units
 * (100 for shares, which are shown as percentages). */
int render_col_digits(const struct report *rep, const struct rtable *t, size_t c);
double render_col_scale(const struct rtable *t, size_t c);
/* value in shown units, rounded; group puts commas between thousands;
 * sign forces a leading '+'.  buf needs 96 bytes. */
void render_number(double v, int digits, int group, int sign, char *buf);

struct cellparts {
	char est[96];                /* "74.7%", "<5", "x", "" */
	char lo[64], hi[64];         /* the interval, or empty */
	char half[64];               /* ± half-width for CI_STYLE_PM, or empty */
	const char *mark;            /* MARK_*, or "" */
	int hidden;
};
void render_cell_parts(const struct report *rep, const struct rtable *t, size_t r,
	struct dcol d, int group, struct cellparts *cp);
/* The whole cell as one string, in the report's --ci-style. */
void render_cell_join(struct sbuf *b, const struct report *rep, const struct cellparts *cp);

/* For CSV and JSON: the value rounded as published but in the input's units
 * (a share 0.178, not 17.8%), empty when hidden; a key value's label
 * (--label or a label file) unless --codes; buf needs 96 bytes. */
void render_plain_value(const struct report *rep, const struct rtable *t, size_t r, size_t c, char *buf);
/* The row's flags as words joined by sep: suppressed, suppressed-secondary,
 * suppressed-previous, unreliable:COLUMN, beyond-noise:COLUMN.  Returns how
 * many. */
size_t render_row_flags(struct sbuf *b, const struct rtable *t, size_t r, const char *sep);

/* The footnotes a section needs, in a fixed order. */
#define RENDER_MAX_NOTES 9
struct note {
	char mark[24];               /* "<5", "x", MARK_*, or "" */
	char text[1024];
};
size_t render_notes(const struct report *rep, const struct report_section *s, struct note *notes);

/* Appends s with a leading ' when a spreadsheet would read it as a formula
 * (it starts with = + - @ TAB or CR and is not a plain number). */
void render_neutralise(struct sbuf *b, const char *s);
int render_formula_like(const char *s);
void render_html_escape(struct sbuf *b, const char *s);

#endif
