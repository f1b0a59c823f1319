/* Zip members through libzip, with size and ratio limits checked from the
 * central directory and again as bytes are inflated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "wb_zip.h"
#include "xalloc.h"

struct wb_zip {
	zip_t *za;
	unsigned long long max_part;
	unsigned max_ratio;
};

struct wb_member {
	struct wb_zip *z;
	zip_file_t *zf;
	char *name;
	unsigned long long comp_size, size, done;
};

static void set_err(struct wb_error *err, const char *fmt, const char *a, const char *b)
{
	err->cell[0] = '\0';
	snprintf(err->what, sizeof(err->what), fmt, a, b);
}

struct wb_zip *wb_zip_open(const char *path, const struct wb_limits *limits, struct wb_error *err)
{
	int code = 0;
	zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
	struct wb_zip *z;

	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, code);
		set_err(err, "not a readable zip archive (%s)%s", zip_error_strerror(&ze),
			code == ZIP_ER_INCONS || code == ZIP_ER_NOZIP ? ": its directory is broken" : "");
		zip_error_fini(&ze);
		return NULL;
	}
	z = xcalloc(1, sizeof(*z));
	z->za = za;
	z->max_part = limits && limits->max_part_bytes ? limits->max_part_bytes : WB_DEFAULT_MAX_PART;
	z->max_ratio = limits && limits->max_ratio ? limits->max_ratio : WB_DEFAULT_MAX_RATIO;
	return z;
}

void wb_zip_close(struct wb_zip *z)
{
	if (!z)
		return;
	zip_discard(z->za);
	free(z);
}

int wb_zip_has(struct wb_zip *z, const char *name)
{
	return zip_name_locate(z->za, name, 0) >= 0;
}

/* Whether inflating `size` bytes out of `comp` passes the limits. */
static int within(const struct wb_zip *z, const char *name, unsigned long long size,
		  unsigned long long comp, struct wb_error *err, const char *how)
{
	char n1[64], n2[64];

	if (size > z->max_part) {
		snprintf(n1, sizeof(n1), "%llu", z->max_part);
		set_err(err, "%s inflates to more than %s bytes (the limit for one member; a zip bomb?)",
			name, n1);
		return 0;
	}
	if (size > WB_RATIO_FLOOR && size / (comp ? comp : 1) > z->max_ratio) {
		snprintf(n1, sizeof(n1), "%u", z->max_ratio);
		snprintf(n2, sizeof(n2), "%s: %s", name, how);
		set_err(err, "%s inflates more than %s times its compressed size (a zip bomb?)", n2, n1);
		return 0;
	}
	return 1;
}

struct wb_member *wb_member_open(struct wb_zip *z, const char *name, struct wb_error *err)
{
	zip_int64_t i = zip_name_locate(z->za, name, 0);
	zip_stat_t st;
	zip_file_t *zf;
	struct wb_member *m;

	if (i < 0) {
		set_err(err, "the archive has no member %s%s", name, "");
		return NULL;
	}
	zip_stat_init(&st);
	if (zip_stat_index(z->za, (zip_uint64_t)i, 0, &st) != 0 ||
	    !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE)) {
		set_err(err, "%s: cannot read its directory entry (%s)", name, zip_strerror(z->za));
		return NULL;
	}
	if (!within(z, name, st.size, st.comp_size, err, "the directory says it"))
		return NULL;
	zf = zip_fopen_index(z->za, (zip_uint64_t)i, 0);
	if (!zf) {
		set_err(err, "%s: cannot open it (%s)", name, zip_strerror(z->za));
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->z = z;
	m->zf = zf;
	m->name = xstrdup(name);
	m->comp_size = st.comp_size;
	m->size = st.size;
	return m;
}

ssize_t wb_member_read(struct wb_member *m, char *buf, size_t n, struct wb_error *err)
{
	zip_int64_t got = zip_fread(m->zf, buf, n);

	if (got < 0) {
		set_err(err, "%s: %s (the archive is damaged)", m->name, zip_file_strerror(m->zf));
		return -1;
	}
	m->done += (unsigned long long)got;
	/* libzip inflates to the end of the deflate stream, whatever size
	 * the directory gives: the bytes are counted here. */
	if (!within(m->z, m->name, m->done, m->comp_size, err, "it"))
		return -1;
	if (m->done > m->size) {
		char said[32];
		snprintf(said, sizeof(said), "%llu", m->size);
		set_err(err, "%s holds more than the %s bytes its directory entry says "
			"(the archive is damaged or forged)", m->name, said);
		return -1;
	}
	if (got == 0 && m->done != m->size) {
		set_err(err, "%s: ends early (the archive is truncated)%s", m->name, "");
		return -1;
	}
	return (ssize_t)got;
}

void wb_member_close(struct wb_member *m)
{
	if (!m)
		return;
	zip_fclose(m->zf);
	free(m->name);
	free(m);
}
