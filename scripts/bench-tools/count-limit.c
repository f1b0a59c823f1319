/* count-limit: the limit program for tally tasks.  As simple and fast as a
 * tally can be: mmap the file, split lines and fields with memchr (quotes
 * mean nothing; a column counted from the end, -1, stays right when a quoted
 * field holds the delimiter), group by one or two columns in an open-address
 * hash table, and count, or take mean and median of the days between two
 * ISO dates.  What civic-tally would cost if parsing and typing were free.
 *
 *   count-limit [-d DELIM] -k COL[:LEN] [-k COL[:LEN]] [-v FROM,TO] FILE
 *
 * COL is 1-based, negative counts from the end; :LEN keeps the first LEN
 * bytes (-k 2:7 groups an ISO date by month).  Prints KEY[,KEY2],COUNT, or
 * with -v KEY,N,MEAN,MEDIAN (rows with an empty date left out); sorted by key.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct keyspec {
	int col;         /* 1-based; negative from the end */
	size_t len;      /* 0: whole field */
};

struct group {
	char *key;       /* NUL-terminated; the two keys joined by '\x1f' */
	size_t keylen;
	uint64_t hash;
	unsigned long long count;
	double sum;
	int *days;
	size_t ndays, cap;
};

struct table {
	struct group *slot;
	size_t size, used;   /* size is a power of two */
};

static void die(const char *msg)
{
	perror(msg);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n)))
		die("count-limit");
	return p;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void table_grow(struct table *t)
{
	struct table bigger = { calloc(t->size * 2, sizeof *t->slot), t->size * 2, t->used };

	if (!bigger.slot)
		die("count-limit");
	for (size_t i = 0; i < t->size; i++) {
		if (!t->slot[i].key)
			continue;
		size_t j = t->slot[i].hash & (bigger.size - 1);
		while (bigger.slot[j].key)
			j = (j + 1) & (bigger.size - 1);
		bigger.slot[j] = t->slot[i];
	}
	free(t->slot);
	*t = bigger;
}

static struct group *table_get(struct table *t, const char *key, size_t n)
{
	uint64_t h = hash_bytes(key, n);
	size_t i = h & (t->size - 1);

	for (; t->slot[i].key; i = (i + 1) & (t->size - 1))
		if (t->slot[i].hash == h && t->slot[i].keylen == n && memcmp(t->slot[i].key, key, n) == 0)
			return &t->slot[i];
	if (2 * (t->used + 1) > t->size) {
		table_grow(t);
		return table_get(t, key, n);
	}
	struct group *g = &t->slot[i];
	g->key = xrealloc(NULL, n + 1);
	memcpy(g->key, key, n);
	g->key[n] = '\0';
	g->keylen = n;
	g->hash = h;
	t->used++;
	return g;
}

/* memrchr is a GNU extension; the fields it searches are short. */
static const char *last_byte(const char *s, int c, size_t n)
{
	while (n--)
		if ((unsigned char)s[n] == c)
			return s + n;
	return NULL;
}

/* The field at spec in [line, end): start in *f, length returned; -1 if absent. */
static long field_at(const char *line, const char *end, int delim, int col, const char **f)
{
	const char *p = line, *q;

	if (col > 0) {
		for (int i = 1; i < col; i++) {
			if (!(p = memchr(p, delim, (size_t)(end - p))))
				return -1;
			p++;
		}
		q = memchr(p, delim, (size_t)(end - p));
		*f = p;
		return (q ? q : end) - p;
	}
	q = end;
	for (int i = -1; i > col; i--) {
		if (!(q = last_byte(line, delim, (size_t)(q - line))))
			return -1;
	}
	p = last_byte(line, delim, (size_t)(q - line));
	p = p ? p + 1 : line;
	*f = p;
	return q - p;
}

static long days_from_civil(const char *s, long n)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return LONG_MIN;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->key, ((const struct group *)b)->key);
}

static double median(struct group *g)
{
	if (g->ndays == 0)
		return 0;
	qsort(g->days, g->ndays, sizeof *g->days, cmp_int);
	return (g->days[(g->ndays - 1) / 2] + g->days[g->ndays / 2]) / 2.0;
}

static struct keyspec parse_spec(const char *s)
{
	struct keyspec k = { atoi(s), 0 };
	const char *colon = strchr(s, ':');

	if (colon)
		k.len = (size_t)atol(colon + 1);
	return k;
}

static void usage(void)
{
	fputs("usage: count-limit [-d DELIM] -k COL[:LEN] [-k COL[:LEN]] [-v FROM,TO] FILE\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct keyspec keys[2];
	int nkeys = 0, delim = ',', from = 0, to = 0, ch;

	while ((ch = getopt(argc, argv, "d:k:v:")) != -1) {
		if (ch == 'd' && strlen(optarg) == 1)
			delim = (unsigned char)optarg[0];
		else if (ch == 'k' && nkeys < 2)
			keys[nkeys++] = parse_spec(optarg);
		else if (ch == 'v' && sscanf(optarg, "%d,%d", &from, &to) == 2)
			;
		else
			usage();
	}
	if (nkeys == 0 || optind != argc - 1)
		usage();

	int fd = open(argv[optind], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		die(argv[optind]);
	const char *data = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
	if (data == MAP_FAILED)
		die(argv[optind]);
	const char *end = data + st.st_size, *p = memchr(data, '\n', (size_t)st.st_size);
	p = p ? p + 1 : end;

	struct table t = { calloc(64, sizeof(struct group)), 64, 0 };
	char key[1024];
	if (!t.slot)
		die("count-limit");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *f;
		if (!nl)
			nl = end;
		size_t kn = 0;
		for (int i = 0; i < nkeys; i++) {
			long n = field_at(p, nl, delim, keys[i].col, &f);
			if (n < 0)
				n = 0;
			if (keys[i].len && (size_t)n > keys[i].len)
				n = (long)keys[i].len;
			if (kn + (size_t)n + 1 >= sizeof key)
				n = (long)(sizeof key - kn - 2);
			if (i)
				key[kn++] = '\x1f';
			memcpy(key + kn, f, (size_t)n);
			kn += (size_t)n;
		}
		struct group *g = table_get(&t, key, kn);
		if (from) {
			const char *a, *b;
			long na = field_at(p, nl, delim, from, &a), nb = field_at(p, nl, delim, to, &b);
			long da = days_from_civil(a, na), db = days_from_civil(b, nb);
			if (na == 10 && nb == 10 && da != LONG_MIN && db != LONG_MIN) {
				if (g->ndays == g->cap) {
					g->cap = g->cap ? 2 * g->cap : 1024;
					g->days = xrealloc(g->days, g->cap * sizeof *g->days);
				}
				g->days[g->ndays++] = (int)(db - da);
				g->sum += (double)(db - da);
			}
		}
		g->count++;
		p = nl + 1;
	}

	size_t n = 0;
	for (size_t i = 0; i < t.size; i++)
		if (t.slot[i].key)
			t.slot[n++] = t.slot[i];
	qsort(t.slot, n, sizeof *t.slot, cmp_group);
	for (size_t i = 0; i < n; i++) {
		struct group *g = &t.slot[i];
		for (char *c = g->key; *c; c++)
			if (*c == '\x1f')
				*c = ',';
		if (from)
			printf("%s,%zu,%.17g,%.17g\n", g->key, g->ndays, g->ndays ? g->sum / (double)g->ndays : 0.0, median(g));
		else
			printf("%s,%llu\n", g->key, g->count);
		free(g->key);
		free(g->days);
	}
	free(t.slot);
	if (st.st_size)
		munmap((void *)data, (size_t)st.st_size);
	close(fd);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
