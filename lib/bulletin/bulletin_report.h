/* A bulletin's report: one section per indicator (and per comparison it
 * has), suppressed and audited together as civic-report does, the
 * methodology annex generated from the definition, in one language and
 * every format asked for; and the published tables. */
#ifndef CIVIC_BULLETIN_REPORT_H
#define CIVIC_BULLETIN_REPORT_H

#include "bulletin_def.h"
#include "render.h"

/* A comparison's state for one indicator. */
enum bcmp_state { BCMP_DONE, BCMP_MISSING, BCMP_CHANGED, BCMP_NOT_APPLICABLE };

struct bcompare {
	unsigned cmp;                  /* BCMP_ bit */
	enum bcmp_state state;
	char period[64];               /* the period compared with */
	char *table;                   /* its table (BCMP_DONE), malloc'd */
};

struct bsection_in {
	char *table;                   /* the indicator's full table, malloc'd */
	int skipped;                   /* its input is optional and was not given */
	const char *skipped_role;      /* that input's role (or its population's) */
	struct bcompare cmp[BCMP_N];
	size_t ncmp;
};

struct bulletin_report_in {
	const struct bulletin *b;
	struct bsection_in *sec;       /* one per indicator */
	const char *period;            /* the period's label, as reported */
	const char *wave;              /* the survey wave, or NULL */
	double k;                      /* suppression threshold */
	int argc;
	char **argv;                   /* for the provenance */
	char **input_names;            /* role=path, per file, for the provenance */
	char (*input_sha)[65];
	size_t ninputs;
	char **sources;                /* schemas and rule books (--source) */
	size_t nsources;
};

/* Writes dir/report[SUFFIX].EXT for each format of formats (report_format
 * values, nformats of them), in language lang (BLANG_).  0, or -1 after a
 * message. */
int bulletin_write_reports(const struct bulletin_report_in *in, int lang, const enum report_format *formats,
	const char *const *exts, size_t nformats, const char *dir, const char *suffix);
/* Writes dir/ID.csv for each indicator: its section of the report as
 * CSV, suppressed as the report is (civic-report -f csv --codes).  0, or
 * -1 after a message. */
int bulletin_write_tables(const struct bulletin_report_in *in, const char *dir);
/* Writes dir/ID.COMPARISON.csv for each comparison made: the indicator's
 * table with the compared columns as computed, unrounded, and each row's
 * flags (for checking against an independent computation).  0, or -1
 * after a message. */
int bulletin_write_compared(const struct bulletin_report_in *in, const char *dir);

#endif
