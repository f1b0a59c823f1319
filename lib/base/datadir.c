#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "datadir.h"
#include "xalloc.h"

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *civic_datadir(void)
{
	static char *dir;
	char exe[4096];
	ssize_t n;

	if (dir)
		return dir;
	const char *env = getenv("CIVIC_DATADIR");
	if (env && *env)
		return dir = xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			strcpy(slash, "/../share/civic");
			if (is_dir(exe))
				return dir = xstrdup(exe);
		}
	}
	return dir = xstrdup(CIVIC_DATADIR);
}

char *civic_find_data(const char *subdir, const char *name)
{
	struct stat st;
	char *path;
	size_t n;

	if (stat(name, &st) == 0)
		return xstrdup(name);
	if (strchr(name, '/'))
		return NULL;
	n = strlen(civic_datadir()) + strlen(subdir) + strlen(name) + 3;
	path = xmalloc(n);
	snprintf(path, n, "%s/%s/%s", civic_datadir(), subdir, name);
	if (stat(path, &st) == 0)
		return path;
	free(path);
	return NULL;
}
