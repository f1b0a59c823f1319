#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json_input.h"
#include "num.h"
#include "xalloc.h"

enum { JSON_FLAGS = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL };

/* jansson silently drops a raw NUL byte that follows a number or a literal
 * ({"n":1<NUL>} loads as {"n":1}).  A raw NUL is never valid JSON (only the
 * escape \u0000 is), so it is refused here, before jansson sees it. */
static json_t *load_json(const char *s, size_t n, json_error_t *err)
{
	const char *nul = memchr(s, '\0', n);

	if (!nul)
		return json_loadb(s, n, JSON_FLAGS, err);
	memset(err, 0, sizeof(*err));
	err->line = 1;
	for (const char *p = s; p < nul; p++)
		if (*p == '\n')
			err->line++;
	err->column = (int)(nul - s) + 1;
	snprintf(err->text, sizeof(err->text), "a NUL byte (write \\u0000 inside a string)");
	return NULL;
}

/* The rest of a line too long to hold: its first max_line bytes stay in
 * in->text as the reject's raw text, the others are read and dropped. */
static int cut_line(struct json_input *in)
{
	struct source *s = in->src;

	sbuf_reset(&in->text);
	sbuf_add(&in->text, s->buf + s->pos, in->max_line);
	in->too_long = 1;
	in->line++;
	return source_skip_line(s) < 0 ? -1 : 1;
}

/* Next physical line into in->text (without its line break).  1, 0 at EOF, -1. */
static int next_line(struct json_input *in)
{
	struct source *s = in->src;

	in->too_long = 0;
	for (;;) {
		const char *nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
		if (nl || (s->eof && s->pos < s->len)) {
			size_t end = nl ? (size_t)(nl - s->buf) : s->len;
			size_t n = end - s->pos;
			if (n && s->buf[end - 1] == '\r')
				n--;
			in->too_long = n > in->max_line;
			in->from = s->base + s->pos;
			in->to = s->base + end;
			sbuf_reset(&in->text);
			sbuf_add(&in->text, s->buf + s->pos, in->too_long ? in->max_line : n);
			s->pos = nl ? end + 1 : end;
			in->line++;
			return 1;
		}
		if (s->eof)
			return 0;
		if (s->len - s->pos > in->max_line)
			return cut_line(in);
		if (source_more(s, s->pos) < 0)
			return -1;
	}
}

static int blank(const struct sbuf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->s[i] != ' ' && b->s[i] != '\t')
			return 0;
	return 1;
}

static enum coltype type_of(const json_t *v)
{
	if (json_is_number(v))
		return COL_NUMBER;
	if (json_is_boolean(v))
		return COL_BOOL;
	return COL_STRING;
}

static void build_header(struct json_input *in, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
		header_add(in->header, key, type_of(v));
}

static int load_array(struct json_input *in)
{
	struct source *s = in->src;
	json_error_t err;

	while (!s->eof)
		if (source_more(s, 0) < 0)
			return -1;
	in->array = load_json(s->buf + s->pos, s->len - s->pos, &err);
	if (!in->array || !json_is_array(in->array)) {
		civic_warn_at(in->name, err.line > 0 ? (unsigned long)err.line : 1,
			"not a JSON array of objects: %s", in->array ? "top level is not an array" : err.text);
		return -1;
	}
	json_t *first = json_array_get(in->array, 0);
	if (!first) {
		civic_warn("%s: the JSON array is empty: no columns", in->name);
		return -1;
	}
	if (!json_is_object(first)) {
		civic_warn("%s: element 1 of the JSON array is not an object", in->name);
		return -1;
	}
	build_header(in, first);
	return 0;
}

int json_input_open(struct json_input *in, struct source *src, const char *name, struct header *header,
	size_t max_line)
{
	json_error_t err;
	int rc;

	memset(in, 0, sizeof(*in));
	in->src = src;
	in->name = name;
	in->header = header;
	in->max_line = max_line;
	while (src->pos < src->len || !src->eof) {
		if (src->pos >= src->len) {
			if (source_more(src, src->pos) < 0)
				return -1;
			continue;
		}
		char c = src->buf[src->pos];
		if (c == '[')
			return load_array(in);
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			break;
		if (c == '\n')
			in->line++;
		src->pos++;
	}
	do
		rc = next_line(in);
	while (rc == 1 && blank(&in->text));
	if (rc <= 0) {
		civic_warn("%s: no JSON object to take the columns from", name);
		return -1;
	}
	if (in->too_long) {
		civic_warn_at(name, in->line, "the first line is longer than the limit (--max-field)");
		return -1;
	}
	in->pending = load_json(in->text.s, in->text.len, &err);
	if (!in->pending || !json_is_object(in->pending)) {
		civic_warn_at(name, in->line, "the first line is not a JSON object: %s",
			in->pending ? "found another JSON value" : err.text);
		return -1;
	}
	in->pending_line = in->line;
	sbuf_add(&in->pending_raw, in->text.s, in->text.len);
	build_header(in, in->pending);
	return 0;
}

void json_input_close(struct json_input *in)
{
	json_decref(in->array);
	json_decref(in->pending);
	sbuf_release(&in->pending_raw);
	sbuf_release(&in->text);
}

static void push_value(struct record *rec, json_t *v)
{
	char buf[32];
	int n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		rec_push(rec, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		n = snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		rec_push(rec, buf, (size_t)n);
		return;
	case JSON_REAL:
		n = num_format(json_real_value(v), buf);
		rec_push(rec, buf, (size_t)n);
		return;
	case JSON_TRUE:
		rec_push(rec, "true", 4);
		return;
	case JSON_FALSE:
		rec_push(rec, "false", 5);
		return;
	case JSON_NULL:
		rec_push(rec, "", 0);
		return;
	default: {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!text)
			civic_die(CIVIC_EXIT_DATA, "out of memory");
		rec_push(rec, text, strlen(text));
		free(text);
	}
	}
}

static int object_to_record(struct json_input *in, json_t *obj, struct record *rec, struct reject *why)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
		if (header_find(in->header, key) < 0) {
			reject_set(why, "unknown-key", key, "key '%s' is not among the columns of the first object", key);
			return READ_REJECT;
		}
	rec_clear(rec);
	for (size_t i = 0; i < in->header->n; i++) {
		v = json_object_get(obj, in->header->names[i]);
		if (v)
			push_value(rec, v);
		else
			rec_push(rec, "", 0);
	}
	return READ_OK;
}

static int next_array_element(struct json_input *in, struct record *rec, struct reject *why)
{
	json_t *obj;

	if (in->next_elem >= json_array_size(in->array))
		return READ_EOF;
	obj = json_array_get(in->array, in->next_elem++);
	rec->line = in->next_elem;
	sbuf_reset(&rec->raw);
	char *text = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text) {
		sbuf_addstr(&rec->raw, text);
		free(text);
	}
	if (!json_is_object(obj)) {
		rec_clear(rec);
		reject_set(why, "not-an-object", "", "array element %zu is not a JSON object", in->next_elem);
		return READ_REJECT;
	}
	return object_to_record(in, obj, rec, why);
}

int json_input_next(struct json_input *in, struct record *rec, struct reject *why, int keep_raw)
{
	json_error_t err;
	char msg[128];
	json_t *obj;
	int rc;

	if (in->array)
		return next_array_element(in, rec, why);
	if (in->pending) {
		obj = in->pending;
		in->pending = NULL;
		rec->line = in->pending_line;
		sbuf_reset(&rec->raw);
		sbuf_add(&rec->raw, sbuf_cstr(&in->pending_raw), in->pending_raw.len);
		rc = object_to_record(in, obj, rec, why);
		json_decref(obj);
		return rc;
	}
	do
		rc = next_line(in);
	while (rc == 1 && blank(&in->text));
	if (rc <= 0)
		return rc < 0 ? READ_FATAL : READ_EOF;
	rec->line = in->line;
	sbuf_reset(&rec->raw);
	sbuf_add(&rec->raw, in->text.s, in->text.len);
	(void)keep_raw;
	if (in->too_long) {
		rec_clear(rec);
		reject_set(why, "record-too-long", "", "line is longer than the limit (--max-field)");
		return READ_REJECT;
	}
	if (in->src->nbad && source_describe_decode_error(in->src, in->from, in->to, msg, sizeof(msg))) {
		rec_clear(rec);
		reject_set(why, "invalid-encoding", "", "%s", msg);
		return READ_REJECT;
	}
	obj = load_json(in->text.s, in->text.len, &err);
	if (!obj) {
		rec_clear(rec);
		/* jansson quotes the text "near" the error, which may be a
		 * personal-data value: the column says where, the rejects
		 * file keeps the line. */
		const char *near = strstr(err.text, " near '");
		reject_set(why, "invalid-json", "", "invalid JSON: %.*s (column %d)",
			near ? (int)(near - err.text) : (int)strlen(err.text), err.text, err.column);
		return READ_REJECT;
	}
	if (!json_is_object(obj)) {
		rec_clear(rec);
		json_decref(obj);
		reject_set(why, "not-an-object", "", "line is a JSON value but not an object");
		return READ_REJECT;
	}
	rc = object_to_record(in, obj, rec, why);
	json_decref(obj);
	return rc;
}
