/* fputest.c: floating-point registers are per process.
 * The kernel switches them lazily (saved only when a process that used
 * them leaves the CPU, restored on its next FPU instruction), so check
 * that they survive preemption, migration between harts, fork and exec.
 */
#include <stdlib.h>
#include "tap.h"

/* A long computation whose result depends on every step, with values
 * live in FPU registers across many time slices. */
static double __attribute__((noinline)) series(int seed, long n)
{
	double x = seed * 0.001 + 0.5, acc = 0;
	for (long i = 0; i < n; i++) {
		x = x * 3.7 * (1.0 - x); /* the logistic map: chaotic, so any */
		acc += x;                /* disturbed register shows */
	}
	return acc;
}

static volatile double sink;

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--child") == 0) {
		/* exec'd: the FPU starts clean, and computes right */
		int seed = atoi(argv[2]);
		double want = strtod(argv[3], NULL);
		return series(seed, 200000) == want ? 42 : 1;
	}
	plan(4);
	enum { N = 6, STEPS = 3000000 };
	double expect[N];
	for (int i = 0; i < N; i++)
		expect[i] = series(i, STEPS / 100);

	/* N children compute at once, preempted and moved between harts */
	int pids[N];
	fflush(stdout);
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int ok = 1;
			for (int r = 0; r < 100; r++)
				ok &= series(i, STEPS / 100) == expect[i];
			_exit(ok ? 0 : 1);
		}
	}
	/* and the parent computes too, with integer-only processes around */
	int ok = 1;
	for (int r = 0; r < 20; r++)
		ok &= series(N - 1, STEPS / 100) == expect[N - 1];
	int good = 0;
	for (int i = 0; i < N; i++) {
		int st = reap(pids[i]);
		good += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	check(good == N && ok, "%d processes computing at once all get their own FPU registers (%d right)", N + 1,
	      good);

	/* A value live in a callee-saved FPU register across fork() must be
	 * there in the child as well. */
	double live = series(7, 1000);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		sink = live;
		_exit(live == series(7, 1000) ? 0 : 1);
	}
	sink = live;
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork copies the FPU registers to the child");

	/* The same after the parent has been switched out (its registers
	 * saved in the PCB, FPU off) before it forks. */
	live = series(8, 1000);
	msleep(20);
	pid = fork();
	if (pid == 0)
		_exit(live == series(8, 1000) ? 0 : 1);
	st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork after a switch copies the saved FPU registers");

	/* exec: the new image starts with its own clean FPU state */
	char seed[8], want[64];
	snprintf(seed, sizeof seed, "%d", 3);
	snprintf(want, sizeof want, "%.17g", series(3, 200000));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *av[] = { "fputest", "--child", seed, want, NULL };
		execve("/test/fputest", av, NULL);
		_exit(99);
	}
	st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "an exec'd program computes right (status %d)", WEXITSTATUS(st));
	return tap_done();
}
