/* Converting one raw field to its schema type, in canonical text:
 * int and number in plain decimal, dates ISO yyyy-mm-dd, bools
 * true/false.  Strings and all values are trimmed of surrounding spaces. */
#ifndef CIVIC_CONVERT_H
#define CIVIC_CONVERT_H

#include "reject.h"
#include "schema.h"

/* Appends the converted value of s[0..n) to out.  0, or -1 with why set
 * (reason codes missing-value, bad-int, bad-number, bad-date,
 * implausible-serial, bad-bool).  A message never quotes the value of a
 * personal-data field. */
int convert_field(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why);

/* The dates a of field f and b of field g (f "not_before" g), as
 * yyyy-mm-dd: -1 with why set (reason date-order) when a is before b. */
int check_not_before(const struct schema_field *f, const char *a, const struct schema_field *g,
	const char *b, struct reject *why);

/* -1 with why set (reason nul-byte) when s[0..n) holds a NUL byte, which
 * no text has and which later commands would cut keys at. */
int check_no_nul(const char *column, const char *s, size_t n, struct reject *why);

/* 1 for the spellings of yes/true (and no/false sets *value 0) in
 * English, Russian and Uzbek (Latin and Cyrillic), in any case, with the
 * text seen as rule books fold it (rules_fold_key: yoʻq is yo'q, йўқ is
 * йук); -1 when s is neither. */
int parse_bool(const char *s, size_t n, int *value);

#endif
