/* Growable byte buffer, always NUL-terminated (s[len] == 0) once used.
 * The owner calls sbuf_release(); sbuf_reset() keeps the memory for reuse.
 *
 * Growing may move s, so a pointer into the bytes lives only until the next
 * add.  sbuf_add() and sbuf_addstr() themselves may be given bytes of the
 * same buffer (appending one of its fields to itself): they read them from
 * wherever the buffer has moved.  sbuf_printf()'s arguments may not point
 * into the buffer it writes. */
#ifndef CIVIC_SBUF_H
#define CIVIC_SBUF_H

#include <stddef.h>

struct sbuf {
	char *s;
	size_t len, cap;
};

#define SBUF_INIT { NULL, 0, 0 }

void sbuf_init(struct sbuf *b);
void sbuf_release(struct sbuf *b);
void sbuf_reset(struct sbuf *b);
void sbuf_grow(struct sbuf *b, size_t extra);
/* sbuf_grow(), then p, or where p's byte is now when p pointed into b. */
const void *sbuf_grow_from(struct sbuf *b, size_t extra, const void *p);

#include <string.h>

/* Inline: these run for every field of every record. */
static inline void sbuf_add(struct sbuf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap)
		p = sbuf_grow_from(b, n, p);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static inline void sbuf_addc(struct sbuf *b, char c)
{
	if (b->len + 2 > b->cap)
		sbuf_grow(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}
void sbuf_addstr(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "" for a never-used buffer, so callers need no NULL check. */
const char *sbuf_cstr(const struct sbuf *b);

#endif
