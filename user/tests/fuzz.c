/* fuzz.c: seeded random system calls with random and hostile arguments.
 * The kernel must survive them all; a panic or hang fails the test.
 *
 *   fuzz run COUNT SEED [PARALLEL]
 *
 * The supervisor forks workers; each makes up to CALLS_PER_WORKER calls
 * and reports how many it made in a file (a file read never blocks, and
 * the worker's children may keep it open).  Workers may end themselves
 * (exit, exec, kill of themselves) or block forever (a read of their own
 * empty pipe, a long sleep): a watchdog kills those, and what is left of
 * a worker's process group when it has ended.  Calls are
 * skipped only when they would end the fuzzer itself: kill of pid 1, of
 * the supervisor or the shell, of process groups; poweroff as root.
 * Fork children _exit at once.  Files are made only under /fuzz, which is
 * emptied after every worker, so free pages can be compared at the end.
 *
 * The same source for both architectures: the calls come from the one
 * list (include/trapdoor/syscalls.h), by this architecture's numbers,
 * Linux's ABI rows (kernel/linux.c) among them; the addresses around user
 * space from memlayout.h, this architecture's.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "memlayout.h"
#include "tap.h"
#include "trapdoor/linux.h"

#define CALLS_PER_WORKER 200
#define WATCHDOG_MS 600
#define REPORT_FD 63 /* the worker's report file */
#define MAXPAR 8

int main(int argc, char **argv);

/* A call by its name in the list (Linux's rows as linux_<name>): its
 * number here, the same name on both architectures (sysnum.h). */
#define NR(name) TRAPDOOR_SYS_##name

/* Argument formats per call number, from the one list of system calls. */
static const char *const argfmt[SYS_max] = {
#define SYSCALL(rv, x86, name, stub, args, ret) [SYSNUM(rv, x86)] = args,
#include "trapdoor/syscalls.h"
#undef SYSCALL
};

/* The numbers the list has: on x86-64 they are scattered over 0..1067
 * (Linux's numbers and Trapdoor's past 1000), so most calls pick one of
 * these rather than any number below SYS_max. */
static const long listed[] = {
#define SYSCALL(rv, x86, name, stub, args, ret) SYSNUM(rv, x86),
#include "trapdoor/syscalls.h"
#undef SYSCALL
};
#define NLISTED (sizeof listed / sizeof listed[0])

/* --- the random number generator: xorshift64* --- */

static unsigned long rng;
static unsigned long rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717UL;
}
static unsigned long below(unsigned long n) { return n ? rnd() % n : 0; }
static int one_in(int n) { return below(n) == 0; }

/* --- what arguments are made of --- */

static char scratch[3 * 4096] __attribute__((aligned(4096)));
static char *vecbuf[4096 / sizeof(char *)] __attribute__((aligned(4096)));
static int supervisor, shell;

/* Paths a worker may create, remove, rename and chmod: all under /fuzz. */
static const char *const safe_paths[] = {
	"a", "b", "d", "d/e", "d/e/f", "f.txt", "/fuzz/a", "/fuzz/d", "/fuzz/d/x", "/fuzz/p",
	"./a", "d/../b", "/fuzz//c", "x/", "/fuzz/d/", "nosuchdir/a", "", ".", "/fuzz",
};
/* Paths it may only look at, open read-only or execute. */
static const char *const ro_paths[] = {
	"/", "..", "/dev/null", "/bin/hello", "/test/fuzz", "/bin", "/bin/echo", "/nonexistent", "/dev",
};

static unsigned long hostile_ptr(void)
{
	static int local;
	switch (below(26)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 8;
	case 3: return 0xfff;
	case 4: return 0x10000;
	case 5: return (unsigned long)main;
	case 6: return (unsigned long)main + 1;
	case 7: return (unsigned long)scratch;
	case 8: return (unsigned long)scratch + 1 + below(64);
	case 9: return (unsigned long)scratch + sizeof scratch - below(16);
	case 10: return (unsigned long)sbrk(0);
	case 11: return (unsigned long)sbrk(0) - 1;
	case 12: return (unsigned long)&local;
	case 13: return USTACK_GUARD + 2 * 4096 + below(1 << 20); /* unmapped stack */
	case 14: return USTACK_GUARD;
	case 15: return USER_TOP - 1 - below(8);
	case 16: return USER_TOP;
	case 17: return KERNEL_ADDR + below(1 << 20);
	case 18: return ~0UL - below(16);
	case 19: return 1UL << 63;
	case 20: return (unsigned long)scratch + below(sizeof scratch);
	case 21: return HOLE_START - below(16); /* the last user-half bytes, a range into the hole */
	case 22: return HOLE_START + below(1 << 20);
	case 23: return HOLE_END - 1 - below(1 << 20);
	case 24: return HOLE_END + below(1 << 20); /* the first kernel-half addresses */
	default: return rnd();
	}
}

static unsigned long a_length(void)
{
	switch (below(12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 4096;
	case 3: return 4097;
	case 4: return 1UL << 62;
	case 5: return ~0UL;
	case 6: return 0x7fffffff;
	case 7: return (unsigned long)-below(5000);
	case 8: return 1UL << 20;
	default: return below(600);
	}
}

static unsigned long an_int(void)
{
	switch (below(8)) {
	case 0: return (unsigned long)-1;
	case 1: return 0x80000000UL;
	case 2: return rnd();
	case 3: return below(100000);
	default: return below(72); /* fds, small pids */
	}
}

static unsigned long a_path(int modify)
{
	if (one_in(5))
		return hostile_ptr();
	if (one_in(12)) {
		/* a string with no NUL before the end of mapped memory, or a
		 * long one: the kernel must stop at MAXPATH or the page end */
		char *end = scratch + sizeof scratch;
		size_t n = 1 + below(400);
		memset(end - n, 'z', n);
		return (unsigned long)(end - n);
	}
	if (!modify && one_in(2))
		return (unsigned long)ro_paths[below(sizeof ro_paths / sizeof ro_paths[0])];
	return (unsigned long)safe_paths[below(sizeof safe_paths / sizeof safe_paths[0])];
}

static unsigned long a_vector(void)
{
	switch (below(7)) {
	case 0: return 0;
	case 1: return hostile_ptr();
	case 2: /* no NULL before the end of the page: EFAULT */
		for (size_t i = 0; i < sizeof vecbuf / sizeof vecbuf[0]; i++)
			vecbuf[i] = "v";
		return (unsigned long)&vecbuf[below(sizeof vecbuf / sizeof vecbuf[0])];
	case 3: /* a bad string inside */
		vecbuf[0] = "fuzz";
		vecbuf[1] = (char *)hostile_ptr();
		vecbuf[2] = NULL;
		return (unsigned long)vecbuf;
	default: { /* valid strings, a few or many */
		size_t n = one_in(4) ? below(sizeof vecbuf / sizeof vecbuf[0]) : below(5);
		for (size_t i = 0; i < n; i++)
			vecbuf[i] = (char *)a_path(0);
		vecbuf[n] = NULL;
		return (unsigned long)vecbuf;
	}
	}
}

/* --- one call --- */

static int modifies(long num)
{
	switch (num) {
	case NR(unlink): case NR(rmdir): case NR(rename): case NR(link): case NR(mkdir):
	case NR(mknod): case NR(chmod): case NR(chdir): case NR(symlink):
	case NR(linux_unlinkat): case NR(linux_mkdirat): case NR(linux_mknod):
		return 1;
	}
	return 0;
}

static void make_args(long num, unsigned long a[6])
{
	const char *f = num >= 0 && num < SYS_max ? argfmt[num] : NULL;
	for (int i = 0; i < 6; i++)
		a[i] = rnd();
	if (!f || one_in(8))
		return; /* all six fully random */
	for (int i = 0; f[i] && i < 6; i++) {
		switch (f[i]) {
		case 'i': a[i] = an_int(); break;
		case 'u': a[i] = a_length(); break;
		case 'x': a[i] = one_in(2) ? below(8) : rnd(); break;
		case 'p': case 'r': case 'w': case 'e': a[i] = one_in(3) ? (unsigned long)scratch : hostile_ptr(); break;
		case 's': a[i] = a_path(modifies(num) || (num == NR(link) && i == 0)); break;
		case 'v': a[i] = a_vector(); break;
		case 'f': a[i] = one_in(4) ? rnd() : below(4) | (below(2) * O_CREAT) | (below(2) * O_TRUNC) |
					(below(2) * O_APPEND) | (below(2) * O_EXCL) | (below(3) ? 0 : O_DIRECTORY); break;
		case 'o': a[i] = one_in(2) ? 0644 : rnd(); break;
		}
	}
	/* A link's target stays inside /fuzz, whatever it is named by
	 * later (a link to ".." would let "d/e" reach outside). */
	static const char *const targets[] = { "a", "f.txt", "/fuzz/a", "/fuzz/d/x", "loop", "nosuch" };
	if (num == NR(symlink) && !one_in(5))
		a[0] = (unsigned long)targets[below(sizeof targets / sizeof targets[0])];

	/* Linux's calls (kernel/linux.c) take codes and flags a random word
	 * seldom hits: mostly the ones they know, the pointers still hostile. */
	if (one_in(4))
		return;
	switch (num) {
	case NR(linux_arch_prctl):
		a[0] = 0x1001 + below(4); /* ARCH_SET_GS, _SET_FS, _GET_FS, _GET_GS */
		break;
	case NR(linux_ioctl):
		a[0] = below(4);
		a[1] = one_in(2) ? TIOCGWINSZ : TCGETS;
		break;
	case NR(linux_fcntl):
		a[1] = below(5); /* F_DUPFD .. F_SETFL */
		break;
	case NR(linux_futex):
		a[1] = below(5) | (one_in(2) ? FUTEX_PRIVATE_FLAG : 0); /* wait, wake, fd (ENOSYS), the two requeues */
		break;
	case NR(linux_clone): {
		/* fork's, posix_spawn's and pthread_create's */
		static const unsigned long shapes[] = {
			17, 0, CLONE_VM | CLONE_VFORK | 17,
			CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
				CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED,
		};
		a[0] = shapes[below(sizeof shapes / sizeof shapes[0])];
		if (a[0] <= 17 && !one_in(4))
			a[1] = 0; /* a fork has no stack of its own */
		break;
	}
	case NR(linux_rt_sigaction): case NR(linux_rt_sigprocmask):
		a[0] = below(66);
		if (!one_in(4))
			a[3] = 8; /* the size of Linux's sigset_t */
		break;
	case NR(linux_prlimit64):
		a[0] = one_in(4) ? an_int() : 0;
		a[1] = below(12);
		break;
	case NR(linux_openat): case NR(linux_mkdirat): case NR(linux_newfstatat):
		a[0] = one_in(3) ? an_int() : (unsigned long)LINUX_AT_FDCWD;
		if (num == NR(linux_newfstatat))
			a[3] = below(2) * LINUX_AT_SYMLINK_NOFOLLOW | below(2) * LINUX_AT_EMPTY_PATH;
		break;
	case NR(linux_unlinkat):
		a[0] = one_in(3) ? an_int() : (unsigned long)LINUX_AT_FDCWD;
		a[2] = below(2) * LINUX_AT_REMOVEDIR;
		break;
	case NR(linux_wait4):
		a[0] = one_in(2) ? (unsigned long)-1 : a[0];
		a[2] = below(2); /* WNOHANG */
		break;
	case NR(linux_access):
		a[1] = below(8);
		break;
	case NR(linux_mknod):
		a[1] = (one_in(2) ? 0020000 : 0) | 0644; /* S_IFCHR */
		a[2] = below(4) << 8;
		break;
	}
}

/* May this call run?  Only calls that would end the fuzzer itself, or
 * reach outside it, are refused. */
static int allowed(long num, unsigned long a[6])
{
	int fd0 = (int)a[0], fd1 = (int)a[1];
	switch (num) {
	case NR(kill): {
		int pid = (int)a[0];
		return pid > 0 && pid != 1 && pid != supervisor && pid != shell;
	}
	case NR(poweroff):
		return getuid() != 0; /* as root it would stop the machine */
	case NR(trace):
		/* live tracing would flood the console; rings stay allocated */
		return (int)a[0] != 1 || (int)a[1] == 0 || (int)a[1] == TR_RECORD;
	case NR(sleep):
		if (a[0] > 30 && !one_in(50))
			a[0] = below(30); /* a long sleep is left to the watchdog, rarely */
		return 1;
	case NR(mknod):
		return (int)a[1] != 1; /* no console nodes: writes would reach it */
	case NR(read): case NR(write): case NR(close): case NR(strace): case NR(dup):
		return fd0 != REPORT_FD;
	case NR(dup2):
		return fd0 != REPORT_FD && fd1 != REPORT_FD;
	case NR(linux_dup3):
		return fd0 != REPORT_FD && fd1 != REPORT_FD;
	case NR(linux_writev): case NR(linux_readv):
		return fd0 != REPORT_FD;
	case NR(linux_mknod):
		return ((a[2] >> 8) & 0xfff) != 1; /* Linux's dev: major << 8 */
	case NR(open): case NR(linux_open): case NR(linux_openat): {
		/* system files (/bin/echo...) are opened read-only: as root a
		 * worker could truncate them, and the shell needs them after */
		int at = num == NR(linux_openat); /* openat(dirfd, path, flags) */
		for (size_t i = 0; i < sizeof ro_paths / sizeof ro_paths[0]; i++)
			if (a[at] == (unsigned long)ro_paths[i])
				a[at + 1] &= ~(unsigned long)(O_ACCMODE | O_TRUNC | O_CREAT | O_APPEND);
		return 1;
	}
	case NR(setpgid):
		/* into the shell's or supervisor's group, Ctrl-C and kill(0)
		 * semantics would reach them: keep workers in their own */
		return (int)a[1] != supervisor && (int)a[1] != shell;
	}
	return 1;
}

static int calls_done;

/* The report is one tagged word at the start of the file (a random lseek
 * may have moved the offset). */
#define REPORT_TAG 0x7ead0000

static void report(void)
{
	int v = REPORT_TAG + calls_done;
	lseek(REPORT_FD, 0, SEEK_SET);
	write(REPORT_FD, &v, sizeof v);
}

static void worker(unsigned long seed, int ncalls)
{
	rng = seed * 0x9e3779b97f4a7c15UL + 1;
	void *tp = thread_pointer(); /* the TLS block, for after an arch_prctl */
	/* Its own process group; stdin and stdout are /dev/null, so reads
	 * do not wait for the console and garbage does not reach it. */
	setpgid(0, 0);
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (null > 2)
		close(null);
	if (chdir("/fuzz") < 0)
		_exit(3);
	if (one_in(3))
		setuid(1000 + below(3));
	for (calls_done = 0; calls_done < ncalls;) {
		long num;
		switch (below(20)) {
		case 0: num = SYS_max + below(1000); break;
		case 1: num = -(long)below(100) - 1; break;
		case 2: num = (1L << 32) + NR(getpid); break;
		case 3: case 4: num = below(SYS_max); break; /* on x86-64 mostly no call */
		default: num = listed[below(NLISTED)]; break;
		}
		unsigned long a[6];
		make_args(num, a);
		if (!allowed(num, a))
			continue;
		calls_done++;
		if (num == NR(exit) || num == NR(kill) || num == NR(exec) || num == NR(linux_exit) ||
		    num == NR(linux_exit_group) || num == NR(linux_execve) || calls_done % 32 == 0)
			report(); /* it may not come back */
		long r = syscall(num, a[0], a[1], a[2], a[3], a[4], a[5]);
		if ((num == NR(fork) || num == NR(linux_vfork) || num == NR(linux_clone)) && r == 0)
			_exit(0); /* no fork bombs */
		/* errno lives at the TLS pointer.  (On x86-64 musl's syscall()
		 * reads its stack canary there before it returns: a bad FS
		 * base ends the worker first, one more way for it to end.) */
		if (num == NR(linux_arch_prctl) && r == 0)
			syscall(NR(linux_arch_prctl), ARCH_SET_FS, tp);
		if (num == NR(sbrk) && one_in(4))
			sbrk(-(long)((unsigned long)sbrk(0) & 0xfffff)); /* give some back */
	}
	report();
	_exit(0);
}

/* Remove name, relative to the current directory, and everything under
 * it (workers may have made a tree there).  By names relative to each
 * directory in turn: a worker in /fuzz may have made a name of NAME_MAX
 * bytes, which no absolute path within MAXPATH reaches.  Returns how many
 * entries it could not remove. */
static int rmtree(const char *name, int depth)
{
	struct stat st;
	char t[8];
	if (readlink(name, t, sizeof t) >= 0) /* a symlink: itself, not what it names */
		return unlink(name) < 0;
	if (stat(name, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return unlink(name) < 0;
	if (depth > 32) {
		note("rmtree: too deep");
		return 1;
	}
	chmod(name, 0755);
	if (chdir(name) < 0)
		return 1;
	int left = 0;
	/* Each pass reads the first entries afresh: removing entries while
	 * reading on would shift the directory offsets. */
	for (int pass = 0; pass < 1000; pass++) {
		int fd = open(".", O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			break;
		char buf[1024];
		int n = getdents(fd, buf, sizeof buf);
		close(fd);
		int removed = 0;
		left = 0;
		for (int off = 0; off < n;) {
			struct kdirent *d = (struct kdirent *)(buf + off);
			off += d->reclen;
			if (strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0)
				continue;
			char sub[256];
			snprintf(sub, sizeof sub, "%s", d->name);
			if (rmtree(sub, depth + 1) == 0 && stat(sub, &st) < 0 && readlink(sub, t, sizeof t) < 0)
				removed++;
			else
				left++;
		}
		if (!removed)
			break;
	}
	chdir("..");
	if (left)
		note("rmtree: %d entries stay at depth %d", left, depth);
	if (depth > 0 && rmdir(name) < 0)
		left++;
	return left;
}

/* How many entries directory path has, besides . and .. (at most what
 * one read returns). */
static int entries(const char *path)
{
	char buf[1024];
	int fd = open(path, O_RDONLY | O_DIRECTORY), n = fd < 0 ? -1 : getdents(fd, buf, sizeof buf), count = 0;
	close(fd);
	for (int off = 0; off < n;) {
		struct kdirent *d = (struct kdirent *)(buf + off);
		off += d->reclen;
		count += strcmp(d->name, ".") != 0 && strcmp(d->name, "..") != 0;
	}
	return count;
}

/* Names of NAME_MAX bytes under /fuzz, as a worker makes them from a
 * path in its scratch buffer, with data enough that free pages would
 * show them left behind. */
static void long_names(void)
{
	char name[256];
	memset(name, 'z', 255);
	name[255] = 0;
	static char data[64 * 1024];
	if (chdir("/fuzz") < 0)
		return;
	mkdir(name, 0777);
	if (chdir(name) == 0) {
		int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		write(fd, data, sizeof data);
		close(fd);
		chdir("..");
	}
	name[0] = 'y';
	int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, data, sizeof data);
	close(fd);
	chdir("/");
}

struct slot {
	int pid, rfd, started;
	char report[32]; /* its report file */
};

static int total_calls, nworkers, exited, watchdogged, died;
static struct slot slots[MAXPAR];

static void finish(struct slot *s, int st)
{
	int n = 0, best = 0;
	lseek(s->rfd, 0, SEEK_SET);
	if (read(s->rfd, &n, sizeof n) == sizeof n && (n & ~0xffff) == REPORT_TAG && (n & 0xffff) <= CALLS_PER_WORKER)
		best = n & 0xffff;
	close(s->rfd);
	unlink(s->report);
	total_calls += best;
	/* What the worker left behind in its process group (children blocked
	 * for good, say on a pipe that they themselves hold open) goes too. */
	kill(-s->pid, SIGKILL);
	if (WIFEXITED(st))
		exited++;
	else if (WTERMSIG(st) == SIGKILL && s->started < 0)
		watchdogged++;
	else
		died++;
	s->pid = 0;
}

static int start(struct slot *s, unsigned long seed)
{
	/* a worker may have removed or chmod'ed it */
	mkdir("/fuzz", 0777);
	chmod("/fuzz", 0777);
	snprintf(s->report, sizeof s->report, "/fuzz-report-%d", (int)(s - slots));
	int fd = open(s->report, O_CREAT | O_RDWR | O_TRUNC, 0666);
	if (fd < 0)
		return -1;
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		dup2(fd, REPORT_FD);
		close(fd);
		worker(seed, CALLS_PER_WORKER);
	}
	if (pid < 0) {
		close(fd);
		return -1;
	}
	s->pid = pid;
	s->rfd = fd;
	s->started = uptime();
	nworkers++;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[1], "run") != 0) {
		/* Also what an exec of this file with random arguments runs. */
		return 2;
	}
	int count = atoi(argv[2]);
	unsigned long seed = strtoul(argv[3], NULL, 0);
	int par = argc > 4 ? atoi(argv[4]) : 1;
	if (par < 1 || par > MAXPAR)
		par = 1;
	supervisor = getpid();
	shell = getppid();
	plan(4);
	note("fuzz: %d calls, seed %lu, %d workers at a time", count, seed, par);

	mkdir("/fuzz", 0777);
	chmod("/fuzz", 0777);
	/* trace rings stay allocated once made: make them before measuring */
	tracectl(1, TR_RECORD, 0);
	tracectl(1, 0, 0);
	unsigned long base = free_pages();
	long_names();

	int next = 0, failures = 0;
	/* Until enough calls are counted and every worker has ended: the
	 * watchdog must keep running to the end, a last worker may block. */
	for (;;) {
		int busy = 0;
		for (int i = 0; i < par; i++) {
			struct slot *s = &slots[i];
			if (s->pid) {
				int st;
				int r = waitpid(s->pid, &st, WNOHANG);
				if (r == s->pid) {
					finish(s, st);
					rmtree("/fuzz", 0);
					chdir("/");
				} else if (s->started >= 0 && uptime() - s->started > WATCHDOG_MS) {
					kill(s->pid, SIGKILL);
					s->started = -1; /* counted as the watchdog's */
				}
			}
			if (!s->pid && total_calls + busy * CALLS_PER_WORKER < count) {
				if (start(s, seed * 7919 + next++) < 0 && ++failures > 1000) {
					check(0, "fork of a worker keeps failing");
					return tap_done();
				}
			}
			busy += s->pid != 0;
		}
		if (!busy && total_calls >= count)
			break;
		msleep(2);
	}
	/* Any orphan a worker left to init that moved out of the worker's
	 * process group (a random setpgid) and still blocks: end it too. */
	msleep(200);
	static struct kprocinfo rows[512];
	int nrows = procinfo(rows, 512), swept = 0;
	for (int i = 0; i < nrows && i < 512; i++)
		if (strcmp(rows[i].name, "fuzz") == 0 && rows[i].pid != supervisor && rows[i].state != ZOMBIE)
			swept += kill(rows[i].pid, SIGKILL) == 0;
	if (swept)
		note("ended %d leftover processes", swept);
	int left = rmtree("/fuzz", 0);
	chdir("/");
	int stay = entries("/fuzz");
	check(left == 0 && stay == 0, "what the workers made under /fuzz is removed, NAME_MAX names too (%d, %d left)",
	      left, stay);
	tracectl(1, 0, 0);
	note("%d workers: %d finished, %d ended by the watchdog, %d ended otherwise", nworkers, exited, watchdogged,
	     died);
	check(total_calls >= count, "survived %d calls", total_calls);

	/* Nothing leaked: free pages within a few slab pages of the start. */
	unsigned long now = 0;
	for (int i = 0; i < 250; i++) {
		now = free_pages();
		if (now + 16 >= base)
			break;
		msleep(20);
	}
	check(now + 16 >= base, "free pages back to the start (%lu, start %lu)", now, base);

	/* The kernel still does its job. */
	int p[2];
	pipe(p);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		char *av[] = { "echo", "still", "working", NULL };
		execve("/bin/echo", av, NULL);
		_exit(99);
	}
	close(p[1]);
	char buf[64] = { 0 };
	int n = 0, r;
	while (n < (int)sizeof buf - 1 && (r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(p[0]);
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(buf, "still working\n") == 0,
	      "fork, exec and pipes still work afterwards");
	return tap_done();
}
