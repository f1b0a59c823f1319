/* UTF-8 checks and display widths. */
#ifndef CIVIC_UTF8_H
#define CIVIC_UTF8_H

#include <stddef.h>

/* Offset of the first byte that is not part of valid UTF-8, or n. */
size_t utf8_invalid_offset(const char *s, size_t n);
/* 1 when bytes that are not valid UTF-8 look like Windows-1251 Cyrillic. */
int looks_like_cp1251(const char *s, size_t n);
/* Columns a terminal uses to show s (combining marks 0, wide CJK 2). */
size_t utf8_width(const char *s, size_t n);
/* Decodes one code point at s (n > 0); stores its length; -1 if invalid. */
long utf8_decode(const char *s, size_t n, size_t *len);

#endif
