/* SHA-256 of files and buffers (OpenSSL's libcrypto), as the
 * lower-case hex text that sha256sum prints. */
#ifndef CIVIC_SHA256_H
#define CIVIC_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* hex needs SHA256_HEX_LEN + 1 bytes. */
void sha256_hex(const void *data, size_t n, char *hex);
/* Hashes everything readable from fd (from its current offset).
 * Returns 0, or -1 with errno set by read(). */
int sha256_fd(int fd, char *hex);
/* Returns 0, or -1 with errno set (the file would not open or read). */
int sha256_file(const char *path, char *hex);

#endif
