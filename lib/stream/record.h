/* A record is one row of the stream: an ordered list of fields, all text.
 * A header names the columns and says how NDJSON output writes each one.
 *
 * Fields live in one buffer, each NUL-terminated, so rec_get() returns a
 * C string.  Adding to the record (rec_push, rec_set, rec_begin_field,
 * rec_add_empty_fields) may move the buffer: the string is valid until the
 * next such call or rec_clear(), so keep a field's index, not its pointer.
 * rec_push() and rec_set() may be given a field of the same record (a value
 * copied into another column): they read it before the buffer moves, and
 * rec_set() leaves the replaced bytes in place, so a field's old offset
 * still reads its old value until the record is cleared.  A record is
 * reused from row to row: rec_clear() keeps its memory. */
#ifndef CIVIC_RECORD_H
#define CIVIC_RECORD_H

#include <stddef.h>
#include "sbuf.h"

struct field {
	size_t off, len;       /* into record.data */
};

struct record {
	struct sbuf data;      /* field bytes, each followed by NUL */
	struct field *fields;
	size_t nfields, cap;
	const char *file;      /* display name of the source ("-" is stdin); owned by the reader */
	unsigned long line;    /* physical line (1-based) where the record starts; a workbook's row */
	const char *sheet;     /* a workbook's record: its sheet (owned by the reader); else NULL */
	unsigned first_col;    /* a workbook's record: the sheet column (0 is A) of field 0 */
	struct sbuf raw;       /* the record's text as read, for the rejects stream */
};

void rec_init(struct record *r);
void rec_release(struct record *r);
void rec_clear(struct record *r);            /* nfields = 0, keeps raw/file/line */
void rec_push(struct record *r, const char *p, size_t n);
/* Starts a field whose bytes the caller appends with sbuf_add(&r->data, …),
 * then closes with rec_end_field(). */
void rec_grow_fields(struct record *r);

static inline void rec_begin_field(struct record *r)
{
	if (r->nfields == r->cap)
		rec_grow_fields(r);
	r->fields[r->nfields].off = r->data.len;
}

static inline void rec_end_field(struct record *r)
{
	struct field *f = &r->fields[r->nfields++];

	f->len = r->data.len - f->off;
	sbuf_addc(&r->data, '\0');
}
/* n empty fields at once, all sharing one NUL byte. */
void rec_add_empty_fields(struct record *r, size_t n);
void rec_set(struct record *r, size_t i, const char *p, size_t n); /* replace field i (i < nfields) */
void rec_copy(struct record *dst, const struct record *src);

static inline const char *rec_get(const struct record *r, size_t i)
{
	return i < r->nfields ? r->data.s + r->fields[i].off : "";
}

static inline size_t rec_len(const struct record *r, size_t i)
{
	return i < r->nfields ? r->fields[i].len : 0;
}

/* How a column is written as NDJSON.  CSV output ignores the type. */
enum coltype {
	COL_STRING,            /* always a JSON string ("007" stays "007") */
	COL_NUMBER,            /* a JSON number; empty is null */
	COL_BOOL,              /* true/false; empty is null */
};

struct header {
	size_t n, cap;
	char **names;
	enum coltype *types;
};

void header_init(struct header *h);
void header_release(struct header *h);
void header_add(struct header *h, const char *name, enum coltype type);
void header_copy(struct header *dst, const struct header *src);
/* Index of the column called name (exact match), or -1. */
long header_find(const struct header *h, const char *name);
/* 1 when both have the same names in the same order. */
int header_equal(const struct header *a, const struct header *b);

#endif
