/* syscall.c: system-call dispatch (the seed's "Syscall table").
 * The number in a7 (rax on x86-64) indexes a table of handlers generated
 * from include/trapdoor/syscalls.h, by the architecture's numbers (SYSNUM);
 * an unknown number gets -ENOSYS.
 */
#include "kernel.h"
#include "proc.h"
#include "trace.h"
#include "syscall.h"

#define SYSCALL(rv, x86, name, stub, args, ret) long sys_##name(SYSARGS);
#include "../include/trapdoor/syscalls.h"
#undef SYSCALL

/* The dispatch table: handler for each system-call number. */
const syscall_fn syscalls[SYS_max] = {
#define SYSCALL(rv, x86, name, stub, args, ret) [SYSNUM(rv, x86)] = sys_##name,
#include "../include/trapdoor/syscalls.h"
#undef SYSCALL
};

/* Names and argument formats, for strace and the tracer.  A Linux call
 * prints as Linux's name (its handler is sys_linux_<name>). */
const struct syscall_desc syscall_desc[SYS_max] = {
#define SYSCALL(rv, x86, name, stub, args, ret) [SYSNUM(rv, x86)] = { #name, args, ret },
#define LINUX SYSCALL
#include "../include/trapdoor/syscalls.h"
#undef LINUX
#undef SYSCALL
};

/* A string argument, at user address uva, copied into buf (at most max
 * bytes with the NUL). */
int argstr(u64 uva, char *buf, size_t max)
{
	return copyinstr(&myproc()->vm, buf, uva, max);
}

/* The traced path: the same dispatch, with the hooks around it.  The
 * untraced path is syscall() in syscall.h, inlined into usertrap. */
void syscall_traced(struct proc *p, struct trapframe *tf)
{
	u64 num = TF_SYSNUM(tf);
	trace_syscall_enter(p, tf);
	long ret = -ENOSYS;
	if (num < SYS_max && syscalls[num])
		ret = syscalls[num](TF_ARG(tf, 0), TF_ARG(tf, 1), TF_ARG(tf, 2), TF_ARG(tf, 3), TF_ARG(tf, 4), TF_ARG(tf, 5));
	/* Before a0 is overwritten: the tracer formats the arguments from
	 * the trapframe. */
	trace_syscall_exit(p, tf, num, ret);
	TF_RET(tf) = ret;
}
