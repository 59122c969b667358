/* trap.c: what the kernel does with a trap (the "Handle trap" row).
 * The arch's usertrap decodes the cause; faults and interrupts end here.
 */
#include "kernel.h"
#include "proc.h"
#include "trace.h"
#include "buf.h"

volatile u64 ticks;
u64 tick_period; /* timer units per tick, computed once at boot */
u64 timebase_hz;  /* timer units per second: bootinfo.timer_hz */
static u64 boot_time;

void trap_init(void)
{
	boot_time = arch_time();
	arch_trap_init();
}

u64 uptime_ms(void) { return (arch_time() - boot_time) * 1000 / timebase_hz; }

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
 * signal.  cause is the arch's, for the trace. */
void kill_fault(struct proc *p, int sig, u64 cause, const char *what, u64 addr)
{
	char who[48];
	struct thread *t = mythread();
	thread_label(t, who, sizeof who);
	kprintf("%s: %s at %p, pc %p: killed (%s)\n", who, what, (void *)addr, (void *)TF_PC(t->tf), signame(sig));
	trace_kill(p, sig, cause, addr);
	acquire(&schedlock);
	kill_locked(p, sig);
	release(&schedlock);
}

/* --- faults: the arch's trap table sends each here with its kind --- */

/* Did the process run off the bottom of its stack?  Either the access hit
 * the guard page, or the stack pointer itself is already below the
 * stack's limit: a frame bigger than the guard page (a large local array,
 * or a few levels of recursion inlined into one) jumps right over it, and
 * its first access lands below the guard. */
static int stack_overflow(struct trapframe *tf, u64 addr)
{
	u64 limit = USTACK_TOP - USTACK_MAX, sp = TF_STACK(tf);
	if (addr >= USTACK_GUARD && addr < limit)
		return 1;
	return sp < limit && sp >= USTACK_GUARD - USTACK_MAX && addr < limit && addr + PGSIZE >= sp;
}

/* A page fault: resolve it (copy-on-write, stack growth, a mapping's
 * first touch), or kill the process saying as precisely as it can why. */
static void page_fault(struct trapframe *tf, int kind, u64 cause, const char *what, u64 addr)
{
	struct proc *p = myproc();
	int oom, r = oom_fault(p, addr, kind == FAULT_WRITE, kind == FAULT_EXEC, &oom);
	if (r == 0)
		return;
	if (r == -ENOMEM)
		what = oom == OOM_SELF  ? "out of memory on page fault (it holds the most memory)" :
		       oom == OOM_FREED ? "out of memory on page fault (still none after killing others)" :
					  "out of memory on page fault (no other process to kill)";
	else if (r == -ERANGE)
		what = "stack growth past RLIMIT_AS";
	else if (r == -EACCES)
		what = "access to a PROT_NONE page";
	else if (stack_overflow(tf, addr))
		what = "stack overflow (guard page)";
	else if (addr >= KERNEL_HALF)
		what = kind == FAULT_WRITE ? "store to kernel memory" :
		       kind == FAULT_READ  ? "load from kernel memory" :
					     "jump into kernel memory";
	else if (addr >= USER_TOP) /* the hole between the two halves */
		what = kind == FAULT_WRITE ? "store outside the address space" :
		       kind == FAULT_READ  ? "load from outside the address space" :
					     "jump outside the address space";
	kill_fault(p, r == -ENOMEM ? SIGKILL : SIGSEGV, cause, what, addr);
}

void user_fault(struct trapframe *tf, int kind, u64 cause, const char *name, u64 addr)
{
	static const int sig[] = {
		[FAULT_ILLEGAL] = SIGILL, [FAULT_BREAK] = SIGTRAP, [FAULT_ACCESS] = SIGSEGV, [FAULT_BUS] = SIGBUS,
	};
	if (kind == FAULT_READ || kind == FAULT_WRITE || kind == FAULT_EXEC)
		page_fault(tf, kind, cause, name, addr);
	else
		kill_fault(myproc(), kind <= FAULT_BUS ? sig[kind] : SIGBUS, cause, name, addr);
}

/* A fault inside __copy_user and its kind (uaccess.S): a system call
 * touching a user page that is absent, copy-on-write or not allowed.
 * Resolve it as the hardware's user access would, or make the copy
 * return -EFAULT.  Not with schedlock held (futex_wait reading its word,
 * procinfo's rows): the copy fails instead, and the caller faults the
 * page in after letting go.  vm->lock keeps the threads of one process
 * from changing their page tables at the same time. */
int copy_fault(u64 va, int write)
{
	struct proc *p = myproc();
	if (holding(&schedlock) || holding(&p->vm.lock))
		return -EFAULT;
	return vm_fault_locked(p, va, write, 0);
}

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

/* After a tick from user mode: the dispatcher takes the CPU back when
 * the time slice is used up (the seeds' "timer interrupt: switch"). */
void timer_preempt(void)
{
	if (mythread()->slice_left <= 0 && !params.coop)
		preempt();
}

/* A device wants service: the console UART has bytes, or the disk
 * finished a request.  irq 0: the controller had nothing after all. */
void device_interrupt(int irq)
{
	trace_irq(irq); /* before the handler: its events follow the interrupt */
	if (irq == bootinfo.uart_irq) {
		int ch;
		while ((ch = arch_console_getc()) >= 0)
			console_intr(ch);
	} else if (irq == disk_irq) {
		disk_intr();
	}
}

/* Another CPU kicked this one: to wake it from arch_idle, or to have it
 * flush its TLB (tlb_shootdown). */
void ipi_interrupt(void) { tlb_poll(); }

/* On the way back to user mode (from usertrap, or forkret on a new
 * process's first return): die if killed, note the return if traced. */
__attribute__((noinline)) void trap_leave(struct proc *p)
{
	if (p->killed)
		exit(W_KILLED(p->killed));
	trace_user(mythread());
}
