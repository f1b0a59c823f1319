/* A cell's number as civic writes it: the shortest decimal that reads back
 * (strtod) as the same double, in plain digits, never in exponent form:
 * 0.1 → "0.1", 1e7 → "10000000", -2.5 → "-2.5", 1e-6 → "0.000001",
 * 1e21 → "1000000000000000000000".  Among decimals of the shortest length,
 * the one nearest the double (as Python's repr and David Gay's dtoa
 * choose).  Negative zero is written "0". */
#ifndef CIVIC_WB_NUMBER_H
#define CIVIC_WB_NUMBER_H

#include <stddef.h>

/* Longest text: 5e-324 is "0." and 323 zeros and "5"; 1.8e308 is 309 digits. */
enum { WB_NUMBER_BUF = 344 };

/* Writes x to buf (WB_NUMBER_BUF bytes) and returns the length, or -1 (buf
 * empty) when x is a NaN or infinite: not a number a cell can show. */
int wb_number_text(double x, char *buf);

#endif
