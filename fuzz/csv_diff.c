/* The CSV reader, differential: the scanner and the libcsv engine must
 * give the same header, records, rejects (reason, line, raw text) whatever
 * the dialect, the --max-field limit, the columns read (reader_want(): the
 * fields of others left empty) and how the bytes arrive.
 * Option bytes: delimiter (sniffed or , ; TAB |), limit and columns, read sizes. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int delims[] = { 0, ',', ';', '\t', '|', ',', ',', ',' };
	static const size_t limits[] = { 0, 1, 2, 3, 5, 8, 13, 64 };
	struct reader_opts o = { .format = FMT_CSV, .keep_raw = 1 };
	struct sbuf scan, ref;
	struct fuzz_file f;

	civic_set_progname("csv_diff");
	unsigned opt = fuzz_byte(&data, &size);
	unsigned reads = fuzz_byte(&data, &size);
	o.delim = delims[opt & 7];
	o.max_field = limits[(opt >> 3) & 7];
	/* None, the second, the first and third, the sixth (past most lines' end). */
	static const unsigned char wants[4][6] = { { 0 }, { 0, 1 }, { 1, 0, 1 }, { 0, 0, 0, 0, 0, 1 } };
	static const size_t nwants[4] = { 0, 2, 3, 6 };
	const unsigned char *want = (opt >> 6) ? wants[opt >> 6] : NULL;
	fuzz_file_open(&f, data, size);
	sbuf_init(&scan);
	sbuf_init(&ref);
	o.engine = CSV_ENGINE_SCAN;
	fuzz_read_max(reads);
	fuzz_describe_want(&scan, f.path, &o, want, nwants[opt >> 6]);
	o.engine = CSV_ENGINE_LIBCSV;
	fuzz_read_max(reads >> 3);
	fuzz_describe_want(&ref, f.path, &o, want, nwants[opt >> 6]);
	fuzz_same(&scan, &ref, "the scanner and the libcsv engine differ");
	sbuf_release(&scan);
	sbuf_release(&ref);
	fuzz_file_close(&f);
	return 0;
}
