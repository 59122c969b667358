/* fsfull.c: run the in-memory file system out of memory, and back.
 * Files are written until the kernel says ENOSPC (or ENOMEM); then the
 * system must still work, every file must read back with its reported
 * size, and removing them must return every page (meminfo).  Booted with
 * fsmax=200% (tests/test_fs.py), so that memory runs out before the file
 * system's own size does: what stops the files is the kernel's reserve.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "fsutil.h"

#define D "/tmp/full"
#define CHUNK (64 * 1024)
#define MAXFILES 4096
#define NDIRS 16

static unsigned char buf[CHUNK];
static long sizes[MAXFILES];

/* Phase 1: big files of up to 1 MiB each.  Returns how many were made
 * (the last one may be short or empty); *err gets the errno that ended it. */
static int fill_big(int *err, long *total)
{
	int n = 0;
	*total = 0;
	*err = 0;
	while (n < MAXFILES && !*err) {
		char name[64];
		snprintf(name, sizeof name, D "/big%d", n);
		int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			*err = errno;
			break;
		}
		sizes[n] = 0;
		for (long off = 0; off < 1024 * 1024; off += CHUNK) {
			fill_pattern(buf, n, off, CHUNK);
			long r = write(fd, buf, CHUNK);
			if (r > 0)
				sizes[n] += r;
			if (r != CHUNK) {
				*err = r < 0 ? errno : ENOSPC;
				if (r > 0) { /* a short write: the next one says why */
					r = write(fd, buf + r, CHUNK - r);
					*err = r < 0 ? errno : 0;
				}
				break;
			}
		}
		*total += sizes[n];
		close(fd);
		n++;
	}
	return n;
}

/* Every file has its size and its pattern. */
static int verify_big(int n, int *badfile)
{
	for (int i = 0; i < n; i++) {
		char name[64];
		struct stat st;
		snprintf(name, sizeof name, D "/big%d", i);
		int fd = open(name, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) < 0 || st.st_size != sizes[i]) {
			*badfile = i;
			close(fd);
			return 0;
		}
		for (long off = 0; off < sizes[i]; off += CHUNK) {
			long want = sizes[i] - off < CHUNK ? sizes[i] - off : CHUNK;
			if (read(fd, buf, want) != want || check_pattern(buf, i, off, want) >= 0) {
				*badfile = i;
				close(fd);
				return 0;
			}
		}
		close(fd);
	}
	return 1;
}

static int remove_big(int n)
{
	int ok = 1;
	for (int i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof name, D "/big%d", i);
		ok &= unlink(name) == 0;
	}
	return ok;
}

/* Phase 2: many two-page files across NDIRS directories, until creating
 * or writing one fails.  Returns how many are complete. */
static int fill_small(int *err)
{
	int n = 0;
	*err = 0;
	for (;;) {
		char name[64];
		snprintf(name, sizeof name, D "/d%d/s%d", n % NDIRS, n);
		int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			*err = errno;
			return n;
		}
		fill_pattern(buf, 1000000 + n, 0, 8192);
		long r = write(fd, buf, 8192);
		close(fd);
		if (r != 8192) {
			*err = r < 0 ? errno : ENOSPC;
			unlink(name); /* keep only whole files */
			return n;
		}
		n++;
	}
}

static int verify_small(int n)
{
	for (int i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof name, D "/d%d/s%d", i % NDIRS, i);
		int fd = open(name, O_RDONLY);
		long r = read(fd, buf, CHUNK);
		close(fd);
		if (r != 8192 || check_pattern(buf, 1000000 + i, 0, 8192) >= 0)
			return 0;
	}
	return 1;
}

/* Phase 3: empty files with long names (an inode and a big directory
 * entry each, no data pages) spread over NEMPTYDIRS directories, until
 * creating one fails.  Returns how many were made. */
#define NEMPTYDIRS 512
static char longname[256];

static void set_longname(int i)
{
	memset(longname, 'n', 240);
	snprintf(longname + 240, sizeof longname - 240, "%08d", i);
}

static int fill_empty(int *err)
{
	int n = 0;
	*err = 0;
	for (;;) {
		char dir[64];
		snprintf(dir, sizeof dir, D "/e%d", n % NEMPTYDIRS);
		if (n < NEMPTYDIRS && mkdir(dir, 0755) < 0) {
			*err = errno;
			return n;
		}
		if (chdir(dir) < 0) {
			*err = errno;
			return n;
		}
		set_longname(n);
		int fd = open(longname, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			*err = errno;
			return n;
		}
		close(fd);
		n++;
	}
}

static int remove_empty(int n)
{
	int ok = 1;
	for (int i = 0; i < n; i++) {
		char dir[64];
		snprintf(dir, sizeof dir, D "/e%d", i % NEMPTYDIRS);
		set_longname(i);
		ok &= chdir(dir) == 0 && unlink(longname) == 0;
	}
	chdir("/");
	for (int i = 0; i < NEMPTYDIRS && i < n + 1; i++) {
		char dir[64];
		snprintf(dir, sizeof dir, D "/e%d", i);
		rmdir(dir);
	}
	return ok;
}

/* Does a new process still start, run and exit? */
static int can_run(void)
{
	char *argv[] = { "echo", "still", "running", NULL };
	int pid = spawn("/bin/echo", argv, NULL);
	if (pid < 0)
		return 0;
	return waitstatus(pid) == 0;
}

static void make_dirs(void)
{
	mkdir(D, 0755);
	for (int i = 0; i < NDIRS; i++) {
		char name[64];
		snprintf(name, sizeof name, D "/d%d", i);
		mkdir(name, 0755);
	}
}

static void remove_dirs(void)
{
	for (int i = 0; i < NDIRS; i++) {
		char name[64];
		snprintf(name, sizeof name, D "/d%d", i);
		rmdir(name);
	}
	rmdir(D);
}

int main(void)
{
	plan(22);
	struct kmeminfo mi;
	meminfo(&mi);
	/* Warm up: one small round of everything the test does (a file, a
	 * directory, a process), then the baseline: this process's own stdio
	 * buffers and stack are then as big as they get, and the baseline is
	 * exact (the kernel keeps no spare pages: docs/design.md). */
	make_dirs();
	int err, fd = open(D "/warm", O_CREAT | O_WRONLY, 0644);
	write(fd, buf, CHUNK);
	close(fd);
	unlink(D "/warm");
	can_run();
	remove_dirs();
	fflush(stdout);
	unsigned long base0 = free_pages();
	make_dirs();
	unsigned long base = free_pages();
	printf("# %lu of %lu pages free\n", base, mi.total_pages);

	long total, total2;
	int n = fill_big(&err, &total);
	check(err == ENOSPC || err == ENOMEM, "big files: writing stops with ENOSPC or ENOMEM (errno %d)", err);
	printf("# %d files, %ld KiB, %lu pages left\n", n, total / 1024, free_pages());
	check(total > (long)(base / 2) * 4096, "most of memory went into files (%ld KiB)", total / 1024);
	check(free_pages() < 512, "little memory is left (%lu pages)", free_pages());
	check(can_run(), "a new process still runs with the file system full");
	fd = open(D "/big0", O_WRONLY | O_APPEND);
	check_err(write(fd, buf, CHUNK), err, "another write fails the same way");
	close(fd);
	int bad = -1;
	check(verify_big(n, &bad), "every file has its size and contents (first bad: %d)", bad);
	check(remove_big(n), "remove them");
	check(free_pages() == base, "free pages back to the baseline (%ld missing)", (long)base - (long)free_pages());

	/* Again: the same amount must fit, or something leaked. */
	int n2 = fill_big(&err, &total2);
	check(total2 == total && n2 == n, "a second fill stores the same (%ld KiB in %d files)", total2 / 1024, n2);
	check(remove_big(n2), "remove them");
	check(free_pages() == base, "free pages back to the baseline (%ld missing)", (long)base - (long)free_pages());

	/* Many small files: inodes and directory entries run out too. */
	int m = fill_small(&err);
	check(err == ENOSPC || err == ENOMEM, "small files: %d made, then ENOSPC or ENOMEM (errno %d)", m, err);
	check(can_run(), "a new process still runs");
	check(verify_small(m), "every small file reads back");
	int ok = 1;
	for (int i = 0; i < m; i++) {
		char name[64];
		snprintf(name, sizeof name, D "/d%d/s%d", i % NDIRS, i);
		ok &= unlink(name) == 0;
	}
	check(ok, "remove them");

	/* Names alone (inodes, directory entries) must not eat the memory
	 * that processes need either. */
	int t0 = uptime();
	int e = fill_empty(&err);
	chdir("/");
	check(err == ENOSPC || err == ENOMEM, "empty files: %d made, then ENOSPC or ENOMEM (errno %d, %d ms)", e, err,
	      uptime() - t0);
	check(free_pages() < 1024, "little memory is left (%lu pages)", free_pages());
	check(can_run(), "a new process still runs");
	int fd2 = open(D "/big0", O_CREAT | O_WRONLY, 0644);
	check(fd2 < 0 || write(fd2, buf, 4096) < 0, "and data cannot be added either");
	close(fd2);
	unlink(D "/big0");
	check(remove_empty(e), "remove them");
	remove_dirs();
	struct stat st;
	check(stat(D, &st) < 0, "the test directory is gone");
	check(free_pages() == base0, "free pages back to where they were before the test (%ld missing)",
	      (long)base0 - (long)free_pages());
	printf("done: %d failed\n", failures);
	return failures != 0;
}
