/* linux.h: what kernel/linux.c, the Linux x86-64 ABI, needs from the
 * architecture and from thread.c (to move into kernel/arch.h: h-arch's).
 */
#ifndef LINUX_H
#define LINUX_H

#include "kernel.h"
#include "proc.h"

/* The thread-local storage base a user thread runs with: tp on RISC-V,
 * FS_BASE on x86-64 (arch_prctl(ARCH_SET_FS), clone's CLONE_SETTLS).  t is
 * the calling thread or one not yet started; for the caller it takes
 * effect on its return to user mode. */
void arch_set_tls(struct thread *t, u64 base);
u64 arch_get_tls(struct thread *t);

/* tf, a copy of the creating thread's frame (Linux's clone), becomes a
 * new thread's: it returns 0 from the call, on stack sp, and does not
 * inherit the creator's FPU state. */
void arch_thread_frame(struct trapframe *tf, u64 sp);

/* uname()'s machine: "riscv64", "x86_64" */
extern const char arch_machine[];

/* thread.c: a thread of the calling process with the caller's frame, its
 * tid taken, detached (freed at its end: Linux's threads are reaped by the
 * kernel, joined by user code on a futex); not running until
 * thread_start.  NULL and *err = -errno if none can be made. */
struct thread *thread_copy(long *err);
void thread_start(struct thread *t);

#endif
