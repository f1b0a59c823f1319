/* Allocation that cannot return NULL: on exhaustion the command prints
 * "out of memory" and exits 1 (a data/resource failure, never a crash).
 * CIVIC_FAIL_ALLOC_AFTER=N in the environment makes the N+1th allocation
 * fail, for fault-injection tests. */
#ifndef CIVIC_XALLOC_H
#define CIVIC_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (an array of *cap elements of elsize bytes) to hold at least need. */
void *xgrow(void *p, size_t *cap, size_t need, size_t elsize);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
