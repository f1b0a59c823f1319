#include <stdint.h>
#include <string.h>
#if defined(__SSE2__) && !defined(CIVIC_NO_SIMD)
#include <emmintrin.h>
#endif

#include "utf8.h"

long utf8_decode(const char *str, size_t n, size_t *len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned long c;
	size_t need, i;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if (s[0] < 0xC2)
		return -1;
	if (s[0] < 0xE0) {
		need = 1;
		c = s[0] & 0x1F;
	} else if (s[0] < 0xF0) {
		need = 2;
		c = s[0] & 0x0F;
	} else if (s[0] < 0xF5) {
		need = 3;
		c = s[0] & 0x07;
	} else {
		return -1;
	}
	if (n < need + 1)
		return -1;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((need == 2 && c < 0x800) || (need == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*len = need + 1;
	return (long)c;
}

size_t utf8_invalid_offset(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;

	while (i < n) {
		/* Sixteen, then eight ASCII bytes at a time: the common case in
		 * registries. */
#if defined(__SSE2__) && !defined(CIVIC_NO_SIMD)
		while (i + 16 <= n && !_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i))))
			i += 16;
#endif
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		/* Then byte by byte while the text is mixed (Cyrillic words and
		 * spaces): back to whole words only after eight ASCII bytes. */
		for (size_t ascii = 0; i < n && ascii < 8;) {
			if (s[i] < 0x80) {
				i++;
				ascii++;
				continue;
			}
			ascii = 0;
			/* Two-byte sequences (Cyrillic, Latin Extended) inline. */
			if (s[i] >= 0xC2 && s[i] < 0xE0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
				i += 2;
				continue;
			}
			if (utf8_decode(str + i, n - i, &len) < 0)
				return i;
			i += len;
		}
	}
	return n;
}

/* Windows-1251 puts Cyrillic letters at 0xC0-0xFF; text in it is mostly
 * such bytes, separated by ASCII, which is rarely valid UTF-8. */
int looks_like_cp1251(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t high = 0, cyr = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x80) {
			high++;
			if (s[i] >= 0xC0 || s[i] == 0xA8 || s[i] == 0xB8)
				cyr++;
		}
	}
	return high > 0 && cyr * 10 >= high * 8;
}

static int is_combining(unsigned long c)
{
	return (c >= 0x0300 && c <= 0x036F) || (c >= 0x0483 && c <= 0x0489) ||
		(c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
		(c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F) ||
		c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF;
}

static int is_wide(unsigned long c)
{
	return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
		(c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
		(c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
		(c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
		(c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

size_t utf8_width(const char *s, size_t n)
{
	size_t i = 0, width = 0, len;

	while (i < n) {
		long c = utf8_decode(s + i, n - i, &len);
		if (c < 0) {
			width++;    /* shown as one replacement character */
			i++;
			continue;
		}
		i += len;
		if (is_combining((unsigned long)c))
			continue;
		width += is_wide((unsigned long)c) ? 2 : 1;
	}
	return width;
}
