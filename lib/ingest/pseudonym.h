/* Pseudonyms for personal data: a keyed BLAKE2b hash (libsodium's
 * crypto_generichash) of the normalised value, so the same person gets the
 * same pseudonym across months under the same key, and nobody without the
 * key can test a guess.  The key comes from a file or an environment
 * variable named on the command line, never from a schema, and is never
 * printed. */
#ifndef CIVIC_PSEUDONYM_H
#define CIVIC_PSEUDONYM_H

#include <stddef.h>
#include "sbuf.h"

/* A key file is read whole; one longer than PSEUDONYM_KEY_MAX bytes is
 * hashed (BLAKE2b, 64 bytes) into the key, one longer than
 * PSEUDONYM_KEY_FILE_MAX is refused. */
enum { PSEUDONYM_KEY_MIN = 16, PSEUDONYM_KEY_MAX = 64, PSEUDONYM_HEX = 32,
	PSEUDONYM_KEY_FILE_MAX = 1 << 20 };

struct pseudonym_key {
	unsigned char key[PSEUDONYM_KEY_MAX];
	size_t len;
	struct sbuf norm, tmp;       /* reused per value */
};

/* 0, or -1 with a message (missing, unreadable, shorter than 16 bytes,
 * a file longer than PSEUDONYM_KEY_FILE_MAX). */
int pseudonym_key_from_file(struct pseudonym_key *k, const char *path);
int pseudonym_key_from_env(struct pseudonym_key *k, const char *var);
void pseudonym_key_release(struct pseudonym_key *k);

/* Writes 32 hex digits and a NUL to out (33 bytes); an empty value stays
 * empty.  Values are normalised first as rule books fold map values
 * (rules_fold_key): spaces trimmed and collapsed, Latin and Cyrillic
 * lower-cased, the apostrophe variants ʻ ʼ ’ ‘ ` ´ as ', ё as е, ў қ ғ ҳ as
 * у к г х, ŏ ğ as o' g', so one person typed two ways gets one pseudonym. */
void pseudonymize(struct pseudonym_key *k, const char *s, size_t n, char *out);

#endif
