/* trapdoor.h: Trapdoor's own system calls for user programs.
 * The POSIX ones (read, write, fork, execve, pipe, ...) come from
 * picolibc's <unistd.h>; this adds the xv6-style and Trapdoor-only calls.
 */
#ifndef TRAPDOOR_H
#define TRAPDOOR_H

#include <stddef.h>
#include <sys/types.h>
#include "trapdoor/abi.h"

/* xv6-compatible where the two overlap */
int wait(int *status);
int exec(const char *path, char *const argv[]);
int uptime(void); /* milliseconds since boot */
int yield(void);

/* Trapdoor */
int msleep(unsigned ms);
int poweroff(int fail);
int waitpid(int pid, int *status, int options);
int fgpgrp(int pgid);
int spawn(const char *path, char *const argv[], char *const envp[]);
int procinfo(struct kprocinfo *rows, unsigned long n);
int meminfo(struct kmeminfo *mi);
long tracectl(int op, int arg, int arg2); /* long: TRACECTL_TIMEBASE is the TSC rate on x86-64 */
int traceread(struct ktevent *ev, unsigned long len);
int strace(int fd, int flags);
long clock_ns(void);
int setprio(int pid, int prio); /* ready-queue level 0..7 */
int diskstat(struct kdiskstat *st);
int mounts(char *buf, unsigned long n); /* the mount table as text */
int getdents(int fd, void *buf, unsigned long n);
long syscall(long n, ...);

/* Threads: the raw calls under <pthread.h> (see abi.h for what each does).
 * Like every stub they return -1 and set errno on failure. */
int __thread_create(void (*entry)(void *), void *arg, void *stack, void *tls);
void __thread_exit(void *value) __attribute__((noreturn));
int __thread_join(int tid, void **value);
int __thread_detach(int tid);
int gettid(void);
int __futex_wait(volatile unsigned *addr, unsigned val, unsigned long timeout_ns);
int __futex_wake(volatile unsigned *addr, int n);

#ifdef __riscv
static inline unsigned long rdinstret(void)
{
	unsigned long v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}
static inline unsigned long rdtime(void)
{
	unsigned long v;
	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}
/* The thread pointer, the TLS block that thread_create's tls sets. */
static inline void *thread_pointer(void)
{
	void *v;
	__asm__ volatile("mv %0, tp" : "=r"(v));
	return v;
}
#else
/* x86-64 (musl): user mode has no instruction counter to read (rdpmc
 * needs CR4.PCE), so the TSC's count stands in for rdinstret.  rdtime
 * keeps its unit, QEMU virt's 10 MHz: the TSC (readable in user mode,
 * CR4.TSD is clear) scaled by the rate the kernel measured at boot, asked
 * once.  Not the clock system call: spin's loop would then be a loop of
 * system calls, millions a second, each three trace=record events. */
static inline unsigned long rdinstret(void)
{
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long)hi << 32 | lo;
}
static inline unsigned long rdtime(void)
{
	static unsigned long hz; /* TSC counts a second */
	if (!hz) {
		long r = tracectl(TRACECTL_TIMEBASE, 0, 0);
		if (r <= 0)
			return (unsigned long)clock_ns() / 100;
		hz = (unsigned long)r;
	}
	return (unsigned long)((unsigned __int128)rdinstret() * 10000000 / hz);
}
/* The thread pointer is the FS base; musl's thread block starts with a
 * pointer to itself, so reading %fs:0 gives the base without a system call. */
static inline void *thread_pointer(void)
{
	void *v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}
#endif

#ifndef WIFEXITED
#define WIFEXITED(s) (((s)&0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s)&0x7f) != 0)
#define WTERMSIG(s) ((s)&0x7f)
#endif

#endif
