/* How rule books see text: lower case, with the spellings people type for
 * one Uzbek or Russian letter made one, before any pattern or map looks at
 * it.  Patterns are compiled lower-cased and matched case-sensitively: PCRE2's
 * caseless mode cannot use its fast first-character search on Cyrillic and
 * was ten times slower.  Every fold keeps a character a character (or an
 * o'/g' pair), so folding a pattern leaves its syntax intact. */
#include <stdint.h>
#include <string.h>

#include "rules.h"

enum { FOLD_PAD = 16 };

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
		{ { 0xD0, 0x81 }, "\xD0\xB5" }, /* Ё as е */
		/* Uzbek Cyrillic letters as typed on a Russian keyboard. */
		{ { 0xD1, 0x9E }, "\xD1\x83" }, /* ў as у */
		{ { 0xD0, 0x8E }, "\xD1\x83" }, /* Ў as у */
		{ { 0xD2, 0x9B }, "\xD0\xBA" }, /* қ as к */
		{ { 0xD2, 0x9A }, "\xD0\xBA" }, /* Қ as к */
		{ { 0xD2, 0x93 }, "\xD0\xB3" }, /* ғ as г */
		{ { 0xD2, 0x92 }, "\xD0\xB3" }, /* Ғ as г */
		{ { 0xD2, 0xB3 }, "\xD1\x85" }, /* ҳ as х */
		{ { 0xD2, 0xB2 }, "\xD1\x85" }, /* Ҳ as х */
		{ { 0xC5, 0x8F }, "o'" },       /* ŏ */
		{ { 0xC5, 0x8E }, "o'" },       /* Ŏ */
		{ { 0xC5, 0x8D }, "o'" },       /* ō */
		{ { 0xC5, 0x8C }, "o'" },       /* Ō */
		{ { 0xC3, 0xB6 }, "o'" },       /* ö */
		{ { 0xC3, 0x96 }, "o'" },       /* Ö */
		{ { 0xC4, 0x9F }, "g'" },       /* ğ */
		{ { 0xC4, 0x9E }, "g'" },       /* Ğ */
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

/* Appends the folded, lower-cased character at p; returns the bytes used. */
static size_t fold_one(const unsigned char *p, size_t n, struct sbuf *out)
{
	const char *f;
	size_t used, len;
	long c;

	if (p[0] == '`') {
		sbuf_addc(out, '\'');
		return 1;
	}
	if ((f = fold_seq(p, n, &used)) != NULL) {
		sbuf_addstr(out, f);
		return used;
	}
	c = decode(p, n, &len);
	if (c < 0) {
		sbuf_add(out, p, 1);
		return 1;
	}
	encode(out, lower(c));
	return len;
}

/* The Russian alphabet, the bulk of the text, without a table search. */
static int fold_cyrillic(const unsigned char *p, size_t n, struct sbuf *out)
{
	unsigned char b[2] = { p[0], p[1] };

	if (n < 2 || (p[0] != 0xD0 && p[0] != 0xD1) || p[1] < 0x80 || p[1] > 0xBF)
		return 0;
	if (p[0] == 0xD0 && p[1] >= 0x90 && p[1] <= 0x9F)
		b[1] = (unsigned char)(p[1] + 0x20);
	else if (p[0] == 0xD0 && p[1] >= 0xA0 && p[1] <= 0xAF)
		b[0] = 0xD1, b[1] = (unsigned char)(p[1] - 0x20);
	else if (!(p[0] == 0xD0 && p[1] >= 0xB0) && !(p[0] == 0xD1 && p[1] < 0x90))
		return 0;
	sbuf_add(out, b, 2);
	return 1;
}

const char *rules_fold_match(const char *s, size_t n, struct sbuf *buf, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	char c;

	sbuf_reset(buf);
	sbuf_grow(buf, n + FOLD_PAD);
	while (i < n) {
		if (p[i] < 0x80 && p[i] != '`') {
			c = (char)p[i++];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 0x20);
			buf->s[buf->len++] = c;   /* room reserved above; folds never grow ASCII */
			continue;
		}
		if (fold_cyrillic(p + i, n - i, buf)) {
			i += 2;
			continue;
		}
		i += fold_one(p + i, n - i, buf);
	}
	/* PCRE2's JIT reads whole words past the end of the text (it ignores
	 * what it finds there); zeros keep memory checkers quiet about it. */
	sbuf_grow(buf, FOLD_PAD);
	memset(buf->s + buf->len, 0, FOLD_PAD);
	*len = buf->len;
	return buf->s;
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
