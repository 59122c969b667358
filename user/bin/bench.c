/* bench.c: the in-guest microbenchmark: what one kernel operation costs.
 * Reads instret around N repetitions of an operation and prints "name: N".
 *
 * Under QEMU -icount shift=0,sleep=off, instret is virtual time in ns and
 * advances exactly one per instruction, kernel and firmware included, so
 * the numbers are instruction counts and repeatable.  Virtual time also
 * advances while the hart idles in wfi, so every measured window keeps a
 * process runnable all the way through (a round trip always has one side
 * ready; a parent waiting for a child is always waiting for a runnable
 * one).  Each window starts just after a timer tick (sync_tick) and is
 * kept under one tick period long, so ticks land outside the windows and
 * two runs print the same numbers.
 *
 *   bench                  every metric (tools/bench.py parses the output;
 *                          the disk's need /dev/vda and /mnt: tools/bench.py's disk, root=mnt)
 *   bench --short          few iterations: checks every operation works
 *   bench --time           wall clock: ns per operation from clock_ns()
 *   bench NAME...          only these metrics
 *   bench --profile NAME [N]
 *                          one metric, N iterations, bracketed by uptime()
 *                          calls that tools/profile.py finds in a trace;
 *                          waits for a line on stdin before it starts
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "trapdoor.h"

static int short_mode, time_mode, profile_mode;
static int failures;
static long loop_milli; /* the bare loop's cost per iteration, x1000 */

static char *nop_argv[] = { "nop", NULL };
static char *nop_envp[] = { "PATH=/bin", NULL };

static void fail(const char *name, const char *what)
{
	fprintf(stderr, "bench: FAIL %s: %s\n", name, what);
	failures++;
}
#define CHECK(name, cond) \
	do { \
		if (!(cond)) \
			fail(name, #cond); \
	} while (0)

/* The clock every window is measured with: instret, or with --time the
 * kernel's nanosecond clock (instret then counts host cycles, which mean
 * nothing to the guest). */
static inline unsigned long now(void) { return time_mode ? (unsigned long)clock_ns() : rdinstret(); }

/* In --profile mode, before the first window: say so and wait for a line
 * on stdin, so that tools/profile.py can switch QEMU's instruction log on
 * just now and not log the setup (1000 forks, for one). */
static void profile_handshake(void)
{
	static int done;
	char line[8];
	if (done++)
		return;
	printf("# profile: ready\n");
	fflush(stdout);
	read(0, line, sizeof line);
}

/* Sleep until the next timer tick.  Under icount the hart idles, virtual
 * time jumps to the tick, and the next one is a whole period away: the
 * window that follows sees no tick if it is shorter than that. */
static void sync_tick(void)
{
	if (profile_mode)
		profile_handshake();
	msleep(1);
}

/* Run stmt n times between two readings of the clock; the result is the
 * difference.  The empty asm keeps the compiler from merging or hoisting
 * iterations.  In --profile mode an uptime() call on each side marks the
 * window for tools/profile.py (no one else calls uptime meanwhile). */
#define TIMED(n, stmt) \
	({ \
		if (profile_mode) \
			uptime(); \
		unsigned long t0_ = now(); \
		for (long i_ = 0; i_ < (n); i_++) { \
			stmt; \
			__asm__ volatile("" ::: "memory"); \
		} \
		unsigned long d_ = now() - t0_; \
		if (profile_mode) \
			uptime(); \
		d_; \
	})

static void report_value(const char *name, long v)
{
	printf("%s: %ld\n", name, v);
}

/* Per operation, rounded, without the loop's own cost. */
static long report(const char *name, unsigned long delta, long n)
{
	long v = ((long)delta * 1000 - loop_milli * n + 500 * n) / (1000 * n);
	report_value(name, v);
	return v;
}

/* How many repetitions fit a window: a full run keeps each window well
 * under one tick period (10 ms = 10M instructions at shift=0), whatever
 * an operation costs today; est is the cost of one, from a warm-up. */
#define WINDOW 4000000L
static long fit(long nmax, unsigned long est)
{
	if (short_mode || profile_mode || time_mode || est == 0)
		return nmax;
	long n = WINDOW / (long)est;
	return n < 1 ? 1 : n > nmax ? nmax : n;
}

/* This process's row of the process table (for its tick and switch
 * counts).  PCBs are listed newest first, so a process with few children
 * finds itself among the first rows. */
static int self_info(struct kprocinfo *me)
{
	static struct kprocinfo rows[8];
	int pid = getpid();
	int n = procinfo(rows, 8);
	for (int i = 0; i < n && i < 8; i++) {
		if (rows[i].pid == pid) {
			*me = rows[i];
			return 0;
		}
	}
	return -1;
}

/* --- the operations --------------------------------------------------- */

/* noipa: the compiler may neither inline the call nor drop it. */
static __attribute__((noipa)) void empty(void) { __asm__ volatile(""); }

static void b_null_call(const char *name, long n)
{
	sync_tick();
	report(name, TIMED(n, empty()), n);
}

static void b_null_syscall(const char *name, long n)
{
	int pid = getpid();
	CHECK(name, pid > 0);
	sync_tick();
	report(name, TIMED(n, getpid()), n);
}

static void b_raw_syscall(const char *name, long n)
{
	CHECK(name, syscall(SYS_getpid) == getpid());
	sync_tick();
	report(name, TIMED(n, syscall(SYS_getpid)), n);
}

/* Two processes yield to each other; one round is two switches.  The
 * child waits on a pipe until the parent is past its tick sync, or it
 * would spend its yields alone.  Every yield of the parent must find the
 * child ready and switch, which its voluntary-switch count proves (with
 * one hart; on more, the two may run side by side). */
static void b_yield_roundtrip(const char *name, long n)
{
	const long warm = 4;
	int go[2];
	if (pipe(go) < 0) {
		fail(name, "pipe");
		return;
	}
	int pid = fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		/* two spare yields: the parent must never find it gone */
		for (long i = 0; i < n + warm + 2; i++)
			yield();
		_exit(0);
	}
	close(go[0]);
	if (pid < 0) {
		close(go[1]);
		fail(name, "fork");
		return;
	}
	sync_tick();
	write(go[1], "g", 1);
	close(go[1]);
	struct kprocinfo a, b;
	int ok = self_info(&a) == 0;
	unsigned long t = now();
	for (long i = 0; i < warm; i++)
		yield();
	n = fit(n, (now() - t) / warm);
	unsigned long d = TIMED(n, yield());
	ok = ok && self_info(&b) == 0;
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK(name, ok);
	CHECK(name, st == 0);
	if (ok && b.vswitches - a.vswitches != (unsigned long)(n + warm))
		fail(name, "a yield did not switch (more than one hart?)");
	report(name, d, n);
}

/* Ping-pong one byte over two pipes.  The child echoes each byte plus
 * one until its input ends.  close_fd: one more descriptor the child
 * must not hold (the sleepers' pipe in pipe_roundtrip_1000). */
static void pipe_pingpong(const char *name, long n, int close_fd)
{
	const long warm = 4;
	int a[2], b[2];
	if (pipe(a) < 0 || pipe(b) < 0) {
		fail(name, "pipe");
		return;
	}
	int pid = fork();
	if (pid == 0) {
		char c;
		close(a[1]);
		close(b[0]);
		if (close_fd >= 0)
			close(close_fd);
		while (read(a[0], &c, 1) == 1) {
			c++;
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	if (pid < 0) {
		close(a[1]);
		close(b[0]);
		fail(name, "fork");
		return;
	}
	unsigned char c = 0;
	sync_tick();
	unsigned long t = now();
	for (long i = 0; i < warm; i++) {
		write(a[1], &c, 1);
		read(b[0], &c, 1);
	}
	n = fit(n, (now() - t) / warm);
	unsigned long d = TIMED(n, (write(a[1], &c, 1), read(b[0], &c, 1)));
	CHECK(name, c == (unsigned char)(n + warm));
	close(a[1]);
	close(b[0]);
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK(name, st == 0);
	report(name, d, n);
}

static void b_pipe_roundtrip(const char *name, long n) { pipe_pingpong(name, n, -1); }

static int op_failed; /* set by an operation below that went wrong */

/* Time n repetitions of op, after one untimed warm-up that also sizes
 * the window (and, for fork, leaves the stack page COW-shared as it is in
 * every later round). */
static void run_op(const char *name, long n, void (*op)(void))
{
	op_failed = 0;
	unsigned long t = now();
	op();
	n = fit(n, now() - t);
	sync_tick();
	unsigned long d = TIMED(n, op());
	CHECK(name, op_failed == 0);
	report(name, d, n);
}

static void fork_exit_wait(void)
{
	int pid = fork();
	if (pid == 0)
		_exit(7);
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != W_EXITCODE(7))
		op_failed = 1;
}

static void b_fork_exit_wait(const char *name, long n) { run_op(name, n, fork_exit_wait); }

static void fork_exec_wait(void)
{
	int pid = fork();
	if (pid == 0) {
		execve("/bin/nop", nop_argv, nop_envp);
		_exit(127);
	}
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
		op_failed = 1;
}

static void b_fork_exec_wait(const char *name, long n) { run_op(name, n, fork_exec_wait); }

static void spawn_wait(void)
{
	int pid = spawn("/bin/nop", nop_argv, nop_envp);
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
		op_failed = 1;
}

static void b_spawn_wait(const char *name, long n) { run_op(name, n, spawn_wait); }

#define MiB (1L << 20)

/* Grow the heap by 1 MiB, write every page, give it back. */
static void sbrk_touch_1m(void)
{
	char *p = sbrk(MiB);
	if (p == (char *)-1) {
		op_failed = 1;
		return;
	}
	for (long i = 0; i < MiB; i += 4096)
		((volatile char *)p)[i] = 1;
	if (sbrk(-MiB) == (void *)-1)
		op_failed = 1;
}

static void b_sbrk_touch_1m(const char *name, long n) { run_op(name, n, sbrk_touch_1m); }

/* n iterations of exactly two instructions. */
static void spin(long n)
{
	__asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
}

static unsigned long timed_spin(long n)
{
	unsigned long t0 = now();
	spin(n);
	return now() - t0;
}

/* timer_tick: what one timer interrupt costs a busy process.
 * The method: a loop of known cost runs from just after one tick until
 * half a period after the T-th tick that follows, so exactly T ticks hit
 * it; the clock advanced by the loop's cost plus T times the tick's.
 *   1. A tick-free calibration gives the loop's cost per iteration k
 *      (exactly 2 instructions under icount) and the fixed cost c of the
 *      measurement itself.
 *   2. The tick period P in clock units: between two tick syncs.
 *   3. n = (T + 1/2) P / k iterations, measured: delta = k n + c + T tick.
 *      The process's own tick count (procinfo, read far from any tick)
 *      confirms T.
 * With --time there is no such figure: the loop's own speed in wall-clock
 * time varies by more than the ticks cost (a microsecond or two in a 10 ms
 * period), so the metric is left out. */
static void b_timer_tick(const char *name, long T)
{
	if (time_mode) {
		printf("# %s: not measurable in wall-clock time, see icount runs\n", name);
		return;
	}
	long cal = 1000;
	sync_tick();
	unsigned long d1 = timed_spin(cal), d2 = timed_spin(2 * cal);
	long k_milli = (long)(d2 - d1) * 1000 / cal;
	long c = (long)d1 - k_milli * cal / 1000;
	sync_tick();
	unsigned long p0 = now();
	sync_tick();
	long period = now() - p0;
	long n = (T * 2 + 1) * period * 1000 / (2 * k_milli);

	struct kprocinfo a, b;
	int ok = self_info(&a) == 0;
	unsigned long d = 0;
	if (profile_mode)
		uptime();
	d = timed_spin(n);
	if (profile_mode)
		uptime();
	ok = ok && self_info(&b) == 0;
	CHECK(name, ok);
	long ticks = ok ? (long)(b.ticks - a.ticks) : 0;
	if (ticks != T)
		fprintf(stderr, "bench: %s: %ld ticks hit the loop, expected %ld\n", name, ticks, T);
	if (ticks <= 0) {
		fail(name, "no tick hit the loop");
		return;
	}
	report_value(name, ((long)d - k_milli * n / 1000 - c + ticks / 2) / ticks);
}

/* The _1000 metrics: an operation while NSLEEP other processes sleep
 * (blocked reading a pipe that only gets its end-of-file afterwards):
 * scheduling, wakeup and fork should not care how many processes exist.
 * The sleepers are a keeper's children, not the measuring process's, so
 * its waitpid looks through no more children than without them. */
#define NSLEEP 1000
static void with_sleepers(const char *name, long n, void (*op)(const char *name, long n, int wfd))
{
	int s[2], up[2];
	if (pipe(s) < 0 || pipe(up) < 0) {
		fail(name, "pipe");
		return;
	}
	int keeper = fork();
	if (keeper == 0) {
		close(s[1]);
		close(up[0]);
		int made = 0;
		for (; made < NSLEEP; made++) {
			int pid = fork();
			if (pid == 0) {
				char c;
				close(up[1]);
				read(s[0], &c, 1);
				_exit(0);
			}
			if (pid < 0)
				break;
		}
		write(up[1], &made, sizeof made); /* they are there */
		close(up[1]);
		int st, reaped = 0;
		while (wait(&st) > 0)
			reaped++;
		_exit(reaped == made && made == NSLEEP ? 0 : 1);
	}
	close(s[0]);
	close(up[1]);
	int made = 0;
	CHECK(name, keeper > 0 && read(up[0], &made, sizeof made) == sizeof made && made == NSLEEP);
	close(up[0]);
	struct kmeminfo mi;
	CHECK(name, meminfo(&mi) == 0 && mi.nproc >= NSLEEP + 2);
	op(name, n, s[1]);
	close(s[1]); /* end-of-file: they all wake and exit */
	int st = -1;
	CHECK(name, waitpid(keeper, &st, 0) == keeper && st == 0);
}

static void b_pipe_roundtrip_1000(const char *name, long n) { with_sleepers(name, n, pipe_pingpong); }

/* fork's child must not keep the sleepers' pipe open: fork_exit_wait's
 * child exits at once, and the parent's copy is closed only at the end. */
static void fork_exit_wait_op(const char *name, long n, int wfd)
{
	(void)wfd;
	run_op(name, n, fork_exit_wait);
}
static void b_fork_exit_wait_1000(const char *name, long n) { with_sleepers(name, n, fork_exit_wait_op); }

static void b_fork_exit_wait_16m(const char *name, long n)
{
	long size = 16 * MiB;
	char *p = sbrk(size);
	if (p == (char *)-1) {
		fail(name, "sbrk 16 MiB");
		return;
	}
	for (long i = 0; i < size; i += 4096)
		p[i] = 1;
	run_op(name, n, fork_exit_wait);
	CHECK(name, sbrk(-size) != (void *)-1);
}

/* --- reading and writing 4 KiB blocks: the in-RAM file system and the disk --- */

#define BLK 4096
/* malloc'd by the first metric that needs it: a static buffer would make
 * bench's image a page larger, and every fork before it dearer. */
static char *blkbuf;
static int need_blkbuf(const char *name)
{
	if (!blkbuf && !(blkbuf = malloc(BLK)))
		fail(name, "malloc");
	return blkbuf != NULL;
}

/* read() 4 KiB at a time from fd, n times; 0 if every read was whole. */
static int read_blocks(int fd, long n)
{
	for (long i = 0; i < n; i++)
		if (read(fd, blkbuf, BLK) != BLK)
			return -1;
	return 0;
}

/* Warm reads of blocks [first, first + nblocks) of fd, all in memory already, in
 * windows that each start after a tick (sync_tick) and fit one (fit()).
 * Deterministic: nothing waits and no device interrupts. */
static void warm_read(const char *name, int fd, long first, long nblocks)
{
	lseek(fd, first * BLK, SEEK_SET);
	unsigned long t = now();
	if (read_blocks(fd, 4) < 0) {
		fail(name, "read");
		return;
	}
	long per = fit(nblocks, (now() - t) / 4);
	unsigned long total = 0;
	long done = 0;
	for (long at = 0; at < nblocks; at += per) {
		long k = nblocks - at < per ? nblocks - at : per;
		lseek(fd, (first + at) * BLK, SEEK_SET);
		sync_tick();
		total += TIMED(k, CHECK(name, read(fd, blkbuf, BLK) == BLK));
		done += k;
	}
	report(name, total, done);
}

/* ramfile_read_4k: a 4 KiB read() of a file of the in-RAM file system
 * (1 MiB, read whole in each window): what disk_read_warm_4k, the same
 * from the buffer cache, is judged against. */
static void b_ramfile_read_4k(const char *name, long n)
{
	const char *path = "/bench-ramfile";
	if (!need_blkbuf(name))
		return;
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	if (fd < 0) {
		fail(name, "create /bench-ramfile");
		return;
	}
	memset(blkbuf, 0x5a, BLK);
	for (long i = 0; i < n; i++)
		CHECK(name, write(fd, blkbuf, BLK) == BLK);
	warm_read(name, fd, 0, n);
	close(fd);
	unlink(path);
}

/* The disk metrics: /dev/vda (tools/bench.py attaches a blank image).
 * A cold read or a write waits for the device: the hart idles meanwhile,
 * and under -icount (sleep=off) its clock jumps ahead to the next timer
 * deadline, so instret over the window counts idle time too.  The kernel
 * says how long the harts idled (meminfo's idle_ns, virtual ns, which is
 * instret under -icount): instret minus that is the instructions the read
 * or write cost the CPU, the reader's and the interrupts'.  It varies a
 * little from run to run (how completions batch into interrupts, whether
 * a block arrives before its reader sleeps), so those two metrics are
 * report-only.  With --time both are ns per 4 KiB of wall-clock time,
 * idle included: the disk's throughput as QEMU gives it. */
/* tools/bench.py's disk: an ext2 file system in the first 48 MiB (the
 * ext2 metrics below), raw blocks after it for these. */
#define DISK_READ_AT (48L << 20)  /* the read tests' 16 MiB */
#define DISK_WRITE_AT (68L << 20) /* the write test's blocks: after the read test's */
static unsigned long raw_cold;    /* disk_read_cold_4k's figure, for ext2_read_cold_pct */

static unsigned long idle_ns(void)
{
	struct kmeminfo mi;
	return meminfo(&mi) == 0 ? mi.idle_ns : 0;
}

static int disk_open(const char *name, int flags)
{
	if (!need_blkbuf(name))
		return -1;
	int fd = open("/dev/vda", flags);
	if (fd < 0) {
		/* errno, not strerror: its table would add a page to bench's
		 * text, and to what every fork above maps */
		printf("# %s: no /dev/vda (boot with a disk): errno %d\n", name, errno);
		return -1;
	}
	return fd;
}

/* What the CPU spent on n blocks: the window's clock minus the idle time
 * (in --time mode the whole window, wall clock). */
/* The disk's counters before a window, for the requests it made; with
 * --profile the markers around it. */
static struct kdiskstat ds0;
static void io_mark(void)
{
	diskstat(&ds0);
	if (profile_mode) { /* the window's start, for tools/profile.py */
		profile_handshake();
		uptime();
	}
}

static unsigned long report_io(const char *name, unsigned long d, unsigned long idle, long n)
{
	struct kdiskstat ds;
	if (profile_mode)
		uptime();
	diskstat(&ds);
	if (!time_mode)
		printf("# %s: %lu per 4 KiB with the harts' idle time, of which %lu idle\n", name, d / n, idle / n);
	printf("# %s: %lu reads (%lu of them read-ahead), %lu writes, %lu hits, %lu misses\n", name, ds.reads - ds0.reads,
	       ds.readahead - ds0.readahead, ds.writes - ds0.writes, ds.hits - ds0.hits, ds.misses - ds0.misses);
	return report(name, time_mode || idle > d ? d : d - idle, n);
}

/* disk_read_cold_4k: 16 MiB read straight through from /dev/vda, none of
 * it cached (a fresh boot), 4 KiB per read(): read-ahead keeps 8 more
 * blocks in flight.  disk_read_warm_4k then reads them again, all hits. */
static void b_disk_read_cold_4k(const char *name, long n)
{
	int fd = disk_open(name, O_RDONLY);
	if (fd < 0)
		return;
	if (lseek(fd, DISK_READ_AT, SEEK_SET) != DISK_READ_AT) {
		fail(name, "lseek");
		close(fd);
		return;
	}
	io_mark();
	unsigned long i0 = idle_ns(), t0 = now();
	int r = read_blocks(fd, n);
	unsigned long d = now() - t0, idle = idle_ns() - i0;
	CHECK(name, r == 0);
	raw_cold = report_io(name, d, idle, n);
	close(fd);
}

static void b_disk_read_warm_4k(const char *name, long n)
{
	int fd = disk_open(name, O_RDONLY);
	if (fd < 0)
		return;
	/* Everything cached (the cold read did it, unless it did not run),
	 * and its last read-ahead completed, outside any window. */
	CHECK(name, lseek(fd, DISK_READ_AT, SEEK_SET) == DISK_READ_AT && read_blocks(fd, n) == 0);
	msleep(50);
	warm_read(name, fd, DISK_READ_AT / BLK, n);
	close(fd);
}

/* n blocks of `byte` written to fd, then fsync, timed as one window
 * (fsync included), reported per block; fd is closed. */
static void write_fsync_blocks(const char *name, int fd, long n, int byte)
{
	memset(blkbuf, byte, BLK);
	io_mark();
	unsigned long i0 = idle_ns(), t0 = now();
	long ok = 0;
	for (long i = 0; i < n; i++)
		ok += write(fd, blkbuf, BLK) == BLK;
	int r = fsync(fd);
	unsigned long d = now() - t0, idle = idle_ns() - i0;
	CHECK(name, ok == n && r == 0);
	report_io(name, d, idle, n);
	close(fd);
}

/* disk_write_fsync_4k: 16 MiB written (whole blocks: into the cache
 * without reading them first), then fsync, which writes them all to the
 * device and waits; per 4 KiB, fsync included. */
static void b_disk_write_fsync_4k(const char *name, long n)
{
	int fd = disk_open(name, O_RDWR);
	if (fd < 0)
		return;
	if (lseek(fd, DISK_WRITE_AT, SEEK_SET) != DISK_WRITE_AT) {
		fail(name, "lseek");
		close(fd);
		return;
	}
	write_fsync_blocks(name, fd, n, 0xa5);
}

/* --- the same through ext2: /mnt (tools/bench.py boots with root=mnt) --- */

/* tools/bench.py makes the disk: an ext2 file system in its first
 * EXT2_MIB holding BIG_FILE (16 MiB, no holes), raw blocks after it for
 * the /dev/vda metrics above. */
#define BIG_FILE "/mnt/bench-16m"

static int ext2_open(const char *name, const char *path, int flags)
{
	if (!need_blkbuf(name))
		return -1;
	int fd = open(path, flags, 0600);
	if (fd < 0)
		printf("# %s: no %s (boot with root=mnt and bench.py's disk): errno %d\n", name, path, errno);
	return fd;
}

/* ext2_read_cold_4k: BIG_FILE read straight through, none of it cached:
 * per 4 KiB, against disk_read_cold_4k, the same number of raw blocks.
 * ext2_read_cold_pct is raw / ext2 in percent: 100 is as cheap as the
 * raw device (issue 11: at least 80). */
static void b_ext2_read_cold_4k(const char *name, long n)
{
	int fd = ext2_open(name, BIG_FILE, O_RDONLY);
	if (fd < 0)
		return;
	io_mark();
	unsigned long i0 = idle_ns(), t0 = now();
	int r = read_blocks(fd, n);
	unsigned long d = now() - t0, idle = idle_ns() - i0;
	CHECK(name, r == 0);
	unsigned long per = report_io(name, d, idle, n);
	if (raw_cold && per)
		report_value("ext2_read_cold_pct", (long)((raw_cold * 100 + per / 2) / per));
	else
		printf("# ext2_read_cold_pct: needs disk_read_cold_4k in the same run\n");
	close(fd);
}

/* ext2_read_warm_4k: BIG_FILE again, every block cached: against
 * ramfile_read_4k (issue 11: within 2x). */
static void b_ext2_read_warm_4k(const char *name, long n)
{
	int fd = ext2_open(name, BIG_FILE, O_RDONLY);
	if (fd < 0)
		return;
	CHECK(name, read_blocks(fd, n) == 0);
	msleep(50); /* the last read-ahead in, outside any window */
	warm_read(name, fd, 0, n);
	close(fd);
}

/* ext2_write_fsync_4k: a new 16 MiB file written (blocks allocated as it
 * grows), then fsync; per 4 KiB, fsync included. */
static void b_ext2_write_fsync_4k(const char *name, long n)
{
	const char *path = "/mnt/bench-write";
	int fd = ext2_open(name, path, O_CREAT | O_TRUNC | O_WRONLY);
	if (fd < 0)
		return;
	write_fsync_blocks(name, fd, n, 0x3c);
}

/* ext2_create_delete: n small files (100 bytes each) created in a fresh
 * directory, then all deleted; per file, both halves.  ext2 writes a new
 * inode and its entry in order, and an unlink likewise (crash safety),
 * so this waits for the device too. */
static void b_ext2_create_delete(const char *name, long n)
{
	const char *dir = "/mnt/bench-files";
	char path[48];
	if (!need_blkbuf(name))
		return;
	if (mkdir(dir, 0755) < 0) {
		printf("# %s: mkdir %s: errno %d\n", name, dir, errno);
		return;
	}
	memset(blkbuf, 'f', 100);
	long ok = 0;
	io_mark();
	unsigned long i0 = idle_ns(), t0 = now();
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/f%ld", dir, i);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		ok += fd >= 0 && write(fd, blkbuf, 100) == 100;
		close(fd);
	}
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/f%ld", dir, i);
		ok += unlink(path) == 0;
	}
	unsigned long d = now() - t0, idle = idle_ns() - i0;
	CHECK(name, ok == 2 * n);
	report_io(name, d, idle, n);
	rmdir(dir);
}

/* --- threads ------------------------------------------------------------ */

static void *thread_returns(void *arg) { return arg; }

/* Create a thread that returns at once and join it: thread_create, the
 * thread's first run, its exit and the join.  The stack is the one the
 * last join put in pthread.c's stack cache, as it would be in any program
 * that makes threads more than once; the first create (the warm-up) made
 * it with mmap and mprotect. */
static void thread_create_join(void)
{
	pthread_t t;
	void *v = 0;
	if (pthread_create(&t, 0, thread_returns, (void *)7L) || pthread_join(t, &v) || v != (void *)7L)
		op_failed = 1;
}

static void b_thread_create_join(const char *name, long n) { run_op(name, n, thread_create_join); }

/* futex_pingpong: two threads of one process hand a word back and forth
 * with futex_wait/futex_wake, as yield_roundtrip's two processes hand
 * the CPU.  The word: 1 the partner's turn, 0 the main thread's, 2 stop.
 * One round trip is two wakes and two waits that sleep. */
static volatile unsigned pp_word;
static long pp_rounds;

static void *pp_partner(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned v;
		while ((v = pp_word) == 0)
			__futex_wait(&pp_word, 0, 0);
		if (v == 2)
			return 0;
		pp_rounds++;
		pp_word = 0;
		__futex_wake(&pp_word, 1);
	}
}

static inline void pp_round(void)
{
	pp_word = 1;
	__futex_wake(&pp_word, 1);
	while (pp_word == 1)
		__futex_wait(&pp_word, 1, 0);
}

static void b_futex_pingpong(const char *name, long n)
{
	const long warm = 4;
	pthread_t t;
	pp_word = 0;
	pp_rounds = 0;
	if (pthread_create(&t, 0, pp_partner, 0)) {
		fail(name, "pthread_create");
		return;
	}
	sync_tick();
	unsigned long t0 = now();
	for (long i = 0; i < warm; i++)
		pp_round();
	n = fit(n, (now() - t0) / warm);
	unsigned long d = TIMED(n, pp_round());
	pp_word = 2;
	__futex_wake(&pp_word, 1);
	CHECK(name, pthread_join(t, 0) == 0);
	CHECK(name, pp_rounds == n + warm);
	report(name, d, n);
}

/* Lock and unlock a mutex nobody else wants: two atomic instructions and
 * no system call. */
static void b_mutex_uncontended(const char *name, long n)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	CHECK(name, pthread_mutex_lock(&m) == 0 && pthread_mutex_unlock(&m) == 0);
	sync_tick();
	report(name, TIMED(n, (pthread_mutex_lock(&m), pthread_mutex_unlock(&m))), n);
}

/* In the order they run.  The 16 MiB heap comes last so that no other
 * fork has to copy its page table.  n: at most this many repetitions in a
 * full run (fit() may take fewer); nshort: --short, and the default for
 * --profile.  For timer_tick both count ticks. */
static const struct bench {
	const char *name;
	void (*fn)(const char *name, long n);
	long n, nshort;
} benches[] = {
	{ "null_call", b_null_call, 1000000, 1000 },
	{ "null_syscall", b_null_syscall, 20000, 100 },
	{ "raw_syscall", b_raw_syscall, 20000, 100 },
	{ "yield_roundtrip", b_yield_roundtrip, 10000, 20 },
	{ "pipe_roundtrip", b_pipe_roundtrip, 5000, 20 },
	{ "fork_exit_wait", b_fork_exit_wait, 1000, 5 },
	{ "fork_exec_wait", b_fork_exec_wait, 1000, 3 },
	{ "spawn_wait", b_spawn_wait, 1000, 3 },
	{ "sbrk_touch_1m", b_sbrk_touch_1m, 1000, 2 },
	{ "timer_tick", b_timer_tick, 10, 2 },
	{ "pipe_roundtrip_1000", b_pipe_roundtrip_1000, 5000, 20 },
	{ "fork_exit_wait_1000", b_fork_exit_wait_1000, 1000, 5 },
	{ "thread_create_join", b_thread_create_join, 1000, 5 },
	{ "futex_pingpong", b_futex_pingpong, 5000, 20 },
	{ "mutex_uncontended", b_mutex_uncontended, 100000, 1000 },
	{ "fork_exit_wait_16m", b_fork_exit_wait_16m, 100, 2 },
	/* 4 KiB blocks: n blocks (256 = 1 MiB, 4096 = 16 MiB).  The disk's
	 * come last: the cache they leave full changes nothing measured. */
	{ "ramfile_read_4k", b_ramfile_read_4k, 256, 16 },
	{ "disk_read_cold_4k", b_disk_read_cold_4k, 4096, 64 },
	{ "disk_read_warm_4k", b_disk_read_warm_4k, 4096, 64 },
	{ "disk_write_fsync_4k", b_disk_write_fsync_4k, 4096, 64 },
	{ "ext2_read_cold_4k", b_ext2_read_cold_4k, 4096, 64 },
	{ "ext2_read_warm_4k", b_ext2_read_warm_4k, 4096, 64 },
	{ "ext2_write_fsync_4k", b_ext2_write_fsync_4k, 4096, 64 },
	{ "ext2_create_delete", b_ext2_create_delete, 1000, 20 },
};
#define NBENCH (sizeof benches / sizeof benches[0])

static const struct bench *find(const char *name)
{
	for (unsigned i = 0; i < NBENCH; i++)
		if (strcmp(benches[i].name, name) == 0)
			return &benches[i];
	fprintf(stderr, "bench: no metric %s\n", name);
	exit(2);
}

int main(int argc, char **argv)
{
	const struct bench *only[NBENCH];
	int nonly = 0;
	long nprofile = 0;
	int profile = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--short") == 0) {
			short_mode = 1;
		} else if (strcmp(argv[i], "--time") == 0) {
			time_mode = 1;
		} else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
			profile = 1;
			only[0] = find(argv[++i]);
			nonly = 1;
			if (i + 1 < argc)
				nprofile = strtol(argv[++i], NULL, 10);
		} else if (argv[i][0] == '-' || nonly == NBENCH) {
			fprintf(stderr, "usage: bench [--short] [--time] [NAME...] | --profile NAME [N]\n");
			return 2;
		} else {
			only[nonly++] = find(argv[i]);
		}
	}
	printf("# bench: %s per operation, %s run\n", time_mode ? "ns" : "instret",
	       profile ? "profile" : short_mode ? "short" : "full");

	/* The bare loop's cost, subtracted from every figure. */
	long nloop = short_mode || profile ? 10000 : 1000000;
	sync_tick();
	loop_milli = (long)TIMED(nloop, (void)0) * 1000 / nloop;
	profile_mode = profile; /* only now: the markers bracket one metric */

	for (unsigned i = 0; i < (nonly ? (unsigned)nonly : NBENCH); i++) {
		const struct bench *b = nonly ? only[i] : &benches[i];
		long n = profile_mode && nprofile > 0 ? nprofile : short_mode || profile_mode ? b->nshort : b->n;
		b->fn(b->name, n);
	}
	if (failures) {
		printf("# bench: %d check(s) failed\n", failures);
		return 1;
	}
	return 0;
}
