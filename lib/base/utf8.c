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

/* From a sequence's start at i, whole sequences until at least to (or
 * n): where it stopped, at a sequence's start, or the offset of the
 * first invalid one with *bad set. */
static size_t check_bytes(const char *str, size_t i, size_t to, size_t n, int *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	while (i < to && i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		/* Two-byte sequences (Cyrillic, Latin Extended) inline. */
		if (s[i] >= 0xC2 && s[i] < 0xE0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
			i += 2;
			continue;
		}
		if (utf8_decode(str + i, n - i, &len) < 0) {
			*bad = 1;
			return i;
		}
		i += len;
	}
	return i;
}

#if defined(__SSE2__) && !defined(CIVIC_NO_SIMD)
static inline unsigned mask16(__m128i v)
{
	return (unsigned)_mm_movemask_epi8(v);
}

/* Sixteen bytes at once when they hold only ASCII, two-byte sequences
 * led by C2-DF and three-byte ones led by E1-EC or EE-EF (none of which
 * can be overlong or a surrogate), each whole or running on into the
 * next sixteen: *carry marks the continuation bytes the block must start
 * with, and is set for the next.  0 for anything else (E0, ED and
 * four-byte leads, or an error), left to check_bytes(). */
static inline int block_valid(__m128i x, unsigned *carry)
{
	unsigned high = mask16(x);

	if (!high && !*carry)
		return 1;
	/* Signed bytes: 0x80-0xBF are -128..-65, 0xC2-0xDF -62..-33,
	 * 0xE1-0xEF -31..-17 with 0xED -19. */
	unsigned cont = mask16(_mm_cmplt_epi8(x, _mm_set1_epi8(-64)));
	unsigned lead2 = mask16(_mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(-63)),
		_mm_cmplt_epi8(x, _mm_set1_epi8(-32))));
	unsigned lead3 = mask16(_mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(-19)),
		_mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(-32)), _mm_cmplt_epi8(x, _mm_set1_epi8(-16)))));
	unsigned want = (lead2 | lead3) << 1 | lead3 << 2 | *carry;

	if (high != (cont | lead2 | lead3) || (want & 0xFFFF) != cont)
		return 0;
	*carry = want >> 16;
	return 1;
}

static inline __m128i load16(const unsigned char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

size_t utf8_invalid_offset(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char tail[16];
	unsigned carry = 0;
	size_t i = 0, at;
	int bad = 0;

	for (;;) {
		/* Thirty-two bytes a step, one test when all are ASCII. */
		while (i + 32 <= n) {
			__m128i a = load16(s + i), b = load16(s + i + 16);
			if (!carry && !mask16(_mm_or_si128(a, b))) {
				i += 32;
				continue;
			}
			if (!block_valid(a, &carry))
				goto slow;
			i += 16;
			if (!block_valid(b, &carry))
				goto slow;
			i += 16;
		}
		if (i + 16 <= n) {
			if (!block_valid(load16(s + i), &carry))
				goto slow;
			i += 16;
		}
		if (i == n && !carry)
			return n;
		/* The last bytes padded with NULs, which are ASCII: a sequence
		 * cut by the end fails as a continuation missing. */
		memset(tail, 0, sizeof(tail));
		memcpy(tail, s + i, n - i);
		if (block_valid(load16(tail), &carry) && !carry)
			return n;
slow:
		/* Bytes before i are valid; a sequence running into this block
		 * began at the last byte before i that is not a continuation. */
		at = i;
		if (carry)
			for (at = i - 1; (s[at] & 0xC0) == 0x80; at--)
				;
		i = check_bytes(str, at, i + 16, n, &bad);
		if (bad)
			return i;
		if (i >= n)
			return n;
		carry = 0;
	}
}
#else
size_t utf8_invalid_offset(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	int bad = 0;

	while (i < n) {
		/* Eight ASCII bytes at a time: the common case in registries. */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		i = check_bytes(str, i, i + 16, n, &bad);
		if (bad)
			return i;
	}
	return n;
}
#endif

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
