/* Internals shared by the survey*.c files; nothing outside them includes
 * this. */
#ifndef CIVIC_SURVEY_IMPL_H
#define CIVIC_SURVEY_IMPL_H

#include "survey.h"

struct svy_stratum {
	char *name;
	size_t len;
	double fpc;            /* the --fpc value; 0 until one is seen */
	uint64_t npsu;         /* n_h: PSUs, or rows when each row is a PSU */
};

struct svy_psu {
	char *id;
	size_t len;
	uint32_t stratum;
};

/* Open addressing; slots hold index + 1, 0 is empty. */
struct svy_index {
	uint32_t *slot;
	size_t mask;
};

struct svy_design {
	struct svy_design_opts o;
	struct svy_stratum *strata;
	size_t nstrata, scap;
	struct svy_psu *psus;
	size_t npsu, pcap;
	struct svy_index sidx, pidx;
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

/* Makes a's cells (of kind 1 strata or 2 PSUs) cover index need - 1. */
void svy_acc_fit(struct svy_acc *a, int kind, size_t need);

#endif
