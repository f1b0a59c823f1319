#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "datadir.h"
#include "colname.h"
#include "convert.h"
#include "describe.h"
#include "error.h"
#include "inputs.h"
#include "num.h"
#include "opts.h"
#include "output.h"
#include "pii_guess.h"
#include "schema.h"
#include "xalloc.h"
#include "trim.h"

enum { SAMPLES = 5 };

struct profile {
	unsigned long values, empty;
	unsigned long is_int, is_number, is_number_comma, is_bool;
	unsigned long is_date[DATE_NFORMATS];
	int leading_zero;              /* an int with a leading zero: an ID, keep as string */
	unsigned long looks[PII_KIND_BIRTH + 1];  /* values that look personal, by kind */
	char *samples[SAMPLES];
	size_t nsamples;
};

static void add_sample(struct profile *p, const char *s, size_t n)
{
	for (size_t i = 0; i < p->nsamples; i++)
		if (strlen(p->samples[i]) == n && memcmp(p->samples[i], s, n) == 0)
			return;
	if (p->nsamples < SAMPLES)
		p->samples[p->nsamples++] = xstrndup(s, n > 80 ? 80 : n);
}

static void observe(struct profile *p, const char *s, size_t n)
{
	long long iv;
	double dv;
	int32_t days;
	int bv;

	trim_blanks(&s, &n);
	if (n == 0) {
		p->empty++;
		return;
	}
	p->values++;
	p->looks[pii_guess_value(s, n)]++;
	add_sample(p, s, n);
	if (num_parse_int(s, n, &iv) == 0) {
		p->is_int++;
		if (n > 1 && s[s[0] == '-' || s[0] == '+'] == '0')
			p->leading_zero = 1;
	}
	p->is_number += num_parse_double(s, n, 0, &dv) == 0;
	p->is_number_comma += num_parse_double(s, n, 1, &dv) == 0;
	p->is_bool += parse_bool(s, n, &bv) == 1;
	for (int f = 0; f < DATE_NFORMATS; f++)
		if (f != DATE_EXCEL)
			p->is_date[f] += date_parse(s, n, (enum date_format)f, &days) == 0;
}

/* Every non-empty value must fit a type for the type to be proposed. */
static const char *infer_type(const struct profile *p, int *decimal_comma)
{
	int any_date = 0;

	*decimal_comma = 0;
	if (p->values == 0 || p->leading_zero)
		return "string";
	for (int f = 0; f < DATE_NFORMATS; f++)
		any_date |= p->is_date[f] > 0;
	if (p->is_int == p->values && !p->leading_zero && !any_date)
		return "int";
	if (p->is_number == p->values)
		return "number";
	if (p->is_number_comma == p->values) {
		*decimal_comma = 1;
		return "number";
	}
	if (p->is_bool == p->values)
		return "bool";
	unsigned long dated = 0;
	for (int f = 0; f < DATE_NFORMATS; f++)
		dated += p->is_date[f];
	/* A column of dates in several formats still counts when together they cover it. */
	if (any_date && dated >= p->values)
		return "date";
	return "string";
}

static char *draft_name(const char *header)
{
	struct sbuf b = SBUF_INIT;
	int sep = 0;

	for (const char *s = header; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
			if (sep && b.len)
				sbuf_addc(&b, '_');
			sep = 0;
			sbuf_addc(&b, (char)c);
		} else {
			sep = 1;
		}
	}
	if (!b.len)
		sbuf_addstr(&b, "column");
	return b.s;
}

/* Most of the values (four in five) of one personal kind. */
static enum pii_kind values_look(const struct profile *p)
{
	for (int k = PII_KIND_NAME; k <= PII_KIND_BIRTH; k++)
		if (p->values && p->looks[k] * 5 >= p->values * 4)
			return (enum pii_kind)k;
	return PII_KIND_NONE;
}

/* "pii" for a column the registry schema knows as personal, or whose name
 * or values look personal: names are pseudonymised (a key keeps them
 * countable), the rest dropped. */
static int mark_pii(json_t *field, const char *header, const struct profile *p,
	const struct schema_field *known)
{
	enum pii_kind by_name = pii_guess_header(header), kind = by_name ? by_name : values_look(p);
	char why[96];

	if (known && known->pii != PII_NONE) {
		json_object_set_new(field, "pii", json_string(known->pii == PII_DROP ? "drop" : "pseudonymize"));
		json_object_set_new(field, "pii_reason", json_string("personal data in the registry schema"));
		return 1;
	}
	if (kind == PII_KIND_NONE)
		return 0;
	json_object_set_new(field, "pii", json_string(kind == PII_KIND_NAME ? "pseudonymize" : "drop"));
	snprintf(why, sizeof(why), by_name ? "its name suggests %s" : "its values look like %s",
		pii_kind_name(kind));
	json_object_set_new(field, "pii_reason", json_string(why));
	return 1;
}

static json_t *describe_field(const char *header, const struct profile *p,
	const struct schema_field *known, int *personal)
{
	json_t *field = json_object(), *from = json_array(), *samples = json_array();
	int decimal_comma;
	const char *type = infer_type(p, &decimal_comma);
	char *name = known ? NULL : draft_name(header);

	json_object_set_new(field, "name", json_string(known ? known->name : name));
	if (known)
		json_object_set_new(field, "registry_field", json_true());
	free(name);
	json_array_append_new(from, json_string(header));
	json_object_set_new(field, "from", from);
	json_object_set_new(field, "type", json_string(type));
	if (strcmp(type, "date") == 0) {
		json_t *formats = json_array();
		for (int f = 0; f < DATE_NFORMATS; f++)
			if (p->is_date[f])
				json_array_append_new(formats, json_string(date_format_name((enum date_format)f)));
		json_object_set_new(field, "formats", formats);
	}
	if (decimal_comma)
		json_object_set_new(field, "decimal_comma", json_true());
	json_object_set_new(field, "required", json_boolean(p->empty == 0 && p->values > 0));
	*personal += mark_pii(field, header, p, known);
	json_object_set_new(field, "empty", json_integer((json_int_t)p->empty));
	for (size_t i = 0; i < p->nsamples; i++)
		json_array_append_new(samples, json_string(p->samples[i]));
	json_object_set_new(field, "examples", samples);
	return field;
}

/* The field of the shipped registry schema a column name matches, as
 * civic-ingest -s registry.json would match it, each field once. */
static const struct schema_field *registry_field(const struct schema *reg, const char *folded,
	char *taken)
{
	for (size_t i = 0; reg && i < reg->nfields; i++)
		for (size_t k = 0; !taken[i] && k < reg->fields[i].nfrom; k++)
			if (strcmp(reg->fields[i].from[k], folded) == 0) {
				taken[i] = 1;
				return &reg->fields[i];
			}
	return NULL;
}

static const char draft_note[] =
	"civic-ingest without a schema passes every column through, personal data included: "
	"ingest with this draft (-s, once checked) or with -s registry.json. "
	"Columns named \"registry_field\" are the shipped registry schema's; \"pii\" marks those that look personal.";

static int print_draft(const struct header *h, struct profile *prof, unsigned long records,
	const char *output)
{
	json_t *root = json_object(), *fields = json_array(), *left_out = json_array();
	struct sbuf fold = SBUF_INIT;
	struct output out;
	struct schema reg;
	char *text, *path = civic_find_data("schemas", "registry.json"), *taken;
	int rc = 0, have_reg = path && schema_load(&reg, path) == 0, personal = 0;

	json_object_set_new(root, "name", json_string("draft"));
	json_object_set_new(root, "version", json_string("1"));
	json_object_set_new(root, "other_columns", json_string("drop"));
	json_object_set_new(root, "records_examined", json_integer((json_int_t)records));
	json_object_set_new(root, "note", json_string(draft_note));
	free(path);
	taken = xcalloc(have_reg ? reg.nfields + 1 : 1, 1);
	/* A name with no letter or digit (a row counter: #, №) cannot be a
	 * schema's source name, so the draft would not load with it. */
	for (size_t i = 0; i < h->n; i++) {
		colname_fold(&fold, h->names[i], strlen(h->names[i]));
		if (fold.len == 0)
			json_array_append_new(left_out, json_string(h->names[i]));
		else
			json_array_append_new(fields, describe_field(h->names[i], &prof[i],
				registry_field(have_reg ? &reg : NULL, fold.s, taken), &personal));
	}
	sbuf_release(&fold);
	free(taken);
	if (have_reg)
		schema_release(&reg);
	if (personal)
		civic_warn("%d column%s look%s personal, marked \"pii\" in the draft: without a schema civic-ingest passes every column through, personal data included",
			personal, personal == 1 ? "" : "s", personal == 1 ? "s" : "");
	if (json_array_size(left_out))
		json_object_set_new(root, "left_out_columns", left_out);
	else
		json_decref(left_out);
	json_object_set_new(root, "fields", fields);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		civic_die(CIVIC_EXIT_DATA, "out of memory");
	if (output_open(&out, output, 0644) != 0) {
		free(text);
		return -1;
	}
	fputs(text, out.fp);
	fputc('\n', out.fp);
	free(text);
	if (output_close(&out) != 0)
		rc = -1;
	return rc;
}

int describe_run(char **files, size_t nfiles, const struct reader_opts *opts, const char *output,
	unsigned long sample)
{
	struct inputs in;
	struct record rec;
	struct reject why;
	struct profile *prof;
	unsigned long records = 0, rejected = 0;
	int rc, status = CIVIC_EXIT_OK;

	inputs_init(&in, files, nfiles, opts);
	rec_init(&rec);
	if (inputs_start(&in) != 0) {
		inputs_release(&in);
		return CIVIC_EXIT_DATA;
	}
	prof = xcalloc(in.header.n + 1, sizeof(*prof));
	while ((sample == 0 || records < sample) && (rc = inputs_next(&in, &rec, &why)) != READ_EOF) {
		if (rc == READ_REJECT) {
			rejected++;
			civic_warn_at(rec.file, rec.line, "%s (record not examined)", why.message);
			continue;
		}
		if (rc != READ_OK)
			continue;
		records++;
		for (size_t i = 0; i < in.header.n; i++)
			observe(&prof[i], rec_get(&rec, i), rec_len(&rec, i));
	}
	/* An -o draft without a skipped operand's columns would look complete. */
	if ((in.failed && output_is_file(output)) || print_draft(&in.header, prof, records, output) != 0)
		status = CIVIC_EXIT_DATA;
	if (in.failed)
		status = CIVIC_EXIT_DATA;
	for (size_t i = 0; i < in.header.n; i++)
		for (size_t k = 0; k < prof[i].nsamples; k++)
			free(prof[i].samples[k]);
	free(prof);
	rec_release(&rec);
	inputs_release(&in);
	return status;
}
