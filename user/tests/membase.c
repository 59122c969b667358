/* membase.c: memory comes back exactly once a workload is over.
 * After files are created and removed by several processes, after sbrk
 * grows and shrinks, free + cached pages (meminfo) are what they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "fsutil.h"

#define D "/tmp/membase"
#define NDIRS 16  /* more directory hashes than one heap page holds */
#define NCHILD 4
#define NFILES 48 /* per child */

static struct kmeminfo mi;

/* What must come back: free pages, and those the kernel keeps for reuse. */
static unsigned long avail(void)
{
	/* Write to mi first: in a forked child its page is copy-on-write,
	 * and the copy made inside meminfo would come after the count. */
	mi.free_pages = 0;
	meminfo(&mi);
	return mi.free_pages + mi.cached_pages;
}

static void dname(char *buf, size_t n, int child, int i)
{
	snprintf(buf, n, D "/d%d/%c%d", i % NDIRS, 'p' + child, i);
}

/* As xv6's createdelete: each child creates its files, some with data,
 * and removes every other one as it goes. */
static void child_files(int child)
{
	static char data[3 * 4096 + 100];
	memset(data, 'a' + child, sizeof data);
	for (int i = 0; i < NFILES; i++) {
		char name[64];
		dname(name, sizeof name, child, i);
		int fd = open(name, O_CREAT | O_RDWR, 0644);
		if (fd < 0)
			exit(1);
		if (i % 3 == 0 && write(fd, data, i % 2 ? 100 : sizeof data) < 0)
			exit(2);
		close(fd);
		if (i > 0 && i % 2 == 0) {
			dname(name, sizeof name, child, i / 2);
			if (unlink(name) < 0)
				exit(3);
		}
	}
	exit(0);
}

/* File i goes when the loop reaches 2i (if that is below NFILES): each
 * child leaves file 0 and the upper half. */
static int expect_exists(int i) { return i == 0 || 2 * i >= NFILES; }

static int make_dirs(void)
{
	int ok = mkdir(D, 0755) == 0;
	for (int i = 0; i < NDIRS; i++) {
		char name[64];
		snprintf(name, sizeof name, D "/d%d", i);
		ok &= mkdir(name, 0755) == 0;
	}
	return ok;
}

static int remove_dirs(void)
{
	int ok = 1;
	for (int i = 0; i < NDIRS; i++) {
		char name[64];
		snprintf(name, sizeof name, D "/d%d", i);
		ok &= rmdir(name) == 0;
	}
	return ok & (rmdir(D) == 0);
}

/* One round of createdelete; returns 1 if every child and check worked. */
static int createdelete(int *exists_ok)
{
	int ok = 1;
	for (int c = 0; c < NCHILD; c++) {
		int pid = xfork();
		if (pid == 0)
			child_files(c);
		ok &= pid > 0;
	}
	for (int c = 0; c < NCHILD; c++) {
		int st;
		ok &= wait(&st) > 0 && st == 0;
	}
	*exists_ok = 1;
	for (int c = 0; c < NCHILD; c++)
		for (int i = 0; i < NFILES; i++) {
			char name[64];
			struct stat st;
			dname(name, sizeof name, c, i);
			int there = stat(name, &st) == 0;
			*exists_ok &= there == expect_exists(i);
			if (there)
				ok &= unlink(name) == 0;
		}
	return ok;
}

static void test_createdelete(void)
{
	int exists_ok;
	/* A warm-up round: this process's own stdio buffers and stack are
	 * as big as they get before the baseline is taken. */
	make_dirs();
	createdelete(&exists_ok);
	remove_dirs();

	unsigned long base0 = avail();
	check(make_dirs(), "make %d directories", NDIRS);
	unsigned long base = avail();
	struct kmeminfo mi0 = mi;
	check(createdelete(&exists_ok), "%d processes create and remove %d files each, then all are removed", NCHILD,
	      NFILES);
	check(exists_ok, "the files that should exist did, and only those");
	unsigned long now = avail();
	check(now == base, "free + cached pages back to the baseline (%lu, baseline %lu: %ld missing)", now, base,
	      (long)base - (long)now);
	check(mi.file_pages == mi0.file_pages && mi.fsmeta_pages == mi0.fsmeta_pages,
	      "meminfo: file pages %lu (were %lu), fs metadata pages %lu (were %lu)", mi.file_pages, mi0.file_pages,
	      mi.fsmeta_pages, mi0.fsmeta_pages);
	check(mi.heap_pages == mi0.heap_pages, "meminfo: kernel heap %lu pages (was %lu)", mi.heap_pages,
	      mi0.heap_pages);
	check(remove_dirs(), "remove the directories");
	now = avail();
	check(now == base0, "and back to where the test began (%ld missing)", (long)base0 - (long)now);
}

/* A file's pages show in meminfo while it exists. */
static void test_file_pages(void)
{
	static char data[10 * 4096];
	unsigned long base = avail();
	struct kmeminfo mi0 = mi;
	int fd = open(D "-f", O_CREAT | O_WRONLY, 0644);
	check(fd >= 0 && write(fd, data, sizeof data) == (long)sizeof data, "write a 10-page file");
	close(fd);
	avail();
	/* its ten pages and the two of its index (file.c: two levels) */
	check(mi.file_pages == mi0.file_pages + 12, "meminfo: file pages grew by 12 (%ld)",
	      (long)mi.file_pages - (long)mi0.file_pages);
	check(mi.fs_max_pages > 0 && mi.fs_max_pages <= mi.total_pages * 2, "meminfo: the file system's size is %lu pages",
	      mi.fs_max_pages);
	unlink(D "-f");
	unsigned long now = avail();
	check(now == base && mi.file_pages == mi0.file_pages, "removed: every page back (%ld missing)",
	      (long)base - (long)now);
}

/* As xv6's sbrklast: grow the break by a page and ten bytes, shrink it by
 * twenty, use its last bytes (as a file name and data); then grow across
 * a 2 MiB page-table span and shrink back. */
static int sbrk_dance(void)
{
	int ok = 1;
	unsigned long top = (unsigned long)sbrk(0);
	if (top % 4096)
		sbrk(4096 - top % 4096);
	sbrk(4096);
	sbrk(10);
	sbrk(-20);
	top = (unsigned long)sbrk(0);
	char *p = (char *)(top - 64);
	p[0] = 'x';
	p[1] = 0;
	p[63] = 1; /* the last byte below the break */
	char name[64];
	snprintf(name, sizeof name, D "-%s", p);
	int fd = open(name, O_CREAT | O_RDWR, 0644);
	ok &= fd >= 0 && write(fd, p, 1) == 1;
	close(fd);
	p[0] = 0;
	fd = open(name, O_RDONLY);
	ok &= fd >= 0 && read(fd, p, 1) == 1 && p[0] == 'x';
	close(fd);
	ok &= unlink(name) == 0;

	/* errno lives in this thread's TLS block (its own page since
	 * pthreads): the failing sbrk below sets it, and in a forked child
	 * that first store would copy the page on write after the count. */
	errno = 0;
	unsigned long before = avail();
	long big = 4L << 20;
	char *q = sbrk(big);
	if (q == (char *)-1)
		return 0;
	for (long off = 0; off < big; off += 4096)
		q[off] = 1;
	int bad = !ok;
	bad |= !(avail() <= before - big / 4096) << 1;
	bad |= !(sbrk(-big) != (char *)-1) << 2;
	bad |= !(avail() == before) << 3; /* its page tables went too */
	/* far too much: fails, and leaves nothing behind */
	bad |= !(sbrk(1L << 30) == (char *)-1 && avail() == before) << 4;
	if (bad)
		printf("# sbrk: failed checks 0x%x\n", bad);
	return !bad;
}

static void test_sbrk(void)
{
	unsigned long base = avail();
	int pid = xfork();
	if (pid == 0)
		exit(sbrk_dance() ? 0 : 1);
	check(waitstatus(pid) == 0, "a child grows and shrinks its heap to the last page; memory back after each shrink");
	unsigned long now = avail();
	check(now == base, "after it exits: free + cached back to the baseline (%ld missing)", (long)base - (long)now);
	/* and the same in this process, which lives on */
	unsigned long brk0 = (unsigned long)sbrk(0);
	check(sbrk_dance(), "this process grows and shrinks its heap");
	sbrk(brk0 - (unsigned long)sbrk(0));
	now = avail();
	check(now == base, "its break back where it was: so are free + cached (%ld missing)", (long)base - (long)now);
}

/* The trace rings stay once recording started: cached, not lost. */
static void test_trace_cached(void)
{
	int mask = tracectl(TRACECTL_GETMASK, 0, 0);
	unsigned long base = avail();
	unsigned long cached0 = mi.cached_pages;
	check(tracectl(TRACECTL_SETMASK, mask | TR_RECORD, 0) == 0, "start recording");
	tracectl(TRACECTL_SETMASK, mask, 0);
	unsigned long now = avail();
	check(mi.cached_pages > 0, "meminfo: the rings are cached (%lu pages, were %lu)", mi.cached_pages, cached0);
	check(now == base, "free + cached unchanged by the rings (%ld missing)", (long)base - (long)now);
}

int main(void)
{
	plan(19);
	printf("# membase: meminfo back to the baseline\n");
	fflush(stdout);
	test_createdelete();
	test_file_pages();
	test_sbrk();
	test_trace_cached();
	printf("done: %d failed\n", failures);
	return failures != 0;
}
