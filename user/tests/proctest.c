/* proctest.c: the process system calls, checked from user mode.
 * fork/exec/wait/exit, kill, sbrk, sleep, yield, bad numbers and pointers.
 *
 * Run without arguments it runs every check.  exec re-enters this program
 * with a mode as argv[1] (--argcheck, --argcount) so the child can check
 * what the kernel built on its stack.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include "tap.h"
#include "uarch.h"

#define SELF "/test/proctest"

extern char **environ;
int main(int argc, char **argv, char **envp);

/* --- modes the exec tests run this program in --- */

/* Exits 42 if argv and envp are exactly what test_exec_args passed. */
static int argcheck(int argc, char **argv, char **envp)
{
	static const char *const want_argv[] = { "proctest", "--argcheck", "hello world", "", "last" };
	static const char *const want_env[] = { "TD_A=1", "TD_B=two words", "TD_EMPTY=" };
	if (argc != 5)
		return 1;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], want_argv[i]) != 0)
			return 2;
	if (argv[argc] != NULL)
		return 3;
	for (int i = 0; i < 3; i++)
		if (!envp[i] || strcmp(envp[i], want_env[i]) != 0)
			return 4;
	if (envp[3] != NULL)
		return 5;
	if (environ != envp)
		return 6;
	const char *b = getenv("TD_B");
	if (!b || strcmp(b, "two words") != 0)
		return 7;
	/* crt0 was promised a 16-byte aligned stack */
	char probe;
	if (((unsigned long)argv & 7) != 0 || ((unsigned long)&probe >> 4) == 0)
		return 8;
	return 42;
}

/* Exits 42 if there are argv[2] arguments and argv[3] environment strings,
 * each one what test_exec_many built. */
static int argcount(int argc, char **argv, char **envp)
{
	if (argc < 4)
		return 1;
	int na = atoi(argv[2]), ne = atoi(argv[3]);
	if (argc != na)
		return 2;
	for (int i = 4; i < argc; i++) {
		char want[32];
		snprintf(want, sizeof want, "a%d", i);
		if (strcmp(argv[i], want) != 0)
			return 3;
	}
	int n = 0;
	for (; envp[n]; n++) {
		char want[32];
		snprintf(want, sizeof want, "E%d=%d", n, n);
		if (strcmp(envp[n], want) != 0)
			return 4;
	}
	return n == ne ? 42 : 5;
}

/* Exits 42 if exec kept what it must: the pid (argv[2]), a child forked
 * before the exec (argv[3], which exits 7) and an open pipe (fd argv[4],
 * holding "kept"). */
static int afterexec(int argc, char **argv)
{
	if (argc != 5)
		return 1;
	if (getpid() != atoi(argv[2]))
		return 2;
	int st;
	if (waitpid(atoi(argv[3]), &st, 0) != atoi(argv[3]) || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return 3;
	char buf[8] = { 0 };
	if (read(atoi(argv[4]), buf, 4) != 4 || strcmp(buf, "kept") != 0)
		return 4;
	return 42;
}

/* --- helpers --- */

/* A pointer the compiler cannot see through, so it does not warn about
 * (or optimise around) the bad addresses these tests pass on purpose. */
static void *bad(unsigned long a)
{
	__asm__("" : "+r"(a));
	return (void *)a;
}

static int run_child(void (*fn)(void))
{
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	return pid;
}

/* --- the checks --- */

static void test_fork_basics(void)
{
	int me = getpid();
	int p[2];
	pipe(p);
	int pid = fork();
	if (pid == 0) {
		int ids[2] = { getpid(), getppid() };
		write(p[1], ids, sizeof ids);
		_exit(0);
	}
	check(pid > 0, "fork returns the child's pid in the parent (%d)", pid);
	int ids[2] = { 0, 0 };
	read(p[0], ids, sizeof ids);
	close(p[0]);
	close(p[1]);
	check(ids[0] == pid, "child's getpid() is what fork returned (%d vs %d)", ids[0], pid);
	check(ids[1] == me, "child's getppid() is the parent's pid (%d vs %d)", ids[1], me);
	int st;
	int w = wait(&st);
	check(w == pid, "wait returns the child's pid");
	check(getppid() > 0, "getppid of the test itself is positive");
	check(syscall(SYS_getpid) == getpid(), "syscall(SYS_getpid) equals getpid()");
	check(syscall(SYS_getppid) == getppid(), "syscall(SYS_getppid) equals getppid()");
}

static void test_exit_status(void)
{
	static const int codes[] = { 0, 1, 7, 42, 255, 256, 257, -1 };
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		int pid = fork();
		if (pid == 0)
			_exit(codes[i]);
		int st = reap(pid);
		check(WIFEXITED(st) && WEXITSTATUS(st) == (codes[i] & 0xff),
		      "exit(%d) is seen by wait as exit status %d (raw 0x%x)", codes[i], codes[i] & 0xff, st);
	}
	/* exit() from main's return path, through the C library */
	int pid = fork();
	if (pid == 0)
		exit(3);
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 3, "exit(3) via the C library gives status 3");
	/* wait(NULL) is allowed */
	pid = fork();
	if (pid == 0)
		_exit(0);
	check(wait(NULL) == pid, "wait(NULL) reaps the child");
}

static void test_wait_errors(void)
{
	errno = 0;
	int r = wait(NULL);
	check(r == -1 && errno == ECHILD, "wait with no children fails with ECHILD (r=%d errno=%d)", r, errno);
	errno = 0;
	r = waitpid(-1, NULL, WNOHANG);
	check(r == -1 && errno == ECHILD, "waitpid(WNOHANG) with no children fails with ECHILD");
	errno = 0;
	r = waitpid(1, NULL, 0);
	check(r == -1 && errno == ECHILD, "waitpid on a process that is not a child fails with ECHILD");
}

static void test_waitpid(void)
{
	int slow = fork();
	if (slow == 0) {
		msleep(300);
		_exit(5);
	}
	int fast = fork();
	if (fast == 0)
		_exit(6);
	int st = -1;
	int r = waitpid(slow, &st, WNOHANG);
	check(r == 0, "waitpid(WNOHANG) on a running child returns 0 (r=%d)", r);
	r = waitpid(fast, &st, 0);
	check(r == fast && WEXITSTATUS(st) == 6, "waitpid(pid) picks that child (status %d)", WEXITSTATUS(st));
	r = waitpid(slow, &st, WNOHANG);
	check(r == 0, "the slow child is still running");
	r = waitpid(slow, &st, 0);
	check(r == slow && WEXITSTATUS(st) == 5, "waitpid(pid) blocks until that child exits");
	/* WNOHANG on a zombie reaps it */
	int z = fork();
	if (z == 0)
		_exit(9);
	msleep(50);
	r = waitpid(z, &st, WNOHANG);
	if (r == 0) { /* a loaded machine may not have run it yet */
		msleep(500);
		r = waitpid(z, &st, WNOHANG);
	}
	check(r == z && WEXITSTATUS(st) == 9, "waitpid(WNOHANG) reaps an exited child");
}

/* Many children at once, reaped in whatever order they end. */
static void test_many_children(void)
{
	enum { N = 64 };
	int pids[N], seen[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			if (i % 3 == 0)
				yield();
			_exit(i);
		}
		seen[i] = 0;
	}
	int ok = 1;
	for (int n = 0; n < N; n++) {
		int st, pid = wait(&st);
		int i = WEXITSTATUS(st);
		if (pid < 0 || i >= N || pids[i] != pid || seen[i]++)
			ok = 0;
	}
	check(ok, "%d children are each reaped once, with their own status", N);
	check(wait(NULL) == -1 && errno == ECHILD, "and then there are none");
}

static void test_orphans(void)
{
	int p[2];
	pipe(p);
	int mid = fork();
	if (mid == 0) {
		int g = fork();
		if (g == 0) {
			/* Wait for our parent to exit; init adopts us. */
			int pp = getppid();
			for (int i = 0; i < 300 && (pp = getppid()) != 1; i++)
				msleep(10);
			write(p[1], &pp, sizeof pp);
			_exit(0);
		}
		_exit(0);
	}
	close(p[1]);
	int st = reap(mid);
	int pp = -1;
	int n = read(p[0], &pp, sizeof pp);
	close(p[0]);
	check(WIFEXITED(st), "the middle process exits");
	check(n == sizeof pp && pp == 1, "an orphan's getppid() becomes 1 (init) (got %d)", pp);
}

static void sleeper(void)
{
	msleep(60000);
	_exit(1);
}

static void test_kill(void)
{
	/* a child asleep in msleep */
	int pid = run_child(sleeper);
	msleep(30);
	check(kill(pid, SIGKILL) == 0, "kill of a sleeping child succeeds");
	int t0 = uptime();
	int st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "its status shows SIGKILL (raw 0x%x)", st);
	/* Upper bounds on time here are loose: the host may be busy.  They
	 * still catch a wakeup that waits for the next turn of the timer
	 * wheel (2.56 s) or for the end of the sleep (60 s). */
	check(uptime() - t0 < 2000, "and it died at once, not when its sleep ended");

	/* a child blocked reading an empty pipe */
	int p[2];
	pipe(p);
	pid = fork();
	if (pid == 0) {
		char c;
		read(p[0], &c, 1);
		_exit(1);
	}
	msleep(30);
	kill(pid, SIGTERM);
	st = reap(pid);
	close(p[0]);
	close(p[1]);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "a child blocked on a pipe read dies of SIGTERM");

	/* a child blocked in wait() for its own child */
	pid = fork();
	if (pid == 0) {
		int g = run_child(sleeper);
		(void)g;
		wait(NULL);
		_exit(1);
	}
	msleep(30);
	kill(pid, SIGINT);
	st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "a child blocked in wait() dies of SIGINT");

	/* a child that never makes a system call */
	pid = fork();
	if (pid == 0) {
		for (volatile int i = 0;; i++)
			;
	}
	msleep(30);
	kill(pid, SIGKILL);
	st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "a spinning child dies of SIGKILL");

	/* killing oneself */
	pid = fork();
	if (pid == 0) {
		kill(getpid(), SIGTERM);
		_exit(1);
	}
	st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "a process that kills itself dies");

	/* Killed right after fork, before it ever ran: it must not get to do
	 * anything.  Only on one hart is "before it ever ran" certain: there
	 * the parent keeps the CPU from fork to kill.  With more, an idle
	 * hart is woken for the child at once and may well run it first. */
	struct kmeminfo mi;
	meminfo(&mi);
	if (mi.ncpu == 1) {
		int made = 0;
		for (int i = 0; i < 20; i++) {
			msleep(1); /* start on a fresh time slice */
			pid = fork();
			if (pid == 0) {
				close(open("/tmp-proctest-killed", O_CREAT | O_WRONLY, 0644));
				_exit(0);
			}
			kill(pid, SIGKILL);
			st = reap(pid);
			made += unlink("/tmp-proctest-killed") == 0;
		}
		check(made == 0, "a child killed before it ran makes no system call (%d of 20 did)", made);
	} else {
		printf("ok - (a child killed before it ran: checked on one hart only, %lu here)\n", mi.ncpu);
	}

	/* Another user's processes cannot be signalled, by pid or by group. */
	int victim = run_child(sleeper);
	setpgid(victim, victim);
	pid = fork();
	if (pid == 0) {
		setuid(1000);
		int by_pid = kill(victim, SIGKILL) == -1 && errno == EPERM;
		int by_group = kill(-victim, SIGKILL) == -1 && errno == EPERM;
		_exit(by_pid && by_group ? 0 : 1);
	}
	st = reap(pid);
	int alive = waitpid(victim, NULL, WNOHANG) == 0;
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && alive,
	      "a non-root process gets EPERM killing root's process by pid or by group (victim %s)",
	      alive ? "alive" : "killed");
	kill(victim, SIGKILL);
	reap(victim);

	/* Nor raise its priority above everyone's, or lower theirs. */
	pid = fork();
	if (pid == 0) {
		setuid(1000);
		int up = setprio(0, 0) == -1 && errno == EPERM;
		int other = setprio(getppid(), 7) == -1 && errno == EPERM;
		int down = setprio(0, 6) == 0;
		_exit(up && other && down ? 0 : 1);
	}
	st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a non-root process may lower its own priority, not raise it nor touch root's");

	/* Nor turn on tracing for the whole machine, or read everyone's events. */
	pid = fork();
	if (pid == 0) {
		setuid(1000);
		struct ktevent ev[4];
		int set = tracectl(TRACECTL_SETMASK, TR_SYSCALL, 0) == -1 && errno == EPERM;
		int rd = traceread(ev, sizeof ev) == -1 && errno == EPERM;
		int look = tracectl(TRACECTL_GETMASK, 0, 0) >= 0;
		_exit(set && rd && look ? 0 : 1);
	}
	st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a non-root process may read the trace mask but not set it or drain the rings");

	errno = 0;
	check(kill(999999, SIGKILL) == -1 && errno == ESRCH, "kill of a pid that does not exist: ESRCH");
	errno = 0;
	check(kill(getpid(), 0) == -1 && errno == EINVAL, "kill with signal 0: EINVAL");
	errno = 0;
	check(kill(getpid(), 99) == -1 && errno == EINVAL, "kill with signal 99: EINVAL");
}

static void test_pipes_and_zombies(void)
{
	/* A writer with no reader left dies of SIGPIPE. */
	int p[2];
	pipe(p);
	close(p[0]);
	int pid = fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(1);
	}
	close(p[1]);
	int st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "a write to a pipe with no reader kills with SIGPIPE");

	/* A writer blocked on a full pipe can be killed. */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		static char big[64 * 1024];
		write(p[1], big, sizeof big); /* fills the pipe and blocks */
		_exit(1);
	}
	msleep(50);
	kill(pid, SIGKILL);
	st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "a writer blocked on a full pipe dies of SIGKILL");
	/* what it wrote before is still there for the reader */
	char buf[512];
	int r = read(p[0], buf, sizeof buf);
	check(r > 0, "and the reader gets the bytes written before (%d)", r);
	close(p[0]);
	close(p[1]);

	/* Zombies wait to be reaped, however many, however long.  Twice:
	 * the first round sizes the kernel's object caches, the second must
	 * give back every page it took. */
	enum { NZ = 300 };
	static int zp[NZ];
	for (int round = 0; round < 2; round++) {
		unsigned long before = free_pages();
		for (int i = 0; i < NZ; i++) {
			zp[i] = fork();
			if (zp[i] == 0)
				_exit(i & 0xff);
		}
		msleep(100);
		struct kmeminfo mi;
		meminfo(&mi);
		int ok = 1;
		for (int i = NZ - 1; i >= 0; i--) {
			st = reap(zp[i]);
			ok &= WIFEXITED(st) && WEXITSTATUS(st) == (i & 0xff);
		}
		unsigned long after = free_pages();
		if (round == 0)
			continue;
		check(ok, "%d zombies are reaped later, newest first, each with its status", NZ);
		check(mi.nproc >= (unsigned long)NZ, "meminfo counted the zombies (%lu processes)", mi.nproc);
		check(after == before, "and their memory is all back (%lu, %lu)", before, after);
	}
}

/* Each way of faulting, run in a child: the signal its parent sees. */
static int fault_child(int how)
{
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		static char data[64] __attribute__((aligned(8)));
		switch (how) {
		case 0: *(volatile int *)0 = 1; break;
		case 1: ua_privileged(); break;
		case 2: ua_breakpoint(); break;
		case 3: ua_illegal(); break;
		case 4: ((void (*)(void))bad(KERNEL_ADDR))(); break;
		case 5: /* data is not executable */
			memcpy(data, (void *)main, sizeof data);
			((void (*)(void))(void *)data)();
			break;
		case 6: (void)*(volatile char *)bad(UA_STACK_GUARD); break;
		case 7: *(volatile int *)bad((unsigned long)main) = 0; break;
		case 8: (void)*(volatile char *)bad(UA_USER_END); break;
		}
		_exit(1);
	}
	return reap(pid);
}

static void test_faults(void)
{
	static const struct {
		int sig;
		const char *what;
	} f[] = {
		{ SIGSEGV, "a store to NULL" },
		{ SIGILL, UA_PRIVILEGED },
		{ SIGTRAP, UA_BREAKPOINT },
		{ SIGILL, UA_ILLEGAL },
		{ SIGSEGV, "a jump into the kernel" },
		{ SIGSEGV, "a jump into data" },
		{ SIGSEGV, "a load from the stack's guard page" },
		{ SIGSEGV, "a store into its own text" },
		{ SIGSEGV, "a load just past the end of user space" },
	};
	for (int i = 0; i < (int)(sizeof f / sizeof f[0]); i++) {
		int st = fault_child(i);
		check(WIFSIGNALED(st) && WTERMSIG(st) == f[i].sig, "%s kills with signal %d (status 0x%x)", f[i].what,
		      f[i].sig, st);
	}
}

static void test_exec_args(void)
{
	char *argv[] = { "proctest", "--argcheck", "hello world", "", "last", NULL };
	char *envp[] = { "TD_A=1", "TD_B=two words", "TD_EMPTY=", NULL };
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		execve(SELF, argv, envp);
		_exit(99);
	}
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "fork+exec passes argv and envp exactly (child said %d)",
	      WEXITSTATUS(st));

	pid = spawn(SELF, argv, envp);
	st = reap(pid);
	check(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 42, "spawn passes argv and envp exactly (child said %d)",
	      WEXITSTATUS(st));
}

/* Long argument lists: the kernel builds the vectors on the new stack. */
static void test_exec_many(void)
{
	enum { NA = 1000, NE = 1000 };
	static char *argv[NA + 1], *envp[NE + 1];
	static char abuf[NA][12], ebuf[NE][16];
	argv[0] = "proctest";
	argv[1] = "--argcount";
	snprintf(abuf[2], sizeof abuf[2], "%d", NA);
	snprintf(abuf[3], sizeof abuf[3], "%d", NE);
	argv[2] = abuf[2];
	argv[3] = abuf[3];
	for (int i = 4; i < NA; i++) {
		snprintf(abuf[i], sizeof abuf[i], "a%d", i);
		argv[i] = abuf[i];
	}
	argv[NA] = NULL;
	for (int i = 0; i < NE; i++) {
		snprintf(ebuf[i], sizeof ebuf[i], "E%d=%d", i, i);
		envp[i] = ebuf[i];
	}
	envp[NE] = NULL;
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		execve(SELF, argv, envp);
		_exit(99);
	}
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "exec with %d arguments and %d environment strings (child said %d)",
	      NA, NE, WEXITSTATUS(st));
	pid = spawn(SELF, argv, envp);
	st = reap(pid);
	check(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 42, "spawn with %d arguments and %d environment strings",
	      NA, NE);

	/* Too many arguments, or too many bytes of them: E2BIG, and the caller
	 * is still here. */
	enum { BIG = 3000 };
	char **big = malloc((BIG + 1) * sizeof *big);
	for (int i = 0; i < BIG; i++)
		big[i] = "x";
	big[BIG] = NULL;
	errno = 0;
	int r = execve(SELF, big, envp);
	check(r == -1 && errno == E2BIG, "exec with %d arguments fails with E2BIG (errno %d)", BIG, errno);
	char *huge = malloc(64 * 1024);
	memset(huge, 'h', 64 * 1024 - 1);
	huge[64 * 1024 - 1] = 0;
	char *hv[] = { "proctest", huge, NULL };
	errno = 0;
	r = execve(SELF, hv, NULL);
	check(r == -1 && errno == E2BIG, "exec with a 64 KiB argument fails with E2BIG (errno %d)", errno);
	free(huge);
	free(big);
}

static void test_exec_errors(void)
{
	char *argv[] = { "x", NULL };
	errno = 0;
	int r = execve("/no/such/program", argv, NULL);
	check(r == -1 && errno == ENOENT, "exec of a missing file: ENOENT (errno %d)", errno);
	errno = 0;
	r = execve("/bin", argv, NULL);
	check(r == -1 && errno == EACCES, "exec of a directory: EACCES (errno %d)", errno);
	errno = 0;
	r = execve("/dev/null", argv, NULL);
	check(r == -1 && errno == EACCES, "exec of a device: EACCES (errno %d)", errno);
	/* an ordinary file that is not ELF */
	int fd = open("/tmp-proctest-notelf", O_CREAT | O_WRONLY | O_TRUNC, 0755);
	if (fd >= 0) {
		write(fd, "#!/bin/sh\necho no\n", 18);
		close(fd);
		errno = 0;
		r = execve("/tmp-proctest-notelf", argv, NULL);
		check(r == -1 && errno == ENOEXEC, "exec of a non-ELF file: ENOEXEC (errno %d)", errno);
		unlink("/tmp-proctest-notelf");
	}
	errno = 0;
	r = execve(SELF, bad(1), NULL);
	check(r == -1 && errno == EFAULT, "exec with argv = 0x1: EFAULT (errno %d)", errno);
	errno = 0;
	r = execve(SELF, bad(KERNEL_ADDR), NULL);
	check(r == -1 && errno == EFAULT, "exec with argv in kernel memory: EFAULT (errno %d)", errno);
	char *badstr[] = { "proctest", bad(KERNEL_ADDR), NULL };
	errno = 0;
	r = execve(SELF, badstr, NULL);
	check(r == -1 && errno == EFAULT, "exec with an argv string in kernel memory: EFAULT (errno %d)", errno);
	errno = 0;
	r = execve(SELF, argv, bad(3));
	check(r == -1 && errno == EFAULT, "exec with envp = 0x3: EFAULT (errno %d)", errno);
	errno = 0;
	r = execve(bad(KERNEL_ADDR), argv, NULL);
	check(r == -1 && errno == EFAULT, "exec with the path in kernel memory: EFAULT (errno %d)", errno);
	errno = 0;
	r = spawn(SELF, bad(1), NULL);
	check(r == -1 && errno == EFAULT, "spawn with argv = 0x1: EFAULT (errno %d)", errno);
	check(getpid() > 0, "the process is intact after failed execs");
}

/* ELF files that exec must refuse after it has started loading them:
 * every page it mapped on the way must come back. */
struct elf64 {
	unsigned char ident[16];
	unsigned short type, machine;
	unsigned int version;
	unsigned long entry, phoff, shoff;
	unsigned int flags;
	unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr64 {
	unsigned int type, flags;
	unsigned long off, vaddr, paddr, filesz, memsz, align;
};

static int write_elf(const char *path, const struct phdr64 *ph, int n)
{
	struct elf64 eh = { .ident = { 0x7f, 'E', 'L', 'F', 2, 1, 1 }, .type = 2, .machine = UA_ELF_MACHINE, .version = 1,
			    .entry = 0x10000, .phoff = sizeof eh, .ehsize = sizeof eh,
			    .phentsize = sizeof(struct phdr64), .phnum = n };
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	if (fd < 0)
		return -1;
	write(fd, &eh, sizeof eh);
	write(fd, ph, n * sizeof *ph);
	static char pad[8192];
	write(fd, pad, sizeof pad);
	close(fd);
	return 0;
}

static void test_exec_bad_elf(void)
{
	const char *path = "/tmp-proctest-badelf";
	char *argv[] = { "badelf", NULL };
	/* a good 1 MiB text segment, then one both writable and executable */
	struct phdr64 ph[2] = {
		{ .type = 1, .flags = 5, .off = 0, .vaddr = 0x10000, .filesz = 8192, .memsz = 1 << 20, .align = 4096 },
		{ .type = 1, .flags = 7, .off = 0, .vaddr = 0x200000, .filesz = 0, .memsz = 4096, .align = 4096 },
	};
	/* a good segment, then one overlapping it */
	struct phdr64 ov[2] = {
		{ .type = 1, .flags = 5, .off = 0, .vaddr = 0x10000, .filesz = 8192, .memsz = 1 << 20, .align = 4096 },
		{ .type = 1, .flags = 6, .off = 0, .vaddr = 0x20000, .filesz = 0, .memsz = 4096, .align = 4096 },
	};
	const struct phdr64 *cases[] = { ph, ov };
	const char *what[] = { "a W+X segment after a good one", "overlapping segments" };
	for (int c = 0; c < 2; c++) {
		if (write_elf(path, cases[c], 2) < 0) {
			check(0, "cannot write %s", path);
			return;
		}
		execve(path, argv, NULL); /* once first: caches settle */
		unsigned long before = free_pages();
		errno = 0;
		int r = execve(path, argv, NULL);
		int e = errno;
		unsigned long after = free_pages();
		check(r == -1 && e == ENOEXEC, "exec of an ELF with %s: ENOEXEC (errno %d)", what[c], e);
		check(after == before, "and every page it mapped before failing comes back (%lu, %lu)", before, after);
	}
	unlink(path);
}

/* exec replaces the image, not the process. */
static void test_exec_keeps(void)
{
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		int p[2];
		pipe(p);
		write(p[1], "kept", 4);
		int c = fork();
		if (c == 0)
			_exit(7);
		char spid[16], sc[16], sfd[16];
		snprintf(spid, sizeof spid, "%d", getpid());
		snprintf(sc, sizeof sc, "%d", c);
		snprintf(sfd, sizeof sfd, "%d", p[0]);
		char *argv[] = { "proctest", "--afterexec", spid, sc, sfd, NULL };
		execve(SELF, argv, NULL);
		_exit(99);
	}
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42,
	      "exec keeps the pid, the children and the open files (child said %d)", WEXITSTATUS(st));
}

/* Argument count 0: the C runtime must cope, and the kernel must too. */
static void test_exec_noargs(void)
{
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		char *argv[] = { NULL };
		execve("/bin/hello", argv, NULL);
		_exit(99);
	}
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec with an empty argv runs the program (status 0x%x)", st);
}

static void test_sbrk(void)
{
	/* Start at a page boundary: the rest of a partly used page keeps its
	 * bytes when the break moves down and up again, as on Unix. */
	char *a = sbrk(0);
	sbrk((4096 - (unsigned long)a % 4096) % 4096);
	a = sbrk(0);
	char *b = sbrk(3 * 4096);
	check(a == b, "sbrk(n) returns the old break");
	memset(b, 0x5a, 3 * 4096);
	check(sbrk(0) == a + 3 * 4096, "the break moved by n");
	char *c = sbrk(-3 * 4096);
	check(c == a + 3 * 4096 && sbrk(0) == a, "sbrk(-n) shrinks it back");
	char *d = sbrk(100);
	check(d == a && sbrk(0) == a + 100, "sbrk by a byte count that is not page-aligned");
	int zero = 1;
	for (int i = 0; i < 100; i++)
		zero &= d[i] == 0;
	check(zero, "new heap memory reads as zero (even after it was freed and reused)");
	sbrk(-100);

	/* The heap above the break is gone: touching it kills. */
	int pid = fork();
	if (pid == 0) {
		char *x = sbrk(8192);
		x[4096] = 1;
		sbrk(-8192);
		x[4096] = 2;
		_exit(0);
	}
	int st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a write above a shrunk break kills with SIGSEGV");

	errno = 0;
	void *r = sbrk(-(int)(1 << 30));
	check(r == (void *)-1 && errno == EINVAL, "shrinking below the heap's start fails (errno %d)", errno);
	check(sbrk(0) == a, "and leaves the break alone");

	/* More than the machine has: ENOMEM, and nothing is lost. */
	unsigned long before = free_pages();
	errno = 0;
	r = sbrk(0x7ffff000);
	check(r == (void *)-1 && errno == ENOMEM, "sbrk(2 GiB) fails with ENOMEM (errno %d)", errno);
	check(sbrk(0) == a, "and leaves the break alone");
	unsigned long after = free_pages();
	check(after == before, "and gives back every page it took (%lu before, %lu after)", before, after);

	/* grow and shrink in a child; all pages return when it is reaped */
	for (int round = 0; round < 2; round++) {
		before = free_pages();
		pid = fork();
		if (pid == 0) {
			char *x = sbrk(16 << 20);
			if (x == (void *)-1)
				_exit(1);
			for (int i = 0; i < (16 << 20); i += 4096)
				x[i] = 1;
			sbrk(-(16 << 20));
			sbrk(8 << 20);
			sbrk(-(4 << 20));
			_exit(0);
		}
		st = reap(pid);
		after = free_pages();
		if (round == 1)
			check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && after == before,
			      "a child that grows and shrinks its heap leaves free pages as they were (%lu, %lu)", before,
			      after);
	}
}

static void test_time(void)
{
	int t0 = uptime();
	check(t0 > 0, "uptime is positive (%d ms)", t0);
	static const int durations[] = { 1, 15, 100, 250 };
	for (unsigned i = 0; i < sizeof durations / sizeof durations[0]; i++) {
		int ms = durations[i];
		int a = uptime();
		int r = msleep(ms);
		int dt = uptime() - a;
		/* uptime counts whole ms: a true ms-long sleep reads >= ms - 1 */
		check(r == 0 && dt >= ms - 1 && dt < ms + 1000, "msleep(%d) sleeps %d ms", ms, dt);
	}
	/* "at least ms": never short, however the sleep falls between ticks */
	int shortest = 1000000000;
	for (int i = 0; i < 20; i++) {
		long c0 = clock_ns();
		msleep(10 + i % 3);
		int us = (clock_ns() - c0) / 1000;
		int want = (10 + i % 3) * 1000;
		if (us - want < shortest)
			shortest = us - want;
		if (i % 4 == 0) /* start the next one at another point of a tick */
			for (volatile int j = 0; j < 20000 * i; j++)
				;
	}
	check(shortest >= 0, "msleep(10..12) never returns early (worst: %d us over)", shortest);
	int a = uptime();
	check(msleep(0) == 0 && uptime() - a < 1000, "msleep(0) returns at once");
	check(yield() == 0, "yield returns 0");
	int all0 = 1;
	for (int i = 0; i < 1000; i++)
		all0 &= yield() == 0;
	check(all0, "1000 yields all return 0");
	long c0 = clock_ns();
	msleep(20);
	long c1 = clock_ns();
	check(c1 - c0 >= 19000000 && c1 - c0 < 2000000000L, "clock_ns advances with msleep (%ld ns)", c1 - c0);
}

static void test_bad_syscalls(void)
{
	static const long nums[] = UA_NO_CALLS;
	for (unsigned i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		errno = 0;
		long r = syscall(nums[i], 1, 2, 3, 4, 5, 6);
		check(r == -1 && errno == ENOSYS, "syscall number %ld: -1, ENOSYS (r=%ld errno=%d)", nums[i], r, errno);
	}
	/* What the stubs do with a negative result (uarch.h): an error only in
	 * [-4095, -1], as in Linux; a lower one is a value. */
	static const long neg[] = { -1, -4095, -4096, -0x7fffffffffffffffL - 1 };
	int right = 0;
	for (unsigned i = 0; i < sizeof neg / sizeof neg[0]; i++) {
		errno = 0;
		long r = ua_syscall_result(neg[i]);
		right += neg[i] >= -4095 ? r == -1 && errno == -neg[i] : r == neg[i] && errno == 0;
	}
	check(right == 4, "a result in [-4095, -1] is -errno, a lower one a value (%d of 4 right)", right);
}

static void test_bad_pointers(void)
{
	int p[2];
	pipe(p);
	write(p[1], "abcdef", 6);
	errno = 0;
	int r = read(p[0], bad(1), 6);
	check(r == -1 && errno == EFAULT, "read into address 0x1: EFAULT (r=%d errno=%d)", r, errno);
	char buf[8] = { 0 };
	r = read(p[0], buf, 6);
	check(r == 6 && memcmp(buf, "abcdef", 6) == 0, "the data is still there after the failed read");
	write(p[1], "ghijkl", 6);
	errno = 0;
	r = read(p[0], bad(KERNEL_ADDR), 6);
	check(r == -1 && errno == EFAULT, "read into kernel memory: EFAULT (r=%d errno=%d)", r, errno);
	r = read(p[0], buf, 6);
	check(r == 6 && memcmp(buf, "ghijkl", 6) == 0, "and again the data is still there");
	errno = 0;
	r = write(p[1], bad(KERNEL_ADDR), 10);
	check(r == -1 && errno == EFAULT, "write from kernel address 0x%lx: EFAULT (errno %d)", KERNEL_ADDR, errno);
	errno = 0;
	r = write(1, bad(KERNEL_ADDR), 10);
	check(r == -1 && errno == EFAULT, "write to the console from kernel memory: EFAULT (errno %d)", errno);
	errno = 0;
	r = write(1, bad(1), 10);
	check(r == -1 && errno == EFAULT, "write to the console from 0x1: EFAULT (errno %d)", errno);
	errno = 0;
	r = write(p[1], (void *)main, 16);
	check(r == 16, "write from the program's own text works (r=%d)", r);
	errno = 0;
	r = read(p[0], (void *)main, 16);
	check(r == -1 && errno == EFAULT, "read into the program's own text: EFAULT (errno %d)", errno);
	close(p[0]);
	close(p[1]);

	errno = 0;
	r = pipe(bad(KERNEL_ADDR));
	check(r == -1 && errno == EFAULT, "pipe into kernel memory: EFAULT");
	errno = 0;
	r = meminfo(bad(8));
	check(r == -1 && errno == EFAULT, "meminfo into 0x8: EFAULT");
	errno = 0;
	r = procinfo(bad(KERNEL_ADDR), 4);
	check(r == -1 && errno == EFAULT, "procinfo into kernel memory: EFAULT");
	errno = 0;
	r = open(bad(KERNEL_ADDR), O_RDONLY);
	check(r == -1 && errno == EFAULT, "open with a kernel-address path: EFAULT");

	/* wait's status pointer: checked, and the call still fails cleanly */
	int pid = fork();
	if (pid == 0)
		_exit(0);
	msleep(20);
	errno = 0;
	r = wait(bad(KERNEL_ADDR));
	check(r == -1 && errno == EFAULT, "wait with a kernel-address status: EFAULT (r=%d errno=%d)", r, errno);
	waitpid(pid, NULL, 0);

	/* a buffer that runs off the end of the mapped memory */
	char *top = sbrk(0);
	pipe(p);
	write(p[1], "0123456789", 10);
	errno = 0;
	r = read(p[0], top - 4, 10);
	check(r == -1 || r == 4, "a read that runs past the break fails or stops there (r=%d)", r);
	close(p[0]);
	close(p[1]);
}

static void test_libc(void)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%d|%5s|%-3d|%x|%lu|%c", -42, "ab", 7, 0xbeef, 123456789012UL, 'z');
	check(strcmp(buf, "-42|   ab|7  |beef|123456789012|z") == 0, "printf formats: %s", buf);
	snprintf(buf, sizeof buf, "%.3f", 3.14159);
	check(strcmp(buf, "3.142") == 0, "printf of a double uses the FPU: %s", buf);
	errno = 0;
	int fd = open("/no/such/file", O_RDONLY);
	check(fd == -1 && errno == ENOENT, "errno is ENOENT after a failed open");
	errno = 0;
	check(close(1234) == -1 && errno == EBADF, "errno is EBADF after close(1234)");

	/* malloc: many blocks of many sizes, written and checked */
	enum { NB = 500 };
	static unsigned char *blocks[NB];
	static size_t sizes[NB];
	int ok = 1;
	for (int i = 0; i < NB; i++) {
		sizes[i] = (i * 7919) % 5000 + 1;
		blocks[i] = malloc(sizes[i]);
		if (!blocks[i]) {
			ok = 0;
			break;
		}
		memset(blocks[i], i & 0xff, sizes[i]);
	}
	for (int i = 0; ok && i < NB; i += 2) {
		free(blocks[i]);
		blocks[i] = NULL;
	}
	for (int i = 1; ok && i < NB; i += 2)
		for (size_t j = 0; j < sizes[i]; j++)
			if (blocks[i][j] != (i & 0xff))
				ok = 0;
	for (int i = 0; i < NB; i++)
		free(blocks[i]);
	check(ok, "malloc'd blocks keep their contents across other frees");
	char *big = malloc(4 << 20);
	check(big != NULL, "malloc of 4 MiB");
	if (big) {
		memset(big, 1, 4 << 20);
		big = realloc(big, 8 << 20);
		check(big && big[(4 << 20) - 1] == 1, "realloc to 8 MiB keeps the data");
		free(big);
	}
	int *z = calloc(1000, sizeof *z);
	int allzero = z != NULL;
	for (int i = 0; z && i < 1000; i++)
		allzero &= z[i] == 0;
	free(z);
	check(allzero, "calloc memory is zeroed");
	check(strtol("-0x1f", NULL, 16) == -31, "strtol works");
}

int main(int argc, char **argv, char **envp)
{
	if (argc > 1 && strcmp(argv[1], "--argcheck") == 0)
		return argcheck(argc, argv, envp);
	if (argc > 1 && strcmp(argv[1], "--argcount") == 0)
		return argcount(argc, argv, envp);
	if (argc > 1 && strcmp(argv[1], "--afterexec") == 0)
		return afterexec(argc, argv);
	if (argc == 0)
		return 0;

	plan(137);
	test_fork_basics();
	test_exit_status();
	test_wait_errors();
	test_waitpid();
	test_many_children();
	test_orphans();
	test_kill();
	test_faults();
	test_pipes_and_zombies();
	test_exec_args();
	test_exec_many();
	test_exec_errors();
	test_exec_noargs();
	test_exec_bad_elf();
	test_exec_keeps();
	test_sbrk();
	test_time();
	test_bad_syscalls();
	test_bad_pointers();
	test_libc();
	return tap_done();
}
