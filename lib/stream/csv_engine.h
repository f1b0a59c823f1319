/* The CSV record engines behind reader.c.
 *
 * Rules both engines follow (RFC 4180 plus what real exports need):
 * - a field that starts with a quote is quoted: it runs to the matching
 *   quote, "" inside is one quote, and it may hold delimiters and line
 *   breaks; after the closing quote comes a delimiter or the end of the line,
 *   anything else is a bad record;
 * - in an unquoted field a quote is an ordinary character;
 * - records end at LF or CRLF; blank lines are skipped; the last line
 *   may lack its line break, and a CR as the very last byte ends it;
 * - a record whose text (without its line break) is longer than max_field
 *   bytes is a bad record ("record-too-long"), found once the parser has
 *   looked at max_field + 2 bytes of it, so the outcome never depends on
 *   how the input was buffered (pipe or file); a syntax error within
 *   those bytes is reported as itself.  The rest of it is then followed,
 *   quotes and all, without being kept, to where the record really ends
 *   (as it would be read without the limit: a line break outside quotes,
 *   or the end of the line where text follows a closing quote), so a
 *   long quoted field costs one reject and no line of its inside is ever
 *   read as a record.  When the input ends inside its quoted field, the
 *   quote was a stray one: as without the limit, the record is rejected as
 *   "csv-unterminated-quote" up to the end of the line holding that quote
 *   and reading resumes on the next line.  That needs the bytes after the
 *   record's start kept, which they are for max_field + 16 MiB; when the
 *   input runs on further, the record is rejected and the next call fails
 *   (READ_FATAL, with a message): no reader in bounded memory can tell
 *   where records start again.
 * Any other bad record is rejected up to the end of the physical line where
 * the problem was found, and reading resumes on the next line, so one stray
 * quote costs one reject, never the rest of the file.  The raw text of a
 * reject is cut to max_field bytes.
 *
 * The two engines agree on records, rejects (reason included), line
 * numbers and raw text for every input; tests/csv-engines.bats and
 * fuzz/csv_diff.c check it. */
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
	unsigned long unreadable_from; /* a long quoted field never closed began on this line */
	void *libcsv;                  /* the reference engine's parser */
	struct record *libcsv_rec;
	const unsigned char *want;     /* see reader_want(); NULL: every field */
	size_t nwant;
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

/* Shared by both engines (csv_record.c).  csv_engine_reject() rejects the
 * record that began at buf[start] up to the end of the line holding
 * buf[bad_at]; it returns READ_REJECT, READ_FATAL, or 1 when that line
 * has not been read yet (read more, then call again). */
int csv_engine_reject(struct csv_engine_state *st, struct record *rec, size_t start,
	size_t bad_at, const char *reason, const char *message, struct reject *why);
/* Rejects the record at buf[start], longer than max_field, skipping it to
 * its real end (see above): READ_REJECT or READ_FATAL. */
int csv_engine_skip_long(struct csv_engine_state *st, struct record *rec, size_t start, struct reject *why);
unsigned long csv_count_newlines(const char *b, size_t from, size_t to);
/* end without the line break (LF, CRLF, or a final CR) that ends b[start..end). */
size_t csv_text_end(const char *b, size_t start, size_t end);

/* How a record too long to hold is followed to its end without keeping
 * it: the rules above, byte by byte (csv_record.c; the fast engine uses
 * them too, to wait for a record's end before parsing it again). */
enum skip_state { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE, AFTER_QUOTE_CR, TO_LINE_END, RECORD_END };
enum skip_state csv_skip_step(enum skip_state st, char c, int delim);

/* The fast engine (csv_scan.c) and the reference engine over libcsv
 * (csv_libcsv.c), each with csv_engine_next()'s contract. */
int csv_scan_next(struct csv_engine_state *st, struct record *rec, struct reject *why, int keep_raw);
int csv_libcsv_next(struct csv_engine_state *st, struct record *rec, struct reject *why);
void csv_libcsv_release(struct csv_engine_state *st);

#endif
