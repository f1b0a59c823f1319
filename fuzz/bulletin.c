/* The bulletin definition loader (civic-bulletin(5)): any bytes either
 * load as a bulletin or fail with a message; a loaded bulletin is whole
 * (named, with inputs and indicators, each indicator's input one of the
 * declared roles), every indicator gives an agg_spec, and a period's
 * dates go into its texts wherever stand-ins went.  As
 * civic-bulletin does, the bulletin is released whether it loaded or not. */
#include "fuzz.h"

#include "bulletin_def.h"
#include "bulletin_placeholder.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bulletin b;
	struct fuzz_file f;

	civic_set_progname("bulletin");
	fuzz_file_open(&f, data, size);
	memset(&b, 0, sizeof(b));
	if (bulletin_load(&b, f.path) == 0) {
		if (!b.name || !b.version || b.nind == 0 || b.ninputs == 0)
			abort();
		for (size_t i = 0; i < b.nind; i++) {
			struct agg_spec spec;
			bulletin_spec(&b, i, NULL, &spec);
			bulletin_spec_free(&spec);
		}
		for (int l = 0; l < 3; l++)
			(void)bulletin_check_lang(&b, l);
		/* The period's dates put in: the placeholders read again. */
		struct bperiod p;
		if (bperiod_parse(&p, BPERIOD_MONTH, "2024-03") != 0 || bulletin_set_period(&b, &p) != 0)
			abort();
	}
	bulletin_release(&b);          /* loaded or not, as civic-bulletin does */
	fuzz_file_close(&f);
	return 0;
}
