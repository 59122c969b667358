/* crashload: a write-heavy workload for the crash test (tests/test_crash.py).
 * crashload DIR SEED [OPS]: creates, writes, appends, renames, unlinks,
 * truncates files and makes and removes directories under DIR, in an
 * order drawn from SEED; some files are fsync'ed, and after each fsync
 * returns it prints "fsynced NAME LEN CHECKSUM" (NAME under DIR).  A file
 * is never touched again once it is reported: the host, which kills QEMU
 * at a random moment, expects every reported file to read back intact.
 * crashload reuse DIR: one crash window, made on purpose (see reuse()).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "tap.h"

#define NFILES 24
#define NDIRS 4
#define MAXLEN (80 * 1024) /* past the 12 direct blocks: indirect ones too */

static unsigned long rng;
static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng >> 33) % n;
}

static struct {
	char name[64];
	long len;     /* what was written (-1: no such file) */
	unsigned sum; /* of all len bytes */
	int frozen;   /* fsynced and reported: left alone */
} f[NFILES];
static int dirs[NDIRS]; /* subdirectory k exists */
static const char *D;
static char buf[16384];

/* Byte i of content with seed s (the host does not recompute it: the
 * checksum is reported). */
static unsigned char byte(long i, unsigned s) { return (unsigned char)(i * 7 + (i >> 12) + s); }

/* FNV-1a over the bytes, as test_crash.py computes it. */
static unsigned add_sum(unsigned h, const unsigned char *p, long n)
{
	for (long i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Append n bytes (from file offset off, seed s) to fd, and to the sum. */
static int put(int fd, long off, long n, unsigned s, unsigned *sum)
{
	while (n > 0) {
		long m = n < (long)sizeof buf ? n : (long)sizeof buf;
		for (long i = 0; i < m; i++)
			buf[i] = byte(off + i, s);
		if (write(fd, buf, m) != m)
			return -1;
		*sum = add_sum(*sum, (unsigned char *)buf, m);
		off += m;
		n -= m;
	}
	return 0;
}

static void newname(int k)
{
	int d = rnd(NDIRS + 1);
	if (d < NDIRS && dirs[d])
		snprintf(f[k].name, sizeof f[k].name, "%s/d%d/f%d-%u", D, d, k, rnd(1000));
	else
		snprintf(f[k].name, sizeof f[k].name, "%s/f%d-%u", D, k, rnd(1000));
}

static int sync_and_report(int k, int fd)
{
	if (fsync(fd) < 0)
		return -1;
	printf("fsynced %s %ld %u\n", f[k].name, f[k].len, f[k].sum);
	fflush(stdout);
	f[k].frozen = 1;
	return 0;
}

/* One step; 0, or -1 if a call failed that should not have. */
static int step(void)
{
	int k = rnd(NFILES);
	if (f[k].frozen)
		return 0;
	int op = rnd(10);
	if (f[k].len < 0 || op == 0) { /* create (or truncate and rewrite) */
		if (f[k].len < 0)
			newname(k);
		int fd = open(f[k].name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return -1;
		f[k].len = rnd(MAXLEN);
		f[k].sum = 2166136261u;
		int r = put(fd, 0, f[k].len, k, &f[k].sum);
		if (r == 0 && rnd(4) == 0)
			r = sync_and_report(k, fd);
		close(fd);
		return r;
	}
	if (op <= 3) { /* append */
		int fd = open(f[k].name, O_WRONLY | O_APPEND);
		if (fd < 0)
			return -1;
		long n = rnd(3 * 4096);
		int r = put(fd, f[k].len, n, k, &f[k].sum);
		f[k].len += n;
		if (r == 0 && rnd(3) == 0)
			r = sync_and_report(k, fd);
		close(fd);
		return r;
	}
	if (op <= 5) { /* rename */
		char old[64];
		strcpy(old, f[k].name);
		int j = rnd(NFILES);
		if (j != k && f[j].len >= 0 && !f[j].frozen && rnd(2)) { /* over another file */
			strcpy(f[k].name, f[j].name);
			f[j].len = -1;
		} else {
			newname(k);
		}
		return rename(old, f[k].name);
	}
	if (op <= 7) { /* unlink */
		f[k].len = -1;
		return unlink(f[k].name);
	}
	/* mkdir or rmdir a subdirectory (rmdir fails while it holds files) */
	int d = rnd(NDIRS);
	char p[64];
	snprintf(p, sizeof p, "%s/d%d", D, d);
	if (!dirs[d]) {
		dirs[d] = 1;
		return mkdir(p, 0755);
	}
	if (rmdir(p) == 0)
		dirs[d] = 0;
	else if (errno != ENOTEMPTY)
		return -1;
	return 0;
}

/* crashload reuse DIR: a file's blocks freed by O_TRUNC and taken by a
 * new file whose inode is in another inode-table block, then a third
 * file created in that block, then "window": a crash here must not leave
 * both inodes claiming the blocks on the disk (e2fsck -p asks). */
static int pad_to_block_end(const char *d, int *n)
{
	struct stat st;
	char p[96];
	do {
		snprintf(p, sizeof p, "%s/pad%d", d, (*n)++);
		int fd = open(p, O_WRONLY | O_CREAT, 0644);
		if (fd < 0 || fstat(fd, &st) < 0)
			return -1;
		close(fd);
	} while (st.st_ino % 16 != 0); /* the last of its block (16 inodes of 256 bytes) */
	return 0;
}

static int make(const char *p, long n, unsigned s, int flags)
{
	int fd = open(p, O_WRONLY | O_CREAT | flags, 0644);
	unsigned sum = 0;
	if (fd < 0 || put(fd, 0, n, s, &sum) < 0)
		return -1;
	return fd;
}

static int reuse(const char *d)
{
	char a[96], b[96], c[96];
	int n = 0;
	snprintf(a, sizeof a, "%s/a", d);
	snprintf(b, sizeof b, "%s/b", d);
	snprintf(c, sizeof c, "%s/c", d);
	plan(2);
	check(mkdir(d, 0755) == 0 && pad_to_block_end(d, &n) == 0, "%s, and files up to an inode block's end", d);
	int fd = make(a, 64 * 1024, 1, 0);
	int ok = fd >= 0 && fsync(fd) == 0 && close(fd) == 0 && pad_to_block_end(d, &n) == 0;
	sync();
	ok = ok && (fd = open(a, O_WRONLY | O_TRUNC)) >= 0 && close(fd) == 0;
	ok = ok && (fd = make(b, 64 * 1024, 2, 0)) >= 0 && close(fd) == 0;
	ok = ok && (fd = make(c, 0, 3, 0)) >= 0 && close(fd) == 0;
	check(ok, "a truncated, b takes its blocks, c created next to b");
	printf("window\n");
	fflush(stdout);
	msleep(2000);
	return tap_done();
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "reuse") == 0)
		return reuse(argv[2]);
	if (argc < 3) {
		fprintf(stderr, "usage: crashload DIR SEED [OPS]\n");
		return 2;
	}
	D = argv[1];
	rng = strtoul(argv[2], 0, 0) + 1;
	int ops = argc > 3 ? atoi(argv[3]) : 400;
	plan(3);
	for (int k = 0; k < NFILES; k++)
		f[k].len = -1;
	check(mkdir(D, 0755) == 0 || errno == EEXIST, "mkdir %s", D);
	printf("start\n");
	fflush(stdout);
	int bad = 0, i;
	for (i = 0; i < ops && !bad; i++)
		if (step() < 0) {
			note("step %d failed: errno %d", i, errno);
			bad = 1;
		}
	check(!bad, "%d steps of creating, writing, renaming and removing", ops);
	int n = 0, same = 0;
	for (int k = 0; k < NFILES; k++) {
		struct stat st;
		n += f[k].frozen;
		same += f[k].frozen && stat(f[k].name, &st) == 0 && st.st_size == f[k].len;
	}
	check(same == n, "the %d files reported fsynced are all there, their sizes right", n);
	return tap_done();
}
