/* Numbers as people type them into a spreadsheet, before they are read as
 * numbers: "1 234 567" (a space, a no-break space U+00A0 or a narrow one
 * U+202F between groups of three digits), "12,5%" (a trailing percent
 * sign, the number kept as written: 12,5% is 12.5).  Which of these a
 * column may hold the schema says per field; nothing is guessed. */
#ifndef CIVIC_NUMTEXT_H
#define CIVIC_NUMTEXT_H

#include <stddef.h>

enum {
	NUMTEXT_THOUSANDS = 1,       /* spaces between groups of three digits */
	NUMTEXT_PERCENT = 2,         /* a trailing % (spaces before it allowed) */
	NUMTEXT_MAX = 128,
};

/* s[0..n) without the separators and the sign flags allow, into buf
 * (NUMTEXT_MAX bytes); the length, or -1 when a separator is misplaced
 * ("12 34") or the text is too long. */
long numtext_clean(const char *s, size_t n, int flags, char *buf);
/* 1 when s[0..n) is digits grouped by spaces or a trailing %: what a
 * message may suggest the schema allow. */
int numtext_has_separators(const char *s, size_t n);

#endif
