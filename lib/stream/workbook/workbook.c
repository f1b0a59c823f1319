/* Which workbook a file is, and dispatch to its format's reader. */
#include <stdio.h>
#include <string.h>

#include "wb_zip.h"
#include "workbook.h"

/* One entry per format whose reader is linked in. */
static const struct wb_ops *const format_ops[] = {
	[WB_XLSX] = &wb_xlsx_ops,
	[WB_ODS] = &wb_ods_ops,
	[WB_XLS] = &wb_xls_ops,
};

static const char *const format_name[] = {
	[WB_NONE] = "?", [WB_XLSX] = ".xlsx", [WB_ODS] = ".ods", [WB_XLS] = ".xls",
};

enum wb_kind wb_sniff(const unsigned char *head, size_t n)
{
	static const unsigned char ole2[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
	static const char odf_mime[] = "mimetypeapplication/vnd.oasis.opendocument.spreadsheet";

	if (n >= 8 && memcmp(head, ole2, 8) == 0)
		return WB_XLS;
	if (n < 4 || memcmp(head, "PK\3\4", 4) != 0)
		return WB_NONE;
	/* OpenDocument stores "mimetype" first and uncompressed; any other
	 * zip is taken for .xlsx until wb_open() looks at its members. */
	if (n >= 30 + sizeof(odf_mime) - 1 && memcmp(head + 30, odf_mime, sizeof(odf_mime) - 1) == 0)
		return WB_ODS;
	return WB_XLSX;
}

/* A zip's members say which it is: xl/workbook.xml or content.xml. */
static enum wb_kind zip_kind(const char *path, const struct wb_limits *limits,
			     struct wb_error *err)
{
	struct wb_zip *z = wb_zip_open(path, limits, err);
	enum wb_kind kind = WB_NONE;

	if (!z)
		return WB_NONE;
	if (wb_zip_has(z, "xl/workbook.xml"))
		kind = WB_XLSX;
	else if (wb_zip_has(z, "content.xml") || wb_zip_has(z, "mimetype"))
		kind = WB_ODS;
	else
		snprintf(err->what, sizeof(err->what), "a zip archive that is neither an .xlsx "
			"workbook (no xl/workbook.xml) nor an .ods one (no content.xml)");
	wb_zip_close(z);
	return kind;
}

struct workbook *wb_open(const char *path, enum wb_kind kind,
			 const struct wb_limits *limits, struct wb_error *err)
{
	const struct wb_ops *ops;
	struct workbook *wb;

	memset(err, 0, sizeof(*err));
	if (kind == WB_XLSX || kind == WB_ODS)
		kind = zip_kind(path, limits, err);
	if (kind == WB_NONE) {
		if (!err->what[0])
			snprintf(err->what, sizeof(err->what), "not a workbook");
		return NULL;
	}
	ops = (size_t)kind < sizeof(format_ops) / sizeof(format_ops[0]) ? format_ops[kind] : NULL;
	if (!ops) {
		snprintf(err->what, sizeof(err->what), "a %s workbook, which this build of civic "
			"cannot read", format_name[kind]);
		return NULL;
	}
	wb = ops->open(path, limits, err);
	if (wb)
		((struct workbook_base *)wb)->ops = ops;
	return wb;
}

static const struct wb_ops *ops_of(const struct workbook *wb)
{
	return ((const struct workbook_base *)wb)->ops;
}

void wb_close(struct workbook *wb)
{
	if (wb)
		ops_of(wb)->close(wb);
}

size_t wb_sheet_count(const struct workbook *wb)
{
	return ops_of(wb)->sheet_count(wb);
}

const char *wb_sheet_name(const struct workbook *wb, size_t i)
{
	return ops_of(wb)->sheet_name(wb, i);
}

int wb_select(struct workbook *wb, size_t i, struct wb_error *err)
{
	return ops_of(wb)->select(wb, i, err);
}

int wb_next_row(struct workbook *wb, struct wb_row *row,
		unsigned long *empty_rows_skipped, struct wb_error *err)
{
	return ops_of(wb)->next_row(wb, row, empty_rows_skipped, err);
}

int wb_merged_origin(struct workbook *wb, unsigned col, unsigned long row,
		     unsigned *ocol, unsigned long *orow, struct wb_error *err)
{
	const struct wb_ops *ops = ops_of(wb);

	return ops->merged_origin ? ops->merged_origin(wb, col, row, ocol, orow, err) : 0;
}

void wb_cell_name(unsigned col, unsigned long row, char *buf)
{
	char letters[8];
	size_t n = 0;
	unsigned long c = (unsigned long)col + 1;

	while (c > 0 && n < sizeof(letters)) {
		letters[n++] = (char)('A' + (c - 1) % 26);
		c = (c - 1) / 26;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = letters[n - 1 - i];
	snprintf(buf + n, 16 - n, "%lu", row);
}
