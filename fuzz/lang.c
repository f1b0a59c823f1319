/* The translation files (share/civic/lang/NAME.txt): any bytes either load as
 * a language or fail with a message, and whatever loads is only ever used
 * through its known parts: every text the report asks for is valid UTF-8,
 * a count's text always has a form, a number keeps its digits.
 *
 * The first byte chooses the file the input stands for: odd, the language
 * ("ru", checked against the shipped English); even, English itself. */
#include "fuzz.h"

#include <sys/stat.h>

#include "datadir.h"
#include "error.h"
#include "lang.h"
#include "sbuf.h"
#include "utf8.h"

static char dir[64];

static void write_file(const char *name, const uint8_t *data, size_t size)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/lang/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
}

static void copy_shipped(const char *name)
{
	char path[128];
	FILE *fp;
	static uint8_t buf[1 << 20];
	size_t n;

	snprintf(path, sizeof(path), "share/civic/lang/%s", name);
	fp = fopen(path, "rb");
	if (!fp)
		abort();
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	write_file(name, buf, n);
}

static void set_up(void)
{
	char sub[96];

	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "/tmp/civic-fuzz-lang-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(sub, sizeof(sub), "%s/lang", dir);
	if (mkdir(sub, 0700) != 0)
		abort();
	setenv("CIVIC_DATADIR", dir, 1);
	civic_set_progname("lang");
}

static void must_be_text(const struct sbuf *b)
{
	if (utf8_invalid_offset(sbuf_cstr(b), b->len) != b->len)
		abort();
}

static void use_it(void)
{
	static const char *const keys[] = { "note.rows", "period.quarter", "period.day",
					    "number.decimal", "no.such.key" };
	struct sbuf b = SBUF_INIT;
	char num[3 * 32 + 1], pct[96];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		sbuf_reset(&b);
		lang_put(&b, keys[i], "q", "1", "roman", "I", "year", "2024", "mm", "03",
			 "dd", "05", "d", "5", "month", "March", (char *)NULL);
		must_be_text(&b);
		for (unsigned long n = 0; n < 30; n += 7) {
			sbuf_reset(&b);
			lang_put_n(&b, keys[i], n, (char *)NULL);
			must_be_text(&b);
		}
	}
	lang_number("-1234567.25", 1, num);
	if (!strchr(num, '7') || num[0] != '-')
		abort();
	snprintf(pct, sizeof(pct), "38.7");
	lang_percent(pct);
	if (!strstr(pct, "38"))
		abort();
	sbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int as_english = size > 0 && (data[0] & 1) == 0;

	set_up();
	if (size > 0) {
		data++;
		size--;
	}
	if (as_english) {
		write_file("en.txt", data, size);
		copy_shipped("ru.txt");
	} else {
		copy_shipped("en.txt");
		write_file("ru.txt", data, size);
	}
	if (lang_use("ru") == 0)
		use_it();
	lang_release();
	return 0;
}
