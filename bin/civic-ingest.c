/* civic-ingest: raw registry and survey exports in, one clean typed
 * stream out, every record accounted for (written or rejected). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civic.h"
#include "run_outputs.h"
#include "datetime.h"
#include "describe.h"
#include "encoding_auto.h"
#include "mapping.h"
#include "pseudonym.h"
#include "schema.h"
#include "convert.h"
#include "trim.h"

static const char usage[] =
	"usage: civic-ingest [-q] [-d delim] [-e encoding] [-k keyfile | -K variable]\n"
	"                    [-o file] [-s schema] [--csv | --json] [--lineage]\n"
	"                    [--max-field bytes] [--max-rejects n[%]] [--rejects file]\n"
	"                    [--fallback-encoding name] [--sheet name | n | *]\n"
	"                    [file ...]\n"
	"       civic-ingest --describe [-d delim] [-e encoding] [--sample n] [file ...]\n"
	"       civic-ingest --show-schema -s schema\n"
	"\n"
	"  -s, --schema FILE      map, type and check columns as FILE says (JSON)\n"
	"  -d, --delimiter C      CSV delimiter (default: sniffed among , ; TAB |)\n"
	"  -e, --encoding NAME    input encoding: utf-8 (default), cp1251, cp866, koi8-r, utf-16, ...,\n"
	"                         or auto: chosen per file among UTF-8, UTF-16 and the fallback\n"
	"      --fallback-encoding NAME  the 8-bit encoding -e auto may choose (default cp1251)\n"
	"  -k, --key-file FILE    pseudonymisation key for personal-data fields\n"
	"  -K, --key-env VAR      ... or take the key from environment variable VAR\n"
	"  -o, --output FILE      write FILE atomically instead of standard output\n"
	"      --csv, --json      output format (default: the input's)\n"
	"      --lineage          add _file and _line columns (and _sheet with --sheet)\n"
	"      --sheet NAME|N|*   a workbook's sheet (.xlsx, .ods, .xls): by name, by number\n"
	"                         from 1, or * for every sheet whose header maps (default: the first)\n"
	"      --rejects FILE     write rejected records to FILE (NDJSON, mode 0600)\n"
	"      --max-rejects N    rejects tolerated before exit status 1: a count or N% (default 0)\n"
	"      --max-field BYTES  longest record accepted (default 1048576)\n"
	"  -q, --quiet            no summary line on standard error\n"
	"      --describe         print a draft schema for the input instead\n"
	"      --sample N         records --describe examines (default 100000; 0 = all)\n"
	"      --show-schema      print the schema of -s as loaded, any schema it extends merged in\n"
	"      --help, --version\n";

enum {
	OPT_LINEAGE = OPT_COMMON_END,
	OPT_MAX_FIELD,
	OPT_DESCRIBE,
	OPT_SAMPLE,
	OPT_FALLBACK_ENCODING,
	OPT_SHOW_SCHEMA,
	OPT_SHEET,
};

static const struct option long_options[] = {
	{ "schema", required_argument, NULL, 's' },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "encoding", required_argument, NULL, 'e' },
	{ "key-file", required_argument, NULL, 'k' },
	{ "key-env", required_argument, NULL, 'K' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "lineage", no_argument, NULL, OPT_LINEAGE },
	{ "max-field", required_argument, NULL, OPT_MAX_FIELD },
	{ "describe", no_argument, NULL, OPT_DESCRIBE },
	{ "sample", required_argument, NULL, OPT_SAMPLE },
	{ "fallback-encoding", required_argument, NULL, OPT_FALLBACK_ENCODING },
	{ "show-schema", no_argument, NULL, OPT_SHOW_SCHEMA },
	{ "sheet", required_argument, NULL, OPT_SHEET },
	REJECT_LONG_OPTIONS,
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct common_opts common;
	struct reader_opts reader;
	const char *schema, *key_file, *key_env, *output;
	struct reject_opts rejects;
	int lineage, quiet, describe, show_schema;
	unsigned long sample;
};

struct counts {
	unsigned long read, written, rejected;
	unsigned long blank;         /* rows of delimiters only, skipped */
};

struct ingest {
	struct options *opts;
	struct schema schema;
	int have_schema;
	struct pseudonym_key key;
	int have_key;
	struct mapping map;          /* the current operand's */
	struct header first_out;     /* the first operand's output columns, which all must give */
	char *first_file;
	struct inputs in;
	struct output out;
	struct writer writer;
	struct rejects rejects;
	struct record rec, outrec;
	struct sbuf pii_value;       /* a personal-data value before hashing, reused */
	struct reject why;
	struct counts n;
};

static int parse_delimiter(const char *s)
{
	if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0 || strcmp(s, "TAB") == 0)
		return '\t';
	if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
		civic_usage_error("the delimiter must be one character other than a quote or line break: '%s'", s);
	return (unsigned char)s[0];
}

static void parse_options(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->common.usage = usage;
	o->reader.max_field = 1024 * 1024;
	o->sample = 100000;
	while ((c = getopt_long(argc, argv, "s:d:e:k:K:o:q", long_options, NULL)) != -1) {
		switch (c) {
		case 's': o->schema = optarg; break;
		case 'd': o->reader.delim = parse_delimiter(optarg); break;
		case 'e': o->reader.encoding = optarg; break;
		case 'k': o->key_file = optarg; break;
		case 'K': o->key_env = optarg; break;
		case 'o': o->output = optarg; break;
		case 'q': o->quiet = 1; break;
		case OPT_LINEAGE: o->lineage = 1; break;
		case OPT_MAX_FIELD: o->reader.max_field = opt_ulong("--max-field", optarg); break;
		case OPT_DESCRIBE: o->describe = 1; break;
		case OPT_SAMPLE: o->sample = opt_ulong("--sample", optarg); break;
		case OPT_FALLBACK_ENCODING: o->reader.fallback_encoding = optarg; break;
		case OPT_SHOW_SCHEMA: o->show_schema = 1; break;
		case OPT_SHEET: o->reader.sheet = optarg; break;
		default:
			if (!common_option(&o->common, c) && !reject_option(&o->rejects, c))
				bad_option();
		}
	}
	if (o->key_file && o->key_env)
		civic_usage_error("-k and -K are alternatives: give one");
	if (o->show_schema && (!o->schema || o->describe || optind < argc))
		civic_usage_error("--show-schema takes -s and nothing else");
	if (o->reader.fallback_encoding && !encoding_is_auto(o->reader.encoding))
		civic_usage_error("--fallback-encoding is for -e auto");
	if (o->reader.max_field == 0)
		civic_usage_error("--max-field must be positive");
	if (o->describe && (o->schema || o->key_file || o->key_env || o->rejects.file || o->lineage))
		civic_usage_error("--describe takes only -d, -e, -o, --sample and files");
	const struct named_output outs[] = {
		{ "-o", o->output ? o->output : "-" }, { "--rejects", o->rejects.file },
	};
	check_distinct_outputs(outs, sizeof(outs) / sizeof(outs[0]));
}

static void append_value(struct ingest *g, size_t i, struct sbuf *data, int *bad)
{
	const struct out_column *col = &g->map.cols[i];
	const char *s = col->input >= 0 ? rec_get(&g->rec, (size_t)col->input) : "";
	size_t n = col->input >= 0 ? rec_len(&g->rec, (size_t)col->input) : 0;
	char buf[40];

	if (!*bad && check_no_nul(g->map.out.names[i], s, n, &g->why) != 0) {
		*bad = 1;
		g->why.field = col->input;
	}
	switch (col->source) {
	case FROM_FIELD:
		if (!*bad && convert_field(col->field, s, n, data, &g->why) != 0) {
			*bad = 1;
			g->why.field = col->input;
		}
		return;
	case FROM_PSEUDONYM: {
		sbuf_reset(&g->pii_value);
		if (!*bad && convert_field(col->field, s, n, &g->pii_value, &g->why) != 0) {
			*bad = 1;
			g->why.field = col->input;
		}
		pseudonymize(&g->key, sbuf_cstr(&g->pii_value), g->pii_value.len, buf);
		sbuf_addstr(data, buf);
		return;
	}
	case FROM_OTHER:
		sbuf_add(data, s, n);
		return;
	case FROM_LINEAGE_FILE:
		sbuf_addstr(data, g->rec.file);
		return;
	case FROM_LINEAGE_LINE:
		sbuf_add(data, buf, (size_t)snprintf(buf, sizeof(buf), "%lu", g->rec.line));
		return;
	case FROM_LINEAGE_SHEET:
		if (g->rec.sheet)
			sbuf_addstr(data, g->rec.sheet);
		return;
	}
}

/* Field i's date as yyyy-mm-dd in buf: the converted output when the
 * field is written as itself, else its raw value converted (a field left
 * out of the output, personal data, is still compared).  0, or -1 when it
 * is empty or none. */
static int field_date(struct ingest *g, size_t i, char *buf)
{
	const struct schema_field *f = &g->schema.fields[i];
	long out = g->map.field_output[i], in = g->map.field_input[i];

	struct datetime dt;

	if (out >= 0 && g->map.cols[out].source == FROM_FIELD) {
		if (rec_len(&g->outrec, (size_t)out) < 10)
			return -1;
		memcpy(buf, rec_get(&g->outrec, (size_t)out), 10);
		return 0;
	}
	if (in < 0 || datetime_parse(rec_get(&g->rec, (size_t)in), rec_len(&g->rec, (size_t)in),
	    f->formats, f->nformats, f->pivot, &dt) < 0)
		return -1;
	date_iso(dt.days, buf);
	return 0;
}

/* The schema's checks across fields ("not_before"). */
static int check_fields(struct ingest *g)
{
	const struct schema *sc = &g->schema;
	char a[16], b[16];

	for (size_t i = 0; g->have_schema && i < sc->nfields; i++) {
		long j = sc->fields[i].not_before;
		if (j < 0 || field_date(g, i, a) != 0 || field_date(g, (size_t)j, b) != 0)
			continue;
		if (check_not_before(&sc->fields[i], a, &sc->fields[j], b, &g->why) != 0)
			return -1;
	}
	return 0;
}

enum { WRITE_FAILED = -2, SETUP_FAILED = -1 };

/* 0 written, 1 rejected, WRITE_FAILED. */
static int ingest_record(struct ingest *g)
{
	int bad = 0;

	rec_clear(&g->outrec);
	for (size_t i = 0; i < g->map.ncols; i++) {
		rec_begin_field(&g->outrec);
		append_value(g, i, &g->outrec.data, &bad);
		rec_end_field(&g->outrec);
	}
	if (!bad && check_fields(g) != 0)
		bad = 1;
	if (bad) {
		inputs_copy_raw(&g->in, &g->rec);
		rejects_add(&g->rejects, &g->rec, &g->why);
		return 1;
	}
	return writer_record(&g->writer, &g->outrec) == 0 ? 0 : WRITE_FAILED;
}

/* A spreadsheet saved as CSV ends with rows of delimiters only (;;;;;),
 * often fewer than the header's: blank lines, not records. */
static int blank_row(struct ingest *g, int rc)
{
	const struct sbuf *raw = &g->rec.raw;
	int delim, delims = 0;

	if (!g->in.cur || reader_format(g->in.cur) != FMT_CSV)
		return 0;
	if (rc == READ_REJECT && strcmp(g->why.reason, "field-count") != 0)
		return 0;
	if (rc == READ_OK) {
		for (size_t i = 0; i < g->rec.nfields; i++) {
			const char *s = rec_get(&g->rec, i);
			size_t n = rec_len(&g->rec, i);
			trim_blanks(&s, &n);
			if (n != 0)
				return 0;
		}
		inputs_copy_raw(&g->in, &g->rec);
	}
	delim = reader_delim(g->in.cur);
	for (size_t i = 0; i < raw->len; i++) {
		char c = raw->s[i];
		if (c == delim)
			delims++;
		else if (c != ' ' && c != '\t' && c != '\r')
			return 0;
	}
	return delims > 0;
}

static int run_stream(struct ingest *g)
{
	int rc;

	while ((rc = inputs_next(&g->in, &g->rec, &g->why)) != READ_EOF) {
		if (rc == READ_FATAL)
			continue;
		if (blank_row(g, rc)) {
			g->n.blank++;
			continue;
		}
		g->n.read++;
		if (rc == READ_REJECT) {
			g->n.rejected++;
			rejects_add(&g->rejects, &g->rec, &g->why);
			continue;
		}
		rc = ingest_record(g);
		if (rc < 0)
			return rc;
		if (rc)
			g->n.rejected++;
		else
			g->n.written++;
	}
	return 0;
}

static int setup(struct ingest *g)
{
	struct options *o = g->opts;

	if (o->schema) {
		char *path = civic_find_data("schemas", o->schema);
		if (!path) {
			civic_warn("%s: schema not found (looked here and in %s/schemas)", o->schema, civic_datadir());
			return -1;
		}
		int rc = schema_load(&g->schema, path);
		free(path);
		if (rc != 0)
			return -1;
		g->have_schema = 1;
	}
	if (o->key_file || o->key_env) {
		int rc = o->key_file ? pseudonym_key_from_file(&g->key, o->key_file)
			: pseudonym_key_from_env(&g->key, o->key_env);
		if (rc != 0)
			return -1;
		g->have_key = 1;
	}
	return 0;
}

static int lineage_flags(const struct options *o)
{
	return !o->lineage ? 0 : LINEAGE_FILE_LINE | (o->reader.sheet ? LINEAGE_SHEET : 0);
}

/* With a schema each operand's header is mapped on its own, so offices
 * that order and name their columns differently go into one stream; only
 * the output columns must agree (they differ when other_columns is keep). */
static int map_header(void *ctx, const struct header *h, const char *name)
{
	struct ingest *g = ctx;
	struct mapping m;

	if (mapping_build(&m, &g->schema, h, name, g->have_key, lineage_flags(g->opts)) != 0) {
		mapping_release(&m);
		if (g->first_file)
			civic_warn("%s: skipping the %s", name, g->in.on_sheet ? "sheet" : "file");
		return -1;
	}
	if (g->first_file && !header_equal(&g->first_out, &m.out)) {
		civic_warn("%s: its columns give other output columns than those of %s; skipping the %s",
			name, g->first_file, g->in.on_sheet ? "sheet" : "file");
		mapping_release(&m);
		return -1;
	}
	if (!g->first_file) {
		header_copy(&g->first_out, &m.out);
		g->first_file = xstrdup(name);
	}
	mapping_release(&g->map);
	g->map = m;
	return 0;
}

static int open_outputs(struct ingest *g)
{
	struct options *o = g->opts;

	if (g->have_schema)
		inputs_on_header(&g->in, map_header, g);
	if (inputs_start(&g->in) != 0)
		return SETUP_FAILED;
	if (!g->have_schema && mapping_build(&g->map, NULL, &g->in.header,
	    g->in.first_name, g->have_key, lineage_flags(o)) != 0)
		return SETUP_FAILED;
	if (g->map.dropped_pii && !o->quiet)
		civic_warn("%zu personal-data column%s dropped%s", g->map.dropped_pii,
			g->map.dropped_pii == 1 ? "" : "s", g->have_key ? "" : " (give -k or -K to pseudonymise)");
	if (rejects_open(&g->rejects, o->rejects.file) != 0)
		return SETUP_FAILED;
	if (output_open(&g->out, o->output, 0644) != 0)
		return SETUP_FAILED;
	writer_init(&g->writer, g->out.fp, o->common.out_format ? o->common.out_format : g->in.format);
	return writer_header(&g->writer, &g->map.out) == 0 ? 0 : WRITE_FAILED;
}

static void summarise(const struct ingest *g)
{
	if (g->opts->quiet)
		return;
	if (g->n.blank)
		civic_warn("skipped %lu blank row%s (delimiters only)", g->n.blank, g->n.blank == 1 ? "" : "s");
	if (g->in.empty_rows)
		civic_warn("skipped %lu row%s of empty cells in workbooks", g->in.empty_rows,
			g->in.empty_rows == 1 ? "" : "s");
	if (g->in.sheets_passed)
		civic_warn("%lu sheet%s passed over", g->in.sheets_passed,
			g->in.sheets_passed == 1 ? "" : "s");
	if (g->in.skipped)
		civic_warn("read %lu, written %lu, rejected %lu, input files skipped %lu (nothing committed)",
			g->n.read, g->n.written, g->n.rejected, g->in.skipped);
	else
		civic_warn("read %lu, written %lu, rejected %lu", g->n.read, g->n.written, g->n.rejected);
}

static void release(struct ingest *g)
{
	writer_release(&g->writer);
	mapping_release(&g->map);
	header_release(&g->first_out);
	free(g->first_file);
	inputs_release(&g->in);
	rec_release(&g->rec);
	rec_release(&g->outrec);
	sbuf_release(&g->pii_value);
	if (g->have_schema)
		schema_release(&g->schema);
	if (g->have_key)
		pseudonym_key_release(&g->key);
}

static int ingest(struct options *o, char **files, size_t nfiles)
{
	struct ingest g;
	int status = CIVIC_EXIT_OK, rc;

	memset(&g, 0, sizeof(g));
	g.opts = o;
	header_init(&g.first_out);
	inputs_init(&g.in, files, nfiles, &o->reader);
	if (setup(&g) != 0) {
		release(&g);
		return CIVIC_EXIT_DATA;
	}
	rc = open_outputs(&g);
	if (rc == 0)
		rc = run_stream(&g);
	if (rc != SETUP_FAILED)
		summarise(&g);
	if (rc != SETUP_FAILED && reject_limit_check(&o->rejects.limit, g.n.rejected, g.n.read))
		status = CIVIC_EXIT_DATA;
	if (rc != 0 || g.in.failed)
		status = CIVIC_EXIT_DATA;
	/* Good rows are kept even when rejects fail the run; an output that
	 * could not be written completely, or that would look complete without
	 * an input cut short or an operand skipped, is withdrawn. */
	if (rc == WRITE_FAILED)
		civic_warn("%s: write error:", o->output ? o->output : "standard output");
	struct run_outputs outs;
	run_outputs_init(&outs, &g.rejects);
	run_outputs_add(&outs, &g.out);
	if (run_outputs_finish(&outs, rc != WRITE_FAILED && rc != SETUP_FAILED && !g.in.failed) != 0)
		status = CIVIC_EXIT_DATA;
	release(&g);
	return status;
}

static int show_schema(const char *name)
{
	char *path = civic_find_data("schemas", name);
	int rc;

	if (!path) {
		civic_warn("%s: schema not found (looked here and in %s/schemas)", name, civic_datadir());
		return CIVIC_EXIT_DATA;
	}
	rc = schema_show(path);
	free(path);
	if (rc != 0)
		return CIVIC_EXIT_DATA;
	return close_stdout() == 0 ? CIVIC_EXIT_OK : CIVIC_EXIT_DATA;
}

int main(int argc, char **argv)
{
	struct options o;

	civic_start(argc, argv);
	parse_options(&o, argc, argv);
	if (o.show_schema)
		return show_schema(o.schema);
	if (o.describe)
		return describe_run(argv + optind, (size_t)(argc - optind), &o.reader, o.output, o.sample);
	return ingest(&o, argv + optind, (size_t)(argc - optind));
}
