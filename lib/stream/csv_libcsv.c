/* The reference CSV engine over libcsv: see csv_engine.h for the rules it
 * shares with csv_scan.c.
 *
 * libcsv is fed one physical line at a time without its line break, in
 * strict mode, trimming nothing and taking only LF as a terminator.  After
 * each line the driver decides what the line break was: text inside an open
 * quoted field (fed as it is), or the end of the record (fed as one LF).
 * Where libcsv and our rules part, the driver steps in:
 * - strict libcsv refuses a quote inside an unquoted field, which for us is
 *   text: that one quote is fed with strict mode off;
 * - libcsv counts no lines and has no length limit: the driver counts lines,
 *   looks at no more than max_field + 2 bytes of a record, and hands a
 *   longer one to csv_engine_skip_long(), as the scanner does;
 * - csv_fini() is never called: it clears errors and flushes half-read rows.
 * After a bad record the parser is rebuilt, so nothing of it leaks into the
 * next one. */
#include <csv.h>
#include <stdint.h>
#include <string.h>

#include "csv_engine.h"
#include "error.h"
#include "xalloc.h"

#if CSV_MAJOR != 3
#error "csv_libcsv.c reads the parser state of libcsv 3"
#endif

/* libcsv 3 (libcsv.c) names its states ROW_NOT_BEGUN 0, FIELD_NOT_BEGUN 1,
 * FIELD_BEGUN 2, FIELD_MIGHT_HAVE_ENDED 3; struct csv_parser is public. */
enum { LIBCSV_FIELD_BEGUN = 2 };
enum { STRICT = CSV_STRICT };

struct libcsv {
	struct csv_parser p;
	struct record *rec;
};

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static int lf_only(unsigned char c)
{
	return c == '\n';
}

static void on_field(void *s, size_t len, void *data)
{
	struct libcsv *lc = data;

	rec_push(lc->rec, len ? s : "", len);
}

static void parser_start(struct libcsv *lc, int delim)
{
	csv_init(&lc->p, STRICT);
	csv_set_delim(&lc->p, (unsigned char)delim);
	csv_set_space_func(&lc->p, no_space);
	csv_set_term_func(&lc->p, lf_only);
	csv_set_realloc_func(&lc->p, xrealloc);
}

static struct libcsv *engine(struct csv_engine_state *st)
{
	if (!st->libcsv) {
		struct libcsv *lc = xcalloc(1, sizeof(*lc));
		parser_start(lc, st->delim);
		st->libcsv = lc;
	}
	return st->libcsv;
}

static void parser_reset(struct csv_engine_state *st)
{
	struct libcsv *lc = st->libcsv;

	csv_free(&lc->p);
	parser_start(lc, st->delim);
}

static int in_quotes(const struct libcsv *lc)
{
	return lc->p.pstate == LIBCSV_FIELD_BEGUN && lc->p.quoted;
}

/* Feeds b[0..n); returns n, or the offset of the byte libcsv refused. */
static size_t feed(struct libcsv *lc, const char *b, size_t n)
{
	size_t done = 0;

	/* libcsv grows its field buffer by blk_size: make that geometric. */
	if (csv_get_buffer_size(&lc->p) > 128)
		csv_set_blk_size(&lc->p, csv_get_buffer_size(&lc->p));
	while (done < n) {
		done += csv_parse(&lc->p, b + done, n - done, on_field, NULL, lc);
		if (done == n)
			break;
		if (csv_error(&lc->p) != CSV_EPARSE || b[done] != '"')
			return done;
		/* A quote inside an unquoted field is text (csv_engine.h). */
		csv_set_opts(&lc->p, 0);
		csv_parse(&lc->p, b + done, 1, on_field, NULL, lc);
		csv_set_opts(&lc->p, STRICT);
		done++;
	}
	return n;
}

/* Rejects the record at buf[s->pos] up to the end of the line holding the
 * byte bad bytes further on, reading on as far as that needs. */
static int reject(struct csv_engine_state *st, struct record *rec, size_t bad,
	const char *reason, const char *message, struct reject *why)
{
	struct source *s = st->src;
	int rc;

	parser_reset(st);
	while ((rc = csv_engine_reject(st, rec, s->pos, s->pos + bad, reason, message, why)) == 1)
		if (source_more(s, s->pos) < 0)
			return READ_FATAL;
	return rc;
}

static int too_long(struct csv_engine_state *st, struct record *rec, struct reject *why)
{
	parser_reset(st);
	return csv_engine_skip_long(st, rec, st->src->pos, why);
}

static int text_after_quote(struct csv_engine_state *st, struct record *rec, size_t at,
	struct reject *why)
{
	struct libcsv *lc = st->libcsv;

	if (csv_error(&lc->p) != CSV_EPARSE) {
		civic_warn("%s: %s", st->name, csv_strerror(csv_error(&lc->p)));
		return READ_FATAL;
	}
	return reject(st, rec, at, "csv-text-after-quote", "text after the closing quote of a field", why);
}

/* The record's bytes run past what the parser may see: a syntax error in
 * them still counts as itself, as it does for the scanner. */
static int past_limit(struct csv_engine_state *st, struct record *rec, size_t line,
	size_t lim, struct reject *why)
{
	struct libcsv *lc = st->libcsv;
	const char *b = st->src->buf + st->src->pos;

	/* A CR at the edge may start a CRLF: the scanner waits for the next byte. */
	if (lim > line && b[lim - 1] == '\r')
		lim--;
	size_t bad = feed(lc, b + line, lim - line);
	if (bad < lim - line)
		return text_after_quote(st, rec, line + bad, why);
	return too_long(st, rec, why);
}

static int record_done(struct csv_engine_state *st, struct record *rec, size_t text,
	size_t end, struct reject *why)
{
	struct source *s = st->src;
	struct libcsv *lc = st->libcsv;

	feed(lc, "\n", 1);
	if (text > st->max_field)
		return too_long(st, rec, why);
	st->rec_start = s->pos;
	st->rec_end = s->pos + end;
	st->line += csv_count_newlines(s->buf, s->pos, s->pos + end);
	s->pos += end;
	return READ_OK;
}

/* Reads the record that starts at buf[s->pos], line by line.  Offsets are
 * from the record's start, since reading more may move the buffer. */
static int read_record(struct csv_engine_state *st, struct record *rec, struct reject *why)
{
	struct source *s = st->src;
	struct libcsv *lc = st->libcsv;
	size_t view = st->max_field > SIZE_MAX - 2 ? SIZE_MAX : st->max_field + 2;
	size_t line = 0, quote_line = 0, searched = 0;

	for (;;) {
		const char *b = s->buf + s->pos;
		size_t avail = s->len - s->pos;
		size_t lim = avail > view ? view : avail;
		/* The search for the line feed goes on from where the last read
		 * left it: a long line read a few bytes at a time is searched
		 * once, not once per read. */
		const char *nl = memchr(b + searched, '\n', lim - searched);
		if (!nl && lim < avail)
			return past_limit(st, rec, line, lim, why);
		if (!nl && !s->eof) {
			searched = lim;
			if (source_more(s, s->pos) < 0)
				return READ_FATAL;
			continue;
		}
		size_t end = nl ? (size_t)(nl - b) + 1 : avail;
		size_t text = csv_text_end(b, line, end);
		int was_quoted = in_quotes(lc);
		size_t nfields = rec->nfields;
		size_t bad = feed(lc, b + line, text - line);
		if (bad < text - line)
			return text_after_quote(st, rec, line + bad, why);
		if (!in_quotes(lc))
			return record_done(st, rec, text, end, why);
		if (!was_quoted || rec->nfields != nfields)
			quote_line = line;
		if (!nl)
			return reject(st, rec, quote_line, "csv-unterminated-quote", "quoted field is never closed", why);
		feed(lc, b + text, end - text);  /* the line break belongs to the field */
		line = searched = end;
	}
}

/* Skips blank lines: LF, CRLF, or a CR that is the last byte. */
static int skip_blank(struct csv_engine_state *st)
{
	struct source *s = st->src;

	for (;;) {
		while (s->len - s->pos < 2 && !s->eof)
			if (source_more(s, s->pos) < 0)
				return READ_FATAL;
		size_t left = s->len - s->pos;
		const char *b = s->buf + s->pos;
		if (left == 0)
			return READ_EOF;
		size_t cr = b[0] == '\r';
		if (cr < left && b[cr] == '\n')
			s->pos += cr + 1;
		else if (cr && left == 1)
			s->pos += 1;
		else
			return READ_OK;
		st->line++;
	}
}

int csv_libcsv_next(struct csv_engine_state *st, struct record *rec, struct reject *why)
{
	struct libcsv *lc = engine(st);
	int rc;

	st->raw_truncated = 0;
	rc = skip_blank(st);
	if (rc != READ_OK)
		return rc;
	rec_clear(rec);
	rec->line = st->line + 1;
	st->record_offset = st->src->base + st->src->pos;
	lc->rec = rec;
	return read_record(st, rec, why);
}

void csv_libcsv_release(struct csv_engine_state *st)
{
	struct libcsv *lc = st->libcsv;

	if (!lc)
		return;
	csv_free(&lc->p);
	free(lc);
	st->libcsv = NULL;
}
