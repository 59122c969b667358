/* manyproc.c: many processes alive at once.
 *   manyproc N        fork N children that each block reading a pipe;
 *                     check meminfo and procinfo see them all; release
 *                     them; reap them; free pages return to the start.
 *   manyproc untilfail  a child forks until fork fails (out of memory,
 *                     or a process limit): the kernel says no, or kills
 *                     a process that runs out in a fault, and everything
 *                     is reclaimed.  Either way the same checks print.
 */
#include <signal.h>
#include <stdlib.h>
#include "tap.h"

/* Static, so the heap does not grow while the test runs: the free page
 * count is compared with one taken before (bss is mapped at exec). */
#define MAXKIDS 8192
static int pids[MAXKIDS];
static struct kprocinfo pi[MAXKIDS + 64];

/* How many of our children are asleep, and how many exist. */
static int children_asleep(int *mine)
{
	int got = procinfo(pi, sizeof pi / sizeof pi[0]), asleep = 0;
	*mine = 0;
	for (int i = 0; i < got && i < (int)(sizeof pi / sizeof pi[0]); i++) {
		if (pi[i].ppid == getpid()) {
			(*mine)++;
			asleep += pi[i].state == SLEEPING;
		}
	}
	return asleep;
}

static int run(int want)
{
	/* warm up, so the object caches are sized before the baseline */
	int w = fork();
	if (w == 0)
		_exit(0);
	reap(w);
	unsigned long base = free_pages();
	struct kmeminfo mi0;
	meminfo(&mi0);
	int p[2];
	if (pipe(p) < 0) {
		check(0, "pipe");
		return 1;
	}
	int max = want;
	if (max > MAXKIDS)
		max = MAXKIDS;
	int err;
	int t0 = uptime();
	fflush(stdout);
	int n = fork_blocked(pids, max, p, &err);
	int t1 = uptime();
	struct kmeminfo mi;
	meminfo(&mi);
	unsigned long used = base - mi.free_pages;
	note("%d children forked in %d ms; %lu pages in use (%lu per process); %lu free of %lu", n, t1 - t0, used,
	     n ? used / n : 0, mi.free_pages, mi.total_pages);
	check(n == want, "%d children alive at once (fork failed with errno %d)", n, err);
	check(mi.nproc >= mi0.nproc + (unsigned long)n, "meminfo counts them (%lu processes)", mi.nproc);
	int mine, asleep = children_asleep(&mine);
	check(mine == n, "procinfo lists all %d children (%d)", n, mine);
	/* The last ones forked may not have run yet: give them time. */
	for (int i = 0; i < 200 && asleep < n; i++) {
		msleep(10);
		asleep = children_asleep(&mine);
	}
	check(asleep == n, "and they all go to sleep on the pipe (%d of %d)", asleep, n);

	/* Release them all at once: closing the write end wakes every reader. */
	close(p[1]);
	int t2 = uptime();
	int ok = 0, killed = 0;
	for (int i = 0; i < n; i++) {
		int st = reap(pids[i]);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
		else if (WIFSIGNALED(st))
			killed++;
	}
	close(p[0]);
	int t3 = uptime();
	note("reaped %d in %d ms (%d exited normally, %d killed)", n, t3 - t2, ok, killed);
	check(ok == n, "every child saw end-of-file and exited 0 (%d of %d)", ok, n);
	check(wait(NULL) == -1 && errno == ECHILD, "no children are left");
	unsigned long after = free_pages();
	check(after == base, "free pages back to the baseline (%lu, baseline %lu)", after, base);
	meminfo(&mi);
	check(mi.nproc == mi0.nproc, "the process count is back too (%lu, was %lu)", mi.nproc, mi0.nproc);

	/* and the machine still forks and execs */
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		char *argv[] = { "hello", NULL };
		execve("/bin/hello", argv, NULL);
		_exit(99);
	}
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork and exec work afterwards");
	return 0;
}

/* Fork until fork fails, in a "bomber" child: when memory runs out, a
 * copy-on-write fault may kill whoever takes it, the bomber included, so
 * this process only watches, then checks everything comes back. */
static void bomb(void)
{
	int w = fork();
	if (w == 0)
		_exit(0);
	reap(w);
	unsigned long base = free_pages();
	struct kmeminfo mi0;
	meminfo(&mi0);
	int rp[2];
	pipe(rp);
	fflush(stdout);
	int bomber = fork();
	if (bomber == 0) {
		close(rp[0]);
		int p[2];
		pipe(p);
		int err, n = fork_blocked(pids, MAXKIDS, p, &err);
		int r[4] = { n, err, 0, 0 };
		write(rp[1], r, 2 * sizeof(int));
		close(p[1]);
		for (int i = 0; i < n; i++) {
			int st = reap(pids[i]);
			r[2] += WIFEXITED(st) && WEXITSTATUS(st) == 0;
			r[3] += WIFSIGNALED(st);
		}
		write(rp[1], r + 2, 2 * sizeof(int));
		_exit(0);
	}
	close(rp[1]);
	int r[4] = { -1, -1, -1, -1 };
	read(rp[0], r, 2 * sizeof(int));
	read(rp[0], r + 2, 2 * sizeof(int));
	close(rp[0]);
	int st = reap(bomber);
	note("bomber: %d children, fork error %d, then %d exited and %d were killed; bomber status 0x%x", r[0], r[1],
	     r[2], r[3], st);
	/* Two endings are right, and both print the same checks (the count
	 * of results must not depend on the path taken): fork fails with
	 * ENOMEM, or EAGAIN at a process limit, and the bomber reaps all its
	 * children; or the bomber itself runs out of memory in a fault of its
	 * own (a copy-on-write page it shares with its children), maybe
	 * before it could report, and is killed; its children, now init's,
	 * see end-of-file and exit, which the checks below see. */
	int clean = WIFEXITED(st) && r[0] > 100 && (r[1] == ENOMEM || r[1] == EAGAIN) && r[2] + r[3] == r[0];
	int killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	char how[120];
	if (WIFEXITED(st))
		snprintf(how, sizeof how, "fork failed with errno %d after %d children; %d exited, %d killed", r[1], r[0],
			 r[2], r[3]);
	else
		snprintf(how, sizeof how, "the bomber was killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	check(clean || killed, "the fork bomb ends: fork fails and every child is reaped, or the bomber dies of "
	      "SIGKILL (%s)", how);
	/* init reaps orphans: wait for the count to come down (up to 30 s:
	 * the deadline only decides the failing case, and a loaded host may
	 * take seconds to run a thousand exits) */
	struct kmeminfo mi;
	unsigned long now = 0;
	for (int i = 0; i < 1500; i++) {
		meminfo(&mi);
		/* free_pages() as for base: it counts the disk cache's blocks
		 * (the root on the disk), meminfo's free_pages does not */
		if (mi.nproc == mi0.nproc && (now = free_pages()) == base)
			break;
		msleep(20);
	}
	check(mi.nproc == mi0.nproc, "every process is gone (%lu, was %lu)", mi.nproc, mi0.nproc);
	check(now == base, "free pages back to the baseline (%lu, baseline %lu)", now, base);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		char *argv[] = { "hello", NULL };
		execve("/bin/hello", argv, NULL);
		_exit(99);
	}
	st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork and exec work afterwards");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "untilfail") == 0) {
		plan(4);
		bomb();
	} else {
		plan(9);
		run(argc > 1 ? atoi(argv[1]) : 1000);
	}
	return tap_done();
}
