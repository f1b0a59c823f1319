/* The CSV record engines behind reader.c.
 *
 * Rules both engines follow (RFC 4180 plus what real exports need):
 * - a field that starts with a quote is quoted: it runs to the matching
 *   quote, "" inside is one quote, and it may hold delimiters and line
 *   breaks; after the closing quote comes a delimiter or the end of the line,
 *   anything else is a bad record;
 * - in an unquoted field a quote is an ordinary character;
 * - records end at LF or CRLF; blank lines are skipped; the last line
 *   may lack its line break;
 * - a record longer than max_field bytes is a bad record.
 * A bad record is rejected up to the end of the physical line where the
 * problem was found, and reading resumes on the next line, so one stray
 * quote costs one reject, never the rest of the file. */
#ifndef CIVIC_CSV_ENGINE_H
#define CIVIC_CSV_ENGINE_H

#include "reader.h"
#include "source.h"

struct csv_engine_state {
	struct source *src;
	const char *name;
	int delim;
	size_t max_field;
	enum csv_engine kind;
	unsigned long line;            /* physical lines consumed so far */
	unsigned long long record_offset; /* stream offset where the last record began */
	size_t rec_start, rec_end;     /* the last record's bytes in src->buf */
	int raw_truncated;
	void *libcsv;                  /* the reference engine's parser */
	struct record *libcsv_rec;
};

/* Looks at the first line: the candidate among , ; TAB | that occurs most
 * outside quotes wins; none at all means ','. */
int csv_sniff_delimiter(struct source *src, int *delim);

void csv_engine_init(struct csv_engine_state *st, struct source *src,
	const struct reader_opts *opts, const char *name);
void csv_engine_release(struct csv_engine_state *st);
/* READ_OK, READ_EOF, READ_REJECT (why filled) or READ_FATAL. */
int csv_engine_next(struct csv_engine_state *st, struct record *rec, struct reject *why, int keep_raw);
/* The last record's text into rec->raw (valid until the next call). */
void csv_engine_copy_raw(struct csv_engine_state *st, struct record *rec);

/* The reference engine over libcsv, same contract (csv_libcsv.c). */
int csv_libcsv_next(struct csv_engine_state *st, struct record *rec, struct reject *why);
void csv_libcsv_release(struct csv_engine_state *st);

#endif
