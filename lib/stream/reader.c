/* One input file as records: format detection, header, and the CSV and
 * NDJSON record readers.  The CSV engines live in csv_scan.c (the fast
 * path) and csv_libcsv.c (the reference); both fill a record from the
 * source and report where a bad record ends so reading resumes there. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "csv_engine.h"
#include "encoding_auto.h"
#include "error.h"
#include "json_input.h"
#include "reader.h"
#include "reader_workbook.h"
#include "trim.h"
#include "utf8.h"
#include "xalloc.h"

enum { DEFAULT_MAX_FIELD = 16 * 1024 * 1024 };

struct reader {
	struct source src;
	struct reader_opts opts;
	struct header header;
	enum format format;
	char *name;
	unsigned long line;            /* physical lines consumed so far */
	struct csv_engine_state csv;
	struct json_input json;
	struct reader_wb *wb;          /* a workbook's sheet, else NULL */
};

static int skip_bom(struct reader *r)
{
	struct source *s = &r->src;

	while (s->len < 3 && !s->eof)
		if (source_more(s, 0) < 0)
			return -1;
	if (s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0)
		s->pos = 3;
	return 0;
}

/* The first byte that is not white space decides: { or [ is JSON. */
static int detect_format(struct reader *r)
{
	struct source *s = &r->src;
	size_t i = s->pos;

	for (;;) {
		for (; i < s->len; i++) {
			char c = s->buf[i];
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
				continue;
			return c == '{' ? FMT_NDJSON : c == '[' ? FMT_NDJSON : FMT_CSV;
		}
		if (s->eof)
			return FMT_CSV;
		if (source_more(s, 0) < 0)
			return -1;
	}
}

static const struct header *sorting_header;

static int by_name_then_index(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sorting_header->names[i], sorting_header->names[j]);

	return c ? c : (i > j) - (i < j);
}

/* The first column whose name an earlier one has, or n; *first gets the
 * earlier one.  Sorting keeps this O(n log n): a header may be very wide. */
static size_t first_duplicate(const struct header *h, size_t *first)
{
	size_t *idx = xmalloc((h->n ? h->n : 1) * sizeof(*idx)), dup = h->n;

	for (size_t i = 0; i < h->n; i++)
		idx[i] = i;
	sorting_header = h;
	qsort(idx, h->n, sizeof(*idx), by_name_then_index);
	for (size_t k = 1; k < h->n; k++)
		if (idx[k] < dup && strcmp(h->names[idx[k]], h->names[idx[k - 1]]) == 0) {
			size_t g = k - 1;
			while (g > 0 && strcmp(h->names[idx[g - 1]], h->names[idx[k]]) == 0)
				g--;
			dup = idx[k];
			*first = idx[g];
		}
	free(idx);
	return dup;
}

static int check_header_names(struct reader *r)
{
	size_t dup, first = 0;

	for (size_t i = 0; i < r->header.n; i++) {
		if (r->header.names[i][0] == '\0') {
			civic_warn_at(r->name, 1, "column %zu has an empty name in the header", i + 1);
			return -1;
		}
		/* Else a file with CR-only line ends reads as one long header and no rows. */
		if (strchr(r->header.names[i], '\r')) {
			civic_warn_at(r->name, 1, "column %zu's name holds a carriage return "
				"(if the line ends are CR only, convert them to LF)", i + 1);
			return -1;
		}
	}
	dup = first_duplicate(&r->header, &first);
	if (dup < r->header.n) {
		civic_warn_at(r->name, 1, "duplicate column name '%s' (columns %zu and %zu)",
			r->header.names[dup], first + 1, dup + 1);
		return -1;
	}
	return 0;
}

static void add_trimmed_name(struct header *h, const char *s, size_t n)
{
	trim_blanks(&s, &n);
	char *name = xstrndup(s, n);
	header_add(h, name, COL_STRING);
	free(name);
}

static int read_csv_header(struct reader *r)
{
	struct record rec;
	struct reject why;
	int rc;

	rec_init(&rec);
	if (r->opts.delim == 0 && csv_sniff_delimiter(&r->src, &r->opts.delim) < 0)
		return -1;
	csv_engine_init(&r->csv, &r->src, &r->opts, r->name);
	rc = csv_engine_next(&r->csv, &rec, &why, 1);
	if (rc == READ_EOF) {
		civic_warn("%s: no header row (the input is empty)", r->name);
		rc = -1;
	} else if (rc == READ_REJECT) {
		civic_warn_at(r->name, rec.line, "bad header row: %s", why.message);
		rc = -1;
	} else if (rc == READ_OK) {
		size_t bad = utf8_invalid_offset(rec.data.s, rec.data.len);
		char msg[128];
		if (source_describe_decode_error(&r->src, r->csv.record_offset,
		    r->csv.record_offset + (r->csv.rec_end - r->csv.rec_start), msg, sizeof(msg))) {
			civic_warn_at(r->name, rec.line, "header: %s", msg);
			rc = -1;
		} else if (bad < rec.data.len) {
			civic_warn_at(r->name, rec.line, "header is not valid UTF-8%s",
				looks_like_cp1251(rec.data.s, rec.data.len) ? " (try -e cp1251)" : "");
			rc = -1;
		} else {
			for (size_t i = 0; i < rec.nfields; i++)
				add_trimmed_name(&r->header, rec_get(&rec, i), rec_len(&rec, i));
			rc = check_header_names(r);
		}
	} else {
		rc = -1;
	}
	rec_release(&rec);
	return rc;
}

struct reader *reader_open(const char *path, const struct reader_opts *opts)
{
	struct reader *r = xcalloc(1, sizeof(*r));
	int fmt;

	r->opts = *opts;
	if (!r->opts.max_field)
		r->opts.max_field = DEFAULT_MAX_FIELD;
	r->name = xstrdup(!path || strcmp(path, "-") == 0 ? "(standard input)" : path);
	header_init(&r->header);
	unsigned char head[16];
	size_t nhead = 0;
	if (opts->format == FMT_AUTO) {
		int wrc = reader_wb_open(path, r->name, opts->sheet, &r->header, &r->wb, head, &nhead);
		if (wrc < 0) {
			header_release(&r->header);
			free(r->name);
			free(r);
			return NULL;
		}
		if (wrc > 0) {
			r->format = FMT_CSV;
			return r;
		}
	}
	if ((encoding_is_auto(opts->encoding)
	    ? source_open_auto(&r->src, path, r->name,
		opts->fallback_encoding ? opts->fallback_encoding : ENCODING_AUTO_FALLBACK)
	    : source_open(&r->src, path, r->name, opts->encoding)) != 0) {
		header_release(&r->header);
		free(r->name);
		free(r);
		return NULL;
	}
	if (nhead)
		source_unread(&r->src, head, nhead);
	if (skip_bom(r) < 0)
		goto fail;
	fmt = opts->format != FMT_AUTO ? (int)opts->format : detect_format(r);
	if (fmt < 0)
		goto fail;
	r->format = (enum format)fmt;
	if (r->format == FMT_NDJSON) {
		if (json_input_open(&r->json, &r->src, r->name, &r->header, r->opts.max_field) != 0)
			goto fail;
	} else if (read_csv_header(r) != 0) {
		goto fail;
	}
	return r;
fail:
	reader_close(r);
	return NULL;
}

void reader_close(struct reader *r)
{
	if (!r)
		return;
	if (r->wb) {
		reader_wb_close(r->wb);
		header_release(&r->header);
		free(r->name);
		free(r);
		return;
	}
	if (r->format == FMT_NDJSON)
		json_input_close(&r->json);
	csv_engine_release(&r->csv);
	source_close(&r->src);
	header_release(&r->header);
	free(r->name);
	free(r);
}

/* Where in a raw CSV record the first invalid UTF-8 of field k is: one
 * pass that follows the quoting, so the offset is the file's, exactly.
 * n when there is none (only on the rare path of a bad record). */
static size_t raw_invalid_utf8(const char *raw, size_t n, int delim, size_t k)
{
	size_t field = 0, i = 0, len;
	int quoted = 0, at_start = 1;

	while (i < n) {
		unsigned char c = (unsigned char)raw[i];
		if (c >= 0x80) {
			if (utf8_decode(raw + i, n - i, &len) < 0) {
				if (field == k)
					return i;
				len = 1;
			}
			i += len;
			at_start = 0;
			continue;
		}
		if (quoted) {
			if (c == '"' && i + 1 < n && raw[i + 1] == '"')
				i++;
			else if (c == '"')
				quoted = 0;
		} else if (c == '"' && at_start) {
			quoted = 1;
		} else if (c == delim) {
			field++;
			at_start = 1;
			i++;
			continue;
		}
		at_start = 0;
		i++;
	}
	return n;
}

/* The bounds of field k (quotes included) in a raw CSV record. */
static void raw_field(const char *raw, size_t n, int delim, size_t k, size_t *from, size_t *to)
{
	size_t field = 0;
	int quoted = 0, at_start = 1;

	*from = k == 0 ? 0 : n;
	*to = n;
	for (size_t i = 0; i < n; i++) {
		char c = raw[i];
		if (quoted) {
			if (c == '"' && i + 1 < n && raw[i + 1] == '"')
				i++;
			else if (c == '"')
				quoted = 0;
		} else if (c == '"' && at_start) {
			quoted = 1;
		} else if (c == delim) {
			if (field == k) {
				*to = i;
				return;
			}
			if (++field == k)
				*from = i + 1;
			at_start = 1;
			continue;
		}
		at_start = 0;
	}
}

/* The reference engine fills every field: leave the unwanted ones empty,
 * as the scanner does, so both reject the same records. */
static void drop_unwanted(const struct csv_engine_state *st, struct record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++)
		if (i >= st->nwant || !st->want[i]) {
			memset(rec->data.s + rec->fields[i].off, 0, rec->fields[i].len);
			rec->fields[i].len = 0;
		}
}

/* A sequence the decoder skipped rejects its record, even in a column
 * nobody asked for: the file is not what its encoding says. */
static int check_decoded(struct reader *r, struct reject *why)
{
	char msg[128];

	if (!r->src.nbad || !source_describe_decode_error(&r->src, r->csv.record_offset,
	    r->csv.record_offset + (r->csv.rec_end - r->csv.rec_start), msg, sizeof(msg)))
		return READ_OK;
	reject_set(why, "invalid-encoding", "", "%s", msg);
	return READ_REJECT;
}

static int reject_utf8(struct reader *r, const char *field, size_t len, size_t i, struct reject *why)
{
	const char *raw = r->src.buf + r->csv.rec_start;
	size_t at = raw_invalid_utf8(raw, r->csv.rec_end - r->csv.rec_start, r->csv.delim, i);

	reject_set(why, "invalid-utf8", i < r->header.n ? r->header.names[i] : "",
		"invalid UTF-8 at byte %llu%s", r->csv.record_offset + (unsigned long long)at,
		looks_like_cp1251(field, len) ? " (the bytes look like Windows-1251: try -e cp1251)" : "");
	return READ_REJECT;
}

/* want_checks_all: the record's text as read holds the same bytes as its
 * fields but for ASCII quotes, delimiters and line breaks, none of which
 * can start, end or sit inside a multibyte sequence, so the text is valid
 * UTF-8 exactly when every field is, and the first bad field is the same;
 * its quotes do not change what looks_like_cp1251() counts. */
static int check_raw_utf8(struct reader *r, struct reject *why)
{
	const char *raw = r->src.buf + r->csv.rec_start;
	size_t n = r->csv.rec_end - r->csv.rec_start, bad = utf8_invalid_offset(raw, n);
	size_t from, to, i = 0;

	if (bad >= n)
		return READ_OK;
	for (;; i++) {
		raw_field(raw, n, r->csv.delim, i, &from, &to);
		if (to >= bad)
			break;
	}
	return reject_utf8(r, raw + from, to - from, i, why);
}

static int check_csv_record(struct reader *r, struct record *rec, struct reject *why)
{
	size_t bad, i = 0;

	if (check_decoded(r, why) != READ_OK)
		return READ_REJECT;
	if (r->csv.want && r->csv.kind == CSV_ENGINE_LIBCSV)
		drop_unwanted(&r->csv, rec);
	if (r->csv.want && r->opts.want_checks_all) {
		if (check_raw_utf8(r, why) != READ_OK)
			return READ_REJECT;
		bad = rec->data.len;
	} else {
		bad = utf8_invalid_offset(rec->data.s, rec->data.len);
	}
	if (bad < rec->data.len) {
		while (i + 1 < rec->nfields && rec->fields[i + 1].off <= bad)
			i++;
		/* The byte offset in the file, which is what a hex viewer shows. */
		return reject_utf8(r, rec_get(rec, i), rec->fields[i].len, i, why);
	}
	if (rec->nfields != r->header.n) {
		reject_set(why, "field-count", "", "expected %zu fields, found %zu",
			r->header.n, rec->nfields);
		return READ_REJECT;
	}
	return READ_OK;
}

int reader_next(struct reader *r, struct record *rec, struct reject *why)
{
	int rc;

	rec->file = r->name;
	if (r->wb)
		return reader_wb_next(r->wb, rec, why);
	rec->sheet = NULL;
	source_release_passed(&r->src);
	if (r->format == FMT_NDJSON)
		return json_input_next(&r->json, rec, why, r->opts.keep_raw);
	rc = csv_engine_next(&r->csv, rec, why, r->opts.keep_raw);
	if (rc == READ_OK)
		rc = check_csv_record(r, rec, why);
	if (rc == READ_REJECT && !r->opts.keep_raw)
		csv_engine_copy_raw(&r->csv, rec);
	return rc;
}

void reader_copy_raw(struct reader *r, struct record *rec)
{
	/* NDJSON records always carry their line, workbook records their row. */
	if (!r->wb && r->format != FMT_NDJSON && !r->opts.keep_raw)
		csv_engine_copy_raw(&r->csv, rec);
}

void reader_want(struct reader *r, const unsigned char *want, size_t n)
{
	/* Past the last wanted column the scanner only counts fields. */
	while (want && n > 0 && !want[n - 1])
		n--;
	r->csv.want = want;
	r->csv.nwant = want ? n : 0;
}

unsigned long long reader_record_offset(const struct reader *r)
{
	return r->format == FMT_CSV && !r->wb ? r->csv.record_offset : 0;
}

unsigned long long reader_cut_after(struct reader *r, unsigned long long from)
{
	struct source *s = &r->src;
	const char *nl;

	if (r->format != FMT_CSV || r->wb || !s->mapped || r->csv.kind == CSV_ENGINE_LIBCSV ||
	    from < s->pos || from >= s->len)
		return 0;
	nl = memchr(s->buf + from, '\n', s->len - from);
	return nl && (size_t)(nl - s->buf) + 1 < s->len ? (unsigned long long)(nl - s->buf) + 1 : 0;
}

int reader_seek(struct reader *r, unsigned long long offset)
{
	return r->format == FMT_CSV && !r->wb && offset <= SIZE_MAX ? source_seek(&r->src, (size_t)offset) : -1;
}

size_t reader_size(const struct reader *r)
{
	return r->wb ? 0 : r->src.mapped;
}

const struct header *reader_header(const struct reader *r)
{
	return &r->header;
}

enum format reader_format(const struct reader *r)
{
	return r->format;
}

int reader_delim(const struct reader *r)
{
	return r->opts.delim;
}

const char *reader_name(const struct reader *r)
{
	return r->name;
}

const char *reader_where(const struct reader *r)
{
	return r->wb ? reader_wb_where(r->wb) : r->name;
}

const char *reader_sheet(const struct reader *r)
{
	return r->wb ? reader_wb_sheet(r->wb) : NULL;
}

int reader_next_sheet(struct reader *r)
{
	return r->wb ? reader_wb_next_sheet(r->wb, &r->header) : 0;
}

unsigned long reader_empty_rows(const struct reader *r)
{
	return r->wb ? reader_wb_empty_rows(r->wb) : 0;
}
