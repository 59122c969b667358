/* libtd.c (x86-64): Trapdoor's own calls for programs linked with musl.
 * musl speaks Linux's ABI for everything POSIX; what only Trapdoor has is
 * called here by its number (1000 + its RISC-V number, sysnum_x86_64.h).
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "trapdoor.h"

/* The kernel's numbers must be Linux's, which musl's headers have. */
_Static_assert(ENOSYS == 38 && ENOTEMPTY == 39 && ELOOP == 40 && ETIMEDOUT == 110, "errno values");
_Static_assert(SYS_spawn == 1039 && SYS_procinfo == 1040 && TRAPDOOR_SYS_fstat == 1008, "Trapdoor's own numbers");

/* xv6's and Trapdoor's calls of the same purpose as a Linux one */
int exec(const char *path, char *const argv[]) { return execve(path, argv, environ); }
int yield(void) { return syscall(SYS_sched_yield); }
int uptime(void) { return syscall(SYS_uptime); }

/* Trapdoor's own */
int msleep(unsigned ms) { return syscall(SYS_sleep, ms); }
int poweroff(int fail) { return syscall(SYS_poweroff, fail); }
int fgpgrp(int pgid) { return syscall(SYS_fgpgrp, pgid); }
int spawn(const char *path, char *const argv[], char *const envp[]) { return syscall(SYS_spawn, path, argv, envp); }
int procinfo(struct kprocinfo *rows, unsigned long n) { return syscall(SYS_procinfo, rows, n); }
int meminfo(struct kmeminfo *mi) { return syscall(SYS_meminfo, mi); }
long tracectl(int op, int arg, int arg2) { return syscall(SYS_trace, op, arg, arg2); }
int traceread(struct ktevent *ev, unsigned long len) { return syscall(SYS_traceread, ev, len); }
int strace(int fd, int flags) { return syscall(SYS_strace, fd, flags); }
long clock_ns(void) { return syscall(SYS_clock); }
int setprio(int pid, int prio) { return syscall(SYS_nice, pid, prio); }
int diskstat(struct kdiskstat *st) { return syscall(SYS_diskstat, st); }
int mounts(char *buf, unsigned long n) { return syscall(SYS_mounts, buf, n); }
/* Trapdoor's records (struct kdirent), not Linux's: ls reads them */
int getdents(int fd, void *buf, unsigned long n) { return syscall(TRAPDOOR_SYS_getdents, fd, buf, n); }
/* Trapdoor's mknod(path, major, mode), as RISC-V's stub: user/xv6/ulib.c's */
int __sys_mknod(const char *path, int major, int mode) { return syscall(TRAPDOOR_SYS_mknod, path, major, mode); }

/* musl's sbrk refuses to grow the heap (its malloc uses brk and mmap
 * itself); Trapdoor's programs grow it, as on RISC-V. */
void *sbrk(intptr_t delta) { return (void *)syscall(SYS_sbrk, delta); }

/* Trapdoor's own threads, under the names the RISC-V stubs have (musl's
 * pthreads use clone and futex instead) */
int __thread_create(void (*entry)(void *), void *arg, void *stack, void *tls)
{
	return syscall(SYS_thread_create, entry, arg, stack, tls);
}
void __thread_exit(void *value)
{
	syscall(SYS_thread_exit, value);
	for (;;)
		;
}
int __thread_join(int tid, void **value) { return syscall(SYS_thread_join, tid, value); }
/* musl's gettid reads its own thread block; Trapdoor's threads share the
 * first one's (user/tests/threadk.c), so ask the kernel. */
pid_t gettid(void) { return syscall(SYS_gettid); }
int __thread_detach(int tid) { return syscall(SYS_thread_detach, tid); }
int __futex_wait(volatile unsigned *addr, unsigned val, unsigned long timeout_ns)
{
	return syscall(SYS_futex_wait, addr, val, timeout_ns);
}
int __futex_wake(volatile unsigned *addr, int n) { return syscall(SYS_futex_wake, addr, n); }
