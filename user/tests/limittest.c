/* limittest.c: per-user resource limits (getrlimit, setrlimit).
 *   limittest         the limits' values and rules (EPERM, EINVAL), the
 *                     address-space limit, and a uid 1000 fork bomb that
 *                     gets EAGAIN at RLIMIT_NPROC, after which everything
 *                     is reaped and every page comes back.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include "tap.h"

#define USER 1000
#define MAXKIDS 1024
static int pids[MAXKIDS];
static struct kprocinfo pi[MAXKIDS + 64];

/* Processes of uid that exist now. */
static int count_uid(int uid)
{
	int got = procinfo(pi, sizeof pi / sizeof pi[0]), n = 0;
	for (int i = 0; i < got && i < (int)(sizeof pi / sizeof pi[0]); i++)
		n += pi[i].uid == uid;
	return n;
}

/* Run fn in a child and return its exit status (its checks print there). */
static int in_child(void (*fn)(void))
{
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(tap_failed ? 1 : 0);
	}
	return reap(pid);
}

static void as_root(void)
{
	struct rlimit rl;
	struct kmeminfo mi;
	meminfo(&mi);
	check(getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur == mi.total_pages / 16 && rl.rlim_max == RLIM_INFINITY,
	      "root: RLIMIT_NPROC is one process per 16 pages (%lu), hard limit unlimited", (unsigned long)rl.rlim_cur);
	check(getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY, "root: RLIMIT_AS is unlimited");
	check(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 64 && rl.rlim_max == 64,
	      "RLIMIT_NOFILE reports the 64 open files a process may have");
	check(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur == 8UL << 20, "RLIMIT_STACK reports 8 MiB");
	check(getrlimit(42, &rl) == -1 && errno == EINVAL, "an unknown resource is EINVAL");
	check(getrlimit(RLIMIT_NPROC, (void *)0xffffffc080200000UL) == -1 && errno == EFAULT,
	      "a kernel pointer is EFAULT");
	rl.rlim_cur = rl.rlim_max = 5;
	check(setrlimit(RLIMIT_NPROC, &rl) == 0, "root lowers its RLIMIT_NPROC to 5");
	rl.rlim_cur = rl.rlim_max = 50;
	check(setrlimit(RLIMIT_NPROC, &rl) == 0, "and root raises it again, to 50");
	/* Enforced for root too: init, sh, limittest and this child are 4
	 * processes of root, so under a limit of 5 one fork fits (its child,
	 * a zombie until reaped, still counts) and the next does not. */
	rl.rlim_cur = rl.rlim_max = 5;
	setrlimit(RLIMIT_NPROC, &rl);
	int a = fork();
	if (a == 0)
		_exit(0);
	int b = fork(), err = errno;
	if (b == 0)
		_exit(0);
	if (a > 0)
		reap(a);
	if (b > 0)
		reap(b);
	check(a > 0 && b == -1 && err == EAGAIN, "root's fork at its limit is EAGAIN too (%d, %d, errno %d)", a, b, err);
	rl.rlim_cur = 10;
	rl.rlim_max = 5;
	check(setrlimit(RLIMIT_NPROC, &rl) == -1 && errno == EINVAL, "a soft limit above the hard one is EINVAL");
	rl.rlim_cur = rl.rlim_max = 32;
	check(setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EINVAL, "RLIMIT_NOFILE cannot be changed (EINVAL)");
	rl.rlim_cur = rl.rlim_max = 64;
	check(setrlimit(RLIMIT_NOFILE, &rl) == 0, "but may be \"set\" to what it is");
}

static void as_user(void)
{
	struct kmeminfo mi;
	meminfo(&mi);
	struct rlimit rl;
	check(setuid(USER) == 0, "setuid(%d)", USER);
	check(getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur == 128 && rl.rlim_max == 128,
	      "a user's RLIMIT_NPROC defaults to 128 (%lu, %lu)", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
	unsigned long half = mi.total_pages * mi.page_size / 2;
	check(getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur == half && rl.rlim_max == half,
	      "a user's RLIMIT_AS defaults to half of memory (%lu)", (unsigned long)rl.rlim_cur);
	rl.rlim_cur = 10;
	rl.rlim_max = 20;
	check(setrlimit(RLIMIT_NPROC, &rl) == 0, "a user lowers its own limit (10, hard 20)");
	rl.rlim_cur = 20;
	check(setrlimit(RLIMIT_NPROC, &rl) == 0, "and raises the soft limit up to the hard one");
	rl.rlim_cur = rl.rlim_max = 21;
	check(setrlimit(RLIMIT_NPROC, &rl) == -1 && errno == EPERM, "raising the hard limit is EPERM for a user");
	rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	check(setrlimit(RLIMIT_AS, &rl) == -1 && errno == EPERM, "and so is making RLIMIT_AS unlimited");
	check(getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur == 20 && rl.rlim_max == 20,
	      "the refused calls changed nothing (%lu, %lu)", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
	/* inherited: a child sees 20 too */
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		getrlimit(RLIMIT_NPROC, &rl);
		_exit(rl.rlim_cur == 20 ? 0 : 1);
	}
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork passes the limits on");
}

/* A stack frame of 6 MiB, in a function of its own: the caller's frame
 * stays small (GCC makes room for every local at function entry). */
static int __attribute__((noinline)) big_stack(void)
{
	volatile char big[6 << 20];
	big[0] = 1;
	return big[0];
}

/* RLIMIT_AS: a little room above what the process has now. */
static void address_space(void)
{
	struct rlimit rl;
	rl.rlim_cur = rl.rlim_max = 4UL << 20; /* image + stack are well under 4 MiB */
	check(setrlimit(RLIMIT_AS, &rl) == 0, "lower RLIMIT_AS to 4 MiB");
	check(sbrk(1 << 20) != (void *)-1, "sbrk of 1 MiB fits");
	check(sbrk(4 << 20) == (void *)-1 && errno == ENOMEM, "sbrk past the limit is ENOMEM");
	check(sbrk(4096) != (void *)-1, "and the heap still grows within it");
	fflush(stdout);
	int pid = fork();
	if (pid == 0)
		_exit(big_stack() == 1 ? 0 : 1);
	int st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a stack growing past it is killed (SIGSEGV, status 0x%x)",
	      st);
	/* Below what this process has: only new growth fails.  Nothing here
	 * may grow the stack until root (us) raises the limit again.  Two
	 * pages: less than hello's image and stack on either architecture
	 * (12 KiB + 4 on RISC-V; musl's on x86-64, 48 KiB, fit the 64 KiB
	 * this once was). */
	char *av[] = { "hello", NULL };
	struct rlimit tiny = { 8UL << 10, 8UL << 10 };
	setrlimit(RLIMIT_AS, &tiny);
	int sp = spawn("/bin/hello", av, NULL), err = errno;
	setrlimit(RLIMIT_AS, &rl);
	check(sp == -1 && err == ENOMEM, "spawn of an image larger than RLIMIT_AS is ENOMEM (errno %d)", err);
}

/* A fork bomb by uid 1000: fork until fork fails; the children block
 * on a pipe.  It must fail with EAGAIN with exactly 128 processes of the
 * user alive, and then everything must be reaped. */
static void bomb(void)
{
	int warm = fork();
	if (warm == 0)
		_exit(0);
	reap(warm);
	unsigned long base = free_pages();
	struct kmeminfo mi0;
	meminfo(&mi0);
	int rp[2], p[2];
	pipe(rp);
	pipe(p);
	fflush(stdout);
	int bomber = fork();
	if (bomber == 0) {
		close(rp[0]);
		setuid(USER);
		int err, n = fork_blocked(pids, MAXKIDS, p, &err);
		char *av[] = { "hello", NULL };
		int sp = spawn("/bin/hello", av, NULL);
		int r[5] = { n, err, count_uid(USER), sp < 0 ? errno : 0, 0 };
		write(rp[1], r, sizeof r);
		close(p[1]);
		int ok = 0;
		for (int i = 0; i < n; i++) {
			int st = reap(pids[i]);
			ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
		}
		write(rp[1], &ok, sizeof ok);
		_exit(0);
	}
	close(rp[1]);
	close(p[0]);
	close(p[1]);
	int r[5] = { -1, -1, -1, -1, -1 }, ok = -1;
	read(rp[0], r, sizeof r);
	read(rp[0], &ok, sizeof ok);
	close(rp[0]);
	int st = reap(bomber);
	note("bomber: %d children, fork errno %d, %d processes of uid %d, spawn errno %d, %d exited 0", r[0], r[1],
	     r[2], USER, r[3], ok);
	check(r[1] == EAGAIN, "a user's fork bomb gets EAGAIN (errno %d)", r[1]);
	check(r[2] == 128, "with exactly RLIMIT_NPROC (128) processes of the user (%d)", r[2]);
	check(r[3] == EAGAIN, "spawn at the limit is EAGAIN too (errno %d)", r[3]);
	check(ok == r[0] && WIFEXITED(st) && WEXITSTATUS(st) == 0, "every child exited and was reaped (%d of %d)", ok,
	      r[0]);
	/* the last exits may still be on their way: wait for them, up to 30 s
	 * (only the failing case waits that long) */
	struct kmeminfo mi;
	unsigned long now = 0;
	for (int i = 0; i < 1500; i++) {
		meminfo(&mi);
		/* free_pages() as for base: with the root on the disk it
		 * counts the cache's clean blocks, which meminfo's free_pages
		 * does not (the binaries read are cached there) */
		if (mi.nproc == mi0.nproc && (now = free_pages()) == base)
			break;
		msleep(20);
	}
	check(mi.nproc == mi0.nproc, "every process is gone (%lu, was %lu)", mi.nproc, mi0.nproc);
	check(now == base, "free pages back to the baseline (%lu, baseline %lu)", now, base);
	check(count_uid(USER) == 0, "no process of uid %d is left", USER);
}

int main(void)
{
	plan(37);
	int st = in_child(as_root);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "root's limits");
	st = in_child(as_user);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a user's limits");
	st = in_child(address_space);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the address-space limit");
	bomb();
	return tap_done();
}
