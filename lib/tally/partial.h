/* Partial tallies: the whole aggregate state of a run as NDJSON, so runs
 * over pieces of the data (months, file chunks, machines) merge into the
 * output one run over all of it gives.
 *
 * Line 1:  {"civic_tally_partial":2,"spec":{keys,stats,weight,strata,psu,
 *           fpc,lonely},"options":{…the command's own…},"design":{…}}
 * Then one line per group:
 *          {"key":[…],"n":…,"w":"…","acc":{…},"src":[{…},…]}
 * Exact sums travel as "m/scale" text (xsum.h), doubles in round-trip
 * form, survey sums as survey.h writes them.  Margins and share bases are
 * not stored: they are formed after the merge.
 *
 * Format 2 writes survey sums as exact text; format 1 (long doubles) is
 * still read. */
#ifndef CIVIC_PARTIAL_H
#define CIVIC_PARTIAL_H

#include <stdio.h>
#include "writer.h"
#include "agg.h"

enum { PARTIAL_FORMAT = 2 };

/* Writes a's state (before agg_finish) with the command's options object
 * (borrowed).  0, or -1 when a write failed. */
int partial_write(FILE *fp, struct agg *a, json_t *options);

struct partial_in {
	FILE *fp;
	const char *name;
	unsigned long line;
	char *buf;
	size_t cap;
	json_t *header;                /* line 1, owned */
};

/* Opens path ("-" is standard input) and reads its first line.  0, or -1
 * with a message printed. */
int partial_open(struct partial_in *p, const char *path);
/* As partial_open, over a stream already open (closed by partial_close
 * unless it is stdin); name is for messages. */
int partial_open_stream(struct partial_in *p, FILE *fp, const char *name);
void partial_close(struct partial_in *p);

/* The spec recorded in the header; lists malloc'd (partial_spec_free). */
int partial_spec(const struct partial_in *p, struct agg_spec *spec);
void partial_spec_free(struct agg_spec *spec);
/* The options object of the header (borrowed), or NULL. */
json_t *partial_options(const struct partial_in *p);

/* Merges every group of p into a (agg_init'ed from a spec that agrees).
 * Creates a's design on the first call.  0, or -1 with a message printed. */
int partial_merge(struct partial_in *p, struct agg *a);

#endif
