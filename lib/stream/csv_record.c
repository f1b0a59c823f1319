/* What both CSV engines share: line counting, the raw text of a record,
 * and rejecting a bad or overlong record with the same text, reason and
 * line numbers whichever engine found it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv_engine.h"

unsigned long csv_count_newlines(const char *b, size_t from, size_t to)
{
	unsigned long n = 0;
	const char *q = b + from, *end = b + to;

	while (q < end && (q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		n++;
		q++;
	}
	return n;
}

size_t csv_text_end(const char *b, size_t start, size_t end)
{
	if (end > start && b[end - 1] == '\n')
		end--;
	if (end > start && b[end - 1] == '\r')
		end--;
	return end;
}

void csv_engine_copy_raw(struct csv_engine_state *st, struct record *rec)
{
	size_t end = csv_text_end(st->src->buf, st->rec_start, st->rec_end);

	if (st->raw_truncated)
		return;
	sbuf_reset(&rec->raw);
	sbuf_add(&rec->raw, st->src->buf + st->rec_start, end - st->rec_start);
}

/* Drops the rest of a physical line too long to hold, counting it. */
static int discard_line(struct csv_engine_state *st)
{
	int rc = source_skip_line(st->src);

	if (rc > 0)
		st->line++;
	return rc < 0 ? -1 : 0;
}

int csv_engine_reject(struct csv_engine_state *st, struct record *rec, size_t start,
	size_t bad_at, const char *reason, const char *message, struct reject *why)
{
	struct source *s = st->src;
	const char *nl = memchr(s->buf + bad_at, '\n', s->len - bad_at);
	size_t end = nl ? (size_t)(nl - s->buf) + 1 : s->len;

	if (!nl && !s->eof && end - start <= st->max_field)
		return 1;
	reject_set(why, reason, "", "%s", message);
	st->rec_start = start;
	st->rec_end = end - start > st->max_field ? start + st->max_field : end;
	csv_engine_copy_raw(st, rec);
	st->line += csv_count_newlines(s->buf, start, end);
	s->pos = end;
	if (nl || s->eof)
		return READ_REJECT;
	st->raw_truncated = 1;  /* the buffer moves on: rec->raw is all that is left */
	return discard_line(st) < 0 ? READ_FATAL : READ_REJECT;
}

enum skip_state csv_skip_step(enum skip_state st, char c, int delim)
{
	switch (st) {
	case FIELD_START:
		return c == '"' ? QUOTED : c == '\n' ? RECORD_END : c == delim ? FIELD_START : UNQUOTED;
	case UNQUOTED:
		return c == '\n' ? RECORD_END : c == delim ? FIELD_START : UNQUOTED;
	case QUOTED:
		return c == '"' ? AFTER_QUOTE : QUOTED;
	case AFTER_QUOTE:
		/* Text after a closing quote: without the limit the reject would
		 * run to the end of this line, so the skip does too. */
		return c == '"' ? QUOTED : c == delim ? FIELD_START : c == '\n' ? RECORD_END
			: c == '\r' ? AFTER_QUOTE_CR : TO_LINE_END;
	case AFTER_QUOTE_CR:
	case TO_LINE_END:
		return c == '\n' ? RECORD_END : TO_LINE_END;
	case RECORD_END:
		break;
	}
	return RECORD_END;
}

/* How far past its start a record too long to hold is kept while it is
 * followed, so that a quote never closed can still be read as a stray one. */
static size_t rewind_window(const struct csv_engine_state *st)
{
	enum { WINDOW = 16 * 1024 * 1024 };

	return st->max_field > SIZE_MAX - WINDOW ? SIZE_MAX : st->max_field + WINDOW;
}

/* Follows the record at s->pos to its end, however long.  Within the
 * rewind window the bytes are kept, else only a read's worth.  Returns
 * SKIP_END (s->pos past the record), SKIP_OPEN_QUOTE (the input ended in
 * a quoted field opened at buf[*open], with the record still from
 * buf[*origin]), SKIP_LOST (the same, past the window) or -1 (read error).
 * Lines are counted into st->line. */
enum { SKIP_END, SKIP_OPEN_QUOTE, SKIP_LOST };

static int skip_record(struct csv_engine_state *st, size_t *origin, size_t *open)
{
	struct source *s = st->src;
	enum skip_state state = FIELD_START;
	size_t i = s->pos, keep;
	int holding = 1;

	*origin = *open = i;
	for (;;) {
		for (; i < s->len && state != RECORD_END; i++) {
			enum skip_state next = csv_skip_step(state, s->buf[i], st->delim);
			if (next == QUOTED && state == FIELD_START)
				*open = i;
			state = next;
			st->line += s->buf[i] == '\n';
		}
		s->pos = i;
		if (state == RECORD_END)
			return SKIP_END;
		holding = holding && i - *origin <= rewind_window(st);
		if (s->eof)
			return state != QUOTED ? SKIP_END : holding ? SKIP_OPEN_QUOTE : SKIP_LOST;
		keep = holding ? *origin : i;
		if (source_more(s, keep) < 0)
			return -1;
		i -= keep;
		*origin -= holding ? keep : 0;
		*open -= holding ? keep : 0;
	}
}

/* The raw text of the record at buf[start], up to end and cut at max_field. */
static void copy_raw_cut(struct csv_engine_state *st, struct record *rec, size_t start, size_t end)
{
	st->rec_start = start;
	st->rec_end = end - start > st->max_field ? start + st->max_field : end;
	st->raw_truncated = 0;
	csv_engine_copy_raw(st, rec);
	st->raw_truncated = 1;  /* the buffer moves on: rec->raw is all that is left */
}

int csv_engine_skip_long(struct csv_engine_state *st, struct record *rec, size_t start, struct reject *why)
{
	struct source *s = st->src;
	size_t origin, open;
	const char *nl;
	int rc;

	copy_raw_cut(st, rec, start, s->len);
	s->pos = start;
	rc = skip_record(st, &origin, &open);
	if (rc < 0)
		return READ_FATAL;
	reject_set(why, "record-too-long", "", "record is longer than the limit (--max-field)");
	if (rc == SKIP_END)
		return READ_REJECT;
	reject_set(why, "csv-unterminated-quote", "", "quoted field is never closed");
	if (rc == SKIP_LOST) {
		st->unreadable_from = rec->line;
		return READ_REJECT;
	}
	/* As without the limit: the quote was a stray one, and reading goes on
	 * after the line that holds it. */
	nl = memchr(s->buf + open, '\n', s->len - open);
	s->pos = nl ? (size_t)(nl - s->buf) + 1 : s->len;
	st->line = rec->line - 1 + csv_count_newlines(s->buf, origin, s->pos);
	copy_raw_cut(st, rec, origin, s->pos);
	return READ_REJECT;
}
