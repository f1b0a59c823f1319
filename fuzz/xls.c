/* The .xls reader: never a crash, unbounded memory or a cell outside
 * workbook.h's forms, whatever the bytes.  Option byte: 0 the whole reader
 * as civic-ingest runs it: civic's own walk of the compound file and its
 * records (xls_precheck) here, in this process, so the fuzzer sees its
 * coverage and its faults; then the workbook read through wb_xls_ops,
 * libfreexl in the child process civic forks (xls_child.c), with a small
 * limit (4 MiB) on the cells sheets may claim.  freexl's own faults on
 * crafted files (fuzz/known/) end the child and come back as an error, as
 * for a user, instead of failing every fuzzing run; the conversion of cells
 * in the child is covered by the tests, not steered by the fuzzer.
 * 1 only civic's compound-file reader (wb_ole2.c). */
#include "fuzz_workbook.h"

#include "wb_ole2.h"
#include "xls_child.h"

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
	static const char *const names[] = { "Workbook", "Book", NULL };
	struct wb_limits lim = { .max_part_bytes = 4 << 20, .max_empty_run = 100000 };
	unsigned mode = fuzz_byte(&data, &size) % 2;
	struct fuzz_file f;

	fuzz_file_open(&f, data, size);
	if (mode == 0) {
		struct wb_error err;
		struct xls_fixups fx;
		unsigned long long claims;
		const char *why;
		FILE *in = fopen(f.path, "rb");
		if (!in)
			abort();
		xls_fixups_init(&fx);
		(void)xls_precheck(in, &claims, &fx, &why);
		xls_fixups_free(&fx);
		fclose(in);
		struct workbook *wb = wb_xls_ops.open(f.path, &lim, &err);
		if (wb) {
			((struct workbook_base *)wb)->ops = &wb_xls_ops;
			fuzz_walk_workbook(wb);
		}
	} else {
		FILE *in = fopen(f.path, "rb");
		struct sbuf st = SBUF_INIT;
		const char *why;
		if (!in)
			abort();
		if (wb_ole2_stream(in, names, &st, &why) == 0 && st.len > size)
			abort();                    /* a stream larger than its file */
		sbuf_release(&st);
		fclose(in);
	}
	fuzz_file_close(&f);
	return 0;
}
