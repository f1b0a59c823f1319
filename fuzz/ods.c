/* The .ods reader: never a crash, a hang, unbounded memory or a cell
 * outside workbook.h's forms, whatever the bytes.  Option byte: 0 the
 * input is the whole zip; 1 it is content.xml of an otherwise sound .ods,
 * stored, so the fuzzer works on the XML (repeats, spans, value types,
 * paragraphs) rather than on deflate and CRCs.  Small limits keep a run
 * fast. */
#include "fuzz_workbook.h"

#include <zip.h>

static char zip_path[64];

static void write_ods(const uint8_t *data, size_t size)
{
	static const char mimetype[] = "application/vnd.oasis.opendocument.spreadsheet";
	int code;
	zip_t *za = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &code);
	zip_source_t *src;
	zip_int64_t k;

	if (!za)
		abort();
	src = zip_source_buffer(za, mimetype, sizeof mimetype - 1, 0);
	if (!src || (k = zip_file_add(za, "mimetype", src, ZIP_FL_OVERWRITE)) < 0 ||
	    zip_set_file_compression(za, (zip_uint64_t)k, ZIP_CM_STORE, 0) != 0)
		abort();
	src = zip_source_buffer(za, data, size, 0);
	if (!src || (k = zip_file_add(za, "content.xml", src, ZIP_FL_OVERWRITE)) < 0 ||
	    zip_set_file_compression(za, (zip_uint64_t)k, ZIP_CM_STORE, 0) != 0)
		abort();
	if (zip_close(za) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wb_limits lim = { .max_part_bytes = 4 << 20, .max_ratio = 50, .max_empty_run = 100000 };
	unsigned mode = fuzz_byte(&data, &size) % 2;
	struct fuzz_file f;

	if (!zip_path[0])
		snprintf(zip_path, sizeof zip_path, "/tmp/civic-fuzz-ods-%ld.ods", (long)getpid());
	if (mode == 0) {
		fuzz_file_open(&f, data, size);
		fuzz_read_workbook(f.path, WB_ODS, &lim);
		fuzz_file_close(&f);
		return 0;
	}
	write_ods(data, size);
	fuzz_read_workbook(zip_path, WB_ODS, &lim);
	return 0;
}
