/* threadk.c: the kernel's threads, tested with the raw system calls.
 * thread_create/exit/join/detach, gettid, futex wait/wake, and the edges.
 *
 * Stacks are static arrays (no mmap, no malloc); every thread shares the
 * main thread's TLS block (tp), so errno is shared here: pthreads gives
 * each its own.  "threadk park" leaves two threads asleep for ps and
 * Ctrl-P; "threadk strace" makes a few calls from a second thread;
 * "threadk fault" has a second thread fault while another sleeps.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "tap.h"

#define NSTK 12
#define STKSZ 16384
static char stacks[NSTK][STKSZ] __attribute__((aligned(16)));
static void *tls;

static void *stack_top(int i) { return stacks[i] + STKSZ; }

static int mk(int slot, void (*fn)(void *), void *arg) { return __thread_create(fn, arg, stack_top(slot), tls); }

static unsigned long now_ms(void) { return uptime(); }

/* --- thread bodies: each ends with __thread_exit (ra is 0) --- */

static volatile int shared;

static void ret_arg(void *arg) { __thread_exit((char *)arg + 1); }

static void bump_shared(void *arg)
{
	(void)arg;
	shared = 42;
	__thread_exit((void *)(long)gettid());
}

/* What a thread's entry sees of how it was "called": its return address
 * and its frame's alignment (x86-64: the frame pointer, pushed below the
 * return address, is 16-aligned only if rsp + 8 was at entry). */
static void *entry_ra;
static unsigned long entry_misalign;
static void __attribute__((noinline)) entry_abi(void *arg)
{
	(void)arg;
	entry_ra = __builtin_return_address(0);
	entry_misalign = (unsigned long)__builtin_frame_address(0) % 16;
	__thread_exit(0);
}

static void spin_forever(void *arg)
{
	(void)arg;
	for (;;)
		__asm__ volatile("" ::: "memory");
}

static int blockpipe[2];
static void block_read(void *arg)
{
	(void)arg;
	char c;
	read(blockpipe[0], &c, 1);
	__thread_exit(0);
}

static volatile unsigned fword;
static void block_futex(void *arg)
{
	(void)arg;
	for (;;)
		__futex_wait(&fword, 0, 0);
}

static void block_sleep(void *arg)
{
	(void)arg;
	msleep(1000000);
	__thread_exit(0);
}

static void do_exit(void *arg) { exit((int)(long)arg); }

static void do_fault(void *arg)
{
	(void)arg;
	volatile int *bad = (volatile int *)(unsigned long)arg;
	*bad = 1; /* arg is 0x10: no page there */
	__thread_exit(0);
}

/* waits on fword for a wake; what futex_wait returned goes to waited */
static volatile long waited = -100;
static void wait_once(void *arg)
{
	(void)arg;
	int r = __futex_wait(&fword, 0, 0);
	waited = r < 0 ? -errno : r;
	__thread_exit(0);
}

/* ping-pong: two threads hand fword back and forth */
#define ROUNDS 3000
static volatile unsigned pp;
static volatile int pp_timeouts;
static void pingpong(void *arg)
{
	unsigned me = (unsigned)(long)arg, other = !me;
	for (int i = 0; i < ROUNDS; i++) {
		while (__atomic_load_n(&pp, __ATOMIC_ACQUIRE) != me)
			if (__futex_wait(&pp, other, 10000000000UL) < 0 && errno == ETIMEDOUT)
				pp_timeouts++;
		__atomic_store_n(&pp, other, __ATOMIC_RELEASE);
		__futex_wake(&pp, 1);
	}
	__thread_exit(0);
}

static volatile int joiner_r = -100;
static int join_target;
static void join_other(void *arg)
{
	(void)arg;
	int r = __thread_join(join_target, NULL);
	joiner_r = r < 0 ? -errno : r;
	__thread_exit(0);
}

static void fork_here(void *arg)
{
	(void)arg;
	int pid = fork();
	if (pid == 0) {
		struct kprocinfo rows[64];
		int n = procinfo(rows, 64), mine = 0;
		for (int i = 0; i < n && i < 64; i++)
			if (rows[i].pid == getpid())
				mine++;
		_exit(mine == 1 && gettid() == getpid() ? 3 : 4);
	}
	int st = reap(pid);
	__thread_exit((void *)(long)st);
}

static void exec_here(void *arg)
{
	(void)arg;
	char *argv[] = { "threadk", "execd", NULL };
	execv("/test/threadk", argv);
	__thread_exit(0);
}

static int syncpipe[2], gopipe[2];
static void wait_go_then_end(void *arg)
{
	(void)arg;
	char c;
	read(gopipe[0], &c, 1);
	__thread_exit(0);
}

/* FPU registers are per thread: each keeps its own across switches */
static double __attribute__((noinline)) series(int seed, long n)
{
	double x = seed * 0.001 + 0.5, acc = 0;
	for (long i = 0; i < n; i++) {
		acc += x * x - acc * 0.25;
		x = x * 0.999 + 0.0001 * seed;
		if (i % 64 == 0)
			yield(); /* let the other threads' FPU work in between */
	}
	return acc;
}
static double fpu_want[4], fpu_got[4];
static void fpu_thread(void *arg)
{
	long i = (long)arg;
	fpu_got[i] = series((int)i + 1, 4000);
	__thread_exit(0);
}

/* The cap: threads that block at once on capword need only a few bytes
 * of stack each. */
#define SMALLSTK 256
#define CAPMAX 1100
static char smallstacks[CAPMAX][SMALLSTK] __attribute__((aligned(16)));
static volatile unsigned capword;
static void cap_wait(void *arg)
{
	(void)arg;
	while (capword == 0)
		__futex_wait(&capword, 0, 0);
	__thread_exit(0);
}

/* Copy-on-write pages hit by several threads at once (after a fork) */
#define COWPAGES 64
static char cowbuf[COWPAGES * 4096] __attribute__((aligned(4096)));
static volatile int cow_go, cow_ready;
static void cow_writer(void *arg)
{
	long k = (long)arg;
	__atomic_add_fetch(&cow_ready, 1, __ATOMIC_SEQ_CST);
	while (!cow_go) /* all start at once: faults on one page meet */
		;
	for (int pg = 0; pg < COWPAGES; pg++)
		cowbuf[pg * 4096 + k * 8] = (char)(pg + k + 1);
	__thread_exit(0);
}

static void wait_a_child(void *arg)
{
	waitpid((int)(long)arg, NULL, 0);
	__thread_exit(0);
}

/* reads one byte of closepipe[0] into closegot */
static int closepipe[2];
static volatile int closegot = -100;
static void read_one(void *arg)
{
	(void)arg;
	char c = 0;
	int r = read(closepipe[0], &c, 1);
	closegot = r == 1 ? c : r < 0 ? -errno : 0;
	__thread_exit(0);
}

/* --- the checks --- */

static int run_child(void (*body)(void), int *st)
{
	int pid = fork();
	if (pid == 0) {
		body();
		_exit(99);
	}
	*st = reap(pid);
	return pid;
}

static void child_exit_ends_all(void)
{
	pipe(blockpipe);
	mk(1, spin_forever, 0);
	mk(2, block_read, 0);
	mk(3, block_futex, 0);
	mk(4, block_sleep, 0);
	msleep(20);
	mk(5, do_exit, (void *)7);
	for (;;)
		msleep(1000);
}

static void child_fault(void)
{
	mk(1, spin_forever, 0);
	mk(2, block_sleep, 0);
	mk(3, do_fault, (void *)0x10);
	for (;;)
		msleep(1000);
}

static void child_exec(void)
{
	mk(1, spin_forever, 0);
	mk(2, spin_forever, 0);
	mk(3, exec_here, 0);
	for (;;)
		__asm__ volatile("" ::: "memory");
}

/* Rows procinfo has for pid; *nthreads from them. */
static int tid_of_child_row(int pid, int *nthreads)
{
	static struct kprocinfo rows[128];
	int n = procinfo(rows, 128), rowsfor = 0;
	for (int i = 0; i < n && i < 128; i++)
		if (rows[i].pid == pid) {
			rowsfor++;
			*nthreads = rows[i].nthreads;
		}
	return rowsfor;
}

/* Has thread tid ended (and been freed: no row)?  */
static int gone(int tid)
{
	static struct kprocinfo rows[128];
	int n = procinfo(rows, 128);
	for (int i = 0; i < n && i < 128; i++)
		if (rows[i].tid == tid)
			return 0;
	return 1;
}

/* Wait (up to 10 s) until thread tid sleeps for `what` ("futex",
 * "join", "pipe", ...): ps's WAIT column.  1 if it does. */
static int asleep_in(int tid, const char *what)
{
	static struct kprocinfo rows[128];
	for (unsigned long t0 = now_ms(); now_ms() - t0 < 10000; msleep(2)) {
		int n = procinfo(rows, 128);
		for (int i = 0; i < n && i < 128; i++)
			if (rows[i].tid == tid && rows[i].state == SLEEPING && strcmp(rows[i].wait, what) == 0)
				return 1;
	}
	return 0;
}

static void park(void)
{
	mk(1, block_futex, 0);
	pipe(blockpipe);
	mk(2, block_read, 0);
	printf("parked %d\n", getpid());
	fflush(stdout);
	__thread_join(gettid() + 100000, NULL); /* ESRCH: no such thread */
	for (;;)
		msleep(100000);
}

static void strace_some(void *arg)
{
	(void)arg;
	write(1, "from a thread\n", 14);
	__thread_exit(0);
}

int main(int argc, char **argv)
{
	tls = thread_pointer();
	if (argc > 1 && strcmp(argv[1], "execd") == 0) {
		printf("# exec'd: tid == pid %d\n", gettid() == getpid());
		return 5;
	}
	if (argc > 1 && strcmp(argv[1], "park") == 0)
		park();
	if (argc > 1 && strcmp(argv[1], "fault") == 0) {
		mk(1, block_sleep, 0);
		__thread_join(mk(2, do_fault, (void *)0x10), NULL);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "strace") == 0) {
		int t = mk(1, strace_some, 0);
		__thread_join(t, NULL);
		return 0;
	}

	plan(42);
	/* warm up: a first thread, fork, procinfo and pipe fault in pages
	 * of this program's own that stay */
	void *v;
	int st, nt = 0;
	__thread_join(mk(0, ret_arg, 0), &v);
	st = fork();
	if (st == 0)
		_exit(0);
	reap(st);
	tid_of_child_row(getpid(), &nt);
	asleep_in(0, "");
	pipe(blockpipe);
	close(blockpipe[0]);
	close(blockpipe[1]);
	/* This thread's FPU save area is kmalloc'd the first time it leaves
	 * the hart with its FPU registers changed, and kept until it exits:
	 * the FPU test below computes on this thread too, so make that
	 * happen now, before the baseline (a sleep is such a leaving). */
	volatile double warm = 1.5;
	warm = warm * 3;
	msleep(1);
	unsigned long base = free_pages();

	/* create and join */
	int t = mk(0, ret_arg, (void *)100);
	check(t > 0 && t != getpid(), "thread_create returns a new tid (%d, pid %d)", t, getpid());
	v = 0;
	int r = __thread_join(t, &v);
	check(r == 0 && v == (void *)101, "join collects the exit value (r=%d, %p)", r, v);
	check(gettid() == getpid(), "the first thread's tid is the pid");
	t = mk(0, bump_shared, 0);
	r = __thread_join(t, &v);
	check(r == 0 && shared == 42, "two threads see the same global (%d)", shared);
	check((long)v == t, "the thread's gettid is what create returned (%ld, %d)", (long)v, t);
	entry_ra = (void *)1;
	entry_misalign = 1;
	memset(stacks[0] + STKSZ - 64, 0x5a, 64); /* not a 0 by luck */
	__thread_join(mk(0, entry_abi, 0), NULL);
	check(entry_ra == 0 && entry_misalign == 0,
	      "a thread starts as if its entry were called from 0: return address %p, frame %% 16 = %lu", entry_ra,
	      entry_misalign);

	/* bad arguments */
	errno = 0;
	r = __thread_create(ret_arg, 0, (char *)stack_top(0) - 8, tls);
	check(r == -1 && errno == EINVAL, "a stack not 16-aligned: EINVAL (errno %d)", errno);
	r = __thread_create(ret_arg, 0, (void *)0xffffffc000100000UL, tls);
	check(r == -1 && errno == EFAULT, "a stack in the kernel: EFAULT (errno %d)", errno);
	r = __thread_create((void (*)(void *))0xffffffc000200000UL, 0, stack_top(0), tls);
	check(r == -1 && errno == EFAULT, "an entry in the kernel: EFAULT (errno %d)", errno);
	r = __thread_create(ret_arg, 0, (void *)0x3000000000UL, tls);
	check(r == -1 && errno == EFAULT, "an unmapped stack: EFAULT (errno %d)", errno);
	r = __thread_join(gettid(), NULL);
	check(r == -1 && errno == EDEADLK, "join oneself: EDEADLK (errno %d)", errno);
	r = __thread_join(99999, NULL);
	check(r == -1 && errno == ESRCH, "join a tid that does not exist: ESRCH (errno %d)", errno);
	r = __thread_join(getppid(), NULL);
	check(r == -1 && errno == ESRCH, "join another process's thread: ESRCH (errno %d)", errno);
	r = __thread_join(t, NULL);
	check(r == -1 && errno == ESRCH, "join a thread already joined: ESRCH (errno %d)", errno);
	pipe(blockpipe);
	t = mk(2, block_read, 0);
	r = __thread_detach(t);
	check(r == 0, "detach a running thread");
	r = __thread_join(t, NULL);
	check(r == -1 && errno == EINVAL, "join a detached thread: EINVAL (errno %d)", errno);
	r = __thread_detach(t);
	check(r == -1 && errno == EINVAL, "detach twice: EINVAL (errno %d)", errno);
	asleep_in(t, "pipe read");
	write(blockpipe[1], "x", 1); /* it ends, and is freed at once */
	while (!gone(t))
		msleep(2);
	close(blockpipe[0]);
	close(blockpipe[1]);
	pipe(blockpipe);
	join_target = mk(3, block_read, 0);
	int j1 = mk(4, join_other, 0);
	asleep_in(j1, "join");
	r = __thread_join(join_target, NULL);
	check(r == -1 && errno == EINVAL, "a second joiner of one thread: EINVAL (errno %d)", errno);
	write(blockpipe[1], "x", 1);
	__thread_join(j1, NULL);
	check(joiner_r == 0, "the first joiner gets it (%d)", joiner_r);
	close(blockpipe[0]);
	close(blockpipe[1]);

	/* futex */
	fword = 1;
	r = __futex_wait(&fword, 0, 0);
	check(r == -1 && errno == EAGAIN, "futex_wait on a word that differs: EAGAIN (errno %d)", errno);
	fword = 0;
	unsigned long t0 = now_ms();
	r = __futex_wait(&fword, 0, 50000000UL);
	unsigned long took = now_ms() - t0;
	check(r == -1 && errno == ETIMEDOUT && took >= 50, "futex_wait times out: ETIMEDOUT after %lu ms (errno %d)",
	      took, errno);
	r = __futex_wait((volatile unsigned *)((char *)&fword + 1), 0, 0);
	check(r == -1 && errno == EINVAL, "futex_wait on a misaligned word: EINVAL (errno %d)", errno);
	r = __futex_wait((volatile unsigned *)0xffffffc000000000UL, 0, 0);
	check(r == -1 && errno == EFAULT, "futex_wait on a kernel address: EFAULT (errno %d)", errno);
	fword = 0;
	t = mk(5, wait_once, 0);
	int slept = asleep_in(t, "futex");
	r = __futex_wake(&fword, 1);
	__thread_join(t, NULL);
	check(slept && r == 1 && waited == 0, "futex_wake wakes a sleeping waiter (woke %d, it returned %ld)", r, waited);
	r = __futex_wake(&fword, 1);
	check(r == 0, "futex_wake with no one waiting: 0 (%d)", r);

	/* no lost wakeup */
	pp = 0;
	int a = mk(6, pingpong, (void *)0), b = mk(7, pingpong, (void *)1);
	__thread_join(a, NULL);
	__thread_join(b, NULL);
	check(pp_timeouts == 0, "%d futex ping-pong rounds, no wakeup lost (%d timeouts)", ROUNDS, pp_timeouts);

	/* exit, faults, kill */
	run_child(child_exit_ends_all, &st);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 7,
	      "exit in one thread ends the others (spinning, in read, futex, sleep): status %d", st);
	run_child(child_fault, &st);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a fault in one thread kills the process (status 0x%x)", st);
	int pid = fork();
	if (pid == 0) {
		pipe(blockpipe);
		mk(1, block_read, 0);
		mk(2, block_futex, 0);
		mk(3, block_sleep, 0);
		int gp[2];
		pipe(gp);
		int gc = fork();
		if (gc == 0) { /* ends when its parent dies: end of file */
			char ch;
			close(gp[1]);
			_exit(read(gp[0], &ch, 1));
		}
		close(gp[0]);
		mk(6, wait_a_child, (void *)(long)gc);
		join_target = mk(4, block_futex, 0);
		__thread_join(mk(5, join_other, 0), NULL);
		_exit(1);
	}
	int rowsfor = 0;
	for (unsigned long t1 = now_ms(); now_ms() - t1 < 10000; msleep(5))
		if ((rowsfor = tid_of_child_row(pid, &nt)) == 7)
			break;
	asleep_in(pid, "join");
	check(rowsfor == 7 && nt == 7, "procinfo has a row per thread (%d rows, %d threads)", rowsfor, nt);
	kill(pid, SIGKILL);
	st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "kill ends a process whose threads block in read, futex, sleep, join, wait (0x%x)", st);
	pid = fork();
	if (pid == 0) {
		mk(1, block_futex, 0);
		for (;;)
			msleep(100000);
	}
	int other = 0;
	for (unsigned long t1 = now_ms(); !other && now_ms() - t1 < 10000; msleep(5)) {
		static struct kprocinfo krows[128];
		int kn = procinfo(krows, 128);
		for (int i = 0; i < kn && i < 128; i++)
			if (krows[i].pid == pid && krows[i].tid != pid)
				other = krows[i].tid;
	}
	r = kill(other, SIGTERM);
	st = reap(pid);
	check(r == 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "kill of a second thread's tid ends its process (0x%x)", st);

	/* fork and exec from a thread */
	t = mk(0, fork_here, 0);
	__thread_join(t, &v);
	st = (int)(long)v;
	check(WIFEXITED(st) && WEXITSTATUS(st) == 3, "fork in a thread: the child has one thread, tid == pid (0x%x)", st);
	run_child(child_exec, &st);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 5, "exec in a thread ends the spinning others (0x%x)", st);

	/* zombie only after the last thread */
	pipe(syncpipe);
	pipe(gopipe);
	pid = fork();
	if (pid == 0) {
		mk(1, wait_go_then_end, 0);
		write(syncpipe[1], "m", 1);
		__thread_exit(0);
	}
	char c;
	read(syncpipe[0], &c, 1);
	int rows = 0;
	for (unsigned long t1 = now_ms(); now_ms() - t1 < 5000; msleep(5)) {
		rows = tid_of_child_row(pid, &nt);
		if (nt == 1)
			break;
	}
	check(nt == 1 && rows == 1, "the first thread's exit leaves one thread (%d)", nt);
	check(waitpid(pid, &st, WNOHANG) == 0, "the process is no zombie while a thread lives");
	write(gopipe[1], "g", 1);
	st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the last thread's thread_exit ends it with status 0 (0x%x)", st);

	close(syncpipe[0]);
	close(syncpipe[1]);
	close(gopipe[0]);
	close(gopipe[1]);

	/* close of a descriptor another thread sleeps reading */
	pipe(closepipe);
	t = mk(5, read_one, 0);
	int rd_asleep = asleep_in(t, "pipe read");
	r = close(closepipe[0]);
	int w = write(closepipe[1], "y", 1);
	__thread_join(t, NULL);
	close(closepipe[1]);
	check(rd_asleep && r == 0 && w == 1 && closegot == 'y',
	      "close of a descriptor a thread reads: the read goes on and gets the data (%d, write %d)", closegot, w);

	/* FPU registers per thread */
	for (int i = 0; i < 4; i++)
		fpu_want[i] = series(i + 1, 4000);
	int ft[4];
	for (int i = 0; i < 4; i++)
		ft[i] = mk(8 + i, fpu_thread, (void *)(long)i);
	double mine = series(9, 4000), mine_want = series(9, 4000);
	int fpu_ok = mine == mine_want;
	for (int i = 0; i < 4; i++) {
		__thread_join(ft[i], NULL);
		fpu_ok &= fpu_got[i] == fpu_want[i];
	}
	check(fpu_ok, "5 threads computing in floating point at once each keep their registers");

	/* the cap on threads per process */
	capword = 0;
	static int captid[CAPMAX];
	int ncap = 0, caperr = 0;
	while (ncap < CAPMAX) {
		int c = __thread_create(cap_wait, 0, smallstacks[ncap] + SMALLSTK, tls);
		if (c < 0) {
			caperr = errno;
			break;
		}
		captid[ncap++] = c;
	}
	check(ncap == 1023 && caperr == EAGAIN, "threads beyond 1024 in one process: EAGAIN (made %d, errno %d)", ncap,
	      caperr);
	capword = 1;
	__futex_wake(&capword, CAPMAX);
	int capjoined = 0;
	for (int i = 0; i < ncap; i++)
		capjoined += __thread_join(captid[i], NULL) == 0;
	check(capjoined == ncap, "and all %d of them end and are joined (%d)", ncap, capjoined);

	/* copy-on-write faults of several threads at once */
	memset(cowbuf, 0, sizeof cowbuf);
	int cow_bad = 0, parent_clean = 1;
	for (int round = 0; round < 20 && !cow_bad; round++) {
		pid = fork();
		if (pid == 0) { /* every page of cowbuf is shared with the parent */
			int ct[4];
			cow_go = cow_ready = 0;
			for (int k = 0; k < 4; k++)
				ct[k] = mk(8 + k, cow_writer, (void *)(long)k);
			while (cow_ready < 4)
				;
			cow_go = 1;
			for (int k = 0; k < 4; k++)
				__thread_join(ct[k], NULL);
			int bad = 0;
			for (int pg = 0; pg < COWPAGES; pg++)
				for (int k = 0; k < 4; k++)
					bad += cowbuf[pg * 4096 + k * 8] != (char)(pg + k + 1);
			_exit(bad ? 1 : 0);
		}
		st = reap(pid);
		cow_bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
		for (int i = 0; i < (int)sizeof cowbuf; i += 8)
			parent_clean &= cowbuf[i] == 0;
	}
	check(!cow_bad && parent_clean,
	      "4 threads breaking copy-on-write on the same pages at once, 20 times: every write lands, the parent's stay");

	/* memory back */
	unsigned long now = free_pages_settle(base);
	check(now == base, "free pages back to the baseline (%lu, was %lu)", now, base);
	return tap_done();
}
