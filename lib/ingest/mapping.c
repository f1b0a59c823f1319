#include <stdlib.h>
#include <string.h>

#include "colname.h"
#include "error.h"
#include "mapping.h"
#include "xalloc.h"

static void add_column(struct mapping *m, enum column_source src, long input,
	const struct schema_field *f, const char *name, enum coltype type)
{
	m->cols = xgrow(m->cols, &m->cap, m->ncols + 1, sizeof(*m->cols));
	m->cols[m->ncols].source = src;
	m->cols[m->ncols].input = input;
	m->cols[m->ncols].field = f;
	m->ncols++;
	header_add(&m->out, name, type);
}

/* The input header as names are matched: folded (alike) and lower-cased
 * only (the same name). */
struct names {
	char **folded, **lower;
	size_t n;
};

enum { NO_MATCH, ALIKE, SAME };

static int match(const struct schema_field *f, const struct names *in, size_t i)
{
	int m = NO_MATCH;

	for (size_t k = 0; k < f->nfrom && m != SAME; k++) {
		if (strcmp(f->exact[k], in->lower[i]) == 0)
			m = SAME;
		else if (strcmp(f->from[k], in->folded[i]) == 0)
			m = ALIKE;
	}
	return m;
}

/* "'a' and 'b'", "'a', 'b' and 'c'" */
static void name_list(struct sbuf *b, const struct header *in, const long *cols, size_t n)
{
	sbuf_reset(b);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_addstr(b, i + 1 < n ? ", " : " and ");
		sbuf_addc(b, '\'');
		sbuf_addstr(b, in->names[cols[i]]);
		sbuf_addc(b, '\'');
	}
}

/* The input column for field f, -1 when none, or -2 after a message when
 * it is ambiguous.  A column named as the schema spells it wins over ones
 * only alike (reg_no beats REG-NO); two of the best kind are ambiguous.
 * Every column matching a personal-data field must be the one: any other
 * would pass unprotected. */
static long find_input(const struct schema_field *f, const struct header *hdr,
	const struct names *in, const char *file)
{
	long *cols = xcalloc(in->n + 1, sizeof(*cols));
	int *level = xcalloc(in->n + 1, sizeof(*level));
	int best = NO_MATCH;
	size_t nclash = 0;
	long col = -1;

	for (size_t i = 0; i < in->n; i++) {
		level[i] = match(f, in, i);
		if (level[i] > best) {
			best = level[i];
			col = (long)i;
		}
	}
	for (size_t i = 0; best != NO_MATCH && i < in->n; i++)
		if (level[i] == best || (f->pii != PII_NONE && level[i] != NO_MATCH))
			cols[nclash++] = (long)i;
	if (nclash > 1) {
		struct sbuf list = SBUF_INIT;
		name_list(&list, hdr, cols, nclash);
		civic_warn("%s: columns %s %s match field '%s'%s: rename or remove all but one",
			file, list.s, nclash == 2 ? "both" : "all", f->name,
			f->pii != PII_NONE ? " (personal data)" : "");
		sbuf_release(&list);
		col = -2;
	}
	free(level);
	free(cols);
	return col;
}

static void warn_missing(const char *file, const struct schema_field *f)
{
	civic_warn("%s: no column for required field '%s'", file, f->name);
}

enum { SHOWN_MAX = 400 };

/* Up to SHOWN_MAX bytes of s, cut before a UTF-8 continuation byte. */
static void add_shown(struct sbuf *b, const char *s, size_t *room)
{
	size_t n = strlen(s);

	if (n > *room) {
		n = *room;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	sbuf_add(b, s, n);
	*room -= n;
}

static int spelled_before(const struct schema_field *f, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (strcmp(f->spelled[j], f->spelled[k]) == 0)
			return 1;
	return 0;
}

/* After a required field went unfound: what was read, what would have
 * matched, and the options that fix the usual causes (a header in another
 * encoding shows as mojibake, one in another delimiter as one column). */
static void explain_missing(const char *file, const struct schema *s, const struct header *in,
	const long *field_input)
{
	struct sbuf b = SBUF_INIT;
	size_t room = SHOWN_MAX;

	for (size_t i = 0; i < in->n && room > 0; i++) {
		sbuf_addstr(&b, i ? ", '" : "'");
		add_shown(&b, in->names[i], &room);
		sbuf_addc(&b, '\'');
	}
	civic_warn("%s: the header read has %zu column%s: %s%s", file, in->n, in->n == 1 ? "" : "s",
		b.s ? b.s : "", room == 0 ? " ..." : "");
	for (size_t i = 0; i < s->nfields; i++) {
		const struct schema_field *f = &s->fields[i];
		if (!f->required || field_input[i] != -1)
			continue;
		sbuf_reset(&b);
		room = SHOWN_MAX;
		for (size_t k = 0; k < f->nfrom && room > 0; k++) {
			if (spelled_before(f, k))
				continue;
			sbuf_addstr(&b, k ? ", '" : "'");
			add_shown(&b, f->spelled[k], &room);
			sbuf_addc(&b, '\'');
		}
		civic_warn("%s: the schema takes '%s' from a column named %s%s", file, f->name, b.s,
			room == 0 ? " ..." : "");
	}
	civic_warn("%s: a header read as one column needs -d (-d ';'), one of garbled letters -e (-e cp1251, or -e auto)",
		file);
	sbuf_release(&b);
}

static int map_schema(struct mapping *m, const struct schema *s, const struct header *in,
	const char *file, int have_key, const struct names *names, char *used)
{
	int rc = 0, unfound = 0;

	for (size_t i = 0; i < s->nfields; i++) {
		const struct schema_field *f = &s->fields[i];
		long col = find_input(f, in, names, file);
		m->field_input[i] = col;
		m->field_output[i] = -1;
		if (col == -2) {
			rc = -1;
			continue;
		}
		if (col >= 0 && used[col]) {
			civic_warn("%s: column '%s' matches two fields of the schema", file, in->names[col]);
			rc = -1;
			continue;
		}
		if (col >= 0)
			used[col] = 1;
		if (col < 0 && f->required) {
			warn_missing(file, f);
			rc = -1;
			unfound = 1;
			continue;
		}
		if (f->pii == PII_DROP || (f->pii == PII_PSEUDONYMIZE && !have_key)) {
			m->dropped_pii += col >= 0;
			continue;
		}
		m->field_output[i] = (long)m->ncols;
		add_column(m, f->pii == PII_PSEUDONYMIZE ? FROM_PSEUDONYM : FROM_FIELD, col, f, f->name,
			f->pii == PII_PSEUDONYMIZE ? COL_STRING : field_coltype(f->type));
	}
	if (unfound)
		explain_missing(file, s, in, m->field_input);
	if (s->keep_other_columns)
		for (size_t i = 0; i < in->n; i++)
			if (!used[i])
				add_column(m, FROM_OTHER, (long)i, NULL, in->names[i], COL_STRING);
	return rc;
}

int mapping_build(struct mapping *m, const struct schema *s, const struct header *in,
	const char *file, int have_key, int lineage)
{
	struct sbuf fold = SBUF_INIT;
	struct names names;
	char *used;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	header_init(&m->out);
	if (!s) {
		for (size_t i = 0; i < in->n; i++)
			add_column(m, FROM_OTHER, (long)i, NULL, in->names[i], in->types[i]);
	} else {
		names.n = in->n;
		names.folded = xcalloc(in->n + 1, sizeof(*names.folded));
		names.lower = xcalloc(in->n + 1, sizeof(*names.lower));
		used = xcalloc(in->n + 1, 1);
		m->field_input = xcalloc(s->nfields, sizeof(*m->field_input));
		m->field_output = xcalloc(s->nfields, sizeof(*m->field_output));
		for (size_t i = 0; i < in->n; i++) {
			colname_fold(&fold, in->names[i], strlen(in->names[i]));
			names.folded[i] = xstrdup(fold.s);
			colname_lower(&fold, in->names[i], strlen(in->names[i]));
			names.lower[i] = xstrdup(fold.s);
		}
		rc = map_schema(m, s, in, file, have_key, &names, used);
		for (size_t i = 0; i < in->n; i++) {
			free(names.folded[i]);
			free(names.lower[i]);
		}
		free(names.folded);
		free(names.lower);
		free(used);
	}
	if (lineage) {
		add_column(m, FROM_LINEAGE_FILE, -1, NULL, "_file", COL_STRING);
		add_column(m, FROM_LINEAGE_LINE, -1, NULL, "_line", COL_NUMBER);
		if (lineage & LINEAGE_SHEET)
			add_column(m, FROM_LINEAGE_SHEET, -1, NULL, "_sheet", COL_STRING);
	}
	sbuf_release(&fold);
	return rc;
}

void mapping_release(struct mapping *m)
{
	free(m->cols);
	free(m->field_input);
	free(m->field_output);
	header_release(&m->out);
	memset(m, 0, sizeof(*m));
}
