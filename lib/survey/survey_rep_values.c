/* Held values of a replicate design in partials (survey_rep.h): each
 * carries its row's R analysis weights, so that a merge can form F̂_r at
 * the quantile as one run over all the rows would. */
#include <math.h>
#include <stdlib.h>

#include "json_build.h"
#include "survey_impl.h"
#include "survey_rep.h"
#include "xalloc.h"

json_t *svy_rep_value_json(const struct svy_design *d, const struct svy_value *v, uint64_t k)
{
	const double *a = svy_rep_held(d, v->u.stratum);
	json_t *e = jb_check(json_array()), *reps = svy_rep_doubles_json(a, a ? svy_rep_count(d) : 0);

	jb_push(e, json_real(v->y));
	jb_push(e, json_real(v->w));
	jb_push(e, reps);
	if (k > 1)
		jb_push(e, json_integer((json_int_t)k));
	return e;
}

/* The R weights of a value: non-negative finite numbers. */
static int read_weights(const json_t *j, double *a, size_t n)
{
	if (svy_rep_doubles_read(j, a, n, 0) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(a[i] >= 0) || !isfinite(a[i]))
			return -1;
	return 0;
}

int svy_rep_value_merge(struct svy_values *s, struct svy_design *d, const json_t *e, uint64_t *left)
{
	const json_t *y = json_array_get(e, 0), *w = json_array_get(e, 1), *k = json_array_get(e, 3);
	size_t n = svy_rep_count(d);
	json_int_t times = 1;

	if (!json_is_number(y) || !json_is_number(w) || (json_array_size(e) != 3 && json_array_size(e) != 4))
		return -1;
	if (k && (!json_is_integer(k) || (times = json_integer_value(k)) < 2))
		return -1;
	if ((uint64_t)times > *left)
		return -1;
	double *a = xmalloc((n ? n : 1) * sizeof *a);
	int rc = read_weights(json_array_get(e, 2), a, n);
	if (rc == 0) {
		struct svy_unit u = { svy_rep_hold(d, a), SVY_ROW_PSU };
		svy_values_add_run(s, u, json_number_value(w), json_number_value(y), (uint64_t)times);
		*left -= (uint64_t)times;
	}
	free(a);
	return rc;
}
