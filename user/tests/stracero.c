/* stracero.c: strace output goes only where the caller may write.
 * strace(fd) on a descriptor opened read-only is EBADF, as write(fd) is,
 * and the file stays as it was (it once took the trace over its bytes).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tap.h"

#define COPY "/tmp/stracero-echo"
#define PLAIN "/tmp/stracero-plain"
#define LOG "/tmp/stracero-log"

static char before[256 * 1024], after[256 * 1024];

/* The whole file into buf; its length, or -1. */
static long slurp(const char *path, char *buf, long max)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = 0, r;
	while (n < max && (r = read(fd, buf + n, max - n)) > 0)
		n += r;
	close(fd);
	return n;
}

static int spill(const char *path, const char *buf, long n, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -1;
	long w = write(fd, buf, n);
	close(fd);
	chmod(path, mode);
	return w == n ? 0 : -1;
}

/* strace(fd) on path opened read-only, then a few calls that would be
 * traced; 0 if strace said EBADF. */
static int trace_into_readonly(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -2;
	errno = 0;
	int r = strace(fd, STRACE_ON);
	int err = errno;
	for (int i = 0; i < 8; i++)
		getpid();
	strace(0, 0);
	close(fd);
	return r == -1 && err == EBADF ? 0 : -1;
}

int main(void)
{
	plan(6);
	/* A copy of a program: the fuzzer met this on /bin/echo itself. */
	long n = slurp("/bin/echo", before, sizeof before);
	if (n <= 0 || n >= (long)sizeof before || spill(COPY, before, n, 0755) < 0) {
		printf("Bail out! cannot copy /bin/echo (%ld)\n", n);
		return 1;
	}
	check(trace_into_readonly(COPY) == 0, "strace() on a read-only descriptor: EBADF");
	long m = slurp(COPY, after, sizeof after);
	check(m == n && memcmp(before, after, n) == 0, "the program file is unchanged (%ld bytes, was %ld)", m, n);

	fflush(stdout);
	int p[2];
	pipe(p);
	int pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		char *av[] = { "echo", "still", "runs", NULL };
		execve(COPY, av, NULL);
		_exit(100 + errno); /* 108: ENOEXEC */
	}
	close(p[1]);
	char buf[64] = { 0 };
	int got = 0, r;
	while (got < (int)sizeof buf - 1 && (r = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
		got += r;
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(buf, "still runs\n") == 0,
	      "and it still executes (status %#x, output \"%s\")", st, buf);

	/* Not only root: any user may open a file it can read, and must not
	 * write it through strace.  The file is root's, mode 0644. */
	static const char text[] = "root's file, readable by everyone\n";
	spill(PLAIN, text, sizeof text - 1, 0644);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		setuid(1000);
		_exit(trace_into_readonly(PLAIN) == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "as uid 1000 too: EBADF (status %#x)", st);
	m = slurp(PLAIN, after, sizeof after);
	check(m == (long)sizeof text - 1 && memcmp(after, text, m) == 0, "and root's file is unchanged");

	/* A descriptor open for writing still gets the trace. */
	int fd = open(LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int on = strace(fd, STRACE_ON);
	getpid();
	strace(0, 0);
	close(fd);
	m = slurp(LOG, after, sizeof after - 1);
	after[m > 0 ? m : 0] = 0;
	check(on == 0 && m > 0 && strstr(after, "getpid(") != NULL, "strace() on a write-only descriptor records the calls");

	unlink(COPY);
	unlink(PLAIN);
	unlink(LOG);
	return tap_done();
}
