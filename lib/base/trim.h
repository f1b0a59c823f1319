/* Spaces and tabs around a value: hand-typed exports are full of them, and
 * every parser of a field ignores them the same way. */
#ifndef CIVIC_TRIM_H
#define CIVIC_TRIM_H

#include <stddef.h>

static inline void trim_blanks(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

#endif
