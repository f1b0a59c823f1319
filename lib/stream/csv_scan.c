/* The fast CSV engine: parses straight out of the source buffer, copying
 * each field once into the record.  When a record runs past the buffered
 * bytes it asks for more and parses the record again from its start,
 * which happens once per buffer, not per record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv_engine.h"
#include "error.h"
#include "swar.h"

#if defined(__SSE2__) && !defined(CIVIC_NO_SIMD)
#include <emmintrin.h>

static inline __m128i load16(const char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}
#endif

enum parse_result { PARSE_OK, PARSE_MORE, PARSE_BAD };

struct parse {
	const char *b;
	size_t len;
	int eof;
	int delim;
	size_t end;                    /* one past the record's line break */
	size_t bad_at;                 /* where a bad record went wrong */
	const char *reason;
	const char *message;
	const unsigned char *want;     /* NULL: every field; else want[i] for i < nwant */
	size_t nwant;
	int quoted;                    /* a quoted field was seen: it may hold line breaks */
};

/* 1 when field i's text goes into the record; others are left empty. */
static inline int wanted(const struct parse *p, size_t i)
{
	return !p->want || (i < p->nwant && p->want[i]);
}

static enum parse_result bad(struct parse *p, size_t at, const char *reason, const char *message)
{
	p->bad_at = at;
	p->reason = reason;
	p->message = message;
	return PARSE_BAD;
}

/* b[i] is the opening quote.  On success *i is just past the closing one. */
static enum parse_result quoted_field(struct parse *p, struct record *rec, size_t *i, int keep)
{
	size_t open = *i, at = *i + 1;

	p->quoted = 1;
	for (;;) {
		const char *q = memchr(p->b + at, '"', p->len - at);
		if (!q)
			return p->eof ? bad(p, open, "csv-unterminated-quote", "quoted field is never closed") : PARSE_MORE;
		size_t qi = (size_t)(q - p->b);
		if (keep)
			sbuf_add(&rec->data, p->b + at, qi - at);
		if (qi + 1 >= p->len && !p->eof)
			return PARSE_MORE;
		if (qi + 1 < p->len && p->b[qi + 1] == '"') {
			if (keep)
				sbuf_addc(&rec->data, '"');
			at = qi + 2;
			continue;
		}
		*i = qi + 1;
		return PARSE_OK;
	}
}

/* The first delimiter or line feed at or after i, or p->len. */
static size_t unquoted_end(const struct parse *p, size_t i)
{
	const char *b = p->b;

#if defined(__SSE2__) && !defined(CIVIC_NO_SIMD)
	const __m128i dv = _mm_set1_epi8((char)p->delim), nlv = _mm_set1_epi8('\n');
	for (; i + 16 <= p->len; i += 16) {
		__m128i w = load16(b + i);
		unsigned hit = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(w, dv), _mm_cmpeq_epi8(w, nlv)));
		if (hit)
			return i + (size_t)__builtin_ctz(hit);
	}
#endif
	while (i + 8 <= p->len) {
		uint64_t w = swar_load(b + i);
		uint64_t hit = swar_eq(w, (unsigned char)p->delim) | swar_eq(w, '\n');
		if (hit)
			return i + (size_t)(__builtin_ctzll(hit) >> 3);
		i += 8;
	}
	while (i < p->len && b[i] != p->delim && b[i] != '\n')
		i++;
	return i;
}

/* The bytewise end of count_to_line_end(), for what no block covers. */
static long count_rest(const struct parse *p, size_t i, long n, size_t *end)
{
	for (; i < p->len && p->b[i] != '\n'; i++) {
		if (p->b[i] == '"')
			return -1;
		n += (unsigned char)p->b[i] == (unsigned char)p->delim;
	}
	if (i >= p->len && !p->eof)
		return -1;
	*end = i;
	return n;
}

#if defined(__SSE2__) && !defined(CIVIC_NO_SIMD)
/* SSE2 (part of every x86-64 CPU): comparisons as bit masks.  Counting
 * bits by table: without -mpopcnt the compiler would make
 * __builtin_popcount a library call. */
static const unsigned char bits_in_byte[256] = {
#define B2(n) n, n + 1, n + 1, n + 2
#define B4(n) B2(n), B2(n + 1), B2(n + 1), B2(n + 2)
#define B6(n) B4(n), B4(n + 1), B4(n + 1), B4(n + 2)
	B6(0), B6(1), B6(1), B6(2)
#undef B2
#undef B4
#undef B6
};

static inline unsigned bits_in_32(uint32_t m)
{
	return bits_in_byte[m & 0xFF] + bits_in_byte[(m >> 8) & 0xFF] +
		bits_in_byte[(m >> 16) & 0xFF] + bits_in_byte[m >> 24];
}

static inline uint32_t mask32(__m128i lo, __m128i hi, __m128i v)
{
	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(lo, v)) |
		(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(hi, v)) << 16;
}

/* The delimiters tallied per byte lane, summed when read: psadbw adds
 * the sixteen lanes into two 16-bit sums. */
static inline long lane_sum(__m128i acc)
{
	__m128i s = _mm_sad_epu8(acc, _mm_setzero_si128());
	return _mm_extract_epi16(s, 0) + _mm_extract_epi16(s, 4);
}

/* In one pass from i: the delimiters before the line feed that ends the
 * line, and where it is.  -1 when a quote comes first or the line is not
 * all buffered yet: the field-by-field parse then takes over.  Thirty-two
 * bytes a step; while no line feed or quote shows, delimiters are only
 * tallied in the vector (a lane gains at most 2 a step, so it is emptied
 * before it can pass 255). */
static long count_to_line_end(const struct parse *p, size_t i, size_t *end)
{
	const __m128i nlv = _mm_set1_epi8('\n'), qv = _mm_set1_epi8('"');
	const __m128i dv = _mm_set1_epi8((char)p->delim);
	__m128i acc = _mm_setzero_si128();
	long n = 0;
	int steps = 127;

	for (; i + 32 <= p->len; i += 32) {
		__m128i lo = load16(p->b + i), hi = load16(p->b + i + 16);
		__m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(lo, nlv), _mm_cmpeq_epi8(lo, qv)),
			_mm_or_si128(_mm_cmpeq_epi8(hi, nlv), _mm_cmpeq_epi8(hi, qv)));
		if (_mm_movemask_epi8(stop)) {
			uint32_t nl = mask32(lo, hi, nlv), q = mask32(lo, hi, qv);
			n += lane_sum(acc);
			if (!nl)
				return -1;
			uint32_t before = (nl & -nl) - 1;   /* the bits below the first line feed */
			if (q & before)
				return -1;
			*end = i + (size_t)__builtin_ctz(nl);
			return n + (long)bits_in_32(mask32(lo, hi, dv) & before);
		}
		acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(lo, dv));
		acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(hi, dv));
		if (--steps == 0) {
			n += lane_sum(acc);
			acc = _mm_setzero_si128();
			steps = 127;
		}
	}
	return count_rest(p, i, n + lane_sum(acc), end);
}
#else
/* As above, eight bytes a step in a general-purpose register. */
static long count_to_line_end(const struct parse *p, size_t i, size_t *end)
{
	unsigned char delim = (unsigned char)p->delim;
	long n = 0;

	for (; i + 8 <= p->len; i += 8) {
		uint64_t w = swar_load(p->b + i);
		uint64_t nl = swar_eq(w, '\n'), q = swar_eq(w, '"'), d = swar_eq(w, delim);
		if (nl) {
			uint64_t before = (nl & -nl) - 1;
			if (q & before)
				return -1;
			*end = i + (size_t)(__builtin_ctzll(nl) >> 3);
			return n + (long)swar_count(d & before);
		}
		if (q)
			return -1;
		n += (long)swar_count(d);
	}
	return count_rest(p, i, n, end);
}
#endif

/* Past the last wanted field, a rest of line without quotes only needs
 * its fields counted: they are all left empty. */
static int skip_unwanted_tail(struct parse *p, struct record *rec, size_t i)
{
	size_t end;
	long delims = count_to_line_end(p, i, &end);

	if (delims < 0)
		return 0;
	rec_add_empty_fields(rec, (size_t)delims + 1);
	p->end = end < p->len ? end + 1 : end;
	return 1;
}

#if defined(__SSE2__) && !defined(CIVIC_NO_SIMD)
enum { BLOCK = 32, BIT_SHIFT = 0 };

static inline void block_masks(const struct parse *p, size_t i, uint64_t *nl, uint64_t *q, uint64_t *d)
{
	__m128i lo = load16(p->b + i), hi = load16(p->b + i + 16);

	*nl = mask32(lo, hi, _mm_set1_epi8('\n'));
	*q = mask32(lo, hi, _mm_set1_epi8('"'));
	*d = mask32(lo, hi, _mm_set1_epi8((char)p->delim));
}
#else
/* Eight bytes a step, a byte's bit being its high one. */
enum { BLOCK = 8, BIT_SHIFT = 3 };

static inline void block_masks(const struct parse *p, size_t i, uint64_t *nl, uint64_t *q, uint64_t *d)
{
	uint64_t w = swar_load(p->b + i);

	*nl = swar_eq(w, '\n');
	*q = swar_eq(w, '"');
	*d = swar_eq(w, (unsigned char)p->delim);
}
#endif

/* Field k of the record, b[from..to): copied when wanted; otherwise left
 * empty, pointing at the NUL that ends the bytes before it, so that
 * offsets still grow with k. */
static inline void plain_field(const struct parse *p, struct record *rec, size_t k, size_t from, size_t to)
{
	struct sbuf *data = &rec->data;

	if (k >= rec->cap)
		rec_grow_fields(rec);
	rec->nfields = k + 1;
	if (p->want && !p->want[k]) {
		rec->fields[k] = (struct field){ data->len - 1, 0 };
		return;
	}
	rec->fields[k] = (struct field){ data->len, to - from };
	sbuf_add(data, p->b + from, to - from);
	data->len++;                   /* the NUL sbuf_add() wrote */
}

/* The fields of a record up to the last wanted one, found from bit masks
 * of the delimiters, BLOCK bytes a step, instead of one search per field:
 * the wanted ones copied, the others left empty; past the last wanted one
 * the rest of the line is only counted, as parse_record() counts it.  1
 * when that finished the record; else 0, with *at where the field that
 * parse_record() parses on, field rec->nfields, starts: the block holds a
 * quote (the field-by-field parse knows quoted fields), the line runs past
 * the bytes buffered, or its rest holds a quote. */
static int parse_plain(struct parse *p, struct record *rec, size_t start, size_t *at)
{
	size_t counted_from = p->want ? p->nwant : SIZE_MAX;   /* fields only counted from here */
	size_t from = start, k = 0;

	sbuf_addc(&rec->data, '\0');   /* what a first field left empty points at */
	for (size_t i = start; i + BLOCK <= p->len; i += BLOCK) {
		uint64_t nl, q, d;
		block_masks(p, i, &nl, &q, &d);
		uint64_t before = nl ? (nl & -nl) - 1 : ~(uint64_t)0;
		if (q & before)
			break;
		for (d &= before; d && k < counted_from; d &= d - 1, k++) {
			size_t end = i + (size_t)(__builtin_ctzll(d) >> BIT_SHIFT);
			plain_field(p, rec, k, from, end);
			from = end + 1;
		}
		if (k >= counted_from)
			break;
		if (nl) {
			size_t end = i + (size_t)(__builtin_ctzll(nl) >> BIT_SHIFT), fend = end;
			if (fend > from && p->b[fend - 1] == '\r')
				fend--;
			plain_field(p, rec, k, from, fend);
			p->end = end + 1;
			return 1;
		}
	}
	*at = from;
	return 0;
}

static enum parse_result parse_record(struct parse *p, struct record *rec, size_t start)
{
	size_t i = start;
	const char *b = p->b;

	rec_clear(rec);
	p->quoted = 0;
	if (parse_plain(p, rec, start, &i))
		return PARSE_OK;
	for (;;) {
		if (p->want && rec->nfields >= p->nwant && skip_unwanted_tail(p, rec, i))
			return PARSE_OK;
		int keep = wanted(p, rec->nfields);
		rec_begin_field(rec);
		if (i < p->len && b[i] == '"') {
			enum parse_result r = quoted_field(p, rec, &i, keep);
			if (r != PARSE_OK)
				return r;
			rec_end_field(rec);
			if (i >= p->len) {
				if (!p->eof)
					return PARSE_MORE;
				p->end = i;
				return PARSE_OK;
			}
			if (b[i] == p->delim) {
				i++;
				continue;
			}
			if (b[i] == '\r' && i + 1 >= p->len && !p->eof)
				return PARSE_MORE;
			if (b[i] == '\n' || (b[i] == '\r' && (i + 1 >= p->len || b[i + 1] == '\n'))) {
				p->end = i + 1 + (b[i] == '\r' && i + 1 < p->len);
				return PARSE_OK;
			}
			return bad(p, i, "csv-text-after-quote", "text after the closing quote of a field");
		}
		size_t j = unquoted_end(p, i);
		if (j >= p->len && !p->eof)
			return PARSE_MORE;
		size_t fend = j;
		if ((j >= p->len || b[j] == '\n') && fend > i && b[fend - 1] == '\r')
			fend--;
		if (keep)
			sbuf_add(&rec->data, b + i, fend - i);
		rec_end_field(rec);
		if (j >= p->len) {
			p->end = j;
			return PARSE_OK;
		}
		if (b[j] == p->delim) {
			i = j + 1;
			continue;
		}
		p->end = j + 1;
		return PARSE_OK;
	}
}

/* 1 when buf[pos] starts an empty line; sets *skip to its length.  A CR
 * that is the very last byte ends the line, as it does after a field. */
static int blank_line(const struct source *s, size_t pos, size_t *skip)
{
	size_t cr = s->buf[pos] == '\r';

	if (pos + cr < s->len && s->buf[pos + cr] == '\n') {
		*skip = cr + 1;
		return 1;
	}
	if (cr && pos + 1 == s->len && s->eof) {
		*skip = 1;
		return 1;
	}
	return 0;
}

static int need_more(struct csv_engine_state *st, size_t *start)
{
	long n = source_more(st->src, *start);

	*start = st->src->pos;
	return n < 0 ? -1 : 0;
}

/* Reads on after a record was found unfinished, until the bytes from
 * *start hold its end by the rules of csv_skip_step(), the input ends, or they
 * pass view; only then is the record parsed again from its start.  The
 * walk resumes where the last read left it, so a long record arriving a
 * few bytes at a time costs time in its length, not in its square. */
static int await_record_end(struct csv_engine_state *st, size_t *start, size_t view)
{
	struct source *s = st->src;
	enum skip_state state = FIELD_START;
	size_t walked = 0;

	do {
		if (need_more(st, start) < 0)
			return -1;
		for (; *start + walked < s->len && state != RECORD_END; walked++)
			state = csv_skip_step(state, s->buf[*start + walked], st->delim);
	} while (state != RECORD_END && !s->eof && s->len - *start <= view);
	return 0;
}

/* As await_record_end() for a bad record, whose reject runs to the end of
 * the line holding bad_at: reads on until that line feed, the input's end,
 * or more than --max-field from *start. */
static int await_line_end(struct csv_engine_state *st, size_t *start, size_t bad_at)
{
	struct source *s = st->src;
	size_t searched = bad_at - *start;

	do {
		if (need_more(st, start) < 0)
			return -1;
		if (memchr(s->buf + *start + searched, '\n', s->len - *start - searched))
			return 0;
		searched = s->len - *start;
	} while (!s->eof && searched <= st->max_field);
	return 0;
}

int csv_scan_next(struct csv_engine_state *st, struct record *rec, struct reject *why, int keep_raw)
{
	struct source *s = st->src;
	struct parse p;
	size_t start = s->pos, skip;
	size_t view = st->max_field > SIZE_MAX - 2 ? SIZE_MAX : st->max_field + 2;

	p.delim = st->delim;
	p.want = st->want;
	p.nwant = st->nwant;
	st->raw_truncated = 0;
	for (;;) {
		if (start >= s->len) {
			if (s->eof)
				return READ_EOF;
			if (need_more(st, &start) < 0)
				return READ_FATAL;
			continue;
		}
		if (s->buf[start] == '\r' && start + 1 >= s->len && !s->eof) {
			if (need_more(st, &start) < 0)
				return READ_FATAL;
			continue;
		}
		if (blank_line(s, start, &skip)) {
			start += skip;
			s->pos = start;
			st->line++;
			continue;
		}
		/* The parser sees at most max_field bytes of text plus a CRLF,
		 * so whether a record is too long never depends on how much
		 * the source happened to buffer. */
		p.b = s->buf;
		p.len = s->len - start > view ? start + view : s->len;
		p.eof = s->eof && p.len == s->len;
		rec->line = st->line + 1;
		st->record_offset = s->base + start;
		enum parse_result r = parse_record(&p, rec, start);
		if ((r == PARSE_OK && csv_text_end(s->buf, start, p.end) - start > st->max_field) ||
		    (r == PARSE_MORE && p.len < s->len))
			return csv_engine_skip_long(st, rec, start, why);
		if (r == PARSE_OK) {
			st->rec_start = start;
			st->rec_end = p.end;
			st->line += p.quoted ? csv_count_newlines(s->buf, start, p.end)
				: (unsigned long)(s->buf[p.end - 1] == '\n');
			s->pos = p.end;
			if (keep_raw)
				csv_engine_copy_raw(st, rec);
			return READ_OK;
		}
		if (r == PARSE_BAD) {
			int rc = csv_engine_reject(st, rec, start, p.bad_at, p.reason, p.message, why);
			if (rc != 1)
				return rc;
			if (await_line_end(st, &start, p.bad_at) < 0)
				return READ_FATAL;
			continue;
		}
		if (await_record_end(st, &start, view) < 0)
			return READ_FATAL;
	}
}
