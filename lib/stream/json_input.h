/* NDJSON (one object per line) and JSON-array input for reader.c.
 *
 * The first object's keys, in order, are the header; a key's JSON type in
 * that object sets the column type (number, boolean, else string).  Later
 * objects may omit keys (empty fields) but a key the header lacks is a
 * rejected record, as is a line that is not one JSON object.  Nested
 * values are kept as compact JSON text.  A JSON array of objects is loaded
 * whole (memory grows with it); its "line" numbers are element numbers.
 * A line longer than max_line bytes is rejected unread, so memory stays
 * bounded by max_line whatever the input. */
#ifndef CIVIC_JSON_INPUT_H
#define CIVIC_JSON_INPUT_H

#include <jansson.h>
#include "reader.h"
#include "source.h"

struct json_input {
	struct source *src;
	const char *name;
	struct header *header;
	unsigned long line;
	json_t *array;                 /* a JSON array input, else NULL */
	size_t next_elem;
	json_t *pending;               /* the first object, read to build the header */
	unsigned long pending_line;
	struct sbuf pending_raw;
	struct sbuf text;
	size_t max_line;               /* longer lines are rejects (record-too-long) */
	int too_long;                  /* the line in text was cut at max_line */
	unsigned long long from, to;   /* where the line in text is in the (converted) stream */
};

int json_input_open(struct json_input *in, struct source *src, const char *name, struct header *header,
	size_t max_line);
void json_input_close(struct json_input *in);
int json_input_next(struct json_input *in, struct record *rec, struct reject *why, int keep_raw);

#endif
