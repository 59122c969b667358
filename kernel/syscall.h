/* syscall.h: system-call dispatch, inlined into the trap handler.
 * The number in a7 indexes the dispatch table built in syscall.c.
 */
#ifndef SYSCALL_H
#define SYSCALL_H

#include "kernel.h"
#include "proc.h"
#include "trace.h"

typedef long (*syscall_fn)(void);
extern const syscall_fn syscalls[SYS_max];
void syscall_traced(struct proc *p, struct trapframe *tf);

/* Check the number against the table, run the handler, put the result in
 * a0.  An unknown number is -ENOSYS, never a fault. */
static inline void syscall(struct trapframe *tf, struct proc *p)
{
	p->syscalls++;
	if (unlikely((p->strace_fd >= 0) | (trace_mask & (TR_RECORD | TR_SYSCALL | TR_TRAP)))) {
		syscall_traced(p, tf);
		return;
	}
	u64 num = TF_SYSNUM(tf);
	long ret = -ENOSYS;
	if (likely(num < SYS_max && syscalls[num]))
		ret = syscalls[num]();
	TF_RET(tf) = ret;
}

#endif
