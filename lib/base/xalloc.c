#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xalloc.h"

/* Fault injection: CIVIC_FAIL_ALLOC_AFTER=N fails every allocation after
 * the first N, so tests can prove out-of-memory ends in a message and
 * exit 1 rather than a crash. */
static long allocs_left = -2;

static int injected_failure(void)
{
	if (allocs_left == -2) {
		const char *s = getenv("CIVIC_FAIL_ALLOC_AFTER");
		allocs_left = s && *s ? strtol(s, NULL, 10) : -1;
	}
	if (allocs_left < 0)
		return 0;
	if (allocs_left == 0)
		return 1;
	allocs_left--;
	return 0;
}

static void *checked(void *p)
{
	if (!p)
		civic_die(CIVIC_EXIT_DATA, "out of memory");
	return p;
}

void *xmalloc(size_t n)
{
	return checked(injected_failure() ? NULL : malloc(n ? n : 1));
}

void *xcalloc(size_t count, size_t size)
{
	return checked(injected_failure() ? NULL : calloc(count ? count : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
	return checked(injected_failure() ? NULL : realloc(p, n ? n : 1));
}

void *xgrow(void *p, size_t *cap, size_t need, size_t elsize)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return p;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elsize)
			civic_die(CIVIC_EXIT_DATA, "out of memory");
		n *= 2;
	}
	p = xrealloc(p, n * elsize);
	*cap = n;
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
