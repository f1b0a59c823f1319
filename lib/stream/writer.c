#include <stdlib.h>
#include <string.h>

#include "swar.h"
#include "utf8.h"
#include "writer.h"
#include "xalloc.h"

void writer_init(struct writer *w, FILE *fp, enum format format)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
	w->format = format == FMT_NDJSON ? FMT_NDJSON : FMT_CSV;
}

void writer_release(struct writer *w)
{
	header_release(&w->header);
	sbuf_release(&w->line);
}

static int csv_needs_quotes(const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w = swar_load(s + i);
		if (swar_eq(w, ',') | swar_eq(w, '"') | swar_eq(w, '\n') | swar_eq(w, '\r'))
			return 1;
	}
	for (; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return 1;
	return 0;
}

void csv_append_field(struct sbuf *b, const char *s, size_t n)
{
	if (!csv_needs_quotes(s, n)) {
		sbuf_add(b, s, n);
		return;
	}
	sbuf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		const char *q = memchr(s + i, '"', n - i);
		size_t run = q ? (size_t)(q - (s + i)) : n - i;
		sbuf_add(b, s + i, run);
		i += run;
		if (q)
			sbuf_add(b, "\"\"", 2);
	}
	sbuf_addc(b, '"');
}

static int needs_json_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

static void json_append_escaped(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		while (run < n && !needs_json_escape((unsigned char)s[run]))
			run++;
		sbuf_add(b, s + i, run - i);
		if (run == n)
			break;
		unsigned char c = (unsigned char)s[run];
		switch (c) {
		case '"': sbuf_add(b, "\\\"", 2); break;
		case '\\': sbuf_add(b, "\\\\", 2); break;
		case '\n': sbuf_add(b, "\\n", 2); break;
		case '\r': sbuf_add(b, "\\r", 2); break;
		case '\t': sbuf_add(b, "\\t", 2); break;
		default: {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sbuf_add(b, esc, 6);
		}
		}
		i = run + 1;
	}
}

void json_append_string(struct sbuf *b, const char *s, size_t n)
{
	sbuf_addc(b, '"');
	json_append_escaped(b, s, n);
	sbuf_addc(b, '"');
}

void json_append_raw_text(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	sbuf_addc(b, '"');
	while (i < n) {
		size_t good = utf8_invalid_offset(s + i, n - i);
		json_append_escaped(b, s + i, good);
		i += good;
		if (i < n) {
			unsigned char c = (unsigned char)s[i++];
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sbuf_add(b, esc, 6);
		}
	}
	sbuf_addc(b, '"');
}

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
int json_text_is_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		size_t start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return 0;
	}
	return i == n;
}

static void json_append_value(struct sbuf *b, enum coltype type, const char *s, size_t n)
{
	switch (type) {
	case COL_NUMBER:
		if (n == 0)
			sbuf_add(b, "null", 4);
		else if (json_text_is_number(s, n))
			sbuf_add(b, s, n);
		else
			json_append_string(b, s, n);
		return;
	case COL_BOOL:
		if (n == 0)
			sbuf_add(b, "null", 4);
		else if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0))
			sbuf_add(b, s, n);
		else
			json_append_string(b, s, n);
		return;
	case COL_STRING:
		json_append_string(b, s, n);
		return;
	}
}

static int flush_line(struct writer *w)
{
	if (fwrite(w->line.s, 1, w->line.len, w->fp) != w->line.len || ferror(w->fp))
		return -1;
	return 0;
}

int writer_header(struct writer *w, const struct header *h)
{
	header_copy(&w->header, h);
	if (w->format != FMT_CSV)
		return 0;
	sbuf_reset(&w->line);
	for (size_t i = 0; i < h->n; i++) {
		if (i)
			sbuf_addc(&w->line, ',');
		csv_append_field(&w->line, h->names[i], strlen(h->names[i]));
	}
	sbuf_addc(&w->line, '\n');
	return flush_line(w);
}

static void append_values(struct writer *w, const char *const *vals, const size_t *lens,
	const struct record *rec, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = rec ? rec_get(rec, i) : vals[i] ? vals[i] : "";
		size_t len = rec ? rec_len(rec, i) : lens[i];

		if (w->format == FMT_CSV) {
			if (i)
				sbuf_addc(&w->line, ',');
			if (n == 1 && len == 0)
				sbuf_add(&w->line, "\"\"", 2);   /* not a blank line */
			csv_append_field(&w->line, s, len);
		} else {
			sbuf_addc(&w->line, i ? ',' : '{');
			json_append_string(&w->line, w->header.names[i], strlen(w->header.names[i]));
			sbuf_addc(&w->line, ':');
			json_append_value(&w->line, w->header.types[i], s, len);
		}
	}
	if (w->format == FMT_NDJSON)
		sbuf_add(&w->line, n ? "}" : "{}", n ? 1 : 2);
	sbuf_addc(&w->line, '\n');
}

int writer_record(struct writer *w, const struct record *rec)
{
	sbuf_reset(&w->line);
	append_values(w, NULL, NULL, rec, w->header.n);
	return flush_line(w);
}

int writer_values(struct writer *w, const char *const *values, size_t n)
{
	size_t lens[256] = { 0 }, *lp = lens;
	int rc;

	if (n > w->header.n)
		n = w->header.n;
	if (n > 256)
		lp = xmalloc(n * sizeof(*lp));
	for (size_t i = 0; i < n; i++)
		lp[i] = values[i] ? strlen(values[i]) : 0;
	sbuf_reset(&w->line);
	append_values(w, values, lp, NULL, n);
	rc = flush_line(w);
	if (lp != lens)
		free(lp);
	return rc;
}
