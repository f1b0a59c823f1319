#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datadir.h"
#include "error.h"
#include "opts.h"
#include "schema_extend.h"
#include "xalloc.h"

static json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);

	if (!root) {
		if (err.line > 0)
			civic_warn_at(path, (unsigned long)err.line, "%s", err.text);
		else
			civic_warn("%s: %s", path, err.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		civic_warn("%s: a schema is a JSON object", path);
		json_decref(root);
		return NULL;
	}
	return root;
}

static char *find_base(const char *name)
{
	char *path = civic_find_data("schemas", name);
	size_t n = strlen(name);

	if (!path && (n < 5 || strcmp(name + n - 5, ".json") != 0)) {
		char *with = xmalloc(n + 6);
		memcpy(with, name, n);
		memcpy(with + n, ".json", 6);
		path = civic_find_data("schemas", with);
		free(with);
	}
	return path;
}

static json_t *field_named(json_t *fields, const char *name)
{
	size_t i;
	json_t *f;

	json_array_foreach(fields, i, f) {
		const char *n = json_string_value(json_object_get(f, "name"));
		if (n && strcmp(n, name) == 0)
			return f;
	}
	return NULL;
}

static int has_string(json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* The extending field's keys into the base's: "from" adds names. */
static int change_field(const char *path, json_t *base, json_t *ext)
{
	const char *key;
	json_t *v, *from;
	size_t i;

	json_object_foreach(ext, key, v) {
		if (strcmp(key, "from") != 0) {
			json_object_set(base, key, v);
			continue;
		}
		if (!json_is_array(v)) {
			civic_warn("%s: field '%s': \"from\" must be a list of column names", path,
				json_string_value(json_object_get(ext, "name")));
			return -1;
		}
		from = json_object_get(base, "from");
		if (!json_is_array(from)) {
			from = json_array();
			json_object_set_new(base, "from", from);
		}
		json_t *name;
		json_array_foreach(v, i, name)
			if (!json_is_string(name) || !has_string(from, json_string_value(name)))
				json_array_append(from, name);
	}
	return 0;
}

static int merge(const char *path, json_t *base, json_t *ext)
{
	json_t *bfields = json_object_get(base, "fields"), *efields = json_object_get(ext, "fields"), *v;
	const char *key;
	size_t i;

	json_object_foreach(ext, key, v)
		if (strcmp(key, "fields") != 0 && strcmp(key, "extends") != 0)
			json_object_set(base, key, v);
	if (!efields)
		return 0;
	if (!json_is_array(efields) || !json_is_array(bfields)) {
		civic_warn("%s: \"fields\" must be a list", path);
		return -1;
	}
	json_array_foreach(efields, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		json_t *same = name ? field_named(bfields, name) : NULL;
		if (!json_is_object(v) || !name) {
			civic_warn("%s: field %zu needs a \"name\"", path, i + 1);
			return -1;
		}
		if (same ? change_field(path, same, v) != 0 : json_array_append(bfields, v) != 0)
			return -1;
	}
	return 0;
}

static json_t *load_depth(const char *path, int depth)
{
	json_t *root = load_json(path), *ext, *base;
	char *base_path;

	if (!root || !(ext = json_object_get(root, "extends")))
		return root;
	if (!json_is_string(ext)) {
		civic_warn("%s: \"extends\" must name a schema (such as \"registry\")", path);
		goto fail;
	}
	if (depth >= SCHEMA_EXTEND_DEPTH) {
		civic_warn("%s: \"extends\" goes more than %d schemas deep (does one extend itself?)", path,
			SCHEMA_EXTEND_DEPTH);
		goto fail;
	}
	base_path = find_base(json_string_value(ext));
	if (!base_path) {
		civic_warn("%s: \"extends\": schema '%s' not found (looked here and in %s/schemas)", path,
			json_string_value(ext), civic_datadir());
		goto fail;
	}
	base = load_depth(base_path, depth + 1);
	free(base_path);
	if (!base)
		goto fail;
	if (merge(path, base, root) != 0) {
		json_decref(base);
		goto fail;
	}
	json_decref(root);
	return base;
fail:
	json_decref(root);
	return NULL;
}

json_t *schema_extend_load(const char *path)
{
	return load_depth(path, 0);
}
