#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "colname.h"
#include "error.h"
#include "pseudonym.h"
#include "utf8.h"

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
	return 0;
}

int pseudonym_key_from_file(struct pseudonym_key *k, const char *path)
{
	unsigned char buf[4096];
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	memset(k, 0, sizeof(*k));
	if (fd < 0) {
		civic_warn("%s:", path);
		return -1;
	}
	while (got < sizeof(buf) && (n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	close(fd);
	int rc = set_key(k, buf, got, path);
	sodium_memzero(buf, sizeof(buf));
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
}

static void normalise(struct sbuf *out, const char *s, size_t n)
{
	size_t i = 0, len;
	int space = 0;

	sbuf_reset(out);
	while (i < n) {
		long c = utf8_decode(s + i, n - i, &len);
		if (c < 0) {
			c = (unsigned char)s[i];
			len = 1;
		}
		i += len;
		if (c == ' ' || c == '\t' || c == 0xA0) {
			space = out->len > 0;
			continue;
		}
		if (space)
			sbuf_addc(out, ' ');
		space = 0;
		utf8_append(out, codepoint_lower(c));
	}
}

void pseudonymize(struct pseudonym_key *k, const char *s, size_t n, char *out)
{
	unsigned char hash[PSEUDONYM_HEX / 2];

	normalise(&k->norm, s, n);
	if (k->norm.len == 0) {
		out[0] = '\0';
		return;
	}
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)k->norm.s, k->norm.len,
		k->key, k->len);
	sodium_bin2hex(out, PSEUDONYM_HEX + 1, hash, sizeof(hash));
}
