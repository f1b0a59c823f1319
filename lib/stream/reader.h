/* Reading one input file as a stream of records, whatever its format.
 *
 * reader_open() detects the format (a first non-blank byte '{' or '[' means
 * NDJSON or a JSON array of objects, anything else CSV), strips a UTF-8 BOM,
 * converts from the named encoding to UTF-8, sniffs the CSV delimiter among
 * , ; TAB | from the header line, and reads the header (names trimmed;
 * an empty or duplicate name is an error that names it).
 *
 * Each reader_next() yields one record or one reject; a bad record costs one
 * reject, never the rest of the file.  Memory is bounded by the longest
 * record (and by max_field): nothing is kept from row to row, except for a
 * JSON array input, which is loaded whole.
 *
 * A workbook (.xlsx, .ods, .xls), told by its content, is read as records
 * by reader_workbook.c: its rows become records with the sheet's row
 * number as their line, and rec->sheet and rec->first_col set, so rejects
 * name the cell. */
#ifndef CIVIC_READER_H
#define CIVIC_READER_H

#include <stddef.h>
#include "format.h"
#include "record.h"
#include "reject.h"

/* Which CSV scanner to use.  Both accept exactly the same inputs (a
 * differential test checks it); libcsv is the reference, scan the fast path.
 * CIVIC_CSV_ENGINE=libcsv|scan in the environment overrides the default. */
enum csv_engine {
	CSV_ENGINE_DEFAULT = 0,
	CSV_ENGINE_SCAN,
	CSV_ENGINE_LIBCSV,
};

struct reader_opts {
	enum format format;          /* FMT_AUTO: detect */
	int delim;                   /* 0: sniff */
	const char *encoding;        /* NULL or "utf-8": no conversion; "auto": chosen per file */
	const char *fallback_encoding;  /* the 8-bit one "auto" may choose; NULL: cp1251 */
	size_t max_field;            /* bytes; 0: default 16 MiB */
	enum csv_engine engine;
	int keep_raw;                /* fill record.raw for every record (else see reader_copy_raw) */
	int want_checks_all;
	const char *sheet;           /* a workbook's sheet: NULL the first, a name, a 1-based number, "*" all */         /* with reader_want(), still check every field's UTF-8 */
};

struct reader;

/* path "-" or NULL is standard input.  On failure prints a message and
 * returns NULL (a file that will not open, an unreadable header). */
struct reader *reader_open(const char *path, const struct reader_opts *opts);
void reader_close(struct reader *r);

enum {
	READ_EOF = 0,
	READ_OK = 1,
	READ_REJECT = -1,            /* rec->line and rec->raw describe the record, why says what is wrong */
	READ_FATAL = -2,             /* I/O error; message already printed */
};
int reader_next(struct reader *r, struct record *rec, struct reject *why);

/* Only the fields with want[i] set (i < n) need their text: the others
 * may be left empty, which spares copying and checking them.  Records are
 * still checked whole for their structure and field count.  want must
 * outlive the reader; NULL asks for every field again. */
void reader_want(struct reader *r, const unsigned char *want, size_t n);
/* A command that passes records on whole (their text, reader_copy_raw)
 * while it reads only some fields sets want_checks_all: a record with
 * invalid UTF-8 in a field it left empty is rejected all the same, with
 * the same reason and message. */
/* Fills rec->raw with the text of the record reader_next() just returned,
 * for a command that rejects it after reading (cheaper than keep_raw). */
void reader_copy_raw(struct reader *r, struct record *rec);

const struct header *reader_header(const struct reader *r);
enum format reader_format(const struct reader *r);
int reader_delim(const struct reader *r);
const char *reader_name(const struct reader *r);   /* "-" shows as "(standard input)" */
/* For messages about the header: the name, or "file.xlsx:Sheet1". */
const char *reader_where(const struct reader *r);
/* A workbook's sheet being read, or NULL. */
const char *reader_sheet(const struct reader *r);
/* With sheet "*": on to the next sheet that has a header (1), none left (0),
 * or one that could not be read (-1, after a message).  0 for other inputs. */
int reader_next_sheet(struct reader *r);
/* Rows of empty cells a workbook's sheet passed over so far. */
unsigned long reader_empty_rows(const struct reader *r);

/* Where the record reader_next() last returned began, as a byte offset
 * (CSV; 0 otherwise). */
unsigned long long reader_record_offset(const struct reader *r);
/* For cutting a mapped CSV file (read by the fast engine) in two: the
 * offset just past the first line feed at or after `from`, or 0 when there
 * is none short of the end, or the input is not such a file.  The cut may
 * fall inside a quoted field: whoever reads from it must be checked. */
unsigned long long reader_cut_after(struct reader *r, unsigned long long from);
/* Moves a mapped CSV reader forward to offset (a cut); 0, or -1. */
int reader_seek(struct reader *r, unsigned long long offset);
/* The size of a mapped input; 0 when it is read, not mapped. */
size_t reader_size(const struct reader *r);

#endif
