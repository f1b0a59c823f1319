/* The encoding decoder (source.c over iconv) under the CSV reader: never a
 * crash, and the same records whether the bytes come all at once or a few
 * at a time, so a multi-byte sequence split across reads decodes the same.
 * Option byte: the encoding, read sizes. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *encodings[] = { "utf-8", "cp1251", "cp866", "koi8-r",
		"utf-16", "utf-16le", "latin1", "utf-16be" };
	struct reader_opts o = { .keep_raw = 1 };
	struct sbuf whole, bits;
	struct fuzz_file f;

	civic_set_progname("encoding");
	unsigned opt = fuzz_byte(&data, &size);
	o.encoding = encodings[opt & 7];
	fuzz_file_open(&f, data, size);
	sbuf_init(&whole);
	sbuf_init(&bits);
	fuzz_read_max(0);
	fuzz_describe(&whole, f.path, &o);
	fuzz_read_max(4 | opt >> 3);
	fuzz_describe(&bits, f.path, &o);
	fuzz_same(&whole, &bits, "decoding depends on the read sizes");
	sbuf_release(&whole);
	sbuf_release(&bits);
	fuzz_file_close(&f);
	return 0;
}
