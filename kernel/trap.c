/* trap.c: what the kernel does with a trap (the "Handle trap" row).
 * trapentry.S saved the user registers in the trapframe and called
 * usertrap.  The trap table below maps each scause to its handler: system
 * calls, page faults, illegal instructions, timer and device interrupts.
 */
#include "kernel.h"
#include "proc.h"
#include "trace.h"
#include "syscall.h"
#include "buf.h"

volatile u64 ticks;
_Static_assert(TF_SYS_FULL == SYS_fork, "trapentry.S saves s0-s11 for fork");
u64 tick_period; /* timer units per tick, computed once at boot */
static u64 boot_time;

void trap_init(void)
{
	boot_time = arch_time();
	arch_trap_init();
}

u64 uptime_ms(void) { return (arch_time() - boot_time) * 1000 / timebase_hz; }

const char *const exc_name[NEXC] = {
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

static const char *signame(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGILL: return "SIGILL";
	case SIGTRAP: return "SIGTRAP";
	case SIGKILL: return "SIGKILL";
	case SIGBUS: return "SIGBUS";
	case SIGSEGV: return "SIGSEGV";
	case SIGSYS: return "SIGSYS";
	case SIGPIPE: return "SIGPIPE";
	case SIGTERM: return "SIGTERM";
	}
	return "signal";
}

/* A fault the process cannot recover from: say who (the thread too, if
 * it is not the first), what and where on the console, and mark the
 * process to die, every thread of it.  Its parent's wait() sees the
 * signal. */
void kill_fault(struct proc *p, int sig, const char *what, u64 addr)
{
	char who[48];
	struct thread *t = mythread();
	thread_label(t, who, sizeof who);
	kprintf("%s: %s at %p, pc %p: killed (%s)\n", who, what, (void *)addr, (void *)t->tf->epc, signame(sig));
	trace_kill(p, sig, csr_read(scause), addr);
	acquire(&schedlock);
	kill_locked(p, sig);
	release(&schedlock);
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
static void exc_syscall(struct trapframe *tf, u64 stval)
{
	(void)stval;
	ecall(tf, mythread(), myproc(), TF_ARG(tf, 0), TF_ARG(tf, 1), TF_ARG(tf, 2), TF_ARG(tf, 3), TF_ARG(tf, 4),
	      TF_ARG(tf, 5), TF_SYSNUM(tf));
}

/* Did the process run off the bottom of its stack?  Either the access hit
 * the guard page, or the stack pointer itself is already below the
 * stack's limit: a frame bigger than the guard page (a large local array,
 * or a few levels of recursion inlined into one) jumps right over it, and
 * its first access lands below the guard. */
static int stack_overflow(struct trapframe *tf, u64 stval)
{
	u64 limit = USTACK_TOP - USTACK_MAX;
	if (stval >= USTACK_GUARD && stval < limit)
		return 1;
	return tf->sp < limit && tf->sp >= USTACK_GUARD - USTACK_MAX && stval < limit && stval + PGSIZE >= tf->sp;
}

static void exc_pagefault(struct trapframe *tf, u64 stval)
{
	u64 cause = csr_read(scause);
	struct proc *p = myproc();
	int oom, r = oom_fault(p, stval, cause == EXC_STORE_PAGE, cause == EXC_INST_PAGE, &oom);
	if (r == 0)
		return;
	const char *what = exc_name[cause];
	if (r == -ENOMEM)
		what = oom == OOM_SELF  ? "out of memory on page fault (it holds the most memory)" :
		       oom == OOM_FREED ? "out of memory on page fault (still none after killing others)" :
					  "out of memory on page fault (no other process to kill)";
	else if (r == -ERANGE)
		what = "stack growth past RLIMIT_AS";
	else if (r == -EACCES)
		what = "access to a PROT_NONE page";
	else if (stack_overflow(tf, stval))
		what = "stack overflow (guard page)";
	else if (stval >= PHYS_OFFSET) /* the kernel's half */
		what = cause == EXC_STORE_PAGE ? "store to kernel memory" :
		       cause == EXC_LOAD_PAGE  ? "load from kernel memory" :
						 "jump into kernel memory";
	else if (stval >= USER_TOP) /* the hole between the two halves */
		what = cause == EXC_STORE_PAGE ? "store outside the address space" :
		       cause == EXC_LOAD_PAGE  ? "load from outside the address space" :
						 "jump outside the address space";
	kill_fault(p, r == -ENOMEM ? SIGKILL : SIGSEGV, what, stval);
}

static void exc_illegal(struct trapframe *tf, u64 stval)
{
	struct proc *p = myproc();
	struct thread *t = mythread();
	/* The first FPU instruction of a thread whose FPU is off: give it
	 * its registers (saved ones, or zeros) and retry the instruction. */
	if ((tf->sstatus & SSTATUS_FS) == SSTATUS_FS_OFF) {
		static const u64 zero[FPU_REGS];
		csr_set(sstatus, SSTATUS_FS_CLEAN);
		fpu_restore(t->fpu_saved ? t->fpu : zero);
		csr_clear(sstatus, SSTATUS_FS);
		tf->sstatus |= SSTATUS_FS_CLEAN;
		/* Not an FPU instruction after all?  It traps again with FS on
		 * and is reported below. */
		return;
	}
	kill_fault(p, SIGILL, "illegal or privileged instruction", stval);
}

static void exc_other(struct trapframe *tf, u64 stval)
{
	u64 cause = csr_read(scause);
	(void)tf;
	int sig = cause == EXC_BREAKPOINT ? SIGTRAP : (cause == EXC_INST_ACCESS || cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS) ? SIGSEGV : SIGBUS;
	kill_fault(myproc(), sig, cause < NEXC && exc_name[cause] ? exc_name[cause] : "unknown trap", stval);
}

typedef void (*exc_handler)(struct trapframe *, u64);
static const exc_handler exc_table[NEXC] = {
	[EXC_ECALL_U] = exc_syscall,
	[EXC_INST_PAGE] = exc_pagefault,
	[EXC_LOAD_PAGE] = exc_pagefault,
	[EXC_STORE_PAGE] = exc_pagefault,
	[EXC_ILLEGAL_INST] = exc_illegal,
};

/* --- interrupt handlers: the trap table's interrupt half --- */

/* The timer interrupt: the OS regains control.  Re-arm the timer, keep
 * time, and charge the tick to whoever was running. */
void timer_interrupt(void)
{
	struct cpu *c = mycpu();
	c->next_timer = arch_time() + tick_period;
	arch_timer_arm(c->next_timer);
	if (c->id == 0) {
		ticks++;
		timer_wakeups(ticks);
		if (bcache_ndirty)
			bflush_tick();
	}
	struct thread *t = c->thread;
	trace_timer(t);
	if (t) {
		t->ticks++;
		t->slice_left--;
	}
}

static void device_interrupt(void)
{
	int hart = mycpu()->hartid;
	int irq = plic_claim(hart);
	if (irq == bootinfo.uart_irq) {
		int ch;
		while ((ch = uart_getc()) >= 0)
			console_intr(ch);
	} else if (irq == disk_irq) {
		disk_intr();
	}
	trace_irq(irq);
	if (irq)
		plic_complete(hart, irq);
}

/* A software interrupt: another hart woke this one from wfi (arch_kick),
 * or asks it to flush its TLB (tlb_shootdown).  Cleared first, so that a
 * request made while it is answered raises it again. */
static void soft_interrupt(void)
{
	csr_clear(sip, 1UL << IRQ_SSOFT);
	tlb_poll();
}

static void interrupt(u64 irq)
{
	switch (irq) {
	case IRQ_STIMER: timer_interrupt(); break;
	case IRQ_SEXT: device_interrupt(); break;
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
		if (irq == IRQ_STIMER && mythread()->slice_left <= 0 && !params.coop)
			preempt();
	} else {
		exc_handler h = cause < NEXC ? exc_table[cause] : NULL;
		(h ? h : exc_other)(tf, csr_read(stval));
	}
}

/* On the way back to user mode (from usertrap, or forkret on a new
 * process's first return): die if killed, note the return if traced. */
__attribute__((noinline)) void trap_leave(struct proc *p)
{
	if (p->killed)
		exit(W_KILLED(p->killed));
	trace_user(mythread());
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
	/* Not with schedlock held (futex_wait reading its word, procinfo's
	 * rows): the copy fails instead, and the caller faults the page in
	 * after letting go.  vm->lock keeps the threads of one process from
	 * changing their page tables at the same time. */
	if ((cause == EXC_LOAD_PAGE || cause == EXC_STORE_PAGE) && tf->epc >= (u64)uaccess_begin &&
	    tf->epc < (u64)uaccess_end && myproc()) {
		struct proc *p = myproc();
		int r = -EFAULT;
		if (!holding(&schedlock) && !holding(&p->vm.lock)) {
			r = vm_fault_locked(p, csr_read(stval), cause == EXC_STORE_PAGE, 0);
		}
		if (r < 0)
			tf->epc = (u64)uaccess_fault;
		return;
	}
	panic("kernel trap: %s (scause %p) at pc %p, stval %p",
	      cause < NEXC && exc_name[cause] ? exc_name[cause] : "?", (void *)cause,
	      (void *)tf->epc, (void *)csr_read(stval));
}
