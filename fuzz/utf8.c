/* The UTF-8 check: utf8_invalid_offset(), sixteen bytes at a time where it
 * can, answers exactly as decoding one sequence after another does, from
 * every starting point (the blocks then fall at every alignment) and for
 * every prefix cut a few bytes short (sequences cut by the end). */
#include "fuzz.h"

#include "utf8.h"

static size_t one_by_one(const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		if (utf8_decode(s + i, n - i, &len) < 0)
			return i;
		i += len;
	}
	return n;
}

static void same(const char *s, size_t n)
{
	size_t fast = utf8_invalid_offset(s, n), slow = one_by_one(s, n);

	if (fast != slow) {
		fprintf(stderr, "%zu bytes: %zu against %zu\n", n, fast, slow);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of its own size, so ASan sees any read past the end. */
	char *s = malloc(size ? size : 1);

	memcpy(s, data, size);
	for (size_t from = 0; from < 17 && from <= size; from++) {
		same(s + from, size - from);
		for (size_t cut = 1; cut < 4 && cut <= size - from; cut++)
			same(s + from, size - from - cut);
	}
	free(s);
	return 0;
}
