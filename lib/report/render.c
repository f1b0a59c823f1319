#include <string.h>

#include "render.h"

static const struct {
	const char *name;
	void (*fn)(struct sbuf *, const struct report *);
	int (*checked)(struct sbuf *, const struct report *);   /* a renderer that can fail */
	enum report_format format;
	const char *extensions;      /* space-separated, each with its dot */
} formats[] = {
	{ "text", render_text, NULL, REPORT_TEXT, ".txt .text" },
	{ "md", render_md, NULL, REPORT_MD, ".md .markdown" },
	{ "html", render_html, NULL, REPORT_HTML, ".html .htm" },
	{ "csv", render_csv, NULL, REPORT_CSV, ".csv" },
	{ "json", render_json, NULL, REPORT_JSON, ".json" },
	{ "xlsx", NULL, render_xlsx, REPORT_XLSX, ".xlsx" },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

int report_format_from_name(const char *name, enum report_format *f)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		if (strcmp(name, formats[i].name) == 0) {
			*f = formats[i].format;
			return 0;
		}
	}
	return -1;
}

static int has_extension(const char *list, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *p = strstr(list, ext); p; p = strstr(p + 1, ext))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

int report_format_from_path(const char *path, enum report_format *f)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		return -1;
	for (size_t i = 0; i < NFORMATS; i++) {
		if (has_extension(formats[i].extensions, dot)) {
			*f = formats[i].format;
			return 0;
		}
	}
	return -1;
}

int render_report(struct sbuf *out, const struct report *rep, enum report_format f)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		if (formats[i].format != f)
			continue;
		if (formats[i].checked)
			return formats[i].checked(out, rep);
		formats[i].fn(out, rep);
	}
	return 0;
}
