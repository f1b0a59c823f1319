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

/* folded[i] is input column i's folded name. */
static long find_input(const struct schema_field *f, char **folded, size_t n)
{
	for (size_t k = 0; k < f->nfrom; k++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(f->from[k], folded[i]) == 0)
				return (long)i;
	return -1;
}

static void warn_missing(const char *file, const struct schema_field *f)
{
	civic_warn("%s: no column for required field '%s'", file, f->name);
}

static int map_schema(struct mapping *m, const struct schema *s, const struct header *in,
	const char *file, int have_key, char **folded, char *used)
{
	int rc = 0;

	for (size_t i = 0; i < s->nfields; i++) {
		const struct schema_field *f = &s->fields[i];
		long col = find_input(f, folded, in->n);
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
			continue;
		}
		if (f->pii == PII_DROP || (f->pii == PII_PSEUDONYMIZE && !have_key)) {
			m->dropped_pii++;
			continue;
		}
		add_column(m, f->pii == PII_PSEUDONYMIZE ? FROM_PSEUDONYM : FROM_FIELD, col, f, f->name,
			f->pii == PII_PSEUDONYMIZE ? COL_STRING : field_coltype(f->type));
	}
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
	char **folded;
	char *used;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	header_init(&m->out);
	if (!s) {
		for (size_t i = 0; i < in->n; i++)
			add_column(m, FROM_OTHER, (long)i, NULL, in->names[i], in->types[i]);
	} else {
		folded = xcalloc(in->n + 1, sizeof(*folded));
		used = xcalloc(in->n + 1, 1);
		for (size_t i = 0; i < in->n; i++) {
			colname_fold(&fold, in->names[i], strlen(in->names[i]));
			folded[i] = xstrdup(fold.s);
		}
		rc = map_schema(m, s, in, file, have_key, folded, used);
		for (size_t i = 0; i < in->n; i++)
			free(folded[i]);
		free(folded);
		free(used);
	}
	if (lineage) {
		add_column(m, FROM_LINEAGE_FILE, -1, NULL, "_file", COL_STRING);
		add_column(m, FROM_LINEAGE_LINE, -1, NULL, "_line", COL_NUMBER);
	}
	sbuf_release(&fold);
	return rc;
}

void mapping_release(struct mapping *m)
{
	free(m->cols);
	header_release(&m->out);
	memset(m, 0, sizeof(*m));
}
