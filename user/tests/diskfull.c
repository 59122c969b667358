/* diskfull.c: fill the file system as xv6's diskfull does, 1 KiB a write.
 * It must be full within seconds, with ENOSPC, at its size (fsmax=), and
 * leave processes the rest of memory; removing files gives it all back.
 *   diskfull [MiB]   also check that the size is MiB (booted with fsmax=)
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "fsutil.h"

#define D "/tmp/diskfull"
#define BLK 1024
#define FILESZ (268 * BLK) /* xv6's largest file */
#define MAXFILES 100000

static struct kmeminfo mi;
static char blk[BLK];

static unsigned long avail(void)
{
	meminfo(&mi);
	return mi.free_pages + mi.cached_pages;
}

static unsigned long fs_used(void)
{
	meminfo(&mi);
	return mi.file_pages + mi.fsmeta_pages;
}

/* Write one file of up to FILESZ bytes, BLK at a time.  Returns the bytes
 * written; *err is the errno of the write that failed, or 0. */
static long fill_file(const char *name, int *err)
{
	long done = 0;
	*err = 0;
	int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	while (done < FILESZ) {
		long r = write(fd, blk, BLK);
		if (r > 0)
			done += r;
		if (r != BLK) {
			*err = r < 0 ? errno : ENOSPC;
			break;
		}
	}
	close(fd);
	return done;
}

static void name_of(char *buf, size_t n, int i) { snprintf(buf, n, D "/big%d", i); }

/* Does a new process still start, run and exit? */
static int can_run(void)
{
	char *argv[] = { "echo", "still", "running", NULL };
	int pid = spawn("/bin/echo", argv, NULL);
	return pid > 0 && waitstatus(pid) == 0;
}

/* Can a new process still get (and touch) this many pages? */
static int can_get(unsigned long pages)
{
	int pid = xfork();
	if (pid == 0) {
		char *p = sbrk(pages * 4096);
		if (p == (char *)-1)
			exit(1);
		for (unsigned long i = 0; i < pages; i++)
			p[i * 4096] = 1;
		exit(0);
	}
	return pid > 0 && waitstatus(pid) == 0;
}

int main(int argc, char **argv)
{
	unsigned long want_mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	plan(17);
	avail();
	printf("# %lu pages of RAM; files may hold %lu pages (%lu used)\n", mi.total_pages, mi.fs_max_pages,
	       mi.file_pages + mi.fsmeta_pages);
	if (want_mib)
		check(mi.fs_max_pages == want_mib * 1024 * 1024 / mi.page_size, "fsmax=%luM: %lu pages", want_mib,
		      mi.fs_max_pages);
	else
		check(mi.fs_max_pages == mi.total_pages / 2, "the file system's size is half of RAM by default");

	/* warm up what this process itself uses (stdio, stack) */
	mkdir(D, 0755);
	int err;
	fill_file(D "/warm", &err);
	unlink(D "/warm");
	can_run();
	unsigned long base = avail();
	struct kmeminfo mi0 = mi;

	int t0 = uptime(), n = 0;
	long total = 0, last = 0;
	char name[64];
	for (err = 0; !err && n < MAXFILES; n++) {
		name_of(name, sizeof name, n);
		last = fill_file(name, &err);
		total += last > 0 ? last : 0;
	}
	int ms = uptime() - t0;
	check(err == ENOSPC, "writing stops with ENOSPC after %d files, %ld KiB, %d.%03d s (errno %d)", n,
	      total / 1024, ms / 1000, ms % 1000, err);
	check(ms < 60000, "the file system filled within a minute (%d ms)", ms);
	unsigned long used = fs_used();
	check(used >= mi.fs_max_pages && used <= mi.fs_max_pages + 1,
	      "it is full at its size: files and metadata hold %lu pages of %lu", used, mi.fs_max_pages);
	check(can_run(), "a new process still runs");
	check(can_get(mi.total_pages / 4), "a process can still have a quarter of RAM (%lu pages; %lu free)",
	      mi.total_pages / 4, mi.free_pages);

	int fd = open(D "/big0", O_WRONLY | O_APPEND);
	check_err(write(fd, blk, BLK), ENOSPC, "appending to a file: ENOSPC");
	close(fd);
	check_err(open(D "/empty", O_CREAT | O_EXCL | O_WRONLY, 0644), ENOSPC, "creating an empty file: ENOSPC");
	check_err(mkdir(D "/dir", 0755), ENOSPC, "mkdir: ENOSPC");

	/* Remove one whole file: exactly its pages come back, and a file of
	 * the same size fits again, and no more. */
	name_of(name, sizeof name, 0);
	unsigned long files0 = mi.file_pages, free0 = avail();
	check(unlink(name) == 0, "remove one file");
	avail();
	unsigned long pages = FILESZ / 4096 + 2; /* data and two index pages */
	check(mi.file_pages == files0 - pages && mi.free_pages + mi.cached_pages >= free0 + pages,
	      "its %lu pages are free again (file pages %lu -> %lu)", pages, files0, mi.file_pages);
	long again = fill_file(name, &err);
	check(again == FILESZ, "a file of the same size fits again (%ld bytes, errno %d)", again, err);
	fd = open(name, O_WRONLY | O_APPEND);
	check_err(write(fd, blk, BLK), ENOSPC, "and then the file system is full again");
	close(fd);

	int ok = 1;
	for (int i = 0; i < n; i++) {
		name_of(name, sizeof name, i);
		ok &= unlink(name) == 0 || (i == n - 1 && last <= 0); /* the last may not exist */
	}
	check(ok, "remove all %d files", n);
	unsigned long now = avail();
	check(now == base, "free + cached pages back to the baseline (%lu, baseline %lu)", now, base);
	check(mi.file_pages == mi0.file_pages && mi.fsmeta_pages == mi0.fsmeta_pages,
	      "file pages %lu (were %lu), metadata %lu (were %lu)", mi.file_pages, mi0.file_pages, mi.fsmeta_pages,
	      mi0.fsmeta_pages);
	check(rmdir(D) == 0, "remove the directory");
	printf("done: %d failed\n", failures);
	return failures != 0;
}
