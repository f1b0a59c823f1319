/* Converting one raw field to its schema type, in canonical text:
 * int and number in plain decimal, dates ISO yyyy-mm-dd, bools
 * true/false.  Strings and all values are trimmed of surrounding spaces. */
#ifndef CIVIC_CONVERT_H
#define CIVIC_CONVERT_H

#include "reader.h"
#include "schema.h"

/* Appends the converted value of s[0..n) to out.  0, or -1 with why set
 * (reason codes missing-value, bad-int, bad-number, bad-date, bad-bool). */
int convert_field(const struct schema_field *f, const char *s, size_t n, struct sbuf *out,
	struct reject *why);

/* 1 for the spellings of yes/true (and no/false sets *value 0) in
 * English, Russian and Uzbek; -1 when s is neither. */
int parse_bool(const char *s, size_t n, int *value);

#endif
