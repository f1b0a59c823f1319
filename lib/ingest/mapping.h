/* The plan that turns an input header into ingest's output columns: for
 * each output column, the input column it comes from (or none) and the
 * schema field that converts it. */
#ifndef CIVIC_MAPPING_H
#define CIVIC_MAPPING_H

#include "record.h"
#include "schema.h"

enum column_source {
	FROM_FIELD,          /* a schema field, converted */
	FROM_PSEUDONYM,      /* a schema field replaced by its pseudonym */
	FROM_OTHER,          /* an input column the schema does not name, kept as it is */
	FROM_LINEAGE_FILE,
	FROM_LINEAGE_LINE,
	FROM_LINEAGE_SHEET,
};

/* mapping_build()'s lineage: _file and _line, and _sheet (a workbook's). */
enum { LINEAGE_FILE_LINE = 1, LINEAGE_SHEET = 2 };

struct out_column {
	enum column_source source;
	long input;                      /* input column index, -1 when absent */
	const struct schema_field *field;
};

struct mapping {
	struct out_column *cols;
	size_t ncols, cap;
	struct header out;
	size_t dropped_pii;              /* pii columns of the input left out */
	long *field_input;               /* per schema field, its input column or -1 (-2: ambiguous) */
	long *field_output;              /* per schema field, its output column or -1 */
};

/* Without a schema every input column passes through.  have_key says
 * whether pseudonymize fields can be kept.  0, or -1 with a message naming
 * the required fields no input column matches, or the columns that match
 * one field alike (two named exactly as the schema spells the field, or
 * two alike and none exact; for a personal-data field, any two).
 * lineage: 0, or LINEAGE_* flags. */
int mapping_build(struct mapping *m, const struct schema *s, const struct header *in,
	const char *file, int have_key, int lineage);
void mapping_release(struct mapping *m);

#endif
