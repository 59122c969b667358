/* bench.c (x86-64): what each kernel operation costs in TSC cycles, in plain
 * POSIX C, so the one static musl binary runs on Linux and on Trapdoor alike.
 *
 * Every metric times `batch` operations between two TSC reads, `samples`
 * times, and prints the median (and the minimum) per operation:
 *
 *     METRIC: MEDIAN cycles (min MIN, SAMPLES samples of BATCH)
 *
 * yield_roundtrip_threads is yield_roundtrip between two threads of one
 * process; yield_roundtrip_fpu has both processes touch an SSE register
 * before each yield, yield_roundtrip_fpu_one only the timed one (what lazy
 * and eager FPU switching cost, docs/design.md).  Lines starting with '#' are notes (the TSC's properties, pinning).
 * tools/bench_x86.py runs this binary on the host and inside Trapdoor and
 * compares the two.  --quick: a few samples of each, for make test.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_setaffinity, sched_getcpu, syscall */
#endif
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The start of a window: lfence keeps rdtsc from running before the
 * instructions above it have completed (rdtsc alone is not ordered). */
static inline uint64_t tsc_begin(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* The end: rdtscp waits for everything before it; the lfence after keeps
 * later instructions from starting before the read. */
static inline uint64_t tsc_end(void)
{
	uint32_t lo, hi, aux;
	__asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static int failed;

static void fail(const char *name, const char *why)
{
	printf("# FAIL %s: %s\n", name, why);
	failed = 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, uint64_t *s, long samples, long batch)
{
	qsort(s, samples, sizeof *s, cmp_u64);
	uint64_t med = samples % 2 ? s[samples / 2] : (s[samples / 2 - 1] + s[samples / 2]) / 2;
	printf("%s: %llu cycles (min %llu, %ld samples of %ld)\n", name, (unsigned long long)(med / batch),
	       (unsigned long long)(s[0] / batch), samples, batch);
	fflush(stdout);
}

/* --- the operations --------------------------------------------------- */

/* syscall(SYS_getpid): musl's getpid() is a system call too, but a libc
 * that caches the pid would hide the kernel; the raw call cannot. */
static int op_raw_syscall(void *arg)
{
	(void)arg;
	return syscall(SYS_getpid) > 0 ? 0 : -1;
}

/* The other end of a round trip: echo every byte back until EOF. */
static int pipe_fd[4]; /* parent -> child [0],[1]; child -> parent [2],[3] */

static int op_pipe_roundtrip(void *arg)
{
	(void)arg;
	char c = 'x';
	if (write(pipe_fd[1], &c, 1) != 1 || read(pipe_fd[2], &c, 1) != 1)
		return -1;
	return 0;
}

/* Both processes yield in a loop on one CPU: each of the parent's yields
 * runs the child once before the parent again, two switches. */
static int op_yield_roundtrip(void *arg)
{
	(void)arg;
	return sched_yield();
}

/* One SSE add (and store) before the yield: this process's FPU registers
 * are in use in every turn. */
static volatile double fpu_sink;

static int op_yield_fpu(void *arg)
{
	(void)arg;
	fpu_sink += 1.0;
	return sched_yield();
}

static int op_fork_exit_wait(void *arg)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return -1;
	return 0;
}

static const char *exec_path; /* the tiny static program fork_exec_wait runs */
static char *exec_argv[3];

static int op_fork_exec_wait(void *arg)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0) {
		extern char **environ;
		execve(exec_path, exec_argv, environ);
		_exit(127);
	}
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return 0;
}

static void *thread_body(void *arg) { return arg; }

static int op_thread_create_join(void *arg)
{
	(void)arg;
	pthread_t t;
	void *ret = NULL;
	if (pthread_create(&t, NULL, thread_body, (void *)1) != 0 || pthread_join(t, &ret) != 0 || ret != (void *)1)
		return -1;
	return 0;
}

/* --- the partners of the two-process round trips ------------------------ */

static pid_t partner;

static int start_pipe_partner(void)
{
	if (pipe(pipe_fd) < 0 || pipe(pipe_fd + 2) < 0)
		return -1;
	partner = fork();
	if (partner == 0) {
		char c;
		close(pipe_fd[1]);
		close(pipe_fd[2]);
		while (read(pipe_fd[0], &c, 1) == 1)
			if (write(pipe_fd[3], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(pipe_fd[0]);
	close(pipe_fd[3]);
	return partner < 0 ? -1 : 0;
}

static void stop_pipe_partner(void)
{
	close(pipe_fd[1]);
	close(pipe_fd[2]);
	if (partner > 0)
		waitpid(partner, NULL, 0);
}

/* The child yields until the parent kills it: it makes no other call,
 * so that each of its turns is one sched_yield. */
static int start_yield_partner(void)
{
	partner = fork();
	if (partner == 0)
		for (;;)
			sched_yield();
	return partner < 0 ? -1 : 0;
}

/* The same partner, touching the FPU in each of its turns. */
static int start_yield_fpu_partner(void)
{
	partner = fork();
	if (partner == 0)
		for (;;) {
			fpu_sink += 1.0;
			sched_yield();
		}
	return partner < 0 ? -1 : 0;
}

static void stop_yield_partner(void)
{
	if (partner > 0) {
		kill(partner, SIGKILL);
		waitpid(partner, NULL, 0);
	}
}

/* The same round trip between two threads of one process: no address
 * space switch, which tells that part of yield_roundtrip's cost apart. */
static pthread_t yield_thread;
static volatile int yield_stop;

static void *yield_body(void *arg)
{
	while (!yield_stop)
		sched_yield();
	return arg;
}

static int start_yield_thread(void)
{
	yield_stop = 0;
	return pthread_create(&yield_thread, NULL, yield_body, NULL) == 0 ? 0 : -1;
}

static void stop_yield_thread(void)
{
	yield_stop = 1;
	pthread_join(yield_thread, NULL);
}

/* --- the table ----------------------------------------------------------- */

struct metric {
	const char *name;
	int (*op)(void *);
	long samples, batch;         /* full run */
	long qsamples, qbatch;       /* --quick */
	int (*start)(void);
	void (*stop)(void);
};

static const struct metric metrics[] = {
	{ "raw_syscall", op_raw_syscall, 2001, 100, 21, 10, NULL, NULL },
	{ "pipe_roundtrip", op_pipe_roundtrip, 2001, 10, 21, 4, start_pipe_partner, stop_pipe_partner },
	{ "yield_roundtrip", op_yield_roundtrip, 2001, 10, 21, 4, start_yield_partner, stop_yield_partner },
	{ "yield_roundtrip_threads", op_yield_roundtrip, 2001, 10, 21, 4, start_yield_thread, stop_yield_thread },
	{ "yield_roundtrip_fpu", op_yield_fpu, 2001, 10, 21, 4, start_yield_fpu_partner, stop_yield_partner },
	{ "yield_roundtrip_fpu_one", op_yield_fpu, 2001, 10, 21, 4, start_yield_partner, stop_yield_partner },
	{ "fork_exit_wait", op_fork_exit_wait, 501, 1, 11, 1, NULL, NULL },
	{ "fork_exec_wait", op_fork_exec_wait, 301, 1, 11, 1, NULL, NULL },
	{ "thread_create_join", op_thread_create_join, 1001, 1, 11, 1, NULL, NULL },
};

static void run(const struct metric *m, int quick)
{
	long samples = quick ? m->qsamples : m->samples, batch = quick ? m->qbatch : m->batch;
	uint64_t *s = malloc(samples * sizeof *s);
	if (!s) {
		fail(m->name, "malloc");
		return;
	}
	if (m->start && m->start() < 0) {
		fail(m->name, "setup");
		free(s);
		return;
	}
	/* a warm-up: page faults of first use, caches */
	for (long i = 0; i < batch * 2 + 2; i++)
		if (m->op(NULL) < 0) {
			fail(m->name, "the operation failed");
			goto out;
		}
	for (long k = 0; k < samples; k++) {
		uint64_t t0 = tsc_begin();
		for (long i = 0; i < batch; i++)
			if (m->op(NULL) < 0) {
				fail(m->name, "the operation failed");
				goto out;
			}
		s[k] = tsc_end() - t0;
	}
	report(m->name, s, samples, batch);
out:
	if (m->stop)
		m->stop();
	free(s);
}

/* The TSC: CPUID 0x80000007 EDX bit 8 is the invariant TSC (Linux's
 * constant_tsc + nonstop_tsc): one rate, through P-states and C-states.
 * Its rate against CLOCK_MONOTONIC, over a short busy window. */
static void tsc_notes(void)
{
	uint32_t r[4];
	cpuid(0x80000000, r);
	int invariant = 0;
	if (r[0] >= 0x80000007) {
		cpuid(0x80000007, r);
		invariant = (r[3] >> 8) & 1;
	}
	cpuid(1, r);
	int hyper = (r[2] >> 31) & 1;
	printf("# tsc: invariant %s (CPUID 0x80000007 EDX[8]), hypervisor bit %d\n", invariant ? "yes" : "no", hyper);
	struct timespec a, b;
	if (clock_gettime(CLOCK_MONOTONIC, &a) < 0)
		return;
	uint64_t t0 = tsc_begin();
	long ns;
	do {
		if (clock_gettime(CLOCK_MONOTONIC, &b) < 0)
			return;
		ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
	} while (ns < 20000000);
	uint64_t t1 = tsc_end();
	printf("# tsc_mhz: %llu\n", (unsigned long long)((t1 - t0) * 1000 / ns));
	uint64_t s[101];
	for (int i = 0; i < 101; i++) {
		uint64_t x = tsc_begin();
		s[i] = tsc_end() - x;
	}
	qsort(s, 101, sizeof *s, cmp_u64);
	printf("# tsc_read: %llu cycles (an empty window, included in every sample)\n", (unsigned long long)s[50]);
}

/* One CPU for the whole run, as Trapdoor's guest has: the round trips are
 * then two switches on one CPU, not wake-ups across two. */
static void pin(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();
	if (cpu < 0)
		cpu = 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set) == 0)
		printf("# pinned: cpu %d\n", cpu);
	else
		printf("# pinned: no (sched_setaffinity failed: run with one CPU)\n");
}

int main(int argc, char **argv)
{
	int quick = 0;
	const char *only = NULL;
	exec_path = "/bin/nop";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--nop") == 0)
			return 0; /* the exec target when there is no /bin/nop */
		else if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else if (strcmp(argv[i], "--exec") == 0 && i + 1 < argc)
			exec_path = argv[++i];
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: bench [--quick] [--exec PROGRAM] [--only METRIC]\n");
			return 2;
		}
	}
	exec_argv[0] = (char *)exec_path;
	if (access(exec_path, X_OK) < 0) { /* itself, as the tiny program */
		exec_path = argv[0];
		exec_argv[0] = argv[0];
		exec_argv[1] = "--nop";
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	tsc_notes();
	pin();
	printf("# exec: %s\n", exec_path);
	for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
		if (!only || strcmp(only, metrics[i].name) == 0)
			run(&metrics[i], quick);
	return failed;
}
