#include "wb_ole2.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "xalloc.h"

enum {
	ENDOFCHAIN = 0xFFFFFFFEu,
	HEADER = 512,
	DIRENTRY = 128,
	MINI_SECTOR = 64,
};

struct cfb {
	FILE *f;
	unsigned ssz;                  /* sector size: 512 or 4096 */
	uint64_t nsect;                /* sectors in the file */
	uint32_t *fat;
	size_t nfat;
	unsigned char *buf;            /* one sector */
};

static uint32_t u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_sector(struct cfb *c, uint32_t s)
{
	if (s >= c->nsect || fseeko(c->f, (off_t)(s + 1ULL) * c->ssz, SEEK_SET) != 0)
		return -1;
	return fread(c->buf, 1, c->ssz, c->f) == c->ssz ? 0 : -1;
}

/* The chain from start in table (n entries), its sectors of size bytes
 * appended to out, from the file or from base (sector k at base + k *
 * size), total bytes in all, or up to the chain's end when total is
 * UNTIL_END. */
#define UNTIL_END UINT64_MAX

static int read_chain(struct cfb *c, const uint32_t *table, size_t n, uint32_t start, uint64_t total,
		      unsigned size, const unsigned char *base, uint64_t base_len, struct sbuf *out)
{
	uint64_t got = 0;
	size_t steps = 0;
	for (uint32_t s = start; got < total; s = table[s]) {
		if (s == ENDOFCHAIN && total == UNTIL_END)
			return 0;
		if (s >= n || ++steps > n)
			return -1;
		size_t take = total - got < size ? (size_t)(total - got) : size;
		if (base) {
			if ((uint64_t)s * size + take > base_len)
				return -1;
			sbuf_add(out, base + (size_t)s * size, take);
		} else {
			if (read_sector(c, s) != 0)
				return -1;
			sbuf_add(out, c->buf, take);
		}
		got += take;
	}
	return 0;
}

static int load_fat(struct cfb *c, const unsigned char *h)
{
	uint32_t nfatsect = u32(h + 0x2C), difat = u32(h + 0x44);
	size_t per = c->ssz / 4;
	if (nfatsect == 0 || nfatsect > c->nsect)
		return -1;
	uint32_t *where = xcalloc(nfatsect, sizeof *where);
	size_t k = 0;
	for (; k < nfatsect && k < 109; k++)
		where[k] = u32(h + 0x4C + 4 * k);
	for (size_t steps = 0; k < nfatsect; steps++) {
		if (difat >= c->nsect || steps > c->nsect || read_sector(c, difat) != 0) {
			free(where);
			return -1;
		}
		for (size_t i = 0; i + 1 < per && k < nfatsect; i++)
			where[k++] = u32(c->buf + 4 * i);
		difat = u32(c->buf + 4 * (per - 1));
	}
	c->nfat = nfatsect * per;
	c->fat = xcalloc(c->nfat, sizeof *c->fat);
	for (k = 0; k < nfatsect; k++) {
		if (read_sector(c, where[k]) != 0) {
			free(where);
			return -1;
		}
		for (size_t i = 0; i < per; i++)
			c->fat[k * per + i] = u32(c->buf + 4 * i);
	}
	free(where);
	return 0;
}

static int name_is(const unsigned char *e, const char *name)
{
	size_t n = strlen(name), len = (size_t)(e[0x40] | e[0x41] << 8);
	if (len != 2 * (n + 1))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (e[2 * i] != (unsigned char)name[i] || e[2 * i + 1] != 0)
			return 0;
	return 1;
}

int wb_ole2_stream(FILE *f, const char *const *names, struct sbuf *out, const char **why)
{
	static const unsigned char sig[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
	unsigned char h[HEADER];
	struct cfb c = { .f = f };
	struct sbuf dir = SBUF_INIT, mini = SBUF_INIT, minifat = SBUF_INIT;
	int rc = -1;
	*why = "not an OLE2 compound file";
	if (fseeko(f, 0, SEEK_END) != 0)
		return -1;
	off_t fsize = ftello(f);
	if (fseeko(f, 0, SEEK_SET) != 0 || fread(h, 1, HEADER, f) != HEADER || memcmp(h, sig, 8) != 0)
		return -1;
	unsigned shift = (unsigned)(h[0x1E] | h[0x1F] << 8);
	if (shift != 9 && shift != 12)
		return -1;
	c.ssz = 1u << shift;
	c.nsect = fsize > (off_t)c.ssz ? (uint64_t)(fsize - (off_t)c.ssz) / c.ssz : 0;
	c.buf = xmalloc(c.ssz);
	*why = "a broken OLE2 allocation table (a truncated or damaged file)";
	if (load_fat(&c, h) != 0)
		goto out;
	*why = "a broken OLE2 directory";
	if (read_chain(&c, c.fat, c.nfat, u32(h + 0x30), UNTIL_END, c.ssz, NULL, 0, &dir) != 0)
		goto out;
	const unsigned char *root = NULL, *entry = NULL;
	for (size_t i = 0; i + DIRENTRY <= dir.len; i += DIRENTRY) {
		const unsigned char *e = (const unsigned char *)dir.s + i;
		if (e[0x42] == 5 && !root)
			root = e;
	}
	for (const char *const *n = names; *n && !entry; n++)
		for (size_t i = 0; i + DIRENTRY <= dir.len && !entry; i += DIRENTRY) {
			const unsigned char *e = (const unsigned char *)dir.s + i;
			if (e[0x42] == 2 && name_is(e, *n))
				entry = e;
		}
	*why = "no workbook stream in the OLE2 file";
	if (!entry)
		goto out;
	uint64_t size = u32(entry + 0x78);
	uint32_t start = u32(entry + 0x74);
	*why = "a broken OLE2 stream";
	if (size > (uint64_t)fsize)
		goto out;
	if (size >= u32(h + 0x38)) {
		rc = read_chain(&c, c.fat, c.nfat, start, size, c.ssz, NULL, 0, out);
		goto out;
	}
	/* a small stream lives in 64-byte sectors inside the root's stream */
	if (!root || u32(root + 0x78) > (uint64_t)fsize ||
	    read_chain(&c, c.fat, c.nfat, u32(root + 0x74), u32(root + 0x78), c.ssz, NULL, 0, &mini) != 0)
		goto out;
	uint32_t nmf = u32(h + 0x40);
	if (nmf > c.nsect ||
	    read_chain(&c, c.fat, c.nfat, u32(h + 0x3C), (uint64_t)nmf * c.ssz, c.ssz, NULL, 0, &minifat) != 0)
		goto out;
	size_t nmini = minifat.len / 4;
	uint32_t *mfat = xcalloc(nmini ? nmini : 1, sizeof *mfat);
	for (size_t i = 0; i < nmini; i++)
		mfat[i] = u32((const unsigned char *)minifat.s + 4 * i);
	rc = read_chain(&c, mfat, nmini, start, size, MINI_SECTOR, (const unsigned char *)mini.s, mini.len, out);
	free(mfat);
out:
	free(c.buf);
	free(c.fat);
	sbuf_release(&dir);
	sbuf_release(&mini);
	sbuf_release(&minifat);
	return rc;
}
