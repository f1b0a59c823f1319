/* Numbers read and written without locale: '.' is the decimal point unless
 * decimal_comma is asked for; output is the shortest text that reads back
 * to the same double. */
#ifndef CIVIC_NUM_H
#define CIVIC_NUM_H

#include <stddef.h>

/* Whole field must be a number (spaces around allowed).  0 or -1. */
int num_parse_double(const char *s, size_t n, int decimal_comma, double *out);
int num_parse_int(const char *s, size_t n, long long *out);

/* Shortest round-trip form ("0.1", "1e+300", "nan" never: NaN gives "").
 * buf needs 32 bytes; returns the length. */
int num_format(double x, char *buf);
/* Rounded to digits decimals ("%.*f"); buf needs 64 bytes. */
int num_format_fixed(double x, int digits, char *buf);

#endif
