#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sodium.h>

#include "sha256.h"

static void to_hex(const unsigned char *digest, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < crypto_hash_sha256_BYTES; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

/* Harmless when repeated; libsodium asks for it before any other call. */
static void sodium_ready(void)
{
	static int ready;

	if (!ready)
		ready = sodium_init() >= 0;
}

void sha256_hex(const void *data, size_t n, char *hex)
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	sodium_ready();
	crypto_hash_sha256(digest, data, n);
	to_hex(digest, hex);
}

int sha256_fd(int fd, char *hex)
{
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];
	unsigned char buf[65536];
	ssize_t got;

	sodium_ready();
	crypto_hash_sha256_init(&st);
	while ((got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		crypto_hash_sha256_update(&st, buf, (unsigned long long)got);
	}
	crypto_hash_sha256_final(&st, digest);
	to_hex(digest, hex);
	return 0;
}

int sha256_file(const char *path, char *hex)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = sha256_fd(fd, hex);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
