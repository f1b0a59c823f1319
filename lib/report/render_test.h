/* civic-tally --test's columns (rao_scott_*, pearson_*: the same figures
 * on every row) become a note under the table instead of columns. */
#ifndef CIVIC_RENDER_TEST_H
#define CIVIC_RENDER_TEST_H

#include <stddef.h>
#include "rtable.h"

/* Removes the test columns that end t and writes the sentence stating
 * the test into note (size bytes); note is "" when t has none. */
void render_test_take(struct rtable *t, char *note, size_t size);

#endif
