/* Choosing the CSV engine for a file (CIVIC_CSV_ENGINE, reader options)
 * and handing each record to it. */
#include <stdlib.h>
#include <string.h>

#include "csv_engine.h"
#include "error.h"

void csv_engine_init(struct csv_engine_state *st, struct source *src,
	const struct reader_opts *opts, const char *name)
{
	const char *env = getenv("CIVIC_CSV_ENGINE");

	memset(st, 0, sizeof(*st));
	st->src = src;
	st->name = name;
	st->delim = opts->delim ? opts->delim : ',';
	st->max_field = opts->max_field;
	st->kind = opts->engine;
	if (st->kind == CSV_ENGINE_DEFAULT && env && strcmp(env, "libcsv") == 0)
		st->kind = CSV_ENGINE_LIBCSV;
}

void csv_engine_release(struct csv_engine_state *st)
{
	if (st->kind == CSV_ENGINE_LIBCSV)
		csv_libcsv_release(st);
}

int csv_engine_next(struct csv_engine_state *st, struct record *rec, struct reject *why, int keep_raw)
{
	if (st->unreadable_from) {
		civic_warn_at(st->name, st->unreadable_from, "a quoted field in this record is never "
			"closed, and the input runs on for more than --max-field plus 16 MiB after it: "
			"where the next records start cannot be told (fix the quote, or raise --max-field)");
		st->unreadable_from = 0;
		st->src->pos = st->src->len;
		return READ_FATAL;
	}
	if (st->kind == CSV_ENGINE_LIBCSV) {
		int rc = csv_libcsv_next(st, rec, why);
		if (rc == READ_OK && keep_raw)
			csv_engine_copy_raw(st, rec);
		return rc;
	}
	return csv_scan_next(st, rec, why, keep_raw);
}
