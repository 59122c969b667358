/* linux.h: what kernel/linux.c, the Linux x86-64 ABI, needs from the
 * architecture and from thread.c (to move into kernel/arch.h: h-arch's).
 */
#ifndef LINUX_H
#define LINUX_H

#include "kernel.h"
#include "proc.h"

/* The thread-local storage base a user thread runs with: tp on RISC-V,
 * FS_BASE on x86-64 (arch_prctl(ARCH_SET_FS and ARCH_GET_FS)); for the
 * caller it takes effect on its return to user mode.  (A TF_TLS(tf)
 * accessor in arch.h would do instead: x86-64's machine.h has one.) */
void arch_set_tls(struct thread *t, u64 base);
u64 arch_get_tls(struct thread *t);

/* thread.c: a thread of the calling process, its frame a copy of the
 * caller's, its tid taken, detached (freed at its end: Linux's threads are
 * reaped by the kernel, joined by user code on a futex); not running until
 * thread_start.  NULL and *err = -errno if none can be made. */
struct thread *thread_copy(long *err);
void thread_start(struct thread *t);

#endif
