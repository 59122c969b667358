/* badbuf.c: read and write with buffers that are not the caller's memory.
 * Every kind of file (each device in /dev, regular files, a directory, both
 * ends of a pipe) gets kernel addresses, ranges that wrap or run past the
 * top of user space (EFAULT before any handler runs), and unmapped ones.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "memlayout.h"
#include "tap.h"

/* Each architecture's own bounds (memlayout.h): with RISC-V's on x86-64,
 * "past the top" is ordinary unmapped user memory, and a read of an empty
 * pipe into it rightly waits for a writer, as on Linux. */
#define UNMAPPED 0x2000000000UL /* between the heap and the stack */

/* A buffer and length the kernel must refuse before touching anything. */
static const struct {
	unsigned long addr;
	long n;
	const char *what;
} bad[] = {
	{ KERNEL_ADDR, 100, "a kernel address" },
	{ KERNEL_ADDR, 0, "a kernel address, 0 bytes" },
	{ 0xffffffffffff0000UL, 0x20000, "a range that wraps around to address 0x10000" },
	{ USER_TOP - 16, 100, "a range running past the top of user space" },
	{ USER_TOP, 1, "the first address past user space" },
};
#define NBAD (int)(sizeof bad / sizeof bad[0])

static int got(long r, int err) { return r == -1 && errno == err; }

/* Every bad range, read and/or write, on fd. */
static void refuse_all(int fd, const char *name, int rd, int wr)
{
	for (int i = 0; i < NBAD; i++) {
		if (rd) {
			errno = 0;
			long r = read(fd, (void *)bad[i].addr, bad[i].n);
			check(got(r, EFAULT), "read %s into %s: EFAULT (got %ld, errno %d)", name, bad[i].what, r, errno);
		}
		if (wr) {
			errno = 0;
			long r = write(fd, (void *)bad[i].addr, bad[i].n);
			check(got(r, EFAULT), "write %s from %s: EFAULT (got %ld, errno %d)", name, bad[i].what, r, errno);
		}
	}
}

/* The console's read would wait for a line before copying: run it in a
 * child, so that a kernel that waits instead of refusing fails the check
 * (after 10 s: a loaded host may take seconds to run a child at all)
 * rather than hanging the test. */
static void console_read_refused(int fd)
{
	for (int i = 0; i < NBAD; i++) {
		fflush(stdout);
		int pid = fork();
		if (pid == 0) {
			long r = read(fd, (void *)bad[i].addr, bad[i].n);
			_exit(got(r, EFAULT) ? 0 : 1);
		}
		int st = -1, done = 0;
		for (int t = 0; t < 1000 && !(done = waitpid(pid, &st, WNOHANG) == pid); t++)
			msleep(10);
		if (!done) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		check(done && WIFEXITED(st) && WEXITSTATUS(st) == 0, "read /dev/console into %s: EFAULT at once%s",
		      bad[i].what, done ? "" : " (it waited for input)");
	}
}

static void devices(void)
{
	int dfd = open("/dev", O_RDONLY);
	char buf[2048];
	int n, ndev = 0;
	check(dfd >= 0, "open /dev");
	while ((n = getdents(dfd, buf, sizeof buf)) > 0) {
		for (int off = 0; off < n;) {
			struct kdirent *d = (struct kdirent *)(buf + off);
			off += d->reclen;
			if (d->type != S_IFCHR >> 12)
				continue;
			char path[300];
			snprintf(path, sizeof path, "/dev/%s", d->name);
			int fd = open(path, O_RDWR);
			check(fd >= 0, "open %s", path);
			if (fd < 0)
				continue;
			ndev++;
			if (strcmp(d->name, "console") == 0) {
				console_read_refused(fd);
				refuse_all(fd, path, 0, 1);
				errno = 0;
				long r = write(fd, (void *)UNMAPPED, 10);
				check(got(r, EFAULT), "write %s from unmapped user memory: EFAULT (got %ld)", path, r);
			} else {
				refuse_all(fd, path, 1, 1);
			}
			close(fd);
		}
	}
	close(dfd);
	check(ndev >= 2, "found the devices in /dev (%d)", ndev);

	/* /dev/null copies nothing, so an unmapped (but user) buffer is
	 * never touched: 0 and n, as on Linux.  Only the range is checked. */
	int fd = open("/dev/null", O_RDWR);
	check(read(fd, (void *)UNMAPPED, 10) == 0, "read /dev/null into unmapped user memory: 0 (nothing copied)");
	check(write(fd, (void *)UNMAPPED, 10) == 10, "write /dev/null from unmapped user memory: 10 (nothing copied)");
	check(write(fd, "abc", 3) == 3 && read(fd, buf, 3) == 0, "/dev/null still works");
	close(fd);
}

static void files(void)
{
	const char *F = "/tmp/badbuf.dat", *E = "/tmp/badbuf.empty";
	int fd = open(F, O_CREAT | O_TRUNC | O_RDWR, 0644);
	check(fd >= 0 && write(fd, "hello, world", 12) == 12, "make a file with data");
	lseek(fd, 0, SEEK_SET);
	refuse_all(fd, "a regular file", 1, 1);
	errno = 0;
	check(got(read(fd, (void *)UNMAPPED, 10), EFAULT), "read a regular file into unmapped memory: EFAULT");
	check(got(write(fd, (void *)UNMAPPED, 10), EFAULT), "write a regular file from unmapped memory: EFAULT");
	char buf[16];
	check(lseek(fd, 0, SEEK_CUR) == 0 && read(fd, buf, 12) == 12 && memcmp(buf, "hello, world", 12) == 0,
	      "the file and its offset are untouched");
	close(fd);

	/* At the end of a file there is nothing to copy: the range check
	 * alone must catch a kernel address. */
	fd = open(E, O_CREAT | O_TRUNC | O_RDWR, 0644);
	refuse_all(fd, "an empty file", 1, 0);
	check(read(fd, (void *)UNMAPPED, 10) == 0, "read an empty file into unmapped user memory: 0 (end of file)");
	close(fd);
	unlink(F);
	unlink(E);

	/* A directory: EFAULT for what is not user memory, before EISDIR. */
	fd = open("/", O_RDONLY);
	refuse_all(fd, "a directory", 1, 0);
	check(got(read(fd, buf, sizeof buf), EISDIR), "read a directory into a good buffer: EISDIR");
	close(fd);
}

static void pipes(void)
{
	int p[2];
	check(pipe(p) == 0, "pipe");
	/* data in the pipe, so a read that got past the check would copy */
	check(write(p[1], "0123456789", 10) == 10, "fill the pipe a little");
	refuse_all(p[0], "a pipe", 1, 0);
	refuse_all(p[1], "a pipe", 0, 1);
	check(got(read(p[0], (void *)UNMAPPED, 10), EFAULT), "read a pipe into unmapped memory: EFAULT");
	check(got(write(p[1], (void *)UNMAPPED, 10), EFAULT), "write a pipe from unmapped memory: EFAULT");
	char buf[16];
	check(read(p[0], buf, sizeof buf) == 10 && memcmp(buf, "0123456789", 10) == 0, "the pipe's bytes are intact");
	close(p[0]);
	close(p[1]);
	/* an empty pipe must refuse at once, not wait for a writer */
	pipe(p);
	refuse_all(p[0], "an empty pipe", 1, 0);
	close(p[0]);
	close(p[1]);
}

/* Devices in /dev: each one past console and null adds its checks. */
static int count_devices(void)
{
	int dfd = open("/dev", O_RDONLY), n = 0;
	char buf[1024];
	long k;
	while (dfd >= 0 && (k = getdents(dfd, buf, sizeof buf)) > 0)
		for (long off = 0; off < k; off += ((struct kdirent *)(buf + off))->reclen)
			n += ((struct kdirent *)(buf + off))->type == S_IFCHR >> 12;
	close(dfd);
	return n;
}

int main(void)
{
	plan(74 + 11 * (count_devices() - 2)); /* 74 with /dev/console and /dev/null; /dev/vda adds 11 */
	devices();
	files();
	pipes();
	return tap_done();
}
