#include <stdlib.h>

#include "split_list.h"
#include "trim.h"
#include "xalloc.h"

size_t split_list(const char *list, char ***items)
{
	size_t n = 0, cap = 0;
	const char *start = list;
	int depth = 0;

	*items = NULL;
	for (const char *p = list; ; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		if (*p == '\0' || (*p == ',' && depth == 0)) {
			const char *item = start;
			size_t len = (size_t)(p - start);
			trim_blanks(&item, &len);
			*items = xgrow(*items, &cap, n + 1, sizeof(**items));
			(*items)[n++] = xstrndup(item, len);
			start = p + 1;
		}
		if (*p == '\0')
			break;
	}
	return n;
}

void split_list_free(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}
