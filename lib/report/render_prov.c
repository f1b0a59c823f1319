#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "error.h"
#include "lang.h"
#include "render_prov.h"
#include "sbuf.h"
#include "sha256.h"
#include "xalloc.h"

static int shell_safe(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("%+,-./:=@_^", *s))
			return 0;
	return 1;
}

static void append_quoted(struct sbuf *b, const char *s)
{
	if (shell_safe(s)) {
		sbuf_addstr(b, s);
		return;
	}
	sbuf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_addstr(b, "'\\''");
		else
			sbuf_addc(b, *s);
	}
	sbuf_addc(b, '\'');
}

static int generation_time(char *buf)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	time_t t;
	struct tm tm;

	if (epoch && *epoch) {
		char *end;
		long long v;
		errno = 0;
		v = strtoll(epoch, &end, 10);
		if (errno || *end || v < 0) {
			civic_warn("invalid SOURCE_DATE_EPOCH '%s': not a number of seconds", epoch);
			return -1;
		}
		t = (time_t)v;
	} else {
		t = time(NULL);
	}
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

int prov_init(struct provenance *p, int argc, char **argv)
{
	struct sbuf b = SBUF_INIT;

	memset(p, 0, sizeof(*p));
	sbuf_printf(&b, "%s %s", civic_progname(), CIVIC_VERSION);
	p->tool = xstrdup(sbuf_cstr(&b));
	sbuf_reset(&b);
	sbuf_addstr(&b, civic_progname());
	for (int i = 1; i < argc; i++) {
		sbuf_addc(&b, ' ');
		append_quoted(&b, argv[i]);
	}
	p->command = xstrdup(sbuf_cstr(&b));
	sbuf_release(&b);
	return generation_time(p->when);
}

void prov_release(struct provenance *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].role);
		free(p->files[i].name);
		free(p->files[i].version);
	}
	free(p->files);
	free(p->tool);
	free(p->command);
	memset(p, 0, sizeof(*p));
}

void prov_add(struct provenance *p, const char *role, const char *name,
	const char *sha256, const char *version)
{
	struct prov_file *f;

	p->files = xrealloc(p->files, (p->nfiles + 1) * sizeof(*p->files));
	f = &p->files[p->nfiles++];
	f->role = xstrdup(role);
	f->name = xstrdup(name);
	snprintf(f->sha256, sizeof(f->sha256), "%s", sha256);
	f->version = version ? xstrdup(version) : NULL;
}

static char *json_version(const char *path)
{
	json_t *root = json_load_file(path, 0, NULL);
	json_t *v = json_is_object(root) ? json_object_get(root, "version") : NULL;
	char *out = NULL;

	if (json_is_string(v))
		out = xstrdup(json_string_value(v));
	else if (json_is_integer(v)) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		out = xstrdup(buf);
	}
	json_decref(root);
	return out;
}

/* "version 3", "# version: 2024.1", "@version = 2" within the first lines. */
static char *line_version(const char *line)
{
	const char *p = line;
	size_t n;

	while (*p == '#' || *p == ';' || *p == '@' || *p == '%' || isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "version", 7) != 0)
		return NULL;
	p += 7;
	if (!isspace((unsigned char)*p) && *p != ':' && *p != '=')
		return NULL;
	while (isspace((unsigned char)*p) || *p == ':' || *p == '=')
		p++;
	n = strcspn(p, " \t\r\n#");
	return n ? xstrndup(p, n) : NULL;
}

int prov_add_source(struct provenance *p, const char *path)
{
	char hex[SHA256_HEX_LEN + 1];
	char *version;

	if (sha256_file(path, hex) != 0) {
		civic_warn("%s:", path);
		return -1;
	}
	version = prov_declared_version(path);
	prov_add(p, "source", path, hex, version);
	free(version);
	return 0;
}

char *prov_declared_version(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	char *v = NULL;
	int c;

	if (!fp)
		return NULL;
	while ((c = getc(fp)) == ' ' || c == '\n' || c == '\t' || c == '\r')
		;
	if (c == '{') {
		fclose(fp);
		return json_version(path);
	}
	ungetc(c, fp);
	for (int i = 0; i < 40 && !v && fgets(line, sizeof(line), fp); i++)
		v = line_version(line);
	fclose(fp);
	return v;
}

void prov_role_text(struct sbuf *b, const char *role)
{
	char key[64];

	snprintf(key, sizeof(key), "prov.role.%s", role);
	sbuf_reset(b);
	sbuf_addstr(b, strcmp(lang_text(key), key) == 0 ? role : lang_text(key));
}
