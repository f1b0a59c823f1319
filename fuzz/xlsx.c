/* The .xlsx reader: never a crash, a hang or unbounded memory, whatever
 * the bytes.  Option byte: which part the input is (0: the whole zip;
 * 1 the sheet, 2 the shared strings, 3 the styles, 4 the workbook, 5 its
 * relationships: the input's bytes become that member of an otherwise
 * sound workbook, stored, so the fuzzer works on the XML rather than on
 * deflate and CRCs), and small limits so a run stays fast. */
#include "fuzz_reader.h"          /* first: it defines _GNU_SOURCE */

#include <zip.h>

#include "workbook.h"

static const char *const part_name[] = {
	NULL, "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
	"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
};

static const char *const part_default[] = {
	NULL,
	"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
	"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
	"<row r=\"2\"><c r=\"A2\" s=\"1\"><v>45352.5</v></c><c r=\"B2\" t=\"e\"><v>#N/A</v></c></row>"
	"<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>x</t></is></c><c r=\"B4\"><v>1E-3</v></c></row>"
	"</sheetData><mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>",
	"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>a</t></si>"
	"<si><r><t>b</t></r><r><t>c</t></r><rPh><t>p</t></rPh></si></sst>",
	"<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts>"
	"<numFmt numFmtId=\"164\" formatCode=\"dd.mm.yyyy hh:mm\"/></numFmts><cellXfs><xf numFmtId=\"0\"/>"
	"<xf numFmtId=\"164\"/></cellXfs></styleSheet>",
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	"<workbookPr date1904=\"0\"/><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
	"relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
};

static char zip_path[64];

static void write_zip(unsigned part, const uint8_t *data, size_t size)
{
	int code;
	zip_t *za = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &code);

	if (!za)
		abort();
	for (unsigned i = 1; i < sizeof(part_name) / sizeof(part_name[0]); i++) {
		const void *p = i == part ? (const void *)data : part_default[i];
		size_t n = i == part ? size : strlen(part_default[i]);
		zip_source_t *src = zip_source_buffer(za, p, n, 0);
		zip_int64_t k = src ? zip_file_add(za, part_name[i], src, ZIP_FL_OVERWRITE) : -1;
		if (k < 0 || zip_set_file_compression(za, (zip_uint64_t)k, ZIP_CM_STORE, 0) != 0)
			abort();
	}
	if (zip_close(za) != 0)
		abort();
}

static void read_all(const char *path)
{
	struct wb_limits lim = { .max_part_bytes = 4 << 20, .max_ratio = 50,
		.max_strings_bytes = 1 << 20, .max_empty_run = 100000 };
	struct wb_error err;
	struct wb_row row;
	unsigned long skipped = 0, orow;
	unsigned ocol;
	char name[16];
	struct workbook *wb = wb_open(path, WB_XLSX, &lim, &err);

	if (!wb)
		return;
	for (size_t s = 0; s < wb_sheet_count(wb); s++) {
		if (wb_select(wb, s, &err) != 0)
			continue;
		for (int rows = 0; wb_next_row(wb, &row, &skipped, &err) == 1 && rows < 100000; rows++)
			for (size_t i = 0; i < row.ncells; i++) {
				wb_cell_name(row.cells[i].col, row.row, name);
				if (strlen(row.cells[i].text) != row.cells[i].len)
					abort();
				if (i > 0 && row.cells[i].col <= row.cells[i - 1].col)
					abort();
			}
		wb_merged_origin(wb, 1, 1, &ocol, &orow, &err);
	}
	wb_close(wb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader_opts o = { .keep_raw = 1 };
	struct fuzz_file f;
	struct sbuf out;
	unsigned part = fuzz_byte(&data, &size) % 6;

	civic_set_progname("xlsx");
	setenv("CIVIC_WB_MAX_PART", "4194304", 1);
	setenv("CIVIC_WB_MAX_EMPTY", "100000", 1);
	setenv("CIVIC_WB_MAX_STRINGS", "1048576", 1);
	if (!zip_path[0])
		snprintf(zip_path, sizeof(zip_path), "/tmp/civic-fuzz-xlsx-%ld.xlsx", (long)getpid());
	if (part == 0) {
		fuzz_file_open(&f, data, size);
		read_all(f.path);
		fuzz_file_close(&f);
		return 0;
	}
	write_zip(part, data, size);
	read_all(zip_path);
	sbuf_init(&out);
	fuzz_describe(&out, zip_path, &o);
	sbuf_release(&out);
	return 0;
}
