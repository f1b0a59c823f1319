#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "pseudonym.h"
#include "rules.h"
#include "xalloc.h"

static int set_key(struct pseudonym_key *k, const unsigned char *bytes, size_t n, const char *what)
{
	while (n && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r'))
		n--;
	if (n < PSEUDONYM_KEY_MIN) {
		civic_warn("%s: the pseudonymisation key must be at least %d bytes", what, PSEUDONYM_KEY_MIN);
		return -1;
	}
	if (sodium_init() < 0) {
		civic_warn("cannot initialise libsodium");
		return -1;
	}
	/* Longer keys are hashed down to the largest key BLAKE2b takes. */
	if (n > PSEUDONYM_KEY_MAX) {
		crypto_generichash(k->key, PSEUDONYM_KEY_MAX, bytes, n, NULL, 0);
		k->len = PSEUDONYM_KEY_MAX;
	} else {
		memcpy(k->key, bytes, n);
		k->len = n;
	}
	sbuf_init(&k->norm);
	sbuf_init(&k->tmp);
	return 0;
}

int pseudonym_key_from_file(struct pseudonym_key *k, const char *path)
{
	/* One byte more than a key may have, to tell a key that fills the
	 * limit from one that goes past it. */
	unsigned char *buf = xmalloc(PSEUDONYM_KEY_FILE_MAX + 1);
	ssize_t n = 0;
	size_t got = 0;
	int rc = -1, fd = open(path, O_RDONLY);

	memset(k, 0, sizeof(*k));
	if (fd < 0) {
		civic_warn("%s:", path);
		free(buf);
		return -1;
	}
	while (got <= PSEUDONYM_KEY_FILE_MAX &&
	    (n = read(fd, buf + got, PSEUDONYM_KEY_FILE_MAX + 1 - got)) > 0)
		got += (size_t)n;
	if (n < 0)
		civic_warn("%s:", path);
	else if (got > PSEUDONYM_KEY_FILE_MAX)
		civic_warn("%s: the pseudonymisation key file is longer than %d bytes: not a key",
			path, PSEUDONYM_KEY_FILE_MAX);
	else
		rc = set_key(k, buf, got, path);
	close(fd);
	sodium_memzero(buf, PSEUDONYM_KEY_FILE_MAX + 1);
	free(buf);
	return rc;
}

int pseudonym_key_from_env(struct pseudonym_key *k, const char *var)
{
	const char *v = getenv(var);

	memset(k, 0, sizeof(*k));
	if (!v || !*v) {
		civic_warn("environment variable %s is not set or empty", var);
		return -1;
	}
	return set_key(k, (const unsigned char *)v, strlen(v), var);
}

void pseudonym_key_release(struct pseudonym_key *k)
{
	sodium_memzero(k->key, sizeof(k->key));
	sbuf_release(&k->norm);
	sbuf_release(&k->tmp);
}

void pseudonymize(struct pseudonym_key *k, const char *s, size_t n, char *out)
{
	unsigned char hash[PSEUDONYM_HEX / 2];

	rules_fold_key(s, n, &k->tmp, &k->norm);
	if (k->norm.len == 0) {
		out[0] = '\0';
		return;
	}
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)k->norm.s, k->norm.len,
		k->key, k->len);
	sodium_bin2hex(out, PSEUDONYM_HEX + 1, hash, sizeof(hash));
}
