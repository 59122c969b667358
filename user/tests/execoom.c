/* execoom.c: an exec that runs out of memory part way leaks nothing.
 * As xv6's execout: a child takes every free page, gives back a few, execs.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include "tap.h"

#define ROUNDS 16 /* pages given back before the exec: 0 .. ROUNDS-1 */

static struct kmeminfo mi;

static unsigned long avail(void)
{
	mi.free_pages = 0; /* a copy-on-write page is copied before the count */
	meminfo(&mi);
	return mi.free_pages + mi.cached_pages;
}

/* Each number of pages left lets exec get a little further before an
 * allocation fails: every one of its undo paths is taken once. */
static void child(int give_back)
{
	char *p;
	while ((p = sbrk(4096)) != (char *)-1)
		p[4095] = 1;
	sbrk(-4096 * give_back);
	close(1);
	char *argv[] = {"echo", "x", 0};
	execve("/bin/echo", argv, environ);
	_exit(0);
}

static int round_of(int give_back)
{
	int pid = fork();
	if (pid == 0)
		child(give_back);
	int st;
	return pid > 0 && waitpid(pid, &st, 0) == pid;
}

int main(void)
{
	plan(2);
	round_of(ROUNDS - 1); /* a warm-up: the kernel heap as big as it gets */
	unsigned long base = avail();
	int ok = 1, leaked_at = -1;
	unsigned long lost = 0;
	for (int k = 0; k < ROUNDS; k++) {
		ok &= round_of(k);
		unsigned long now = avail();
		if (now < base && leaked_at < 0) {
			leaked_at = k;
			lost = base - now;
		}
	}
	check(ok, "%d children ran out of memory and were reaped", ROUNDS);
	char why[80] = "";
	if (leaked_at >= 0)
		snprintf(why, sizeof why, ": %lu lost when %d pages were given back", lost, leaked_at);
	check(leaked_at < 0, "every page is back after each failed exec%s", why);
	return tap_done();
}
