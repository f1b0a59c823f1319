/* The .xls reader (libfreexl, then civic's own conversion of its cells and
 * the DIMENSION guard): never a crash, unbounded memory or a cell outside
 * workbook.h's forms, whatever the bytes.  The limit on claimed cells is
 * small (4 MiB) so no input makes freexl allocate much.  freexl itself is
 * not instrumented (Debian's build): the fuzzer steers by civic's code. */
#include "fuzz_workbook.h"

/* freexl 1.0.6 itself loses its workbook on some damaged files even after
 * freexl_close() succeeds (fuzz/regress/xls/freexl-leak: valgrind shows
 * it with freexl alone): 42 KB per file read, nothing of civic's.  Leaks
 * inside the library are not what this harness looks for. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfreexl.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wb_limits lim = { .max_part_bytes = 4 << 20, .max_empty_run = 100000 };
	struct fuzz_file f;

	fuzz_file_open(&f, data, size);
	fuzz_read_workbook(f.path, WB_XLS, &lim);
	fuzz_file_close(&f);
	return 0;
}
