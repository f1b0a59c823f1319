/* The passes of a calibrated tally before its own (calib_input.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calib_input.h"
#include "error.h"
#include "output.h"
#include "writer.h"
#include "xalloc.h"

static int spool_stdin(struct calib_files *f)
{
	const char *dir = getenv("TMPDIR");
	char buf[65536];
	size_t got;
	FILE *fp;
	int fd;

	f->spool = xmalloc(strlen(dir && *dir ? dir : "/tmp") + 32);
	sprintf(f->spool, "%s/civic-tally-XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(f->spool)) < 0 || !(fp = fdopen(fd, "w"))) {
		civic_warn("%s: cannot spool standard input for the calibration's two passes: %s", f->spool,
			strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(f->spool);
		}
		free(f->spool);
		f->spool = NULL;
		return -1;
	}
	output_track_temp(f->spool);      /* removed on a fatal signal or exit too */
	while ((got = fread(buf, 1, sizeof buf, stdin)) > 0)
		if (fwrite(buf, 1, got, fp) != got)
			break;
	if (ferror(stdin) || ferror(fp) | (fclose(fp) != 0)) {
		civic_warn("%s: cannot spool standard input for the calibration's two passes: %s", f->spool,
			strerror(errno));
		return -1;
	}
	return 0;
}

int calib_files_open(struct calib_files *f, char **paths, size_t n)
{
	static char *dash[] = { "-" };

	if (n == 0) {
		paths = dash;
		n = 1;
	}
	f->n = n;
	f->spool = NULL;
	f->paths = xcalloc(n, sizeof *f->paths);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(paths[i], "-") == 0) {
			if (!f->spool && spool_stdin(f) < 0)
				return -1;
			f->paths[i] = f->spool;
		} else {
			f->paths[i] = paths[i];
		}
	}
	return 0;
}

const char *calib_display(const struct calib_files *f, const char *name)
{
	return f->spool && name && strcmp(name, f->spool) == 0 ? "(standard input)" : name;
}

void calib_files_close(struct calib_files *f)
{
	if (f->spool) {
		output_untrack_temp(f->spool);
		unlink(f->spool);
		free(f->spool);
	}
	free(f->paths);
	memset(f, 0, sizeof *f);
}

void calib_input_name(struct inputs *in, const struct calib_files *f)
{
	const char *shown = calib_display(f, in->first_name);

	if (shown != in->first_name) {
		char *copy = xstrdup(shown);
		free(in->first_name);
		in->first_name = copy;
	}
}

int calib_open_inputs(struct inputs *in, struct svy_calib *c, const struct calib_files *f,
	const struct reader_opts *ro, const struct calib_design *cd)
{
	inputs_init(in, f->paths, f->n, ro);
	if (inputs_start(in) != 0)
		return -1;
	calib_input_name(in, f);
	if (svy_calib_bind(c, &in->header, cd->weight, cd->strata, cd->psu, cd->fpc, cd->lonely) < 0) {
		civic_warn("%s: %s", in->first_name, svy_calib_error(c));
		return -1;
	}
	return 0;
}

static int write_record(struct svy_calib *c, struct writer *w, struct record *rec, long wcol, struct reject *why)
{
	struct decnum x;
	char num[40];
	size_t len = rec_len(rec, (size_t)wcol);

	if (numscan(rec_get(rec, (size_t)wcol), len, &x) < 0) {
		reject_set(why, "not-a-number", NULL, "weight '%.*s' is not a number", (int)(len > 64 ? 64 : len),
			rec_get(rec, (size_t)wcol));
		return -1;
	}
	if (svy_calib_weigh(c, rec, &x, why) < 0)
		return -1;
	snprintf(num, sizeof num, "%.17g", x.d);
	rec_push(rec, num, strlen(num));
	writer_record(w, rec);         /* a write error shows when the output closes */
	return 0;
}

int calib_write_weights(struct svy_calib *c, const struct calib_files *f, const struct reader_opts *ro,
	FILE *out, struct rejects *rj, unsigned long *read, unsigned long *rejected)
{
	struct inputs in;
	struct record rec;
	struct reject why;
	struct header h;
	struct writer w;
	int rc, status = 0;

	inputs_init(&in, f->paths, f->n, ro);
	if (inputs_start(&in) != 0) {
		inputs_release(&in);
		return -1;
	}
	calib_input_name(&in, f);
	long wcol = svy_calib_weight_column(c);
	header_init(&h);
	header_copy(&h, &in.header);
	if (header_find(&h, "calibrated_weight") >= 0) {
		civic_warn("%s: the input already has a column calibrated_weight", in.first_name);
		status = -1;
	}
	header_add(&h, "calibrated_weight", COL_NUMBER);
	rec_init(&rec);
	writer_init(&w, out, in.format);
	if (status == 0 && writer_header(&w, &h) < 0)
		status = -1;
	while (status == 0 && (rc = inputs_next(&in, &rec, &why)) != READ_EOF) {
		if (rc == READ_FATAL)
			continue;
		(*read)++;
		if (rc == READ_REJECT || write_record(c, &w, &rec, wcol, &why) < 0) {
			if (rc != READ_REJECT)
				inputs_copy_raw(&in, &rec);
			(*rejected)++;
			rec.file = calib_display(f, rec.file);
			rejects_add(rj, &rec, &why);
		}
	}
	if (in.failed || in.cut_short)
		status = -1;
	writer_release(&w);
	header_release(&h);
	rec_release(&rec);
	inputs_release(&in);
	return status;
}
