/* tap.h: result lines for the in-guest tests, one per check.
 * plan(N) first ("1..N"), then "ok - what" or "not ok - what: why";
 * tap_done() prints "done" and gives the exit status (0 only if every
 * check passed), as tools/harness.py wants.
 */
#ifndef TAP_H
#define TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "trapdoor.h"

static int tap_failed, tap_count;

/* How many checks this run will print, before the first: "1..N", TAP's
 * plan.  The harness fails a program whose results do not add up to it,
 * so every path through a test (which out-of-memory ending a fork bomb
 * meets, how many harts there are) must print the same checks. */
static void __attribute__((unused)) plan(int n)
{
	printf("1..%d\n", n);
	fflush(stdout);
}

/* One result.  Flushed at once: a child forked after it must not print
 * it again from a copy of the stdio buffer. */
static void __attribute__((format(printf, 2, 3), unused)) check(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s - ", cond ? "ok" : "not ok");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	tap_count++;
	if (!cond)
		tap_failed++;
}

/* A note that is not a result (the harness ignores it). */
static void __attribute__((format(printf, 1, 2), unused)) note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static int __attribute__((unused)) tap_done(void)
{
	printf("# %d checks, %d failed\ndone\n", tap_count, tap_failed);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

/* The page allocator's free pages alone (tests of the cache itself). */
static unsigned long __attribute__((unused)) free_list_pages(void)
{
	struct kmeminfo mi;
	return meminfo(&mi) < 0 ? 0 : mi.free_pages;
}

/* Pages free, and the disk cache's, for "free pages back to where they
 * were": with the root on the disk every program read moves pages
 * between the two (kalloc takes clean blocks back on demand).  Dirty
 * blocks count too: the periodic flush makes them clean whenever their
 * five seconds are up, which would otherwise move the figure in the
 * middle of a test (make test ROOT=disk: the blocks the boot dirtied). */
static unsigned long __attribute__((unused)) free_pages(void)
{
	struct kmeminfo mi;
	struct kdiskstat ds;
	if (meminfo(&mi) < 0)
		return 0;
	if (diskstat(&ds) == 0)
		return mi.free_pages + ds.cached;
	return mi.free_pages;
}

/* free_pages(), asked again every 10 ms until it is want or 5 s have
 * passed: the last of a workload's memory comes back a moment after the
 * test sees it end (an orphan reaped by init, a thread's exit finished
 * on another hart after its joiner returned), later on a busy host. */
static unsigned long __attribute__((unused)) free_pages_settle(unsigned long want)
{
	unsigned long f = free_pages();
	for (int i = 0; i < 500 && f != want; i++) {
		msleep(10);
		f = free_pages();
	}
	return f;
}

/* Wait for pid and return its raw status, or -1. */
static int __attribute__((unused)) reap(int pid)
{
	int st = -1;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* Fork up to max children that block reading pipe p until its write end
 * is closed everywhere, then exit 0 on that end-of-file (1 otherwise);
 * their pids go to pids.  Returns how many were made; *err is fork's
 * errno if it failed first, else 0.  The caller closes p[1] to end them. */
static int __attribute__((unused)) fork_blocked(int *pids, int max, int p[2], int *err)
{
	int n = 0;
	*err = 0;
	while (n < max) {
		int pid = fork();
		if (pid < 0) {
			*err = errno;
			break;
		}
		if (pid == 0) {
			char c;
			close(p[1]);
			_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
		}
		pids[n++] = pid;
	}
	return n;
}

/* Timer interrupts this process has taken, from procinfo's row for it: a
 * tick either lands while it runs (charged to it) or preempts it. */
static unsigned long __attribute__((unused)) interrupts_taken(void)
{
	static struct kprocinfo rows[64];
	int n = procinfo(rows, 64), pid = getpid();
	for (int i = 0; i < n; i++)
		if (rows[i].pid == pid)
			return rows[i].ticks + rows[i].iswitches;
	return 0;
}

#endif
