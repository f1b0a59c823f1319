#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "error.h"
#include "output.h"
#include "source_map.h"

/* Pages are given back in steps this large: memory stays near it, and
 * madvise() runs a few hundred times per gigabyte, not per record. */
enum { RELEASE_STEP = 1024 * 1024 };

static const char *mapped_name;   /* for the message if the file shrinks */

static void write_str(const char *s)
{
	ssize_t ignored = write(2, s, strlen(s));
	(void)ignored;
}

/* A mapped file cut short by another process (truncated while we read),
 * or a disk failing, raises SIGBUS on the pages that cannot be read.  The
 * run fails as read() errors make it fail: a message, exit status 1, no
 * temporary output left.  Only async-signal-safe calls in here. */
static void mapped_read_failed(int sig)
{
	(void)sig;
	output_unlink_pending();
	write_str(civic_progname());
	write_str(": ");
	write_str(mapped_name ? mapped_name : "input");
	write_str(": read error: the file shrank while it was being read, or the disk failed\n");
	_exit(CIVIC_EXIT_DATA);
}

void source_map(struct source *src)
{
	struct stat st;
	struct sigaction sa;
	void *p;

	/* CIVIC_READ_MAX slices reads for tests, which must then see reads. */
	if (getenv("CIVIC_NO_MMAP") || getenv("CIVIC_READ_MAX") || fstat(src->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (unsigned long long)st.st_size > (size_t)-1 / 2)
		return;
	mapped_name = src->name;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mapped_read_failed;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, src->fd, 0);
	if (p == MAP_FAILED)
		return;
	if (source_starts_utf16(p, (size_t)st.st_size)) {
		munmap(p, (size_t)st.st_size);
		return;
	}
	madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	src->buf = p;
	src->len = src->mapped = (size_t)st.st_size;
	src->eof = 1;
}

void source_unmap(struct source *src)
{
	munmap(src->buf, src->mapped);
	if (mapped_name == src->name)
		mapped_name = NULL;
	src->buf = NULL;
	src->mapped = 0;
}

/* madvise() works on whole pages. */
static size_t page_floor(size_t offset)
{
	return offset & ~((size_t)sysconf(_SC_PAGESIZE) - 1);
}

void source_release_passed(struct source *src)
{
	if (!src->mapped || src->pos - src->released < RELEASE_STEP)
		return;
	size_t upto = page_floor(src->pos);
	madvise(src->buf + src->released, upto - src->released, MADV_DONTNEED);
	src->released = upto;
}

int source_seek(struct source *src, size_t offset)
{
	if (!src->mapped || offset < src->pos || offset > src->len)
		return -1;
	src->pos = offset;
	src->released = page_floor(offset);   /* the pages before were never touched */
	return 0;
}
