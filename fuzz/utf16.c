/* The UTF-16 decoder (source.c over iconv) against a decoder written here
 * from the standard: reading the bytes as UTF-16 must give exactly what
 * reading the reference decoding as UTF-8 gives, where the reference puts
 * one SOURCE_BAD_BYTE for each unit that is not UTF-16 (a lone surrogate,
 * high or low, or an odd byte at the end) and goes on at the next unit.
 * So a bad unit costs its record only, never the alignment of the rest.
 * Option byte: bit 0 big-endian, bit 1 a byte-order mark instead of -e
 * (the encoding found by itself), bits 2-4 read sizes. */
#include "fuzz_reader.h"
#include "source.h"
#include "workbook.h"

static unsigned unit_at(const uint8_t *p, int big)
{
	return big ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static void put_utf8(struct sbuf *out, unsigned long c)
{
	if (c < 0x80) {
		sbuf_addc(out, (char)c);
	} else if (c < 0x800) {
		sbuf_addc(out, (char)(0xC0 | c >> 6));
		sbuf_addc(out, (char)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		sbuf_addc(out, (char)(0xE0 | c >> 12));
		sbuf_addc(out, (char)(0x80 | (c >> 6 & 0x3F)));
		sbuf_addc(out, (char)(0x80 | (c & 0x3F)));
	} else {
		sbuf_addc(out, (char)(0xF0 | c >> 18));
		sbuf_addc(out, (char)(0x80 | (c >> 12 & 0x3F)));
		sbuf_addc(out, (char)(0x80 | (c >> 6 & 0x3F)));
		sbuf_addc(out, (char)(0x80 | (c & 0x3F)));
	}
}

static void reference_decode(struct sbuf *out, const uint8_t *p, size_t n, int big)
{
	size_t i = 0;

	while (i + 2 <= n) {
		unsigned u = unit_at(p + i, big);
		if (u >= 0xD800 && u <= 0xDBFF && i + 4 <= n) {
			unsigned lo = unit_at(p + i + 2, big);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				put_utf8(out, 0x10000 + ((unsigned long)(u - 0xD800) << 10) + (lo - 0xDC00));
				i += 4;
				continue;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF)
			sbuf_addc(out, (char)SOURCE_BAD_BYTE);
		else
			put_utf8(out, u);
		i += 2;
	}
	if (i < n)
		sbuf_addc(out, (char)SOURCE_BAD_BYTE);
}

/* The decoder names the bad bytes; the UTF-8 reading can only say the
 * byte is not UTF-8 (CSV) or not JSON (NDJSON).  Everything else must
 * agree. */
static void same_reason(struct sbuf *s, const char *path, const struct reader_opts *o)
{
	static const char from[] = " invalid-encoding raw";
	struct reader *r = reader_open(path, o);
	const char *to = r && reader_format(r) == FMT_NDJSON ? " invalid-json raw" : " invalid-utf8 raw";
	struct sbuf t;
	size_t at = 0;
	const char *p;

	sbuf_init(&t);
	while ((p = memmem(s->s + at, s->len - at, from, sizeof(from) - 1)) != NULL) {
		sbuf_add(&t, s->s + at, (size_t)(p - s->s) - at);
		sbuf_add(&t, to, strlen(to));
		at = (size_t)(p - s->s) + sizeof(from) - 1;
	}
	sbuf_add(&t, s->s + at, s->len - at);
	sbuf_release(s);
	*s = t;
	reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader_opts as_utf16 = { .keep_raw = 1 }, as_utf8 = { .keep_raw = 1 };
	struct sbuf bytes, ref, got, want;
	struct fuzz_file f, g;

	civic_set_progname("utf16");
	unsigned opt = fuzz_byte(&data, &size);
	int big = opt & 1, bom = opt >> 1 & 1;
	sbuf_init(&bytes);
	sbuf_init(&ref);
	sbuf_init(&got);
	sbuf_init(&want);
	if (bom)
		sbuf_add(&bytes, big ? "\xFE\xFF" : "\xFF\xFE", 2);
	else
		as_utf16.encoding = big ? "UTF-16BE" : "UTF-16LE";
	sbuf_add(&bytes, (const char *)data, size);
	reference_decode(&ref, data, size, big);
	/* Bytes that begin like a workbook (a zip or OLE2 signature), the
	 * UTF-16 file's or its decoded text's, are read as a workbook, as they
	 * must be: no CSV to compare with. */
	if (wb_sniff((const unsigned char *)bytes.s, bytes.len) != WB_NONE ||
	    wb_sniff((const unsigned char *)ref.s, ref.len) != WB_NONE) {
		sbuf_release(&bytes);
		sbuf_release(&ref);
		sbuf_release(&got);
		sbuf_release(&want);
		return 0;
	}
	fuzz_file_open(&f, bytes.s, bytes.len);
	fuzz_file_open(&g, ref.s, ref.len);
	fuzz_read_max(opt >> 2);
	fuzz_describe(&got, f.path, &as_utf16);
	fuzz_read_max(0);
	fuzz_describe(&want, g.path, &as_utf8);
	same_reason(&got, f.path, &as_utf16);
	fuzz_same(&want, &got, "UTF-16 decoded otherwise than the reference decoder");
	fuzz_file_close(&f);
	fuzz_file_close(&g);
	sbuf_release(&bytes);
	sbuf_release(&ref);
	sbuf_release(&got);
	sbuf_release(&want);
	return 0;
}
