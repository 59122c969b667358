/* fsutil.h: small helpers shared by the file-system and pipe tests.
 * plan(N) first, then each check prints "ok - what" or "not ok - what"
 * (the harness counts them against the plan).
 */
#ifndef FSUTIL_H
#define FSUTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "trapdoor.h"

static int failures;

/* "1..N": how many checks this run prints (see tap.h). */
static inline void plan(int n)
{
	printf("1..%d\n", n);
	fflush(stdout);
}

/* One result line; on failure errno is shown too, it is usually the why. */
static inline void __attribute__((format(printf, 2, 3))) check(int cond, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!cond) {
		printf("  (errno %d)", e);
		failures++;
	}
	printf("\n");
	fflush(stdout);
	errno = e;
}

/* A call that must fail with errno err. */
static inline void __attribute__((format(printf, 3, 4))) check_err(long r, int err, const char *fmt, ...)
{
	int e = errno;
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	errno = e;
	if (r == -1 && e == err)
		check(1, "%s", what);
	else
		check(0, "%s: got %ld errno %d, want -1 errno %d", what, r, e, err);
}

/* The system's free pages now. */
static inline unsigned long free_pages(void)
{
	struct kmeminfo mi;
	if (meminfo(&mi) < 0)
		return 0;
	return mi.free_pages;
}

/* fork with stdout flushed, so the child does not print the parent's
 * buffered lines a second time. */
static inline int xfork(void)
{
	fflush(stdout);
	fflush(stderr);
	return fork();
}

/* Wait for pid and return its raw status, or -1. */
static inline int waitstatus(int pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* Write/read exactly n bytes, looping over short counts. */
static inline long writeall(int fd, const void *buf, long n)
{
	long done = 0;
	while (done < n) {
		long r = write(fd, (const char *)buf + done, n - done);
		if (r <= 0)
			return done ? done : r;
		done += r;
	}
	return done;
}

static inline long readall(int fd, void *buf, long n)
{
	long done = 0;
	while (done < n) {
		long r = read(fd, (char *)buf + done, n - done);
		if (r <= 0)
			return done ? done : r;
		done += r;
	}
	return done;
}

/* The byte a test pattern has at offset off (seeded, so files differ). */
static inline unsigned char pattern(unsigned long seed, unsigned long off)
{
	unsigned long x = (off / 8 + 1) * 0x9e3779b97f4a7c15UL ^ seed * 0xbf58476d1ce4e5b9UL;
	x ^= x >> 29;
	return (unsigned char)(x >> ((off % 8) * 8));
}

static inline void fill_pattern(unsigned char *buf, unsigned long seed, unsigned long off, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		buf[i] = pattern(seed, off + i);
}

/* The offset of the first byte that differs from the pattern, or -1. */
static inline long check_pattern(const unsigned char *buf, unsigned long seed, unsigned long off, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (buf[i] != pattern(seed, off + i))
			return (long)i;
	return -1;
}

#endif
