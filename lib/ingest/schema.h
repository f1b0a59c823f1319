/* An ingest schema (JSON): the output fields, the source columns each may
 * arrive under, their types and checks, and what to do with personal data.
 *
 *   { "name": "registry", "version": "1", "other_columns": "drop",
 *     "decimal_comma": false, "excel_window": ["1990-01-01", "2100-12-31"],
 *     "fields": [ { "name": "received_at", "from": ["received", "Дата"],
 *                   "type": "date", "formats": ["dd.mm.yyyy", "yyyy-mm-dd"],
 *                   "required": true, "pii": "drop" },
 *                 { "name": "resolved_at", "type": "date",
 *                   "not_before": "received_at" }, … ] }
 *
 * Unknown keys (description, examples) are allowed, so a --describe draft
 * loads as it is.
 *
 * Values people type: "missing": ["-", "н/д", …] (per schema or per field,
 * a field's list replacing the schema's) are read as empty; "thousands"
 * and "percent" (per field) allow "1 234" and "12,5%"; type "datetime"
 * keeps a time of day, "date" drops it; format "dd.mm.yy" needs
 * "pivot_year".
 *
 * "extends": "registry" loads that schema first (schema_extend.h) and
 * changes it by what this one says. */
#ifndef CIVIC_SCHEMA_H
#define CIVIC_SCHEMA_H

#include <stddef.h>
#include "date.h"
#include "missing.h"
#include "record.h"

enum field_type { FT_STRING, FT_INT, FT_NUMBER, FT_DATE, FT_BOOL, FT_DATETIME };
enum pii_action { PII_NONE, PII_DROP, PII_PSEUDONYMIZE };

struct schema_field {
	char *name;
	char **from;              /* source names, already folded (colname_fold) */
	char **exact;             /* the same names only lower-cased (colname_lower) */
	char **spelled;           /* the same names as the schema spells them, for messages */
	size_t nfrom;
	enum field_type type;
	enum date_format formats[DATE_NFORMATS];
	size_t nformats;
	int decimal_comma;
	int numtext;              /* NUMTEXT_THOUSANDS, NUMTEXT_PERCENT: "thousands", "percent" */
	int pivot;                /* "pivot_year" for dd.mm.yy; 0 without */
	struct missing missing;   /* "missing": values that mean none (the field's, else the schema's) */
	unsigned char missing_first[32];  /* bit set: a code starts with that byte (a cheap test per value) */
	size_t missing_longest;   /* bytes of the longest code */
	uint64_t missing_lengths; /* bit n set: a code is n bytes long (n < 64) */
	int required;
	enum pii_action pii;
	int32_t window_min, window_max;  /* Excel serials are read only as dates in here */
	long serial_min, serial_max;     /* the same window as serial numbers */
	long not_before;          /* index of the date field this one may not precede, or -1 */
};

/* The default window for Excel serial day numbers: a bare year (2024) or a
 * small count is not taken for a date of 1905 or 1900. */
#define SCHEMA_EXCEL_WINDOW_MIN "1990-01-01"
#define SCHEMA_EXCEL_WINDOW_MAX "2100-12-31"

struct schema {
	char *name, *version;
	struct schema_field *fields;
	size_t nfields;
	int keep_other_columns;
};

/* 1 when s[0..n), already trimmed, is one of f's missing-value codes.
 * Inline: it runs on every value, and its first tests reject nearly all. */
static inline int field_missing(const struct schema_field *f, const char *s, size_t n)
{
	unsigned char c;

	if (n == 0 || n > f->missing_longest || (n < 64 && !(f->missing_lengths >> n & 1)))
		return 0;
	c = (unsigned char)s[0];
	return (f->missing_first[c / 8] >> (c % 8) & 1) && missing_value(&f->missing, s, n);
}

/* Loads and checks a schema; on error prints "FILE: …" and returns -1. */
int schema_load(struct schema *s, const char *path);
void schema_release(struct schema *s);
/* Prints the schema at path as loaded, bases it extends merged in, to
 * stdout as JSON.  0, or -1 with a message. */
int schema_show(const char *path);

const char *field_type_name(enum field_type t);
enum coltype field_coltype(enum field_type t);

#endif
