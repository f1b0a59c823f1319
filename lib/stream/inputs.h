/* The operands of a command read as one stream: each file in turn ("-" or
 * no operand at all is standard input), concatenated when their headers
 * agree.  A file that will not open, or whose header differs from the
 * first file's, is reported (naming both files) and skipped; the command
 * carries on, counts it (inputs.skipped) and inputs.failed makes it exit 1
 * at the end, committing no output: what it wrote would look like the
 * whole input. */
#ifndef CIVIC_INPUTS_H
#define CIVIC_INPUTS_H

#include "reader.h"

/* Told each operand's header before its first record: 0 takes the
 * operand, -1 (after a message) skips it as a header that differs would be. */
typedef int inputs_header_fn(void *ctx, const struct header *h, const char *name);

struct inputs {
	char **paths;
	size_t npaths, next;
	struct reader_opts opts;
	struct reader *cur;
	struct header header;        /* the first file's header */
	char *first_name;
	int have_header;
	int failed;                  /* some operand could not be read */
	unsigned long skipped;       /* operands left out: unopenable, unreadable header, other header */
	unsigned long empty_rows;    /* rows of empty cells the workbooks' sheets passed over */
	unsigned long sheets_passed; /* with --sheet '*': sheets whose header was not taken */
	int on_sheet;                /* the header on_header is told is a workbook sheet's */
	int cut_short;               /* an operand broke off mid-read (an I/O error) */
	enum format format;          /* the first file's format */
	const unsigned char *want;   /* see inputs_want() */
	size_t nwant;
	inputs_header_fn *on_header; /* see inputs_on_header() */
	void *on_header_ctx;
};

/* paths/npaths from argv after option parsing; npaths 0 means stdin. */
void inputs_init(struct inputs *in, char **paths, size_t npaths, const struct reader_opts *opts);
/* Each operand's header goes to fn instead of being compared with the
 * first one's: a command that maps every header on its own (civic-ingest
 * with a schema) takes operands whose columns differ.  Any source of a
 * header (a CSV file, NDJSON, a workbook's sheet) goes through here.
 * Call before inputs_start(). */
void inputs_on_header(struct inputs *in, inputs_header_fn *fn, void *ctx);
/* Opens operands until one yields a header; 0 on success, -1 if none could. */
int inputs_start(struct inputs *in);
/* As reader_want(), for every operand (they share the first one's header). */
void inputs_want(struct inputs *in, const unsigned char *want, size_t n);
/* As reader_copy_raw(), for the record inputs_next() just returned. */
void inputs_copy_raw(struct inputs *in, struct record *rec);
/* As reader_next(), moving on to the next operand at the end of each. */
int inputs_next(struct inputs *in, struct record *rec, struct reject *why);
void inputs_release(struct inputs *in);
/* reader_record_offset() of the record inputs_next() just returned. */
unsigned long long inputs_record_offset(const struct inputs *in);

#endif
