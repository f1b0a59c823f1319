/* A buffered byte source over one file descriptor, delivering UTF-8.
 *
 * Bytes arrive in buf[pos..len).  source_more() reads more, keeping every
 * byte from `keep` on (it may move them: callers hold offsets, not
 * pointers).  With an encoding other than UTF-8 the bytes are converted by
 * iconv.  A sequence the source encoding cannot decode (a lone UTF-16
 * surrogate, an odd byte at the end, a byte cp1251 leaves undefined) is
 * skipped by one code unit of that encoding, so decoding resumes at the next
 * unit, and leaves in its place one byte that is never UTF-8
 * (SOURCE_BAD_BYTE): the record holding it is rejected, never silently
 * altered, and source_decode_error() says what the bytes were and where in
 * the file.  A UTF-16 byte-order mark selects UTF-16 by itself.
 *
 * A regular file read as UTF-8 is mapped into memory instead of read:
 * buf is then the whole file, eof is set from the start, and no byte is
 * copied on the way in (source_map.c). */
#ifndef CIVIC_SOURCE_H
#define CIVIC_SOURCE_H

#include <iconv.h>
#include <stddef.h>

enum { SOURCE_BAD_BYTE = 0xFF };

/* One sequence the source encoding could not decode. */
struct decode_error {
	unsigned long long at;       /* where its SOURCE_BAD_BYTE is in the converted stream */
	unsigned long long file_at;  /* where the bytes are in the file */
	unsigned char bytes[4];
	unsigned char n;
};

struct source {
	int fd;
	int eof;                 /* no more bytes will come */
	int failed;              /* a read or conversion error was reported */
	char *buf;
	size_t pos, len, cap;
	unsigned long long base; /* offset of buf[0] in the (converted) stream */
	const char *name;
	iconv_t cd;              /* (iconv_t)-1 when no conversion */
	const char *encoding;    /* the source encoding's name, for messages */
	size_t unit;             /* its code unit in bytes: what a bad sequence costs */
	char *raw;               /* unconverted bytes awaiting iconv */
	size_t rawlen, rawcap;
	unsigned long long raw_base; /* offset of raw[0] in the file */
	struct decode_error *bad;    /* those still in buf, in stream order */
	size_t nbad, capbad;
	unsigned long long last_bad; /* where the last SOURCE_BAD_BYTE went */
	const char *auto_fallback;   /* -e auto on a stream: choose on the first read */
	size_t mapped;           /* buf is the whole file mapped, this long; 0: read */
	size_t released;         /* mapped pages before this are given back */
	unsigned char unread[16];    /* bytes taken from a pipe before the source opened, read first */
	size_t nunread, unread_pos;
};

/* path NULL or "-" is standard input.  0, or -1 with a message printed. */
int source_open(struct source *src, const char *path, const char *name, const char *encoding);
/* As source_open, the encoding chosen for this input (encoding_auto.h),
 * with fallback as the 8-bit one, and said on standard error. */
int source_open_auto(struct source *src, const char *path, const char *name, const char *fallback);
void source_close(struct source *src);
/* Gives back bytes already taken from the source's pipe (at most 16, the
 * first bytes a workbook check read), before any read. */
void source_unread(struct source *src, const unsigned char *p, size_t n);
/* Reads at least one more byte unless at EOF; keeps buf[keep..len).
 * Returns the number of new bytes (0 at EOF), -1 on error (printed). */
long source_more(struct source *src, size_t keep);
/* With a mapped file: gives back the pages before pos once enough have
 * been passed, so memory stays bounded however large the file.  Callers
 * hold no offset before pos. */
void source_release_passed(struct source *src);
/* Moves a mapped source forward to offset; 0, or -1 when it is not mapped
 * or offset is behind pos or past the end. */
int source_seek(struct source *src, size_t offset);
/* Moves pos past the next line feed, reading as needed: 1, 0 when the
 * input ends first (pos at the end), -1 on a read error (printed). */
int source_skip_line(struct source *src);
/* The first sequence that could not be decoded whose SOURCE_BAD_BYTE lies
 * in [from, to) of the converted stream, or NULL. */
const struct decode_error *source_decode_error(const struct source *src,
	unsigned long long from, unsigned long long to);
/* The same in words, into msg: "bytes 0x00 0xD8 at byte 10 are not valid
 * UTF-16".  1, or 0 when there is none. */
int source_describe_decode_error(const struct source *src, unsigned long long from,
	unsigned long long to, char *msg, size_t size);
/* 1 when b starts with a UTF-16 byte-order mark. */
int source_starts_utf16(const unsigned char *b, size_t n);

#endif
