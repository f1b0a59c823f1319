/* Column names compared the way people write them: case folded (Latin
 * and Cyrillic), spaces, punctuation and apostrophes removed, so
 * "Received at", "RECEIVED_AT" and "received-at" are one name, and so are
 * "Дата поступления" and "дата  поступления". */
#ifndef CIVIC_COLNAME_H
#define CIVIC_COLNAME_H

#include <stddef.h>
#include "sbuf.h"

/* Appends the folded form of s[0..n) to out (which is reset first). */
void colname_fold(struct sbuf *out, const char *s, size_t n);
/* Appends s[0..n) only lower-cased, spaces and punctuation kept (out is
 * reset first): two names equal so are the same name, not merely alike. */
void colname_lower(struct sbuf *out, const char *s, size_t n);
/* Lower-cases one code point (ASCII, Latin-1, Cyrillic, Latin Extended-A). */
long codepoint_lower(long c);
/* Appends code point c as UTF-8. */
void utf8_append(struct sbuf *out, long c);

#endif
