/* Internals shared by the survey*.c files; nothing outside them includes
 * this. */
#ifndef CIVIC_SURVEY_IMPL_H
#define CIVIC_SURVEY_IMPL_H

#include "groups.h"
#include "survey.h"

struct svy_stratum {
	char *name;
	size_t len;
	double fpc;            /* the --fpc value; 0 until one is seen */
	uint64_t npsu;         /* n_h: PSUs, or rows when each row is a PSU */
};

struct svy_psu {
	uint32_t stratum;
};

/* Open addressing; a slot holds the key's hash in its high half (so a
 * probe rarely touches the table it indexes) and index + 1 in its low
 * half, 0 is empty. */
struct svy_index {
	uint64_t *slot;
	size_t mask;
};

struct svy_design {
	struct svy_design_opts o;
	struct svy_stratum *strata;
	size_t nstrata, scap;
	struct svy_psu *psus;
	size_t npsu, pcap;
	struct groups psu_ids;             /* key: stratum index (4 bytes), then the id */
	struct sbuf psu_key;
	struct svy_index sidx;
	uint32_t last_stratum, last_psu;   /* the previous row's, UINT32_MAX if none */
	char *err;                         /* SVY_ERR_MAX bytes, written through const pointers */
};
#define SVY_ERR_MAX 256

/* snprintf into d->err; returns -1 for "return svy_fail(…)". */
int svy_fail(const struct svy_design *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The sampling fraction f_h of a stratum (0 without --fpc). */
double svy_stratum_f(const struct svy_design *d, size_t h);

uint32_t svy_stratum_intern(struct svy_design *d, const char *s, size_t len);
uint32_t svy_psu_intern(struct svy_design *d, uint32_t stratum, const char *id, size_t len);
/* PSU i's id (not NUL-terminated). */
static inline const char *svy_psu_id(const struct svy_design *d, size_t i, size_t *len)
{
	const char *key = groups_key(&d->psu_ids, (uint32_t)i, len);

	*len -= 4;
	return key + 4;
}

enum { KIND_EMPTY, KIND_STRATA, KIND_PSUS };

/* Stratum h's sums in a (row-PSU designs), zero when new. */
struct svy_stratum_sums *svy_acc_stratum(struct svy_acc *a, size_t h);
/* PSU j's sums in a (cluster designs), zero when new. */
struct svy_psu_sums *svy_acc_psu(struct svy_acc *a, uint32_t j);
/* a's PSU cells by PSU index: a malloc'd array of a->ncells cell indices
 * (NULL when a holds no PSU cells). */
uint32_t *svy_acc_psu_order(const struct svy_acc *a);

#endif
