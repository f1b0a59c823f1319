/* -e auto: the encoding of one input chosen from its bytes, each file on
 * its own.
 *
 * A UTF-16 byte-order mark means UTF-16; bytes that are all valid UTF-8
 * mean UTF-8; else bytes the fallback encoding (cp1251 unless told
 * otherwise) decodes whole mean the fallback.  Bytes valid in neither are
 * read as UTF-8, so each record that is not is rejected with its offset and
 * a hint, never decoded by a guess.  A regular file is judged on all its
 * bytes, a pipe on its first ENCODING_AUTO_WINDOW bytes (a later byte that
 * does not fit rejects its record).  The choice is said on standard error. */
#ifndef CIVIC_ENCODING_AUTO_H
#define CIVIC_ENCODING_AUTO_H

#include <stddef.h>

#define ENCODING_AUTO "auto"
#define ENCODING_AUTO_FALLBACK "cp1251"

enum { ENCODING_AUTO_WINDOW = 256 * 1024 };

enum encoding_choice {
	ENC_UTF8,
	ENC_UTF16,          /* by its byte-order mark */
	ENC_FALLBACK,
	ENC_NEITHER,        /* read as UTF-8, records that are not rejected */
};

/* 1 when name asks for the choice ("auto", any case). */
int encoding_is_auto(const char *name);
/* The choice for a regular file open on fd, read with pread (the file
 * offset and any mapping are left alone).  -1 on a read error (printed). */
int encoding_choose_file(int fd, const char *name, const char *fallback, enum encoding_choice *c);
/* The choice on the first n bytes of a stream; at_end: nothing follows
 * (else a sequence cut at the end is not held against it). */
enum encoding_choice encoding_choose_bytes(const char *b, size_t n, int at_end, const char *fallback);
/* Says the choice on standard error: "FILE: read as cp1251 (not valid UTF-8)". */
void encoding_announce(const char *name, enum encoding_choice c, const char *fallback);

#endif
