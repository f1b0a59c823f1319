/* The partial reader (civic-tally --merge, partial.h): any bytes are merged
 * or refused with a message, never a crash, and what merges is tabled,
 * intervals and all, and written again as a partial.  Option byte: bit 0
 * asks for intervals and design effects, bit 1 for --total, bit 2 writes
 * the merged state as a partial, which must merge and table to the same
 * bytes.
 *
 * A partial may claim any number of rows.  Memory does not grow with them
 * (a run stays one entry, survey.h), but time does: a survey quantile adds
 * each claimed row's weight, and its interval each row's sums, as R does,
 * so inputs whose groups claim more than MAX_ROWS rows are left out: they
 * cost time by design, not by a bug. */
#include "fuzz.h"

#include <jansson.h>

#include "crosstab.h"
#include "error.h"
#include "partial.h"

enum { MAX_ROWS = 100000 };

/* 1 when some line's "n" (or a source's "used") claims more than MAX_ROWS. */
static int claims_too_many(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *o = json_loadb(p, len, 0, NULL);
		json_t *n = json_object_get(o, "n"), *src = json_object_get(o, "src"), *s;
		size_t i;
		int big = json_is_integer(n) && json_integer_value(n) > MAX_ROWS;
		json_array_foreach(src, i, s)
			big |= json_integer_value(json_object_get(s, "used")) > MAX_ROWS;
		json_decref(o);
		if (big)
			return 1;
		p += len + 1;
	}
	return 0;
}

/* Merges the partial at path into a fresh tally and tables it into *out
 * (malloc'd): 0, or -1 when refused.  With opt bit 2 and again, the merged
 * state also goes through a partial once more (a memory file), and must
 * merge and table to the same bytes. */
static int merge_and_table(const char *path, unsigned opt, int again, char **out, size_t *outlen)
{
	struct partial_in p;
	struct agg_spec spec;
	struct agg a;
	char err[512];
	int rc = -1;

	memset(&a, 0, sizeof(a));
	*out = NULL;
	*outlen = 0;
	if (partial_open(&p, path) < 0)
		return -1;
	if (partial_spec(&p, &spec) < 0) {
		partial_spec_free(&spec);
		partial_close(&p);
		return -1;
	}
	spec.total = opt & 2 ? 1 : 0;
	if (agg_init(&a, &spec, err, sizeof(err)) == 0 && partial_merge(&p, &a) == 0) {
		char *copy = NULL;
		size_t copylen = 0;
		int copied = -2;
		rc = 0;
		if (again && (opt & 4)) {
			FILE *mem = tmpfile();
			char again_path[32];
			if (!mem || partial_write(mem, &a, NULL) < 0 || fflush(mem) != 0)
				abort();
			snprintf(again_path, sizeof(again_path), "/dev/fd/%d", fileno(mem));
			copied = merge_and_table(again_path, opt, 0, &copy, &copylen);
			fclose(mem);
		}
		struct crosstab_opts co = { (opt & 1) && spec.survey, CI_NONE, CI_NONE, 0.95,
			(opt & 1) && spec.survey, -1, NULL, NULL, NULL, TALLY_TEST_NONE };
		FILE *table = open_memstream(out, outlen);
		struct writer w;
		if (!table)
			abort();
		if (agg_finish(&a, err, sizeof(err)) == 0 &&
		    (!a.design || !co.ci || svy_design_check_lonely(a.design) == 0)) {
			writer_init(&w, table, FMT_CSV);
			crosstab_write(&a, &co, &w);
			writer_release(&w);
		}
		fclose(table);
		if (copied != -2 && (copied != 0 || copylen != *outlen || memcmp(copy, *out, copylen) != 0)) {
			fprintf(stderr, "merged once:\n%.*s\nthrough a partial again:\n%.*s\n",
				(int)*outlen, *out, (int)copylen, copy ? copy : "");
			abort();
		}
		free(copy);
	}
	agg_release(&a);
	partial_spec_free(&spec);
	partial_close(&p);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_file f;

	civic_set_progname("partial");
	unsigned opt = fuzz_byte(&data, &size);
	if (claims_too_many(data, size))
		return 0;
	char *table;
	size_t len;
	fuzz_file_open(&f, data, size);
	merge_and_table(f.path, opt, 1, &table, &len);
	free(table);
	fuzz_file_close(&f);
	return 0;
}
