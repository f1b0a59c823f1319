#include "colname.h"
#include "utf8.h"

long codepoint_lower(long c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if ((c >= 0xC0 && c <= 0xDE && c != 0xD7))
		return c + 32;
	if (c >= 0x0410 && c <= 0x042F)       /* А..Я */
		return c + 32;
	if (c >= 0x0400 && c <= 0x040F)       /* Ѐ..Џ, Ё, Ў */
		return c + 80;
	if (c >= 0x0490 && c <= 0x04FF && c % 2 == 0)  /* Ғ Қ Ҳ … */
		return c + 1;
	if (c >= 0x0100 && c <= 0x017F && c % 2 == 0 && c != 0x0130)
		return c + 1;
	return c;
}

void utf8_append(struct sbuf *out, long c)
{
	char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xC0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xE0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	sbuf_add(out, b, n);
}

/* Letters and digits of any script are kept; below U+0080 only [a-z0-9],
 * and the apostrophe-like marks Uzbek Latin uses (ʻ ʼ ’ ‘) are dropped. */
static int kept(long c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
	if (c == 0x2BB || c == 0x2BC || c == 0x2018 || c == 0x2019 || c == 0xAB || c == 0xBB ||
	    c == 0x2116 || (c >= 0x2000 && c <= 0x206F) || c == 0xA0 || c == 0xB0)
		return 0;
	return 1;
}

void colname_fold(struct sbuf *out, const char *s, size_t n)
{
	size_t i = 0, len;

	sbuf_reset(out);
	while (i < n) {
		long c = utf8_decode(s + i, n - i, &len);
		if (c < 0) {
			i++;
			continue;
		}
		i += len;
		c = codepoint_lower(c);
		if (kept(c))
			utf8_append(out, c);
	}
	if (!out->s)
		sbuf_addstr(out, "");
}

void colname_lower(struct sbuf *out, const char *s, size_t n)
{
	size_t i = 0, len;

	sbuf_reset(out);
	while (i < n) {
		long c = utf8_decode(s + i, n - i, &len);
		if (c < 0) {
			sbuf_add(out, s + i, 1);
			i++;
			continue;
		}
		i += len;
		utf8_append(out, codepoint_lower(c));
	}
	if (!out->s)
		sbuf_addstr(out, "");
}
