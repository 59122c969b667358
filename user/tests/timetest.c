/* timetest.c: the time of day and the monotonic clock (clock_gettime,
 * clock_settime, gettimeofday, time, file timestamps), and their errors.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include "tap.h"

#define KERNEL_ADDR ((void *)0xffffffc080200000UL)
#define NS 1000000000L

static long ns_of(const struct timespec *ts) { return ts->tv_sec * NS + ts->tv_nsec; }

static long now(clockid_t c)
{
	struct timespec ts;
	if (clock_gettime(c, &ts) < 0)
		return -1;
	return ns_of(&ts);
}

/* Does call fail with errno e (and not touch *ts)? */
static int fails(int r, int e) { return r == -1 && errno == e; }

int main(void)
{
	plan(19);
	struct timespec ts = { -7, -7 };
	int r = clock_gettime(CLOCK_REALTIME, &ts);
	/* 2020-01-01 is 1577836800: an RTC read as garbage or not at all
	 * (time from 1970) would be far from it. */
	check(r == 0 && ts.tv_sec > 1577836800L && ts.tv_nsec >= 0 && ts.tv_nsec < NS,
	      "CLOCK_REALTIME is a time of day: %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
	printf("# realtime %ld\n", (long)ts.tv_sec);

	/* The monotonic clock counts from boot, as clock_ns() always has. */
	long m = now(CLOCK_MONOTONIC), c = clock_ns();
	check(m > 0 && labs(m - c) < NS / 10, "CLOCK_MONOTONIC is time since boot (%ld ns; clock_ns %ld)", m, c);

	/* Never back, read after read. */
	long prev = now(CLOCK_MONOTONIC), back = 0, reads = 0;
	for (; reads < 200000; reads++) {
		long t = now(CLOCK_MONOTONIC);
		back += t < prev;
		prev = t;
	}
	check(back == 0, "CLOCK_MONOTONIC never went back in %ld reads (%ld times back)", reads, back);

	/* Nor from one process (or hart) to the next: a child's reading,
	 * passed through a pipe, is before the parent's after it. */
	int p[2], late = 0, got = 0;
	if (pipe(p) == 0) {
		for (int i = 0; i < 4; i++) {
			int pid = fork();
			if (pid == 0) {
				for (int k = 0; k < 50; k++) {
					long t = now(CLOCK_MONOTONIC);
					write(p[1], &t, sizeof t);
					yield();
				}
				_exit(0);
			}
		}
		close(p[1]);
		long t;
		while (read(p[0], &t, sizeof t) == sizeof t) {
			got++;
			late += now(CLOCK_MONOTONIC) < t;
		}
		close(p[0]);
		while (wait(NULL) > 0)
			;
	}
	check(got == 200 && late == 0, "monotonic across processes: %d of %d readings were later than the reader's", late, got);

	/* Both clocks move with real time: a 300 ms sleep is 300 ms on each. */
	long r0 = now(CLOCK_REALTIME), m0 = now(CLOCK_MONOTONIC);
	msleep(300);
	long dr = now(CLOCK_REALTIME) - r0, dm = now(CLOCK_MONOTONIC) - m0;
	check(dr >= 300000000L && dr < 5 * NS && labs(dr - dm) < NS / 100,
	      "a 300 ms sleep: realtime +%ld ns, monotonic +%ld ns", dr, dm);

	/* picolibc's calls on top of it agree. */
	struct timeval tv;
	long rt = now(CLOCK_REALTIME) / NS;
	check(gettimeofday(&tv, NULL) == 0 && tv.tv_sec - rt <= 1 && tv.tv_sec >= rt && tv.tv_usec >= 0 &&
		      tv.tv_usec < 1000000, "gettimeofday is the time of day (%ld s, clock %ld s)", (long)tv.tv_sec, rt);
	time_t t = time(NULL);
	check(t - rt <= 1 && t >= rt, "time() is the time of day (%ld, clock %ld)", (long)t, rt);

	/* A file made now is stamped now. */
	struct stat st;
	unlink("/tmp-timetest");
	int fd = open("/tmp-timetest", O_CREAT | O_WRONLY, 0644);
	long made = now(CLOCK_REALTIME) / NS;
	int sr = fd >= 0 ? fstat(fd, &st) : -1;
	check(sr == 0 && labs((long)st.st_mtim.tv_sec - made) <= 2, "a new file's mtime is the time of day (%ld, now %ld)",
	      sr == 0 ? (long)st.st_mtim.tv_sec : -1L, made);
	if (fd >= 0)
		close(fd);
	unlink("/tmp-timetest");

	/* Errors: a clock that is not there, a pointer that is not the caller's. */
	/* The C library's numbers for the two clocks: picolibc's 1 and 4 on
	 * RISC-V, Linux's 0 and 1 with musl on x86-64; any other is unknown. */
	int bad[] = { 0, 1, 2, 3, 4, 5, 99, -1 }, einval = 0;
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (bad[i] != CLOCK_REALTIME && bad[i] != CLOCK_MONOTONIC)
			einval += fails(clock_gettime(bad[i], &ts), EINVAL);
	check(einval == 6, "clock_gettime of an unknown clock: EINVAL (%d of 6)", einval);
	check(fails(clock_gettime(CLOCK_REALTIME, NULL), EFAULT), "clock_gettime(REALTIME, NULL): EFAULT");
	check(fails(clock_gettime(CLOCK_MONOTONIC, KERNEL_ADDR), EFAULT), "clock_gettime into kernel memory: EFAULT");
	check(fails(clock_gettime(CLOCK_REALTIME, (void *)0x3000000000UL), EFAULT),
	      "clock_gettime into unmapped memory: EFAULT");

	/* Setting the time: root only, CLOCK_REALTIME only, sane values only. */
	int pid = fork();
	if (pid == 0) {
		setuid(1000);
		struct timespec x = { 1000000000L, 0 };
		_exit(fails(clock_settime(CLOCK_REALTIME, &x), EPERM) ? 0 : 1);
	}
	int status = reap(pid);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "clock_settime as uid 1000: EPERM");
	struct timespec bad_ns = { 1000000000L, NS }, neg = { -1, 0 }, one = { 1000000000L, 0 };
	check(fails(clock_settime(CLOCK_REALTIME, &bad_ns), EINVAL) && fails(clock_settime(CLOCK_REALTIME, &neg), EINVAL),
	      "clock_settime with tv_nsec = 10^9 or a negative time: EINVAL");
	check(fails(clock_settime(CLOCK_MONOTONIC, &one), EINVAL), "clock_settime(CLOCK_MONOTONIC): EINVAL");
	check(fails(clock_settime(CLOCK_REALTIME, KERNEL_ADDR), EFAULT), "clock_settime from kernel memory: EFAULT");

	/* Set the time back by 10 years: realtime follows, monotonic does not
	 * go back.  Then put it right again. */
	long before = now(CLOCK_REALTIME), mono_before = now(CLOCK_MONOTONIC);
	struct timespec past = { before / NS - 10 * 365 * 86400L, before % NS };
	int sret = clock_settime(CLOCK_REALTIME, &past);
	long after = now(CLOCK_REALTIME), mono_after = now(CLOCK_MONOTONIC);
	check(sret == 0 && after >= ns_of(&past) && after - ns_of(&past) < NS,
	      "clock_settime as root: the clock reads what was set (%ld.%09ld -> %ld ns)", (long)past.tv_sec,
	      past.tv_nsec, after);
	check(mono_after >= mono_before, "setting the time of day leaves CLOCK_MONOTONIC alone");
	struct timespec back_ts = { 0, 0 };
	long fix = before + (now(CLOCK_MONOTONIC) - mono_before);
	back_ts.tv_sec = fix / NS;
	back_ts.tv_nsec = fix % NS;
	check(clock_settime(CLOCK_REALTIME, &back_ts) == 0 && labs(now(CLOCK_REALTIME) - fix) < NS,
	      "and back: the time of day is right again");
	return tap_done();
}
