/* The fields of a CSV record's text as the reader accepted it
 * (reader_copy_raw): for a command that read only some of its fields and
 * needs the rest after all, without reading the record again. */
#ifndef CIVIC_CSV_SPLIT_H
#define CIVIC_CSV_SPLIT_H

#include <stddef.h>
#include "record.h"

/* raw[0..n) is one accepted record without its line break; out gets its
 * fields, unquoted ("" inside a quoted field is one quote). */
void csv_split_raw(const char *raw, size_t n, int delim, struct record *out);

#endif
