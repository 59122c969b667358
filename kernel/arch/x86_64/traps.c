/* traps.c: x86-64's half of a trap: what the vector says, and whom to
 * call.  trapentry.S saved the frame and calls x86_trap (IDT vectors) or
 * x86_syscall (the syscall instruction) with it.
 */
#include "kernel.h"
#include "proc.h"
#include "trace.h"
#include "syscall.h"
#include "x86_64.h"

extern const char *const x86_exc_name[32];
void x86_dump(struct trapframe *tf);

const char *arch_trap_name(u64 cause)
{
	if (cause == T_SYSCALL)
		return "syscall";
	if (cause == T_TIMER)
		return "timer interrupt";
	if (cause == T_IPI)
		return "IPI";
	if (cause >= T_IRQ0 && cause < T_IRQ0 + 48)
		return "device interrupt";
	return cause < 32 && x86_exc_name[cause] ? x86_exc_name[cause] : "interrupt";
}

/* The syscall instruction: rip already points past it (rcx), and the
 * registers are Linux's (machine.h's TF_ARG). */
void x86_syscall(struct trapframe *tf)
{
	struct cpu *c = mycpu();
	struct proc *p = c->proc;
	syscall(tf, c->thread, p, tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9, tf->rax);
	if (unlikely(p->killed | (trace_mask & TR_RECORD)))
		trap_leave(p);
}

/* Is the instruction at the user's rip one that only ring 0 may run?
 * #GP's error code is 0 both for those and for a non-canonical address,
 * so look: skip the prefixes, then the opcodes of lgdt/lidt & co (0f 01),
 * lldt/ltr (0f 00), mov to/from CR and DR, clts, invd, wbinvd, wrmsr,
 * rdmsr, rdpmc, hlt, cli, sti, in, out, ins, outs. */
static int privileged(struct trapframe *tf)
{
	u8 b[16];
	if (copyin(&myproc()->vm, b, tf->rip, sizeof b) < 0 && copyin(&myproc()->vm, b, tf->rip, 4) < 0)
		return 0;
	int i = 0;
	while (i < 12 && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xf2 || b[i] == 0xf3 || b[i] == 0x2e ||
			  b[i] == 0x36 || b[i] == 0x3e || b[i] == 0x26 || b[i] == 0x64 || b[i] == 0x65 ||
			  (b[i] & 0xf0) == 0x40))
		i++;
	u8 op = b[i];
	if (op == 0xcd) /* int n: every gate but int3's is kernel-only */
		return 1;
	if (op == 0xf4 || op == 0xfa || op == 0xfb || (op >= 0xe4 && op <= 0xe7) || (op >= 0xec && op <= 0xef) ||
	    (op >= 0x6c && op <= 0x6f) || op == 0xcf)
		return 1;
	if (op == 0x0f) {
		u8 op2 = b[i + 1];
		return op2 == 0x00 || op2 == 0x01 || (op2 >= 0x20 && op2 <= 0x23) || op2 == 0x06 || op2 == 0x08 ||
		       op2 == 0x09 || op2 == 0x30 || op2 == 0x32 || op2 == 0x33;
	}
	return 0;
}

/* kvm-pvm (this machine's KVM, docs/design.md) carries out a `syscall`
 * from ring 3 only halfway: rcx = the return address, r11 = rflags,
 * rflags masked by FMASK, rip = LSTAR, but still in ring 3, where the
 * fetch at syscall_entry faults.  That fault is recognisable beyond
 * doubt: user code can never run with IF clear (popf ignores IF at IOPL
 * 0), so a user frame without IF at rip = syscall_entry is a `syscall`.
 * Finish it here: the same call, returned from by iretq. */
static int pvm_syscall(struct trapframe *tf)
{
	extern char syscall_entry[];
	if (tf->rip != (u64)syscall_entry || (tf->rflags & RFLAGS_IF) || (tf->error & 0x15) != 0x15)
		return 0;
	tf->rip = tf->rcx;
	tf->rflags = tf->r11;
	x86_syscall(tf);
	return 1;
}

static void user_exception(struct trapframe *tf, u64 v)
{
	switch (v) {
	case 14: { /* page fault: CR2 has the address, the error code why */
		u64 addr = read_cr(2), e = tf->error;
		int kind = e & 0x10 ? FAULT_EXEC : e & 2 ? FAULT_WRITE : FAULT_READ;
		const char *name = kind == FAULT_EXEC ? "instruction page fault" :
				   kind == FAULT_WRITE ? "store page fault" : "load page fault";
		user_fault(tf, kind, v, name, addr);
		return;
	}
	case 7: /* device not available: the thread's first FPU instruction */
		if (fpu_trap(mythread()) == 0)
			return;
		user_fault(tf, FAULT_ILLEGAL, v, "illegal instruction", tf->rip);
		return;
	case 6:
		/* kvm-pvm reports `int $0x80` as #UD, not #GP: name it the same. */
		user_fault(tf, FAULT_ILLEGAL, v, privileged(tf) ? "illegal or privileged instruction" : "illegal instruction",
			   tf->rip);
		return;
	case 13:
		/* A nonzero error code names a segment or gate: `int $n` to a
		 * kernel-only gate, a far jump: all ways to try privilege. */
		if (tf->error || privileged(tf))
			user_fault(tf, FAULT_ILLEGAL, v, "illegal or privileged instruction", tf->rip);
		else
			user_fault(tf, FAULT_ACCESS, v, "general protection fault (non-canonical address)", tf->rip);
		return;
	case 3:
		user_fault(tf, FAULT_BREAK, v, "breakpoint", tf->rip);
		return;
	case 12: /* stack segment: a non-canonical rsp */
		user_fault(tf, FAULT_ACCESS, v, "stack fault", tf->rsp);
		return;
	case 17:
		user_fault(tf, FAULT_BUS, v, "misaligned access", tf->rip);
		return;
	default:
		user_fault(tf, FAULT_BUS, v, v < 32 && x86_exc_name[v] ? x86_exc_name[v] : "unknown trap", tf->rip);
	}
}

/* An interrupt: acknowledge it at the LAPIC first (they are all edge-
 * triggered here, and the handler may switch to another thread before
 * returning), then the portable handler. */
static void interrupt(u64 v)
{
	if (v == T_SPURIOUS) /* never acknowledged */
		return;
	lapic_eoi();
	if (v == T_TIMER)
		timer_interrupt();
	else if (v == T_IPI)
		ipi_interrupt();
	else if (v >= T_IRQ0 && v < T_IRQ0 + 48)
		device_interrupt(v - T_IRQ0);
	else
		kprintf("unexpected interrupt %d\n", (int)v);
}

/* A trap from user mode (the frame's cs has RPL 3), or from the kernel:
 * an interrupt in the idle loop, a fault on user memory inside uaccess.S,
 * or a bug. */
void x86_trap(struct trapframe *tf)
{
	u64 v = tf->vector;
	if (tf->cs & 3) {
		if (unlikely(v == 14) && pvm_syscall(tf)) /* a system call, not a trap */
			return;
		struct proc *p = myproc();
		trace_trap(p, v, tf->rip);
		if (v >= 32) {
			interrupt(v);
			if (v == T_TIMER)
				timer_preempt();
		} else {
			user_exception(tf, v);
		}
		if (unlikely(p->killed | (trace_mask & TR_RECORD)))
			trap_leave(p);
		return;
	}
	if (v >= 32) {
		interrupt(v);
		return;
	}
	extern char uaccess_begin[], uaccess_end[], uaccess_fault[];
	if (v == 14 && tf->rip >= (u64)uaccess_begin && tf->rip < (u64)uaccess_end && myproc()) {
		if (copy_fault(read_cr(2), (tf->error & 2) != 0) < 0)
			tf->rip = (u64)uaccess_fault;
		return;
	}
	eprintf("\nkernel trap on cpu %d: ", mycpu() ? mycpu()->id : -1);
	x86_dump(tf);
	panic("kernel trap: %s at pc %p, cr2 %p", arch_trap_name(v), (void *)tf->rip, (void *)read_cr(2));
}
