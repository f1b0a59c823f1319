/* Shared by the libFuzzer harnesses in fuzz/ (see scripts/fuzz).
 *
 * The library reads files by path, so a harness puts its input in an
 * anonymous memory file and hands over /dev/fd/N.  Options a harness varies
 * (dialect, limits, how many bytes each read returns) come from the first
 * bytes of the input, so the fuzzer explores them along with the data. */
#ifndef CIVIC_FUZZ_H
#define CIVIC_FUZZ_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_file {
	int fd;
	char path[32];
};

/* data[0..size) as a file at f->path until fuzz_file_close(). */
static inline void fuzz_file_open(struct fuzz_file *f, const void *data, size_t size)
{
	const char *p = data;

	f->fd = memfd_create("civic-fuzz", 0);
	if (f->fd < 0) {
		perror("memfd_create");
		abort();
	}
	while (size > 0) {
		ssize_t n = write(f->fd, p, size);
		if (n <= 0) {
			perror("write");
			abort();
		}
		p += n;
		size -= (size_t)n;
	}
	snprintf(f->path, sizeof(f->path), "/dev/fd/%d", f->fd);
}

static inline void fuzz_file_close(struct fuzz_file *f)
{
	close(f->fd);
}

/* Takes one option byte off the front of the input (0 when none is left). */
static inline unsigned fuzz_byte(const uint8_t **data, size_t *size)
{
	if (*size == 0)
		return 0;
	(*size)--;
	return *(*data)++;
}

/* How many bytes each read() returns: mostly all, sometimes very few. */
static inline void fuzz_read_max(unsigned b)
{
	static const char *sizes[] = { "0", "0", "0", "0", "1", "2", "3", "7" };

	setenv("CIVIC_READ_MAX", sizes[b & 7], 1);
}

#endif
