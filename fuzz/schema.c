/* The schema loader: any bytes either load as a schema or fail with a
 * message; a loaded schema is whole (every field named, typed, sourced by
 * names that fold to something, its checks between date fields that exist,
 * its Excel window forward). */
#include "fuzz.h"

#include "error.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schema s;
	struct fuzz_file f;

	civic_set_progname("schema");
	fuzz_file_open(&f, data, size);
	memset(&s, 0, sizeof(s));
	if (schema_load(&s, f.path) == 0) {
		for (size_t i = 0; i < s.nfields; i++) {
			const struct schema_field *fl = &s.fields[i];
			if (!fl->name || !field_type_name(fl->type))
				abort();
			for (size_t j = 0; j < fl->nfrom; j++)
				if (!fl->from[j] || !fl->from[j][0] || !fl->exact[j])
					abort();
			if (fl->not_before >= (long)s.nfields || fl->not_before == (long)i ||
			    (fl->not_before >= 0 && ((fl->type != FT_DATE && fl->type != FT_DATETIME) ||
			     (s.fields[fl->not_before].type != FT_DATE &&
			      s.fields[fl->not_before].type != FT_DATETIME))))
				abort();
			if (fl->window_min > fl->window_max || fl->serial_min < 1)
				abort();
		}
		schema_release(&s);
	}
	fuzz_file_close(&f);
	return 0;
}
