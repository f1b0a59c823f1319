/* How rule books see text: the spellings people type for one Uzbek or
 * Russian letter are made one before any pattern or map looks at them. */
#include <stdint.h>
#include <string.h>

#include "rules.h"

/* What a two- or three-byte sequence folds to, or NULL. */
static const char *fold_seq(const unsigned char *p, size_t n, size_t *used)
{
	static const struct { unsigned char b[3]; const char *to; } seqs[] = {
		{ { 0xC2, 0xB4 }, "'" },        /* ´ acute accent */
		{ { 0xCA, 0xB9 }, "'" },        /* ʹ modifier prime */
		{ { 0xCA, 0xBB }, "'" },        /* ʻ turned comma: the official o‘ g‘ mark */
		{ { 0xCA, 0xBC }, "'" },        /* ʼ modifier apostrophe: the official tutuq belgisi */
		{ { 0xCA, 0xBD }, "'" },        /* ʽ reversed comma */
		{ { 0xE2, 0x80, 0x98 }, "'" },  /* ‘ */
		{ { 0xE2, 0x80, 0x99 }, "'" },  /* ’ */
		{ { 0xE2, 0x80, 0x9B }, "'" },  /* ‛ */
		{ { 0xE2, 0x80, 0xB2 }, "'" },  /* ′ prime */
		{ { 0xD1, 0x91 }, "\xD0\xB5" }, /* ё as е */
		{ { 0xD0, 0x81 }, "\xD0\x95" }, /* Ё as Е */
		{ { 0xC5, 0x8F }, "o'" },       /* ŏ */
		{ { 0xC5, 0x8E }, "O'" },       /* Ŏ */
		{ { 0xC5, 0x8D }, "o'" },       /* ō */
		{ { 0xC5, 0x8C }, "O'" },       /* Ō */
		{ { 0xC3, 0xB6 }, "o'" },       /* ö */
		{ { 0xC3, 0x96 }, "O'" },       /* Ö */
		{ { 0xC4, 0x9F }, "g'" },       /* ğ */
		{ { 0xC4, 0x9E }, "G'" },       /* Ğ */
	};
	size_t i, len;

	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		len = seqs[i].b[0] == 0xE2 ? 3 : 2;
		if (len <= n && memcmp(p, seqs[i].b, len) == 0) {
			*used = len;
			return seqs[i].to;
		}
	}
	return NULL;
}

/* Lead bytes that can start a folded sequence, and the backtick. */
static int may_fold(unsigned char c)
{
	switch (c) {
	case 0x60: case 0xC2: case 0xC3: case 0xC4: case 0xC5:
	case 0xCA: case 0xD0: case 0xD1: case 0xE2:
		return 1;
	}
	return 0;
}

/* Returns the offset of the first foldable sequence at or after i, or n. */
static size_t next_fold(const unsigned char *p, size_t i, size_t n, const char **to, size_t *used)
{
	for (; i < n; i++) {
		if (!may_fold(p[i]))
			continue;
		if (p[i] == 0x60) {
			*to = "'";
			*used = 1;
			return i;
		}
		if ((*to = fold_seq(p + i, n - i, used)) != NULL)
			return i;
	}
	return n;
}

const char *rules_fold_match(const char *s, size_t n, struct sbuf *buf, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *to;
	size_t i, at, used;

	at = next_fold(p, 0, n, &to, &used);
	if (at == n) {
		*len = n;
		return s;
	}
	sbuf_reset(buf);
	i = 0;
	while (at < n) {
		sbuf_add(buf, s + i, at - i);
		sbuf_addstr(buf, to);
		i = at + used;
		at = next_fold(p, i, n, &to, &used);
	}
	sbuf_add(buf, s + i, n - i);
	*len = buf->len;
	return buf->s;
}

static long decode(const unsigned char *p, size_t n, size_t *len)
{
	if (p[0] < 0x80 || n < 2) {
		*len = 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		*len = 2;
		return ((long)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
	}
	if ((p[0] & 0xF0) == 0xE0 && n >= 3) {
		*len = 3;
		return ((long)(p[0] & 0x0F) << 12) | ((long)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
	}
	*len = 1;
	return -1;
}

static void encode(struct sbuf *b, long c)
{
	char u[3];

	if (c < 0x80) {
		sbuf_addc(b, (char)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3F));
		sbuf_add(b, u, 2);
	} else {
		u[0] = (char)(0xE0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		sbuf_add(b, u, 3);
	}
}

/* Simple lower-casing of Latin (with Latin-1 and Extended-A) and Cyrillic
 * (with the Uzbek, Kazakh and Tajik letters), the scripts of the registries. */
static long lower(long c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
		return c + 0x20;
	if (c >= 0x100 && c <= 0x17F) {
		if (c == 0x178)
			return 0xFF;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return c & 1 ? c + 1 : c;
		if (c != 0x130 && c != 0x138 && c != 0x149)
			return c & 1 ? c : c + 1;
		return c;
	}
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	if (c >= 0x410 && c <= 0x42F)
		return c + 0x20;
	if (c == 0x4C0)
		return 0x4CF;
	if (c >= 0x4C1 && c <= 0x4CE)
		return c & 1 ? c + 1 : c;
	if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x4FF))
		return c & 1 ? c : c + 1;
	return c;
}

/* Length of the white space at p: ASCII, no-break and narrow no-break space. */
static size_t space_len(const unsigned char *p, size_t n)
{
	if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		return 1;
	if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	if (n >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF)
		return 3;
	return 0;
}

void rules_fold_key(const char *s, size_t n, struct sbuf *tmp, struct sbuf *out)
{
	const unsigned char *p;
	size_t i = 0, len, sp;
	int pending_space = 0;
	long c;

	s = rules_fold_match(s, n, tmp, &n);
	p = (const unsigned char *)s;
	sbuf_reset(out);
	while (i < n) {
		if ((sp = space_len(p + i, n - i)) != 0) {
			pending_space = out->len > 0;
			i += sp;
			continue;
		}
		if (pending_space)
			sbuf_addc(out, ' ');
		pending_space = 0;
		c = decode(p + i, n - i, &len);
		if (c < 0)
			sbuf_add(out, s + i, len);
		else
			encode(out, lower(c));
		i += len;
	}
	if (!out->s)
		sbuf_add(out, "", 0);
}
