/* civic-ingest --describe: profile the input and print a draft schema
 * (JSON) with each column's inferred type, date formats, empty count and
 * sample values, for the user to edit into a real schema. */
#ifndef CIVIC_DESCRIBE_H
#define CIVIC_DESCRIBE_H

#include <stddef.h>
#include "reader.h"

/* Reads up to sample records (0: all); returns an exit status. */
int describe_run(char **files, size_t nfiles, const struct reader_opts *opts, const char *output,
	unsigned long sample);

#endif
