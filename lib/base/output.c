#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "error.h"
#include "output.h"
#include "xalloc.h"

/* Temporary files not yet renamed into place, for output_unlink_pending(),
 * which a signal handler calls: a name is whole before its pointer is
 * stored, and its pointer is cleared before the name is freed.  A command
 * has an output and perhaps a rejects file open at once. */
enum { MAX_PENDING = 8 };
static char *volatile pending[MAX_PENDING];
/* The process that made them: a child forked to run a library apart
 * (xls_child.c) that exits, or gets a signal, removes none of them. */
static pid_t owner;

/* Outputs may be opened and closed on two threads at once (a bulletin's
 * tables): one at a time takes or frees a slot. */
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;

static void add_pending(char *tmp)
{
	static int at_exit;

	pthread_mutex_lock(&pending_lock);
	/* civic_die() exits from wherever it is: no temporary file outlives it. */
	if (!at_exit)
		at_exit = atexit(output_unlink_pending) == 0;
	owner = getpid();
	for (int i = 0; i < MAX_PENDING; i++)
		if (!pending[i]) {
			pending[i] = tmp;
			break;
		}
	pthread_mutex_unlock(&pending_lock);
}

static void drop_pending(const char *tmp)
{
	pthread_mutex_lock(&pending_lock);
	for (int i = 0; tmp && i < MAX_PENDING; i++)
		if (pending[i] == tmp)
			pending[i] = NULL;
	pthread_mutex_unlock(&pending_lock);
}

void output_track_temp(char *path)
{
	add_pending(path);
}

void output_untrack_temp(const char *path)
{
	drop_pending(path);
}

void output_unlink_pending(void)
{
	if (owner && getpid() != owner)
		return;
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending[i])
			unlink(pending[i]);
}

/* A device or FIFO (/dev/stdout, /dev/full, a named pipe) cannot be
 * replaced by a rename: write to it directly. */
static int open_special(struct output *o, const char *path)
{
	o->fp = fopen(path, "w");
	if (!o->fp) {
		civic_warn("%s:", path);
		return -1;
	}
	o->path = xstrdup(path);
	return 0;
}

/* /dev/stdout, /dev/fd/N and /proc/self/fd/N are links to a descriptor
 * already open, which may be a regular file: renaming a temporary file
 * over the name would replace the link in /dev, not write the file.  (A
 * plain file under /dev/shm is still written atomically.) */
static int names_descriptor(const char *path)
{
	struct stat st;

	return (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0) &&
		lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

int output_open(struct output *o, const char *path, mode_t mode)
{
	struct stat st;
	size_t n;
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	if ((stat(path, &st) == 0 && !S_ISREG(st.st_mode)) || names_descriptor(path))
		return open_special(o, path);
	n = strlen(path) + 16;
	o->path = xstrdup(path);
	o->tmp = xmalloc(n);
	snprintf(o->tmp, n, "%s.tmpXXXXXX", path);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		civic_warn("%s: cannot create temporary file:", path);
		goto fail;
	}
	add_pending(o->tmp);   /* from now on, whatever ends the run removes it */
	if (mode != 0600) {
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, mode & ~mask);
	}
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		civic_warn("%s:", path);
		close(fd);
		unlink(o->tmp);
		drop_pending(o->tmp);
		goto fail;
	}
	return 0;
fail:
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return -1;
}

int output_is_file(const char *path)
{
	return path && strcmp(path, "-") != 0;
}

static void output_free(struct output *o)
{
	drop_pending(o->tmp);
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
}

int output_close(struct output *o)
{
	int failed;

	if (!o->fp)
		return 0;
	if (!o->path) {
		o->fp = NULL;
		return close_stdout();
	}
	failed = fflush(o->fp) != 0 || ferror(o->fp) || (o->tmp && fsync(fileno(o->fp)) != 0);
	if (fclose(o->fp) != 0)
		failed = 1;
	o->fp = NULL;
	if (failed) {
		civic_warn("%s: write error:", o->path);
		if (o->tmp)
			unlink(o->tmp);
		output_free(o);
		return -1;
	}
	if (!o->tmp) {
		output_free(o);
		return 0;
	}
	if (rename(o->tmp, o->path) != 0) {
		civic_warn("%s: cannot rename temporary file into place:", o->path);
		unlink(o->tmp);
		output_free(o);
		return -1;
	}
	output_free(o);
	return 0;
}

void output_abort(struct output *o)
{
	if (o->fp && o->path) {
		fclose(o->fp);
		if (o->tmp)
			unlink(o->tmp);
	}
	if (o->path)
		output_free(o);
	o->fp = NULL;
}

/* Who a path is as an output: a file that exists by its device and inode,
 * one that does not yet by its resolved name (malloc'd), or neither. */
struct output_identity {
	int exists, shareable;
	dev_t dev;
	ino_t ino;
	char *name;
};

static void identify(const char *path, struct output_identity *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (!path || strcmp(path, "-") == 0 ? fstat(STDOUT_FILENO, &st) == 0 : stat(path, &st) == 0) {
		id->exists = 1;
		id->shareable = S_ISCHR(st.st_mode);
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		return;
	}
	if (!path || strcmp(path, "-") == 0)
		return;
	char *d = xstrdup(path), *b = xstrdup(path), *dir = realpath(dirname(d), NULL);
	if (dir) {
		const char *base = basename(b);
		id->name = xmalloc(strlen(dir) + strlen(base) + 2);
		sprintf(id->name, "%s/%s", dir, base);
		free(dir);
	}
	free(d);
	free(b);
}

int output_same_file(const char *a, const char *b)
{
	struct output_identity x, y;
	int same;

	identify(a, &x);
	identify(b, &y);
	if (x.exists && y.exists)
		same = x.dev == y.dev && x.ino == y.ino && !x.shareable;
	else
		same = x.name && y.name && strcmp(x.name, y.name) == 0;
	free(x.name);
	free(y.name);
	return same;
}

int close_stdout(void)
{
	static int closed;
	int failed;

	if (closed)
		return 0;
	closed = 1;
	failed = fflush(stdout) != 0 || ferror(stdout);
	if (fclose(stdout) != 0 && !failed)
		failed = errno != EBADF;
	if (failed) {
		civic_warn("write error:");
		return -1;
	}
	return 0;
}
