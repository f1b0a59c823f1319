/* Writing records as CSV (RFC 4180, LF, quoted only where needed, UTF-8
 * without BOM) or NDJSON (one object per line, keys in header order, values
 * typed by the header's column types).
 *
 * Writes go through stdio; writer_record() returns -1 as soon as the stream
 * reports an error, so a command stops early on a full disk.  The final
 * check is output_close()'s. */
#ifndef CIVIC_WRITER_H
#define CIVIC_WRITER_H

#include <stdio.h>
#include "format.h"
#include "record.h"

struct writer {
	FILE *fp;
	enum format format;
	struct header header;
	struct sbuf line;            /* reused per record */
};

void writer_init(struct writer *w, FILE *fp, enum format format);
void writer_release(struct writer *w);
/* Sets the columns; CSV writes the header row now. */
int writer_header(struct writer *w, const struct header *h);
int writer_record(struct writer *w, const struct record *rec);
/* Writes n values given as C strings (NULL is an empty field). */
int writer_values(struct writer *w, const char *const *values, size_t n);

/* Appenders used by the writer and by anything else that emits CSV/JSON. */
void csv_append_field(struct sbuf *b, const char *s, size_t n);
void json_append_string(struct sbuf *b, const char *s, size_t n);
/* As json_append_string, for text that may not be valid UTF-8 (raw rejected
 * records): each byte outside valid UTF-8 is written as \u00XX, its value. */
void json_append_raw_text(struct sbuf *b, const char *s, size_t n);
/* 1 when s is a number as JSON writes it (so it can go out unquoted). */
int json_text_is_number(const char *s, size_t n);

#endif
