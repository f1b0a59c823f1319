/* A buffered byte source over one file descriptor, delivering UTF-8.
 *
 * Bytes arrive in buf[pos..len).  source_more() reads more, keeping every
 * byte from `keep` on (it may move them: callers hold offsets, not
 * pointers).  With an encoding other than UTF-8 the bytes are converted by
 * iconv; a byte the source encoding cannot decode is passed through as it
 * is, so the record holding it is rejected as invalid UTF-8 rather than
 * silently altered.  A UTF-16 byte-order mark selects UTF-16 by itself. */
#ifndef CIVIC_SOURCE_H
#define CIVIC_SOURCE_H

#include <iconv.h>
#include <stddef.h>

struct source {
	int fd;
	int eof;                 /* no more bytes will come */
	int failed;              /* a read or conversion error was reported */
	char *buf;
	size_t pos, len, cap;
	unsigned long long base; /* offset of buf[0] in the (converted) stream */
	const char *name;
	iconv_t cd;              /* (iconv_t)-1 when no conversion */
	char *raw;               /* unconverted bytes awaiting iconv */
	size_t rawlen, rawcap;
};

/* path NULL or "-" is standard input.  0, or -1 with a message printed. */
int source_open(struct source *src, const char *path, const char *name, const char *encoding);
void source_close(struct source *src);
/* Reads at least one more byte unless at EOF; keeps buf[keep..len).
 * Returns the number of new bytes (0 at EOF), -1 on error (printed). */
long source_more(struct source *src, size_t keep);

#endif
