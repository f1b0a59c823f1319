/* civic-classify --show-rules: the book as loaded, includes and
 * extensions merged, so what runs can be read in one place. */
#include <stdio.h>
#include <string.h>

#include "rules.h"

static void show_rule(const struct rule *r, FILE *out)
{
	if (r->key)
		fprintf(out, "map %s -> %s\n", r->key, r->label);
	else
		fprintf(out, "%s %s %s\n", r->id, r->label, r->pattern);
}

static void show_set(const struct ruleset *s, FILE *out)
{
	const char *file = NULL;

	fprintf(out, "%s %s\n", s->is_template ? "template" : "set", s->name);
	if (s->nfrom) {
		fputs("from", out);
		for (size_t i = 0; i < s->nfrom; i++)
			fprintf(out, " %s", s->from[i]);
		fputc('\n', out);
	}
	for (size_t i = 0; i < s->nrules; i++) {
		if (s->rules[i]->file != file) {
			file = s->rules[i]->file;
			fprintf(out, "# %s\n", file);
		}
		show_rule(s->rules[i], out);
	}
	if (s->has_default && s->keep)
		fputs("keep\n", out);
	else if (s->has_default)
		fprintf(out, "default %s\n", s->default_label);
}

int rulebook_show(const struct rulebook *rb, FILE *out)
{
	for (size_t i = 0; i < rb->nsets; i++) {
		if (i)
			fputc('\n', out);
		show_set(rb->sets[i], out);
	}
	return ferror(out) ? -1 : 0;
}
