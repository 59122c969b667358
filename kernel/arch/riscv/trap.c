/* trap.c: RISC-V's half of a trap: what scause says, and whom to call.
 * The trap table maps each scause to its portable handler (kernel/trap.c).
 */
#include "kernel.h"
#include "proc.h"
#include "trace.h"
#include "syscall.h"
#include "board.h"

_Static_assert(TF_SYS_FULL == SYS_fork, "trapentry.S saves s0-s11 for fork");

static const char *const exc_name[NEXC] = {
	[EXC_INST_MISALIGNED] = "misaligned instruction fetch",
	[EXC_INST_ACCESS] = "instruction access fault",
	[EXC_ILLEGAL_INST] = "illegal instruction",
	[EXC_BREAKPOINT] = "breakpoint",
	[EXC_LOAD_MISALIGNED] = "misaligned load",
	[EXC_LOAD_ACCESS] = "load access fault",
	[EXC_STORE_MISALIGNED] = "misaligned store",
	[EXC_STORE_ACCESS] = "store access fault",
	[EXC_ECALL_U] = "system call",
	[EXC_ECALL_S] = "system call from S-mode",
	[EXC_INST_PAGE] = "instruction page fault",
	[EXC_LOAD_PAGE] = "load page fault",
	[EXC_STORE_PAGE] = "store page fault",
};

const char *arch_trap_name(u64 cause)
{
	if (cause & SCAUSE_INTR) {
		switch (cause & 0xff) {
		case IRQ_STIMER: return "timer interrupt";
		case IRQ_SEXT: return "device interrupt";
		case IRQ_SSOFT: return "software interrupt";
		}
		return "interrupt";
	}
	if (cause == EXC_ECALL_U)
		return "syscall";
	return cause < NEXC && exc_name[cause] ? exc_name[cause] : "exception";
}

/* --- exception handlers: the trap table's exception half --- */

/* A system call: sepc points at the ecall itself; resume after it (ecall
 * is always 4 bytes, never compressed).  usertrap calls this directly,
 * before consulting the table, as system calls are most traps; a0..a5
 * and num are the user's argument registers and a7. */
static inline void ecall(struct trapframe *tf, struct thread *t, struct proc *p, SYSARGS, u64 num)
{
	tf->epc += 4;
	syscall(tf, t, p, a0, a1, a2, a3, a4, a5, num);
}

/* The table's entry for system calls: the arguments from the trapframe. */
static void exc_syscall(struct trapframe *tf, u64 cause, u64 stval)
{
	(void)cause;
	(void)stval;
	ecall(tf, mythread(), myproc(), TF_ARG(tf, 0), TF_ARG(tf, 1), TF_ARG(tf, 2), TF_ARG(tf, 3), TF_ARG(tf, 4),
	      TF_ARG(tf, 5), TF_SYSNUM(tf));
}

/* A page fault: the page tables refused a load, a store or a fetch. */
static void exc_pagefault(struct trapframe *tf, u64 cause, u64 stval)
{
	int kind = cause == EXC_STORE_PAGE ? FAULT_WRITE : cause == EXC_INST_PAGE ? FAULT_EXEC : FAULT_READ;
	user_fault(tf, kind, cause, exc_name[cause], stval);
}

static void exc_illegal(struct trapframe *tf, u64 cause, u64 stval)
{
	/* The first FPU instruction of a thread whose FPU is off. */
	if (fpu_trap(mythread(), tf) == 0)
		return;
	user_fault(tf, FAULT_ILLEGAL, cause, "illegal or privileged instruction", stval);
}

static void exc_other(struct trapframe *tf, u64 cause, u64 stval)
{
	int kind = cause == EXC_BREAKPOINT ? FAULT_BREAK :
		   (cause == EXC_INST_ACCESS || cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS) ? FAULT_ACCESS :
		   FAULT_BUS;
	user_fault(tf, kind, cause, cause < NEXC && exc_name[cause] ? exc_name[cause] : "unknown trap", stval);
}

typedef void (*exc_handler)(struct trapframe *, u64, u64);
static const exc_handler exc_table[NEXC] = {
	[EXC_ECALL_U] = exc_syscall,
	[EXC_INST_PAGE] = exc_pagefault,
	[EXC_LOAD_PAGE] = exc_pagefault,
	[EXC_STORE_PAGE] = exc_pagefault,
	[EXC_ILLEGAL_INST] = exc_illegal,
};

/* --- interrupt handlers: the trap table's interrupt half --- */

/* A device interrupt: the PLIC says which source; complete it after. */
static void external_interrupt(void)
{
	int hart = mycpu()->hartid;
	int irq = plic_claim(hart);
	device_interrupt(irq);
	if (irq)
		plic_complete(hart, irq);
}

/* A software interrupt: another hart's arch_kick.  Cleared first, so
 * that a request made while it is answered raises it again. */
static void soft_interrupt(void)
{
	csr_clear(sip, 1UL << IRQ_SSOFT);
	ipi_interrupt();
}

static void interrupt(u64 irq)
{
	switch (irq) {
	case IRQ_STIMER: timer_interrupt(); break;
	case IRQ_SEXT: external_interrupt(); break;
	case IRQ_SSOFT: soft_interrupt(); break;
	default: kprintf("unexpected interrupt %d\n", (int)irq);
	}
}

/* Everything but a system call: interrupts and exceptions. */
static __attribute__((noinline)) void usertrap_other(struct trapframe *tf, u64 cause)
{
	struct proc *p = myproc();
	trace_trap(p, cause, tf->epc);
	if (cause & SCAUSE_INTR) {
		u64 irq = cause & ~SCAUSE_INTR;
		interrupt(irq);
		if (irq == IRQ_STIMER)
			timer_preempt();
	} else {
		exc_handler h = cause < NEXC ? exc_table[cause] : NULL;
		(h ? h : exc_other)(tf, cause, csr_read(stval));
	}
}

/* A trap from user mode.  Returns the trapframe to return-from-trap with.
 * System calls, by far the most common trap, take the straight path:
 * trapentry.S left the user's a0..a5 and a7 in their registers, so they
 * arrive here as parameters (the trapframe comes seventh, in a6), and go
 * on to the handler without a reload.  For other traps they mean nothing. */
struct trapframe *usertrap(SYSARGS, struct trapframe *tf, u64 a7)
{
	u64 cause = csr_read(scause);
	struct cpu *c = mycpu();
	struct proc *p = c->proc;
	if (likely(cause == EXC_ECALL_U))
		ecall(tf, c->thread, p, a0, a1, a2, a3, a4, a5, a7);
	else
		usertrap_other(tf, cause);
	if (unlikely(p->killed | (trace_mask & TR_RECORD)))
		trap_leave(p);
	return tf;
}

/* A trap while in the kernel: an interrupt in the idle loop, a fault on
 * user memory inside uaccess.S, or a bug. */
void kerneltrap(struct trapframe *tf)
{
	extern char uaccess_begin[], uaccess_end[], uaccess_fault[];
	u64 cause = csr_read(scause);
	if (cause & SCAUSE_INTR) {
		interrupt(cause & ~SCAUSE_INTR);
		return;
	}
	/* copyin/copyout touching a user page that is absent, copy-on-write
	 * or not allowed: resolve it as the hardware's user access would, or
	 * make the copy return -EFAULT. */
	if ((cause == EXC_LOAD_PAGE || cause == EXC_STORE_PAGE) && tf->epc >= (u64)uaccess_begin &&
	    tf->epc < (u64)uaccess_end && myproc()) {
		if (copy_fault(csr_read(stval), cause == EXC_STORE_PAGE) < 0)
			tf->epc = (u64)uaccess_fault;
		return;
	}
	panic("kernel trap: %s (scause %p) at pc %p, stval %p",
	      cause < NEXC && exc_name[cause] ? exc_name[cause] : "?", (void *)cause,
	      (void *)tf->epc, (void *)csr_read(stval));
}
