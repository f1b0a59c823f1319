/* The number scanner: never a crash, and its shortcut for plain fields
 * (digits and a point) answers exactly as the general scanner does. */
#include "fuzz.h"

#include "numscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct decnum fast, general;

	memset(&fast, 0, sizeof fast);
	memset(&general, 0, sizeof general);
	int a = numscan(s, size, &fast), b = numscan_general(s, size, &general);
	if (a != b)
		abort();
	if (a == 0 && (fast.exact != general.exact || memcmp(&fast.d, &general.d, sizeof fast.d) != 0 ||
	    (fast.exact && (fast.m != general.m || fast.scale != general.scale)))) {
		fprintf(stderr, "'%.*s': %.17g %lld/%d against %.17g %lld/%d\n", (int)size, s,
			fast.d, (long long)fast.m, fast.scale, general.d, (long long)general.m, general.scale);
		abort();
	}
	return 0;
}
