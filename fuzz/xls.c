/* The .xls reader (libfreexl, then civic's own conversion of its cells and
 * the DIMENSION guard): never a crash, unbounded memory or a cell outside
 * workbook.h's forms, whatever the bytes.  The limit on claimed cells is
 * small (4 MiB) so no input makes freexl allocate much.  freexl itself is
 * not instrumented (Debian's build): the fuzzer steers by civic's code. */
#include "fuzz_workbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wb_limits lim = { .max_part_bytes = 4 << 20, .max_empty_run = 100000 };
	struct fuzz_file f;

	fuzz_file_open(&f, data, size);
	fuzz_read_workbook(f.path, WB_XLS, &lim);
	fuzz_file_close(&f);
	return 0;
}
