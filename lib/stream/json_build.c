#include "error.h"
#include "json_build.h"

static void out_of_memory(void)
{
	civic_die(CIVIC_EXIT_DATA, "out of memory");
}

json_t *jb_check(json_t *j)
{
	if (!j)
		out_of_memory();
	return j;
}

void jb_set(json_t *obj, const char *key, json_t *value)
{
	if (json_object_set_new(obj, key, jb_check(value)) != 0)
		out_of_memory();
}

void jb_push(json_t *arr, json_t *value)
{
	if (json_array_append_new(arr, jb_check(value)) != 0)
		out_of_memory();
}
