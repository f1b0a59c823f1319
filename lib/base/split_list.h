/* Lists as users type them on the command line: "month(a),b,days(c,d)". */
#ifndef CIVIC_SPLIT_LIST_H
#define CIVIC_SPLIT_LIST_H

#include <stddef.h>

/* Splits a comma list at the commas outside parentheses ("month(a),b" →
 * "month(a)", "b"), each item trimmed of spaces and tabs.  Returns the
 * count; *items is malloc'd, as is each. */
size_t split_list(const char *list, char ***items);
void split_list_free(char **items, size_t n);

#endif
