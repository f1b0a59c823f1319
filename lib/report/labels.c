#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "datadir.h"
#include "error.h"
#include "labels.h"
#include "opts.h"
#include "reader.h"
#include "xalloc.h"

void labels_init(struct labels *l)
{
	memset(l, 0, sizeof(*l));
}

void labels_release(struct labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->e[i].column);
		free(l->e[i].value);
		free(l->e[i].lang);
		free(l->e[i].text);
	}
	for (size_t i = 0; i < l->nfiles; i++)
		free(l->files[i]);
	free(l->e);
	free(l->files);
	labels_init(l);
}

static void add(struct labels *l, const struct record *rec, const char *lang, size_t text, int shipped)
{
	struct label_entry *e;

	if (!rec_len(rec, text))
		return;                  /* no label in this language */
	l->e = xrealloc(l->e, (l->n + 1) * sizeof(*l->e));
	e = &l->e[l->n++];
	e->column = xstrdup(rec_get(rec, 0));
	e->value = xstrdup(rec_get(rec, 1));
	e->lang = xstrdup(lang);
	e->text = xstrdup(rec_get(rec, text));
	e->shipped = shipped;
	e->line = rec->line;
	e->file = l->files[l->nfiles - 1];
}

/* The header: column, value, then label or label_XX columns; their
 * languages into langs ("" for label). */
static int check_header(const struct header *h, const char *path, char **langs)
{
	if (h->n < 3 || strcmp(h->names[0], "column") != 0 || strcmp(h->names[1], "value") != 0) {
		civic_warn_at(path, 1, "a label file begins column,value,label (or label_en,label_ru,…)");
		return -1;
	}
	for (size_t i = 2; i < h->n; i++) {
		const char *n = h->names[i];
		if (strcmp(n, "label") == 0)
			langs[i] = "";
		else if (strncmp(n, "label_", 6) == 0 && n[6])
			langs[i] = (char *)n + 6;
		else {
			civic_warn_at(path, 1, "unknown column '%s' (label, or label_ and a language code)", n);
			return -1;
		}
	}
	return 0;
}

int labels_load(struct labels *l, const char *path, int shipped)
{
	struct reader_opts ro = { 0 };
	struct reader *r;
	struct record rec;
	struct reject why;
	char **langs;
	int rc = 0, got;

	ro.format = FMT_CSV;
	ro.delim = ',';
	if ((r = reader_open(path, &ro)) == NULL)
		return -1;
	langs = xcalloc(reader_header(r)->n + 1, sizeof(*langs));
	if (check_header(reader_header(r), reader_name(r), langs) != 0) {
		free(langs);
		reader_close(r);
		return -1;
	}
	l->files = xrealloc(l->files, (l->nfiles + 1) * sizeof(*l->files));
	l->files[l->nfiles++] = xstrdup(reader_name(r));
	rec_init(&rec);
	while ((got = reader_next(r, &rec, &why)) != READ_EOF) {
		if (got == READ_FATAL) {
			rc = -1;
			break;
		}
		if (got == READ_REJECT) {
			civic_warn_at(reader_name(r), rec.line, "%s", why.message);
			rc = -1;
			continue;
		}
		if (!rec_len(&rec, 0)) {
			civic_warn_at(reader_name(r), rec.line, "no column named");
			rc = -1;
			continue;
		}
		for (size_t i = 2; i < rec.nfields; i++)
			add(l, &rec, langs[i], i, shipped);
	}
	rec_release(&rec);
	free(langs);
	reader_close(r);
	return rc;
}

static int is_csv(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".csv") == 0;
}

int labels_load_shipped(struct labels *l)
{
	const char *data = civic_datadir();
	char *dir = xmalloc(strlen(data) + 8);
	struct dirent **names = NULL;
	int n, rc = 0;

	sprintf(dir, "%s/labels", data);
	n = scandir(dir, &names, is_csv, alphasort);
	for (int i = 0; i < n; i++) {
		char *path = xmalloc(strlen(dir) + strlen(names[i]->d_name) + 2);
		sprintf(path, "%s/%s", dir, names[i]->d_name);
		if (labels_load(l, path, 1) != 0)
			rc = -1;
		free(path);
		free(names[i]);
	}
	free(names);
	free(dir);
	return rc;
}

/* How well an entry fits, 0 not at all: the report's language or a plain
 * label before English; within each, the user's before the shipped, and
 * the language's own before a plain label. */
static int fit(const struct label_entry *e, const char *lang)
{
	int user = e->shipped ? 0 : 2;

	if (strcmp(e->lang, lang) == 0)
		return 8 + user + 1;
	if (!e->lang[0])
		return 8 + user;
	if (strcmp(e->lang, "en") == 0)
		return 4 + user;
	return 0;
}

const char *labels_find(const struct labels *l, const char *column, const char *value, const char *lang)
{
	const char *best = NULL;
	int best_fit = 0;

	if (!value)
		value = "";
	for (size_t i = 0; i < l->n; i++) {
		const struct label_entry *e = &l->e[i];
		int f;
		if (strcmp(e->value, value) != 0 || (column && strcmp(e->column, column) != 0))
			continue;
		f = fit(e, lang);
		if (f && f >= best_fit) {   /* the later file wins a tie */
			best = e->text;
			best_fit = f;
		}
	}
	return best;
}
