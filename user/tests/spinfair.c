/* spinfair.c: a user's spinning processes do not starve root.
 *   spinfair [N]   uid 1000 starts N (60) processes that never block;
 *                  root then runs a short command (spawn /bin/true and
 *                  wait for it) ten times, as its shell would.
 * Each run takes two wakeups (the new child, then the parent when the
 * child exits).  Queued behind the spinners, each costs a full round of
 * their time slices: N ticks.  So the bound is in ticks: ten runs must
 * take less than half of one round.  tests/test_limits.py runs it under
 * -icount (time is instructions), where the ten runs, started right
 * after a tick, end before the next one every time.
 */
#include <signal.h>
#include <stdlib.h>
#include "tap.h"

#define RUNS 10

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 60;
	plan(3);
	int go[2], never[2];
	pipe(go);
	pipe(never);
	fflush(stdout);
	int user = fork();
	if (user == 0) {
		setuid(1000);
		for (int i = 0; i < n; i++) {
			if (fork() == 0) {
				for (;;)
					;
			}
		}
		write(go[1], "g", 1);
		for (;;)
			read(never[0], &user, 1); /* blocks: no one writes */
	}
	char c;
	read(go[0], &c, 1);
	/* let the spinners fill the ready queue and use a slice or two */
	msleep(100);
	char *av[] = { "true", NULL };
	int ok = 0, worst = 0;
	int t0 = uptime();
	for (int i = 0; i < RUNS; i++) {
		int t = uptime();
		int pid = spawn("/bin/true", av, NULL);
		int st = pid > 0 ? reap(pid) : -1;
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
		if (uptime() - t > worst)
			worst = uptime() - t;
	}
	int total = uptime() - t0;
	note("%d runs of /bin/true beside %d spinners of uid 1000: %d ms in all, the slowest %d ms", RUNS, n, total, worst);
	check(ok == RUNS, "root's commands ran (%d of %d)", ok, RUNS);
	/* One round of the spinners is n ticks of 10 ms; ten commands queued
	 * behind them would take 2 * 10 rounds.  Allow half of one round. */
	check(total < n * 10 / 2, "ten commands took less than half a round of the spinners (%d ms < %d ms)", total,
	      n * 10 / 2);
	for (int i = 0; i < 200; i++) {
		struct kprocinfo pi[128];
		int got = procinfo(pi, 128), left = 0;
		for (int k = 0; k < got && k < 128; k++)
			if (pi[k].uid == 1000 && pi[k].state != ZOMBIE) {
				kill(pi[k].pid, SIGKILL);
				left++;
			}
		if (!left)
			break;
		msleep(10);
	}
	kill(user, SIGKILL);
	int st = reap(user);
	check(WIFSIGNALED(st), "the spinners are stopped");
	return tap_done();
}
