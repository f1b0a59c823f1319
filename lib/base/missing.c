#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "missing.h"
#include "num.h"
#include "xalloc.h"

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int add_code(struct missing *m, const char *s, size_t n, char *err, size_t errsize)
{
	double d;

	trim(&s, &n);
	if (n == 0) {
		snprintf(err, errsize, "--missing: an empty code (an empty field is always missing)");
		return -1;
	}
	if (num_parse_double(s, n, 0, &d) == 0)
		m->has_number = 1;
	m->codes = xrealloc(m->codes, (m->n + 1) * sizeof(*m->codes));
	m->codes[m->n++] = xstrndup(s, n);
	return 0;
}

void missing_add(struct missing *m, const char *s, size_t n)
{
	char err[128];

	trim(&s, &n);
	if (n)
		add_code(m, s, n, err, sizeof(err));
}

int missing_init(struct missing *m, const char *list, char *err, size_t errsize)
{
	memset(m, 0, sizeof(*m));
	if (!list)
		list = MISSING_DEFAULT;
	if (*list == '\0')
		return 0;
	for (const char *p = list;; ) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (add_code(m, p, n, err, errsize) < 0)
			return -1;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

void missing_release(struct missing *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->codes[i]);
	free(m->codes);
	memset(m, 0, sizeof(*m));
}

int missing_value(const struct missing *m, const char *s, size_t n)
{
	trim(&s, &n);
	if (n == 0)
		return 1;
	for (size_t i = 0; m && i < m->n; i++)
		if (strlen(m->codes[i]) == n && memcmp(m->codes[i], s, n) == 0)
			return 1;
	return 0;
}

int missing_is_default(const struct missing *m)
{
	struct missing d;
	char err[128];
	int same;

	missing_init(&d, NULL, err, sizeof(err));
	same = d.n == m->n;
	for (size_t i = 0; same && i < d.n; i++)
		same = missing_value(m, d.codes[i], strlen(d.codes[i]));
	for (size_t i = 0; same && i < m->n; i++)
		same = missing_value(&d, m->codes[i], strlen(m->codes[i]));
	missing_release(&d);
	return same;
}
