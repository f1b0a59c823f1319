#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "parallel.h"

static int chosen = -1;      /* parallel_choose's mode, else -1 */

void parallel_choose(enum parallel_mode m)
{
	chosen = (int)m;
}

enum parallel_mode parallel_mode(void)
{
	const char *e = getenv("CIVIC_THREADS");

	if (chosen >= 0)
		return (enum parallel_mode)chosen;

	if (e && *e)
		return atoi(e) >= 2 ? PARALLEL_FORCED : PARALLEL_OFF;
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? PARALLEL_AUTO : PARALLEL_OFF;
}

struct jobs {
	atomic_size_t next;
	size_t n;
	void (*job)(void *ctx, size_t i);
	void *ctx;
};

static void *work(void *arg)
{
	struct jobs *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		j->job(j->ctx, i);
	return NULL;
}

void parallel_for(size_t n, void (*job)(void *ctx, size_t i), void *ctx)
{
	struct jobs j;
	pthread_t other;
	int two;

	atomic_init(&j.next, 0);
	j.n = n;
	j.job = job;
	j.ctx = ctx;
	two = n >= 2 && parallel_mode() != PARALLEL_OFF && pthread_create(&other, NULL, work, &j) == 0;
	work(&j);
	if (two)
		pthread_join(other, NULL);
}
