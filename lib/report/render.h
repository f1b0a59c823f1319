/* A report: one or more tally tables, each a section, rendered as text,
 * Markdown, self-contained HTML, or the published tables as CSV or JSON.
 *
 * Code map:
 *   render.c          formats table, render_report()
 *   render_table.c    reading a tally output; which columns are keys, estimates, parts
 *   render_pivot.c    a --pivot table: columns per key value, and its long form
 *   render_cell.c     labels, decimals, how one cell is printed, escaping and neutralising
 *   render_flags.c    reliability flags (effective n, coefficient of variation)
 *   render_compare.c  change columns against a previous period
 *   render_chart.c    which chart a section gets, and its data
 *   render_svg.c      bar and line charts as inline SVG
 *   render_reference.c  reference values: which apply, and the note on them
 *   render_text.c, render_md.c, render_html.c, render_csv.c, render_json.c
 *   render_xlsx.c     an Excel workbook (libxlsxwriter): a sheet per section, and Notes
 *   render_prov.c     the provenance footer
 *   lang.c            the words the report writes, and number forms, by language
 *   period_name.c     month, quarter, week, day keys named in the language
 *   labels.c          label files: codes named for publication
 *   suppress.c        primary and secondary disclosure suppression
 *   audit_model.c     the audit's model: what a reader knows, as linear constraints
 *   audit.c           the LP audit of what suppression hides (GLPK)
 * The caller owns the report and everything in it; renderers only read. */
#ifndef CIVIC_RENDER_H
#define CIVIC_RENDER_H

#include <stddef.h>
#include "render_prov.h"
#include "rtable.h"
#include "sbuf.h"
#include "suppress.h"
#include "audit.h"
#include "labels.h"

enum report_format { REPORT_TEXT, REPORT_MD, REPORT_HTML, REPORT_CSV, REPORT_JSON, REPORT_XLSX };
enum ci_style { CI_STYLE_PAREN, CI_STYLE_PM, CI_STYLE_COLUMNS, CI_STYLE_NONE };
enum chart_kind { CHART_AUTO, CHART_BAR, CHART_LINE, CHART_NONE };

struct label {
	const char *spec;            /* NAME=TEXT: a column name or key value, and its label */
};

struct digits_rule {
	char *column;                /* NULL: every column */
	int digits;
};

/* Published values a figure is read against (civic-report --reference, a
 * bulletin's "reference"), by value of the table's first key that is not
 * a period: drawn as marks on the chart (render_reference.h). */
struct report_reference {
	const char *label;           /* the legend's words; NULL: none */
	const char *column;          /* the statistic they are of; NULL: the charted one */
	int stated;                  /* the caller states the values in a note of its own */
	size_t n;
	const char **key;            /* key values, as codes */
	double *value;               /* in the column's units (a share as a fraction) */
};

struct report_section {
	struct rtable table;
	char *heading;               /* NULL: made from the column labels */
	int suppressed;              /* suppression ran on this table */
	struct suppress_result supp;
	size_t unreliable;           /* cells flagged */
	int compared;                /* change columns were added */
	size_t changes_beyond_noise;
	int compare_rules;           /* COMPARE_BY_SE | COMPARE_POISSON (render_compare.h) */
	char test_note[384];         /* civic-tally --test's result (render_test.h); "" none */
	enum chart_kind chart;       /* CHART_AUTO: the report's */
	const char *chart_column;    /* NULL: the report's */
	const struct report_reference *reference;   /* NULL: the report's */
};

struct report {
	char *title;                 /* NULL: "civic report" */
	char **notes;
	size_t nnotes;
	struct report_section *sec;
	size_t nsec;
	enum ci_style ci;
	enum chart_kind chart;
	char *chart_column;          /* NULL: share, else count, else the first estimate */
	const struct report_reference *reference;   /* every section's; NULL: none */
	struct digits_rule *digits;
	size_t ndigits;
	struct label *labels;
	size_t nlabels;
	double suppress_k;           /* 0: off */
	double protection;           /* --protection; 0: 1 */
	int audited;                 /* the audit proved every hidden count protected */
	struct audit_result audit;
	double min_n;                /* reliability: effective n below this is flagged */
	double max_cv;               /* … and a CV above this (a fraction) */
	double z;                    /* critical value for change flags (1.96) */
	double compare_level;        /* --compare-level: z's level (0: not given, 1.96) */
	struct provenance prov;
	struct labels labelsets;     /* --labels files, then the shipped sets */
	int codes;                   /* --codes: CSV and JSON keep key values as codes */
	/* Paragraphs after the last section, before the provenance (civic-bulletin's
	 * methodology annex) in text, Markdown and HTML; nannex 0: none. */
	const char *annex_heading;
	char **annex;
	size_t nannex;
};

/* "text", "md", "html", "csv", "json", "xlsx": 0 and *f, or -1. */
int report_format_from_name(const char *name, enum report_format *f);
/* From an output file's extension (.html, .htm, .md, .csv, .json, .txt, .xlsx); -1 if none. */
int report_format_from_path(const char *path, enum report_format *f);
/* Returns 0, or -1 with a message printed (only a workbook can fail). */
int render_report(struct sbuf *out, const struct report *rep, enum report_format f);

/* One per format (render_<format>.c). */
void render_text(struct sbuf *out, const struct report *rep);
void render_md(struct sbuf *out, const struct report *rep);
void render_html(struct sbuf *out, const struct report *rep);
void render_csv(struct sbuf *out, const struct report *rep);
void render_json(struct sbuf *out, const struct report *rep);
/* A binary workbook; 0, or -1 with a message printed. */
int render_xlsx(struct sbuf *out, const struct report *rep);

#endif
