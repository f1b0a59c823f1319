/* civic-filter: keep the records for which a condition (civic(7),
 * CONDITIONS) holds, in the input's format, every record accounted for
 * (kept, dropped or rejected). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civic.h"
#include "run_outputs.h"
#include "csv_split.h"
#include "keyexpr.h"
#include "where.h"

static const char usage[] =
	"usage: civic-filter [-qv] [--columns list] [--rename old=new ...] [-o file]\n"
	"                    [--rejects file] [--max-rejects n[%]] [--csv | --json]\n"
	"                    cond [file ...]\n"
	"\n"
	"  -v, --invert           keep the records for which COND does not hold (false or missing)\n"
	"      --columns LIST     write only these columns, in this order (comma-separated)\n"
	"      --rename OLD=NEW   write column OLD under the name NEW (repeatable)\n"
	"  -o, --output FILE      write FILE atomically instead of standard output\n"
	"  -q, --quiet            no summary on standard error\n"
	"      --rejects FILE     write rejected records to FILE (NDJSON, mode 0600)\n"
	"      --max-rejects N    rejects tolerated before exit status 1: a count or N% (default 0)\n"
	"      --csv, --json      output format (default: the input's)\n"
	"      --help, --version\n";

enum { OPT_COLUMNS = OPT_COMMON_END, OPT_RENAME };

static const struct option long_options[] = {
	{ "invert", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "output", required_argument, NULL, 'o' },
	{ "columns", required_argument, NULL, OPT_COLUMNS },
	{ "rename", required_argument, NULL, OPT_RENAME },
	REJECT_LONG_OPTIONS,
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct common_opts common;
	struct reader_opts reader;
	struct reject_opts rejects;
	const char *cond, *columns, *output;
	const char **renames;
	size_t nrenames;
	int invert, quiet;
};

struct filter {
	struct options *opts;
	struct where where;
	struct datecache dc;
	struct inputs in;
	struct header out_header;
	long *pick;                    /* --columns: input index of each output column */
	size_t npick;
	struct output out;
	struct writer writer;
	struct rejects rejects;
	struct record rec, outrec;
	struct record whole;           /* a CSV record's fields from its text: rec holds only the condition's */
	unsigned char *want;           /* the columns the condition reads */
	int pass_text;                 /* no --columns, --rename or --json: a kept record's text may go out as read */
	struct reject why;
	unsigned long read, kept, dropped, rejected;
};

enum { WRITE_FAILED = -2, SETUP_FAILED = -1 };

static void parse_options(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->common.usage = usage;
	o->renames = xcalloc((size_t)argc, sizeof(*o->renames));
	while ((c = getopt_long(argc, argv, "qvo:", long_options, NULL)) != -1) {
		switch (c) {
		case 'v': o->invert = 1; break;
		case 'q': o->quiet = 1; break;
		case 'o': o->output = optarg; break;
		case OPT_COLUMNS: o->columns = optarg; break;
		case OPT_RENAME: o->renames[o->nrenames++] = optarg; break;
		default:
			if (!common_option(&o->common, c) && !reject_option(&o->rejects, c))
				bad_option();
		}
	}
	if (optind == argc)
		civic_usage_error("a condition is required, as in civic-filter 'region = north'");
	o->cond = argv[optind++];
	const struct named_output outs[] = {
		{ "-o", o->output ? o->output : "-" }, { "--rejects", o->rejects.file },
	};
	check_distinct_outputs(outs, sizeof(outs) / sizeof(outs[0]));
}

static void no_column(const struct header *h, const char *opt, const char *name)
{
	const char *near = nearest_column(h, name);

	if (near)
		civic_usage_error("%s: no column '%s' (did you mean '%s'?)", opt, name, near);
	civic_usage_error("%s: no column '%s'", opt, name);
}

/* --columns: the input columns written, in order (all when not given). */
static void pick_columns(struct filter *f)
{
	const struct header *in = &f->in.header;
	char **names;
	size_t n = split_list(f->opts->columns, &names);

	f->pick = xcalloc(n, sizeof(*f->pick));
	for (size_t i = 0; i < n; i++) {
		long col = header_find(in, names[i]);
		if (col < 0)
			no_column(in, "--columns", names[i]);
		for (size_t j = 0; j < i; j++)
			if (f->pick[j] == col)
				civic_usage_error("--columns: '%s' is given twice", names[i]);
		f->pick[f->npick++] = col;
		header_add(&f->out_header, in->names[col], in->types[col]);
	}
	split_list_free(names, n);
}

static void rename_column(struct header *h, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		civic_usage_error("--rename takes OLD=NEW: '%s'", arg);
	char *old = xstrndup(arg, (size_t)(eq - arg));
	long col = header_find(h, old);

	if (col < 0)
		no_column(h, "--rename", old);
	if (header_find(h, eq + 1) >= 0 && strcmp(old, eq + 1) != 0)
		civic_usage_error("--rename %s: the output already has a column '%s'", arg, eq + 1);
	free(h->names[col]);
	h->names[col] = xstrdup(eq + 1);
	free(old);
}

static void output_header(struct filter *f)
{
	if (f->opts->columns)
		pick_columns(f);
	else
		header_copy(&f->out_header, &f->in.header);
	for (size_t i = 0; i < f->opts->nrenames; i++)
		rename_column(&f->out_header, f->opts->renames[i]);
}

/* Only the condition's columns are read into fields (every field is still
 * checked, reader_opts.want_checks_all); a kept record is written from
 * its text. */
static void want_condition_columns(struct filter *f)
{
	size_t n = f->in.header.n;

	f->want = xcalloc(n ? n : 1, 1);
	where_mark_columns(&f->where, f->want, n);
	inputs_want(&f->in, f->want, n);
	f->pass_text = !f->opts->columns && !f->opts->nrenames &&
		(f->opts->common.out_format ? f->opts->common.out_format : f->in.format) == FMT_CSV;
}

static int open_outputs(struct filter *f)
{
	struct options *o = f->opts;
	char err[1024];

	if (inputs_start(&f->in) != 0)
		return SETUP_FAILED;
	if (where_bind(&f->where, &f->in.header, err, sizeof(err)) < 0)
		civic_usage_error("%s", err);
	output_header(f);
	want_condition_columns(f);
	if (rejects_open(&f->rejects, o->rejects.file) != 0)
		return SETUP_FAILED;
	if (output_open(&f->out, o->output, 0644) != 0)
		return SETUP_FAILED;
	writer_init(&f->writer, f->out.fp, o->common.out_format ? o->common.out_format : f->in.format);
	return writer_header(&f->writer, &f->out_header) == 0 ? 0 : WRITE_FAILED;
}

/* The writer would write the text as it is: comma-separated, and with
 * no quote or carriage return, so no field it would quote. */
static int written_as_read(const struct filter *f, const struct sbuf *raw, int delim)
{
	/* Empty text is one empty field, which the writer quotes. */
	return f->pass_text && delim == ',' && raw->len > 0 &&
		!memchr(raw->s, '"', raw->len) && !memchr(raw->s, '\r', raw->len);
}

static int write_kept(struct filter *f)
{
	const struct record *rec = &f->rec;

	if (reader_format(f->in.cur) == FMT_CSV) {
		int delim = reader_delim(f->in.cur);
		inputs_copy_raw(&f->in, &f->rec);
		if (written_as_read(f, &f->rec.raw, delim)) {
			if (fwrite(f->rec.raw.s, 1, f->rec.raw.len, f->out.fp) != f->rec.raw.len ||
			    putc('\n', f->out.fp) == EOF)
				return -1;
			return 0;
		}
		csv_split_raw(f->rec.raw.s, f->rec.raw.len, delim, &f->whole);
		rec = &f->whole;
	}
	if (!f->opts->columns)
		return writer_record(&f->writer, rec);
	rec_clear(&f->outrec);
	for (size_t i = 0; i < f->npick; i++)
		rec_push(&f->outrec, rec_get(rec, (size_t)f->pick[i]), rec_len(rec, (size_t)f->pick[i]));
	return writer_record(&f->writer, &f->outrec);
}

static void reject(struct filter *f)
{
	f->rejected++;
	rejects_add(&f->rejects, &f->rec, &f->why);
}

static int run_stream(struct filter *f)
{
	int rc;

	while ((rc = inputs_next(&f->in, &f->rec, &f->why)) != READ_EOF) {
		if (rc == READ_FATAL)
			continue;
		f->read++;
		if (rc == READ_REJECT) {
			reject(f);
			continue;
		}
		int keep = where_keep(&f->where, &f->rec, &f->dc, &f->why);
		if (keep < 0) {
			inputs_copy_raw(&f->in, &f->rec);
			reject(f);
		} else if (keep != f->opts->invert) {
			if (write_kept(f) != 0)
				return WRITE_FAILED;
			f->kept++;
		} else {
			f->dropped++;
		}
	}
	return 0;
}

static void summarise(const struct filter *f)
{
	if (f->opts->quiet)
		return;
	civic_warn("read %lu, kept %lu, dropped %lu, rejected %lu%s", f->read, f->kept, f->dropped,
		f->rejected, f->in.skipped ? " (an input file was skipped: nothing committed)" : "");
}

static int close_all(struct filter *f, int rc)
{
	struct options *o = f->opts;
	int status = CIVIC_EXIT_OK;

	if (rc == WRITE_FAILED)
		civic_warn("%s: write error:", o->output ? o->output : "standard output");
	/* Without an input cut short by a read error, or an operand skipped,
	 * the file would look complete. */
	struct run_outputs outs;
	run_outputs_init(&outs, &f->rejects);
	run_outputs_add(&outs, &f->out);
	if (rc != 0 || f->in.failed || f->in.cut_short) {
		run_outputs_finish(&outs, 0);
		if (rc != SETUP_FAILED)
			summarise(f);
		return CIVIC_EXIT_DATA;
	}
	/* Committed first: a message flushes standard output, and its error
	 * would be told without its cause. */
	if (run_outputs_finish(&outs, 1) != 0)
		status = CIVIC_EXIT_DATA;
	summarise(f);
	if (reject_limit_check(&o->rejects.limit, f->rejected, f->read))
		status = CIVIC_EXIT_DATA;
	return status;
}

static void release(struct filter *f)
{
	writer_release(&f->writer);
	header_release(&f->out_header);
	inputs_release(&f->in);
	rec_release(&f->rec);
	rec_release(&f->outrec);
	rec_release(&f->whole);
	free(f->want);
	where_release(&f->where);
	free(f->pick);
}

static int filter(struct options *o, char **files, size_t nfiles)
{
	struct filter f;
	char err[1024];
	int rc;

	memset(&f, 0, sizeof(f));
	f.opts = o;
	if (where_init(&f.where, (char *const *)&o->cond, 1, err, sizeof(err)) < 0)
		civic_usage_error("%s", err);
	datecache_init(&f.dc);
	header_init(&f.out_header);
	rec_init(&f.rec);
	rec_init(&f.outrec);
	rec_init(&f.whole);
	o->reader.want_checks_all = 1;
	inputs_init(&f.in, files, nfiles, &o->reader);
	rc = open_outputs(&f);
	if (rc == 0)
		rc = run_stream(&f);
	int status = close_all(&f, rc);
	release(&f);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	int status;

	civic_start(argc, argv);
	parse_options(&o, argc, argv);
	status = filter(&o, argv + optind, (size_t)(argc - optind));
	free(o.renames);
	return status;
}
