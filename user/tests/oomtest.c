/* oomtest.c: out of memory: the process holding the most dies, not the
 * one that happens to fault next.
 *   oomtest [block|spin]  a hog takes every free page (then blocks in a
 *                         read, or spins: on another hart with -smp 4);
 *                         another process then faults for memory.  The
 *                         hog is killed, the faulter goes on, and every
 *                         page comes back.
 *   oomtest shell         this process claims the console as a shell
 *                         does (fgpgrp), then holds the most memory: a
 *                         child that faults is refused (killed), the
 *                         "shell" is spared, and so are init and sh.
 *   oomtest hold          take every free page, say so, and block: for a
 *                         test at the shell (tests/test_limits.py).
 */
#include <signal.h>
#include <stdlib.h>
#include "tap.h"

#define TOUCH_PAGES 16
/* Shared copy-on-write with the parent after fork: writing it needs new
 * pages.  bss is mapped at exec, so it does not grow the heap. */
static char cow[TOUCH_PAGES * 4096];

/* Take every free page with sbrk: big steps, then single pages.  Our own
 * sbrk gets -ENOMEM at the end (we hold the most), not a kill. */
static long hog(void)
{
	long pages = 0;
	for (long step = 256; step >= 1; step /= 4) {
		while (sbrk(step * 4096) != (void *)-1)
			pages += step;
	}
	return pages;
}

/* Grow the stack by about n KiB: a fault for each new page. */
static int __attribute__((noinline)) deep(int n)
{
	volatile char frame[1024];
	frame[0] = (char)n;
	if (n > 0)
		return deep(n - 1) + frame[0];
	return frame[0];
}

static void hold(void)
{
	char c;
	int p[2];
	pipe(p); /* before: there is no page for a pipe afterwards */
	long pages = hog();
	printf("oomtest: holding %ld pages, %lu free\n", pages, free_pages());
	fflush(stdout);
	read(p[0], &c, 1); /* no one writes: block until killed */
	_exit(1);
}

/* We are the biggest, but spared as the console's shell: a child that
 * needs a page has no one to take it from, and dies itself. */
static void shell(void)
{
	int go[2];
	pipe(go);
	fflush(stdout);
	int child = fork();
	if (child == 0) {
		char c;
		read(go[0], &c, 1);
		for (int i = 0; i < TOUCH_PAGES; i++)
			cow[i * 4096] = 3;
		_exit(0);
	}
	char *start = sbrk(0);
	long pages = hog(); /* our own sbrk fails: we hold the most */
	fgpgrp(getpgid(0)); /* the foreground group stays as it is */
	write(go[1], "g", 1);
	int st = reap(child);
	sbrk(-(long)((char *)sbrk(0) - start));
	note("held %ld pages; the child's status 0x%x", pages, st);
	check(pages > 1000, "this process took nearly all memory (%ld pages)", pages);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "a child that faulted for memory died, not the console's shell (status 0x%x)", st);
	exit(tap_done());
}

static void warm_up(void)
{
	int p[2];
	pipe(p);
	int w = fork();
	if (w == 0)
		_exit(0);
	reap(w);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "block";
	if (strcmp(mode, "hold") == 0)
		hold();
	plan(strcmp(mode, "shell") == 0 ? 2 : 7);
	memset(cow, 1, sizeof cow); /* our own pages, before the forks */
	if (strcmp(mode, "shell") == 0)
		shell();
	int spin = strcmp(mode, "spin") == 0;
	warm_up();
	unsigned long base = free_pages();
	struct kmeminfo mi0;
	meminfo(&mi0);

	int go[2], ready[2], done[2], never[2];
	pipe(go);
	pipe(ready);
	pipe(done);
	pipe(never);
	fflush(stdout);
	/* The faulter: waits until the hog holds everything, then needs
	 * fresh pages (copy-on-write breaks and stack growth). */
	int faulter = fork();
	if (faulter == 0) {
		char c;
		read(go[0], &c, 1);
		for (int i = 0; i < TOUCH_PAGES; i++)
			cow[i * 4096] = 2;
		int r = deep(64);
		write(done[1], &r, sizeof r);
		_exit(0);
	}
	int hogpid = fork();
	if (hogpid == 0) {
		long pages = hog();
		write(ready[1], &pages, sizeof pages);
		if (spin)
			for (;;)
				;
		char c;
		read(never[0], &c, 1);
		_exit(0);
	}
	long pages = 0;
	read(ready[0], &pages, sizeof pages);
	unsigned long left = free_pages();
	/* No output from here until the faulter is done: this process must not
	 * be the one that faults (its stdout buffer may be copy-on-write). */
	write(go[1], "g", 1);
	int st_f = reap(faulter);
	/* The killer waits until its victim is a zombie before the faulter
	 * goes on: by now the hog must be one.  If it is not, it was not
	 * chosen; stop it, so that the test can go on. */
	int st_h = -1, hog_alive = waitpid(hogpid, &st_h, WNOHANG) != hogpid;
	if (hog_alive) {
		kill(hogpid, SIGKILL);
		reap(hogpid);
	}
	note("hog pid %d held %ld pages, %lu left free of %lu", hogpid, pages, left, mi0.total_pages);
	check(pages > (long)(mi0.total_pages / 2) && left < 64, "the hog took nearly all memory (%ld pages, %lu free)",
	      pages, left);
	check(WIFEXITED(st_f) && WEXITSTATUS(st_f) == 0,
	      "the process that faulted for memory survived (status 0x%x)", st_f);
	int r = -1;
	close(done[1]); /* a faulter that died wrote nothing: end of file */
	check(read(done[0], &r, sizeof r) == sizeof r, "and got its pages (copy-on-write and stack)");
	check(!hog_alive && WIFSIGNALED(st_h) && WTERMSIG(st_h) == SIGKILL,
	      "the hog was killed with SIGKILL, before the faulter went on (status 0x%x)", st_h);
	int fds[] = { go[0], go[1], ready[0], ready[1], done[0], never[0], never[1] };
	for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++)
		close(fds[i]);
	struct kmeminfo mi;
	meminfo(&mi);
	/* free_pages() as for base: with the root on the disk it counts the
	 * cache's blocks, dirty ones too, which the hog could not take */
	unsigned long now = free_pages();
	check(now == base, "free pages back to the baseline (%lu, baseline %lu)", now, base);
	check(mi.nproc == mi0.nproc, "the process count is back (%lu, was %lu)", mi.nproc, mi0.nproc);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		char *av[] = { "hello", NULL };
		execve("/bin/hello", av, NULL);
		_exit(99);
	}
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork and exec work afterwards");
	return tap_done();
}
