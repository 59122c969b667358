/* syscall.h: system-call dispatch, inlined into the trap handler.
 * The number in a7 indexes the dispatch table built in syscall.c.
 */
#ifndef SYSCALL_H
#define SYSCALL_H

#include "kernel.h"
#include "proc.h"
#include "trace.h"

/* Every handler has the one type the table needs: it receives the six
 * argument registers a0..a5, as the user left them at the ecall, as C
 * parameters.  trapentry.S leaves them in place for usertrap, which passes
 * them straight on: no handler reloads them from the trapframe.  A handler
 * reads the ones it takes and ignores the rest (hence "unused"). */
#define SYSARG __attribute__((unused)) u64
#define SYSARGS SYSARG a0, SYSARG a1, SYSARG a2, SYSARG a3, SYSARG a4, SYSARG a5
typedef long (*syscall_fn)(u64, u64, u64, u64, u64, u64);
extern const syscall_fn syscalls[SYS_max];
void syscall_traced(struct proc *p, struct trapframe *tf);

/* Check the number against the table, run the handler, put the result in
 * a0.  An unknown number is -ENOSYS, never a fault.  a0..a5 and num are
 * the user's registers a0..a5 and a7, still live from the trap entry. */
static inline void syscall(struct trapframe *tf, struct thread *t, struct proc *p, SYSARGS, u64 num)
{
	t->syscalls++; /* the thread's count: several harts may run p */
	if (unlikely((p->strace_fd >= 0) | (trace_mask & (TR_RECORD | TR_SYSCALL | TR_TRAP)))) {
		syscall_traced(p, tf);
		return;
	}
	long ret = -ENOSYS;
	if (likely(num < SYS_max && syscalls[num]))
		ret = syscalls[num](a0, a1, a2, a3, a4, a5);
	TF_RET(tf) = ret;
}

#endif
