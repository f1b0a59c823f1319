/* The reference CSV engine over libcsv: see csv_engine.h for the rules it
 * must share with csv_scan.c. */
#include "csv_engine.h"
#include "error.h"

int csv_libcsv_next(struct csv_engine_state *st, struct record *rec, struct reject *why)
{
	(void)rec;
	(void)why;
	civic_warn("%s: the libcsv reference engine is not available in this build", st->name);
	return READ_FATAL;
}

void csv_libcsv_release(struct csv_engine_state *st)
{
	(void)st;
}
