/* The NDJSON / JSON-array reader: never a crash, and the same records and
 * rejects however the bytes arrive.  Option byte: detected or forced
 * format, read sizes. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader_opts o = { .keep_raw = 1 };
	struct sbuf whole, bits;
	struct fuzz_file f;

	civic_set_progname("ndjson");
	unsigned opt = fuzz_byte(&data, &size);
	o.format = opt & 1 ? FMT_NDJSON : FMT_AUTO;
	fuzz_file_open(&f, data, size);
	sbuf_init(&whole);
	sbuf_init(&bits);
	fuzz_read_max(0);
	fuzz_describe(&whole, f.path, &o);
	fuzz_read_max(4 | opt >> 1);
	fuzz_describe(&bits, f.path, &o);
	fuzz_same(&whole, &bits, "the reading depends on the read sizes");
	sbuf_release(&whole);
	sbuf_release(&bits);
	fuzz_file_close(&f);
	return 0;
}
