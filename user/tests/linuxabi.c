/* linuxabi.c: the Linux-ABI calls of kernel/linux.c, each as a program sees it.
 * On RISC-V they have numbers of their own (SYS_linux_*); on x86-64 Linux's.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "tap.h"
#include "uarch.h"
#include "trapdoor/linux.h"

#ifdef __x86_64__
#define LX(name) SYS_##name
#else
#define LX(name) SYS_linux_##name
#endif

#ifndef O_LARGEFILE
#define O_LARGEFILE 0 /* picolibc: every file is large */
#endif

#define DIR "/tmp/linuxabi.d"
#define LINUX_SIG_BLOCK 0 /* picolibc's SIG_BLOCK is 1 */

static long sc(long n, long a, long b, long c, long d, long e)
{
	errno = 0;
	return syscall(n, a, b, c, d, e, 0);
}
#define E(n) (r == -1 && errno == (n))

static void test_vectors(void)
{
	int p[2];
	check(sc(LX(pipe2), (long)p, O_CLOEXEC, 0, 0, 0) == 0, "pipe2(p, O_CLOEXEC) = 0");
	long r = sc(LX(pipe2), (long)p, 1, 0, 0, 0);
	check(E(EINVAL), "pipe2 with a flag it does not know: EINVAL (%ld, %d)", r, errno);
	struct linux_iovec w[3] = { { (unsigned long)"ab", 2 }, { (unsigned long)"", 0 }, { (unsigned long)"cdef", 4 } };
	r = sc(LX(writev), p[1], (long)w, 3, 0, 0);
	check(r == 6, "writev of 2 + 0 + 4 bytes = 6 (%ld)", r);
	char a[3] = { 0 }, b[8] = { 0 };
	struct linux_iovec v[2] = { { (unsigned long)a, 2 }, { (unsigned long)b, 7 } };
	r = sc(LX(readv), p[0], (long)v, 2, 0, 0);
	check(r == 6 && !strcmp(a, "ab") && !strcmp(b, "cdef"), "readv fills 2 then 4 (%ld '%s' '%s')", r, a, b);
	r = sc(LX(writev), p[1], (long)w, -1, 0, 0);
	check(E(EINVAL), "writev with a negative count: EINVAL");
	r = sc(LX(dup3), p[0], p[0], 0, 0, 0);
	check(E(EINVAL), "dup3(fd, fd): EINVAL");
	r = sc(LX(dup3), p[0], 20, O_CLOEXEC, 0, 0);
	check(r == 20, "dup3(fd, 20, O_CLOEXEC) = 20 (%ld)", r);
	r = sc(LX(ioctl), p[0], TIOCGWINSZ, (long)a, 0, 0);
	check(E(ENOTTY), "ioctl(pipe, TIOCGWINSZ): ENOTTY");
	r = sc(LX(fcntl), p[1], F_GETFL, 0, 0, 0);
	check(r == O_WRONLY, "fcntl(write end, F_GETFL) = O_WRONLY (%ld)", r);
	close(20);
	close(p[0]);
	close(p[1]);
	int fd = open("/dev/console", O_RDWR);
	struct linux_winsize ws = { 0 };
	r = sc(LX(ioctl), fd, TIOCGWINSZ, (long)&ws, 0, 0);
	check(r == 0 && ws.row == 24 && ws.col == 80, "ioctl(console, TIOCGWINSZ): 24 x 80 (%ld, %d x %d)", r, ws.row, ws.col);
	struct linux_termios t = { 0 };
	r = sc(LX(ioctl), fd, TCGETS, (long)&t, 0, 0);
	check(r == 0 && (t.lflag & 2), "ioctl(console, TCGETS): canonical (%ld, lflag %o)", r, t.lflag);
	close(fd);
}

static void test_files(void)
{
	long r = sc(LX(mkdirat), LINUX_AT_FDCWD, (long)DIR, 0755, 0, 0);
	check(r == 0, "mkdirat(LINUX_AT_FDCWD, " DIR ") = 0 (%ld, %d)", r, errno);
	int fd = sc(LX(openat), LINUX_AT_FDCWD, (long)DIR "/f", O_CREAT | O_WRONLY | O_CLOEXEC | O_LARGEFILE, 0644, 0);
	check(fd >= 0 && write(fd, "hello", 5) == 5, "openat(LINUX_AT_FDCWD, f, O_CREAT|O_CLOEXEC), write 5 (fd %d)", fd);
	r = sc(LX(openat), fd, (long)"f", O_RDONLY, 0, 0);
	check(E(EINVAL), "openat(fd, relative): EINVAL (no directory descriptors)");
	struct linux_stat st;
	memset(&st, 0xff, sizeof st);
	r = sc(LX(fstat), fd, (long)&st, 0, 0, 0);
	check(r == 0 && st.size == 5 && (st.mode & S_IFMT) == S_IFREG && st.nlink == 1 && st.blksize == 4096 &&
		      st.unused[0] == 0,
	      "fstat: Linux's layout, size 5, a regular file (%ld, size %ld, mode %o)", r, st.size, st.mode);
	memset(&st, 0, sizeof st);
	r = sc(LX(newfstatat), fd, (long)"", (long)&st, LINUX_AT_EMPTY_PATH, 0);
	check(r == 0 && st.size == 5, "newfstatat(fd, \"\", LINUX_AT_EMPTY_PATH) is fstat (%ld, %ld)", r, st.size);
	close(fd);
	check(symlink("f", DIR "/l") == 0, "symlink l -> f");
	r = sc(LX(newfstatat), LINUX_AT_FDCWD, (long)DIR "/l", (long)&st, LINUX_AT_SYMLINK_NOFOLLOW, 0);
	check(r == 0 && (st.mode & S_IFMT) == S_IFLNK, "newfstatat(l, LINUX_AT_SYMLINK_NOFOLLOW): a link (%o)", st.mode);
	r = sc(LX(stat), (long)DIR "/l", (long)&st, 0, 0, 0);
	check(r == 0 && (st.mode & S_IFMT) == S_IFREG && st.size == 5, "stat(l) follows it: size 5");
	r = sc(LX(lstat), (long)DIR "/l", (long)&st, 0, 0, 0);
	check(r == 0 && (st.mode & S_IFMT) == S_IFLNK, "lstat(l): a link");
	r = sc(LX(access), (long)DIR "/f", 4, 0, 0, 0);
	check(r == 0, "access(f, R_OK) = 0");
	r = sc(LX(access), (long)DIR "/nosuch", 0, 0, 0, 0);
	check(E(ENOENT), "access(nosuch, F_OK): ENOENT");

	/* getdents64: every name once, with Linux's record layout, also
	 * through a buffer that holds only a few at a time */
	char names[40][16];
	for (int i = 0; i < 30; i++) {
		snprintf(names[i], sizeof names[i], "n%d%s", i, i % 3 ? "" : "-longer-name");
		char path[700];
		snprintf(path, sizeof path, DIR "/%s", names[i]);
		close(open(path, O_CREAT | O_WRONLY, 0644));
	}
	int sizes[2] = { 4096, 96 }, ok[2] = { 0, 0 }, calls[2] = { 0, 0 };
	for (int k = 0; k < 2; k++) {
		int dfd = sc(LX(openat), LINUX_AT_FDCWD, (long)DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0);
		char buf[4096] __attribute__((aligned(8)));
		int seen[30] = { 0 }, others = 0, bad = 0;
		long n;
		while ((n = sc(LX(getdents64), dfd, (long)buf, sizes[k], 0, 0)) > 0) {
			calls[k]++;
			for (long pos = 0; pos < n;) {
				struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + pos);
				if (d->reclen % 8 || d->reclen < 24 || pos + d->reclen > n) {
					bad++;
					break;
				}
				int found = 0;
				for (int i = 0; i < 30; i++)
					if (!strcmp(d->name, names[i]))
						seen[i]++, found = 1, bad += d->type != 8 || d->ino == 0;
				others += !found;
				pos += d->reclen;
			}
		}
		int all = 1;
		for (int i = 0; i < 30; i++)
			all &= seen[i] == 1;
		ok[k] = n == 0 && all && !bad && others == 4; /* ., .., f, l */
		close(dfd);
	}
	check(ok[0] && ok[1] && calls[1] > calls[0], "getdents64: 34 entries once each, 8-aligned DT_REG records, "
						    "in %d calls of 4096 bytes and %d of 96", calls[0], calls[1]);
	for (int i = 0; i < 30; i++) {
		char path[700];
		snprintf(path, sizeof path, DIR "/%s", names[i]);
		unlink(path);
	}
	r = sc(LX(unlinkat), LINUX_AT_FDCWD, (long)DIR "/l", 0, 0, 0);
	check(r == 0, "unlinkat(l) = 0");
	unlink(DIR "/f");
	r = sc(LX(unlinkat), LINUX_AT_FDCWD, (long)DIR, LINUX_AT_REMOVEDIR, 0, 0);
	check(r == 0, "unlinkat(dir, LINUX_AT_REMOVEDIR) = 0 (%ld, %d)", r, errno);
	char cwd[64];
	chdir("/tmp");
	r = sc(LX(getcwd), (long)cwd, sizeof cwd, 0, 0, 0);
	check(r == 5 && !strcmp(cwd, "/tmp"), "getcwd: \"/tmp\", length with its NUL = 5 (%ld)", r);
	chdir("/");
}

static void test_processes(void)
{
	int st = 0;
	char ru[144];
	int pid = fork();
	if (pid == 0)
		syscall(LX(exit_group), 7);
	memset(ru, 0xff, sizeof ru);
	long r = sc(LX(wait4), pid, (long)&st, 0, (long)ru, 0);
	int zero = 1;
	for (unsigned i = 0; i < sizeof ru; i++)
		zero &= ru[i] == 0;
	check(r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7 && zero, "exit_group(7); wait4 gets 7, rusage zero");
	pid = fork();
	if (pid == 0)
		syscall(LX(exit), 9); /* the only thread: the process ends with 9 */
	r = sc(LX(wait4), -1, (long)&st, 0, 0, 0);
	check(r == pid && WEXITSTATUS(st) == 9, "exit(9) of the only thread ends the process with 9");
	pid = sc(LX(clone), SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		syscall(LX(exit_group), 3);
	r = sc(LX(wait4), pid, (long)&st, 0, 0, 0);
	check(pid > 0 && r == pid && WEXITSTATUS(st) == 3, "clone(SIGCHLD) is a fork (%d, %ld)", pid, r);
	r = sc(LX(clone), CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
	check(E(EINVAL), "clone(CLONE_VM|CLONE_VFORK): EINVAL (%ld)", r);
	r = sc(LX(wait4), -1, (long)&st, 1 /* WNOHANG */, 0, 0);
	check(E(ECHILD), "no child left: ECHILD");
	r = sc(LX(set_tid_address), 0, 0, 0, 0, 0);
	check(r == getpid(), "set_tid_address returns the tid (%ld)", r);
	check(sc(LX(geteuid), 0, 0, 0, 0, 0) == getuid() && sc(LX(getgid), 0, 0, 0, 0, 0) == 0, "geteuid, getgid");
	check(sc(LX(sched_yield), 0, 0, 0, 0, 0) == 0, "sched_yield = 0");
}

static void test_signals_time(void)
{
	uint64_t set = ~0UL, old = 1;
	long r = sc(LX(rt_sigprocmask), LINUX_SIG_BLOCK, (long)&set, (long)&old, 8, 0);
	check(r == 0 && old == 0, "rt_sigprocmask: 0, the old mask empty");
	r = sc(LX(rt_sigprocmask), LINUX_SIG_BLOCK, (long)&set, 0, 4, 0);
	check(E(EINVAL), "rt_sigprocmask with a 4-byte set: EINVAL");
	struct linux_sigaction sa = { .handler = 0 }, osa;
	memset(&osa, 0xff, sizeof osa);
	r = sc(LX(rt_sigaction), SIGINT, (long)&sa, (long)&osa, 8, 0);
	check(r == 0 && osa.handler == 0, "rt_sigaction(SIGINT, SIG_DFL) = 0, the old action SIG_DFL");
	sa.handler = (unsigned long)test_signals_time;
	r = sc(LX(rt_sigaction), SIGINT, (long)&sa, 0, 8, 0);
	check(E(ENOSYS), "rt_sigaction with a handler: ENOSYS (no handlers)");
	struct ktimespec ts = { 0, 20 * 1000000 };
	long t0 = clock_ns();
	r = sc(LX(nanosleep), (long)&ts, 0, 0, 0, 0);
	long t1 = clock_ns();
	check(r == 0 && t1 - t0 >= 20000000, "nanosleep 20 ms (%ld ns)", t1 - t0);
	ts.tv_nsec = 1000000000;
	r = sc(LX(nanosleep), (long)&ts, 0, 0, 0, 0);
	check(E(EINVAL), "nanosleep with tv_nsec 1e9: EINVAL");
	struct linux_utsname u;
	r = sc(LX(uname), (long)&u, 0, 0, 0, 0);
#ifdef __x86_64__
	const char *machine = "x86_64";
#else
	const char *machine = "riscv64";
#endif
	check(r == 0 && !strcmp(u.sysname, "Trapdoor") && !strcmp(u.machine, machine), "uname: %s %s", u.sysname,
	      u.machine);
}

static void test_memory(void)
{
	long cur = sc(LX(brk), 0, 0, 0, 0, 0);
	long r = sc(LX(brk), cur + 10000, 0, 0, 0, 0);
	int ok = r == cur + 10000;
	if (ok)
		memset((char *)cur, 1, 10000);
	check(ok, "brk(cur + 10000) = cur + 10000, writable");
	r = sc(LX(brk), cur, 0, 0, 0, 0);
	check(r == cur, "brk back to where it was");
	r = sc(LX(brk), 1L << 45, 0, 0, 0, 0);
	check(r == cur, "brk far past memory: the break stays (%lx)", r);
}

static uint32_t fword = 5;

/* prlimit64: musl's getrlimit and setrlimit; the old limit is the one
 * before the new, either pointer may be NULL, a bad one is EFAULT. */
static void test_limits(void)
{
	struct { unsigned long cur, max; } old = { 0, 0 }, now, want;
	long r = sc(LX(prlimit64), 0, RLIMIT_NOFILE, 0, (long)&old, 0);
	check(r == 0 && old.cur == 64 && old.max == 64, "prlimit64(0, RLIMIT_NOFILE, NULL, &old): 64, 64 (%ld)", r);
	sc(LX(prlimit64), 0, RLIMIT_NPROC, 0, (long)&now, 0);
	want.cur = now.cur - 1;
	want.max = now.max;
	r = sc(LX(prlimit64), getpid(), RLIMIT_NPROC, (long)&want, (long)&old, 0);
	long r2 = sc(LX(prlimit64), 0, RLIMIT_NPROC, (long)&now, (long)&want, 0); /* back, and what it was */
	check(r == 0 && r2 == 0 && old.cur == now.cur && want.cur == now.cur - 1,
	      "prlimit64(own pid, RLIMIT_NPROC, &new, &old): old is the limit before (%lu, then %lu)", old.cur, want.cur);
	r = sc(LX(prlimit64), 0, RLIMIT_NPROC, 0, 0xffffffc080200000L, 0);
	check(E(EFAULT), "a kernel pointer for the old limit: EFAULT");
	r = sc(LX(prlimit64), 0, RLIMIT_NPROC, 0xffffffc080200000L, 0, 0);
	check(E(EFAULT), "a kernel pointer for the new limit: EFAULT");
	r = sc(LX(prlimit64), 0, 42, 0, (long)&old, 0);
	check(E(EINVAL), "an unknown resource: EINVAL");
	r = sc(LX(prlimit64), 1, RLIMIT_NPROC, 0, (long)&old, 0);
	check(E(EPERM), "another process's limits (init's): EPERM");
}

static void test_futex(void)
{
	long r = sc(LX(futex), (long)&fword, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 4, 0, 0);
	check(E(EAGAIN), "FUTEX_WAIT on a word that differs: EAGAIN");
	struct ktimespec ts = { 0, 10 * 1000000 };
	r = sc(LX(futex), (long)&fword, FUTEX_WAIT, 5, (long)&ts, 0);
	check(E(ETIMEDOUT), "FUTEX_WAIT with 10 ms: ETIMEDOUT (%ld, %d)", r, errno);
	r = sc(LX(futex), (long)&fword, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0);
	check(r == 0, "FUTEX_WAKE with nobody waiting = 0");
	r = sc(LX(futex), (long)&fword, 9 /* FUTEX_WAKE_OP */, 1, 0, 0);
	check(E(ENOSYS), "another futex op: ENOSYS");
}

/* FUTEX_REQUEUE, which musl's condition variables use to hand a signalled
 * waiter on to the mutex: a thread sleeps on wa, the requeue moves it to
 * wb, where only a wake of wb ends its sleep.  The requeue is tried until
 * the thread is asleep (it returns how many it moved). */
static volatile unsigned wa, wb;
static volatile long waiter_r = 99;
static volatile int waiter_done;
static void waiter(void *unused)
{
	(void)unused;
	waiter_r = syscall(LX(futex), &wa, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, 0);
	waiter_done = 1;
	__thread_exit(0);
}

static void test_futex_requeue(void)
{
	static char stack[16384] __attribute__((aligned(16)));
	errno = 0;
	long r = syscall(LX(futex), &wa, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 0, 1, &wb, 1); /* wa is 0, not 1 */
	check(E(EAGAIN), "FUTEX_CMP_REQUEUE, the word not the value given: EAGAIN (%ld, %d)", r, errno);
	int tid = __thread_create(waiter, NULL, stack + sizeof stack, thread_pointer());
	long moved = 0;
	for (int i = 0; i < 500 && tid > 0 && moved == 0; i++) {
		moved = sc(LX(futex), (long)&wa, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 0, 1, (long)&wb);
		if (moved == 0)
			msleep(2);
	}
	long on_a = sc(LX(futex), (long)&wa, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0);
	msleep(20);
	int still = !waiter_done;
	long on_b = sc(LX(futex), (long)&wb, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0);
	/* a kernel without the requeue: the sleeper is still on wa */
	for (int i = 0; i < 500 && tid > 0 && !waiter_done; i++) {
		syscall(LX(futex), &wa, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1);
		msleep(2);
	}
	if (tid > 0 && waiter_done)
		__thread_join(tid, NULL);
	check(moved == 1 && on_a == 0 && still, "FUTEX_REQUEUE moves a sleeper from one word to another (%ld), "
						  "a wake of the first then finds none (%ld)", moved, on_a);
	check(on_b == 1 && waiter_done && waiter_r == 0, "a wake of the second word wakes it (%ld), its wait returns 0 (%ld)",
	      on_b, waiter_r);
}

#ifdef __riscv
/* A thread by Linux's clone, as musl's pthread_create makes one: the
 * child runs fn on its own stack, then exits the thread; the parent gets
 * its tid at ptid, and at its end ctid becomes 0 with a futex wake. */
static volatile unsigned long child_tp;
static volatile int child_ran;
static void child(void)
{
	unsigned long tp;
	asm volatile("mv %0, tp" : "=r"(tp));
	child_tp = tp;
	child_ran++;
}

static long clone_thread(unsigned long flags, void *stack, int *ptid, int *ctid, unsigned long tls, void (*fn)(void))
{
	register long a0 asm("a0") = flags;
	register long a1 asm("a1") = (long)stack;
	register long a2 asm("a2") = (long)ptid;
	register long a3 asm("a3") = (long)ctid;
	register long a4 asm("a4") = tls;
	register long a5 asm("a5") = (long)fn;
	asm volatile("li a7, %[clone]\n\tecall\n\tbnez a0, 1f\n\t"
		     "jalr a5\n\tli a0, 0\n\tli a7, %[exit]\n\tecall\n1:"
		     : "+r"(a0)
		     : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), [clone] "i"(SYS_linux_clone), [exit] "i"(SYS_linux_exit)
		     : "a7", "ra", "memory");
	return a0;
}

static void test_clone_thread(void)
{
	static char stack[16384] __attribute__((aligned(16)));
	static int ptid = 0, ctid = -1;
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED;
	long tid = clone_thread(flags, stack + sizeof stack, &ptid, &ctid, 0x12340, child);
	check(tid > 0 && ptid == tid, "clone of a thread: tid %ld, stored at ptid (%d)", tid, ptid);
	int v, waits = 0;
	while ((v = __atomic_load_n(&ctid, __ATOMIC_ACQUIRE)) != 0 && waits < 1000) {
		syscall(SYS_linux_futex, &ctid, FUTEX_WAIT, v, 0);
		waits++;
	}
	check(ctid == 0 && child_ran == 1, "its end: ctid 0 and a futex wake (after %d waits)", waits);
	check(child_tp == 0x12340, "it ran with the TLS base given (tp %#lx)", child_tp);
	long r = clone_thread(CLONE_VM | CLONE_THREAD, stack + sizeof stack, 0, 0, 0, child);
	check(r == -EINVAL, "clone(CLONE_VM|CLONE_THREAD) alone: EINVAL (%ld)", r);
	unsigned long tp;
	asm volatile("mv %0, tp" : "=r"(tp));
	unsigned long got = 0;
	r = sc(LX(arch_prctl), ARCH_GET_FS, (long)&got, 0, 0, 0);
	check(r == 0 && got == tp, "arch_prctl(ARCH_GET_FS): the TLS base (tp)");
	r = sc(LX(arch_prctl), ARCH_SET_FS, tp, 0, 0, 0);
	check(r == 0, "arch_prctl(ARCH_SET_FS, the same) = 0");
	r = sc(LX(arch_prctl), 0x1001, 0, 0, 0, 0);
	check(E(EINVAL), "arch_prctl(ARCH_SET_GS): EINVAL");
}
#endif

int main(void)
{
#ifdef __riscv
	plan(64);
#else
	plan(57); /* x86-64: musl's pthreads test clone (pthreadtest) */
#endif
	test_vectors();
	test_files();
	test_processes();
	test_signals_time();
	test_memory();
	test_futex();
	test_futex_requeue();
	test_limits();
#ifdef __riscv
	test_clone_thread();
#endif
	return tap_done();
}
