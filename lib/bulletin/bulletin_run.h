/* Computing a bulletin's indicators: every indicator of an input from one
 * read of its records (one agg each, fed the same record), then each
 * written as its partial and its full table. */
#ifndef CIVIC_BULLETIN_RUN_H
#define CIVIC_BULLETIN_RUN_H

#include "bulletin_def.h"
#include "reader.h"
#include "rejects.h"

struct bulletin_pass {
	struct agg *agg;               /* one per indicator of the bulletin */
	unsigned char *used;           /* agg[i] was tallied */
	unsigned long read, rejected;  /* records of this input */
	int cut_short;                 /* an operand failed to read */
};

/* Tallies the indicators of input `input` over files, each with extra
 * (the period's condition; "" none) among its conditions.  Rejected
 * records go to rj.  0, or an exit status (1 data, 2 a condition naming a
 * column the input lacks is a data error too: 1). */
int bulletin_tally_input(const struct bulletin *b, size_t input, char **files, size_t nfiles,
	const char *extra, const struct reader_opts *ro, struct rejects *rj, struct bulletin_pass *p);

/* Indicator i's partial (for later merges and comparisons) into
 * partial_path (0600), then its table as CSV into table_path.  population:
 * the --population FILE:COLUMN of a rate, or NULL.  0, or -1 after a
 * message. */
int bulletin_write_indicator(const struct bulletin *b, size_t i, struct agg *a, const char *population,
	const char *partial_path, const char *table_path);

/* The table of indicator i from an earlier period's partial, into
 * table_path: 0; 1 when the partial is not there; 2 when it was made by a
 * different definition of the indicator (keys, statistics or conditions);
 * -1 after a message. */
int bulletin_table_from_partial(const struct bulletin *b, size_t i, const char *population,
	const char *partial_path, const char *table_path);

void bulletin_pass_release(const struct bulletin *b, struct bulletin_pass *p);

#endif
