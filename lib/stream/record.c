#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "xalloc.h"

void rec_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
}

void rec_release(struct record *r)
{
	sbuf_release(&r->data);
	sbuf_release(&r->raw);
	free(r->fields);
	rec_init(r);
}

void rec_clear(struct record *r)
{
	r->nfields = 0;
	r->data.len = 0;
}

void rec_grow_fields(struct record *r)
{
	r->fields = xgrow(r->fields, &r->cap, r->nfields + 1, sizeof(*r->fields));
}

void rec_push(struct record *r, const char *p, size_t n)
{
	rec_begin_field(r);
	sbuf_add(&r->data, p, n);
	rec_end_field(r);
}

void rec_add_empty_fields(struct record *r, size_t n)
{
	size_t off = r->data.len;

	if (r->cap - r->nfields < n)
		r->fields = xgrow(r->fields, &r->cap, r->nfields + n, sizeof(*r->fields));
	sbuf_addc(&r->data, '\0');
	/* Through a local pointer: stores to fields could otherwise alias nfields. */
	struct field *f = r->fields + r->nfields;
	for (size_t k = 0; k < n; k++)
		f[k] = (struct field){ off, 0 };
	r->nfields += n;
}

/* Field i moves to the end of the buffer; the old bytes stay as dead space
 * until the record is cleared, which is cheaper than shifting. */
void rec_set(struct record *r, size_t i, const char *p, size_t n)
{
	size_t off;

	if (i >= r->nfields)
		return;
	off = r->data.len;
	sbuf_add(&r->data, p, n);
	sbuf_addc(&r->data, '\0');
	r->fields[i].off = off;
	r->fields[i].len = n;
}

void rec_copy(struct record *dst, const struct record *src)
{
	rec_clear(dst);
	sbuf_reset(&dst->raw);
	sbuf_add(&dst->data, src->data.s ? src->data.s : "", src->data.len);
	dst->fields = xgrow(dst->fields, &dst->cap, src->nfields, sizeof(*dst->fields));
	if (src->nfields)
		memcpy(dst->fields, src->fields, src->nfields * sizeof(*src->fields));
	dst->nfields = src->nfields;
	sbuf_add(&dst->raw, sbuf_cstr(&src->raw), src->raw.len);
	dst->file = src->file;
	dst->line = src->line;
	dst->sheet = src->sheet;
	dst->first_col = src->first_col;
}

void header_init(struct header *h)
{
	memset(h, 0, sizeof(*h));
}

void header_release(struct header *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->names[i]);
	free(h->names);
	free(h->types);
	header_init(h);
}

void header_add(struct header *h, const char *name, enum coltype type)
{
	size_t cap = h->cap;

	if (h->n == h->cap) {
		h->names = xgrow(h->names, &cap, h->n + 1, sizeof(*h->names));
		h->types = xgrow(h->types, &h->cap, h->n + 1, sizeof(*h->types));
	}
	h->names[h->n] = xstrdup(name);
	h->types[h->n] = type;
	h->n++;
}

void header_copy(struct header *dst, const struct header *src)
{
	header_release(dst);
	for (size_t i = 0; i < src->n; i++)
		header_add(dst, src->names[i], src->types[i]);
}

long header_find(const struct header *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->names[i], name) == 0)
			return (long)i;
	return -1;
}

int header_equal(const struct header *a, const struct header *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->names[i], b->names[i]) != 0)
			return 0;
	return 1;
}
