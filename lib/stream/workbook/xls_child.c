/* .xls through libfreexl in a child process: see xls_child.h.
 *
 * Parent and child share a socketpair (the parent writes with
 * MSG_NOSIGNAL, so a dead child is an error, never a SIGPIPE).  Frames:
 * one type byte, a length (uint32_t, this machine's order: the same
 * binary is at both ends), the payload.
 *   child → parent, once:  'H' sheet count (uint32_t), names NUL-ended
 *   parent → child:        a sheet's index (uint32_t)
 *   child → parent:        'S' selected, then 'R' rows, then 'Z' the end
 *   'R'  empty rows skipped before it, row (uint64_t each), cell count
 *        (uint32_t), each cell: col, type, length (uint32_t), text, NUL
 *   'Z'  empty rows skipped before the end (uint64_t)
 *   'E'  a wb_error: sheet, cell, what, each NUL-ended; ends the sheet
 * The child writes rows 64 KiB at a time; the parent reads 64 KiB ahead and
 * holds one frame, that is one row.  A stream that stops
 * before its 'Z' is an error: the child is reaped and how it ended
 * (a signal, an exit status) is the message. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbuf.h"
#include "wb_zip.h"
#include "workbook.h"
#include "xalloc.h"
#include "xls_child.h"

#if defined(__SANITIZE_ADDRESS__)
#define XLS_CHILD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XLS_CHILD_ASAN 1
#endif
#endif

enum { MAX_FRAME = 64 * 1024 * 1024 };

struct xls_child {
	struct workbook_base base;
	pid_t pid;                     /* 0 once reaped */
	int fd;                        /* -1 once closed */
	size_t nsheets;
	char **names;
	int selected;
	int in_sheet;                  /* rows of the selected sheet still to come */
	struct sbuf frame;
	char in[64 * 1024];            /* read ahead from fd */
	size_t in_pos, in_len;
	struct wb_cell *cells;
	size_t ncap;
};

/* --- the child ------------------------------------------------------------ */

/* Frames are gathered and written 64 KiB at a time (a row each would cost
 * a system call each); anything but a row is written at once. */
enum { BATCH = 64 * 1024 };
static struct sbuf out = SBUF_INIT;

static void child_send(int fd, char type, const struct sbuf *payload)
{
	uint32_t len = (uint32_t)payload->len;
	sbuf_addc(&out, type);
	sbuf_add(&out, &len, 4);
	sbuf_add(&out, payload->s, payload->len);
	if (type == 'R' && out.len < BATCH)
		return;
	for (size_t off = 0; off < out.len;) {
		ssize_t n = write(fd, out.s + off, out.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);      /* the parent is gone */
		off += (size_t)n;
	}
	sbuf_reset(&out);
}

static void add_u32(struct sbuf *b, uint32_t v) { sbuf_add(b, &v, sizeof v); }
static void add_u64(struct sbuf *b, uint64_t v) { sbuf_add(b, &v, sizeof v); }

static void child_error(int fd, struct sbuf *b, const struct wb_error *err)
{
	sbuf_reset(b);
	sbuf_add(b, err->sheet, strnlen(err->sheet, sizeof err->sheet));
	sbuf_addc(b, '\0');
	sbuf_add(b, err->cell, strnlen(err->cell, sizeof err->cell));
	sbuf_addc(b, '\0');
	sbuf_add(b, err->what, strnlen(err->what, sizeof err->what));
	sbuf_addc(b, '\0');
	child_send(fd, 'E', b);
}

static void child_limits(const struct wb_limits *limits)
{
	struct rlimit cpu = { XLS_CHILD_CPU_SECONDS, XLS_CHILD_CPU_SECONDS + 1 }, core = { 0, 0 };
	setrlimit(RLIMIT_CPU, &cpu);
	setrlimit(RLIMIT_CORE, &core);
#ifndef XLS_CHILD_ASAN          /* AddressSanitizer reserves terabytes of address space */
	unsigned long long max = limits && limits->max_part_bytes ? limits->max_part_bytes : WB_DEFAULT_MAX_PART;
	struct rlimit as = { (rlim_t)(max + XLS_CHILD_AS_MARGIN), (rlim_t)(max + XLS_CHILD_AS_MARGIN) };
	setrlimit(RLIMIT_AS, &as);
#else
	(void)limits;
#endif
}

static void child_main(int fd, const char *path, const struct wb_limits *limits)
{
	const struct wb_ops *ops = &wb_xls_direct_ops;
	struct sbuf b = SBUF_INIT;
	struct wb_error err;
	child_limits(limits);
	struct workbook *wb = ops->open(path, limits, &err);
	if (!wb) {
		child_error(fd, &b, &err);
		_exit(0);
	}
	size_t n = ops->sheet_count(wb);
	add_u32(&b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		sbuf_add(&b, ops->sheet_name(wb, i), strlen(ops->sheet_name(wb, i)) + 1);
	child_send(fd, 'H', &b);
	const char *test_abort = getenv("CIVIC_WB_XLS_CHILD_ABORT");
	if (test_abort && strcmp(test_abort, "1") == 0)
		abort();
	for (;;) {
		uint32_t sheet;
		size_t got = 0;
		while (got < sizeof sheet) {
			ssize_t r = read(fd, (char *)&sheet + got, sizeof sheet - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				_exit(0);      /* the parent has closed the workbook */
			got += (size_t)r;
		}
		if (ops->select(wb, sheet, &err) != 0) {
			child_error(fd, &b, &err);
			continue;
		}
		sbuf_reset(&b);
		child_send(fd, 'S', &b);
		unsigned long skipped = 0;
		struct wb_row row;
		int rc;
		while ((rc = ops->next_row(wb, &row, &skipped, &err)) == 1) {
			sbuf_reset(&b);
			add_u64(&b, skipped);
			add_u64(&b, row.row);
			add_u32(&b, (uint32_t)row.ncells);
			for (size_t i = 0; i < row.ncells; i++) {
				add_u32(&b, row.cells[i].col);
				add_u32(&b, (uint32_t)row.cells[i].type);
				add_u32(&b, (uint32_t)row.cells[i].len);
				sbuf_add(&b, row.cells[i].text, row.cells[i].len + 1);
			}
			child_send(fd, 'R', &b);
			skipped = 0;
		}
		if (rc < 0) {
			child_error(fd, &b, &err);
		} else {
			sbuf_reset(&b);
			add_u64(&b, skipped);
			child_send(fd, 'Z', &b);
		}
	}
}

/* --- the parent ----------------------------------------------------------- */

static void set_what(struct wb_error *err, const char *sheet, const char *what)
{
	memset(err, 0, sizeof *err);
	snprintf(err->sheet, sizeof err->sheet, "%s", sheet ? sheet : "");
	snprintf(err->what, sizeof err->what, "%s", what);
}

static void reap(struct xls_child *c, int kill_it, int *status)
{
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	if (c->pid > 0) {
		if (kill_it)
			kill(c->pid, SIGKILL);
		while (waitpid(c->pid, status, 0) < 0 && errno == EINTR)
			;
		c->pid = 0;
	}
}

/* The stream stopped early: how the child ended is the error. */
static int child_failed(struct xls_child *c, struct wb_error *err)
{
	int status = 0;
	char what[200];
	const char *sheet = c->selected >= 0 && (size_t)c->selected < c->nsheets ? c->names[c->selected] : NULL;
	reap(c, 0, &status);
	c->in_sheet = 0;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
		snprintf(what, sizeof what, "the .xls reader failed on this file (killed by signal %d: "
			 "its %d s of processor time ran out): the file is damaged or hostile",
			 SIGXCPU, XLS_CHILD_CPU_SECONDS);
	else if (WIFSIGNALED(status))
		snprintf(what, sizeof what, "the .xls reader failed on this file (killed by signal %d): "
			 "the file is damaged or hostile", WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		snprintf(what, sizeof what, "the .xls reader failed on this file (exit status %d): "
			 "the file is damaged or hostile", WEXITSTATUS(status));
	else
		snprintf(what, sizeof what, "the .xls reader stopped without a reason");
	set_what(err, sheet, what);
	return -1;
}

static int read_full(struct xls_child *c, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		if (c->in_pos == c->in_len) {
			ssize_t r = read(c->fd, c->in, sizeof c->in);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1;
			c->in_pos = 0;
			c->in_len = (size_t)r;
		}
		size_t k = c->in_len - c->in_pos < n - got ? c->in_len - c->in_pos : n - got;
		memcpy((char *)buf + got, c->in + c->in_pos, k);
		c->in_pos += k;
		got += k;
	}
	return 0;
}

/* The next frame into c->frame: its type, or 0 with err filled. */
static char recv_frame(struct xls_child *c, struct wb_error *err)
{
	unsigned char head[5];
	uint32_t len;
	if (c->fd < 0)
		return child_failed(c, err), 0;
	if (read_full(c, head, 5) != 0)
		return child_failed(c, err), 0;
	memcpy(&len, head + 1, 4);
	if (len > MAX_FRAME) {
		reap(c, 1, NULL);
		set_what(err, NULL, "the .xls reader sent a frame too large (a bug)");
		return 0;
	}
	sbuf_reset(&c->frame);
	sbuf_grow(&c->frame, len + 1);
	if (read_full(c, c->frame.s, len) != 0)
		return child_failed(c, err), 0;
	c->frame.len = len;
	c->frame.s[len] = '\0';
	if (head[0] == 'E') {
		const char *p = c->frame.s, *end = p + len;
		const char *f[3] = { "", "", "" };
		for (int i = 0; i < 3 && p < end; i++) {
			f[i] = p;
			p += strlen(p) + 1;
		}
		memset(err, 0, sizeof *err);
		snprintf(err->sheet, sizeof err->sheet, "%s", f[0]);
		snprintf(err->cell, sizeof err->cell, "%s", f[1]);
		snprintf(err->what, sizeof err->what, "%s", f[2]);
		c->in_sheet = 0;
		return 0;
	}
	return (char)head[0];
}

static void xc_close(struct workbook *wb)
{
	struct xls_child *c = (struct xls_child *)wb;
	if (!c)
		return;
	reap(c, 1, NULL);
	for (size_t i = 0; i < c->nsheets; i++)
		free(c->names[i]);
	free(c->names);
	free(c->cells);
	sbuf_release(&c->frame);
	free(c);
}

static struct workbook *xc_open(const char *path, const struct wb_limits *limits, struct wb_error *err)
{
	struct xls_child *c = xcalloc(1, sizeof *c);
	int sv[2];
	c->fd = -1;
	c->selected = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		set_what(err, NULL, "cannot start the .xls reader (socketpair failed)");
		goto fail;
	}
	fflush(NULL);                  /* the child's stdio buffers: empty */
	c->pid = fork();
	if (c->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		c->pid = 0;
		set_what(err, NULL, "cannot start the .xls reader (fork failed)");
		goto fail;
	}
	if (c->pid == 0) {
		close(sv[0]);
		child_main(sv[1], path, limits);
		_exit(0);
	}
	close(sv[1]);
	c->fd = sv[0];
	char t = recv_frame(c, err);
	if (t != 'H') {
		if (t)
			set_what(err, NULL, "the .xls reader sent no sheet list (a bug)");
		goto fail;
	}
	uint32_t n;
	const char *p = c->frame.s, *end = p + c->frame.len;
	if (c->frame.len < 4)
		goto bad;
	memcpy(&n, p, 4);
	p += 4;
	c->names = xcalloc(n ? n : 1, sizeof *c->names);
	for (; c->nsheets < n; c->nsheets++) {
		if (p >= end)
			goto bad;
		c->names[c->nsheets] = xstrdup(p);
		p += strlen(p) + 1;
	}
	return (struct workbook *)c;
bad:
	set_what(err, NULL, "the .xls reader sent a broken sheet list (a bug)");
fail:
	xc_close((struct workbook *)c);
	return NULL;
}

static size_t xc_sheet_count(const struct workbook *wb)
{
	return ((const struct xls_child *)wb)->nsheets;
}

static const char *xc_sheet_name(const struct workbook *wb, size_t i)
{
	const struct xls_child *c = (const struct xls_child *)wb;
	return i < c->nsheets ? c->names[i] : NULL;
}

static int xc_select(struct workbook *wb, size_t i, struct wb_error *err)
{
	struct xls_child *c = (struct xls_child *)wb;
	if (i >= c->nsheets) {
		set_what(err, NULL, "no such sheet");
		return -1;
	}
	while (c->in_sheet) {          /* the rest of the sheet read before */
		char t = recv_frame(c, err);
		if (t == 0 && c->fd < 0)
			return -1;
		if (t != 'R')
			c->in_sheet = 0;
	}
	c->selected = (int)i;
	uint32_t sheet = (uint32_t)i;
	if (c->fd < 0 || send(c->fd, &sheet, sizeof sheet, MSG_NOSIGNAL) != (ssize_t)sizeof sheet)
		return child_failed(c, err);
	char t = recv_frame(c, err);
	if (t == 0)
		return -1;
	if (t != 'S') {
		reap(c, 1, NULL);
		set_what(err, c->names[i], "the .xls reader answered out of turn (a bug)");
		return -1;
	}
	c->in_sheet = 1;
	return 0;
}

static int xc_next_row(struct workbook *wb, struct wb_row *row, unsigned long *empty_rows_skipped,
		       struct wb_error *err)
{
	struct xls_child *c = (struct xls_child *)wb;
	if (c->selected < 0) {
		set_what(err, NULL, "no sheet selected");
		return -1;
	}
	if (!c->in_sheet)
		return 0;
	char t = recv_frame(c, err);
	if (t == 0)
		return -1;
	const char *p = c->frame.s, *end = p + c->frame.len;
	uint64_t skipped, rownum;
	uint32_t n;
	if (c->frame.len < 8)
		goto bad;
	memcpy(&skipped, p, 8);
	p += 8;
	if (empty_rows_skipped)
		*empty_rows_skipped += (unsigned long)skipped;
	if (t == 'Z') {
		c->in_sheet = 0;
		return 0;
	}
	if (t != 'R' || end - p < 12)
		goto bad;
	memcpy(&rownum, p, 8);
	memcpy(&n, p + 8, 4);
	p += 12;
	if (n > c->ncap) {
		free(c->cells);
		c->cells = xcalloc(n, sizeof *c->cells);
		c->ncap = n;
	}
	for (uint32_t k = 0; k < n; k++) {
		uint32_t f[3];
		if (end - p < 12)
			goto bad;
		memcpy(f, p, 12);
		p += 12;
		if ((size_t)(end - p) < (size_t)f[2] + 1 || p[f[2]] != '\0')
			goto bad;
		c->cells[k].col = f[0];
		c->cells[k].type = (enum cell_type)f[1];
		c->cells[k].len = f[2];
		c->cells[k].text = p;
		p += f[2] + 1;
	}
	row->row = (unsigned long)rownum;
	row->ncells = n;
	row->cells = c->cells;
	return 1;
bad:
	reap(c, 1, NULL);
	c->in_sheet = 0;
	set_what(err, c->names[c->selected], "the .xls reader sent a broken row (a bug)");
	return -1;
}

const struct wb_ops wb_xls_ops = {
	.open = xc_open,
	.close = xc_close,
	.sheet_count = xc_sheet_count,
	.sheet_name = xc_sheet_name,
	.select = xc_select,
	.next_row = xc_next_row,
};
