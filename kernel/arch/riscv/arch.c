/* arch.c: per-hart setup for RISC-V: the trap table, the timer, the other
 * harts, the user-mode counters, and how a fresh user context looks.
 */
#include "kernel.h"
#include "proc.h"
#include "board.h"

#define CSR_STIMECMP 0x14d

extern char trap_entry[], _secondary_start[];

/* Install the trap table: from now on every exception and interrupt jumps
 * to trap_entry.  stvec's low bits select "direct" mode (one entry); the
 * kernel's own table of handlers, indexed by scause, is in trap.c.  The
 * hardware remembers this until the hart is reset. */
void arch_trap_init(void)
{
	csr_write(stvec, (u64)trap_entry);
	csr_write(sscratch, 0); /* 0 = "this hart is in the kernel" */
	csr_write(sie, SIE_SEIE | SIE_STIE | SIE_SSIE);
}

void arch_timer_arm(u64 when)
{
	/* Sstc lets S-mode program its own compare register; without it the
	 * firmware does it for us through an SBI call. */
	if (has_sstc)
		asm volatile("csrw 0x14d, %0" ::"r"(when));
	else
		sbi_set_timer(when);
}

void arch_timer_init(void)
{
	/* Let user programs read cycle, time and instret directly (rdtime,
	 * rdinstret): the benchmarks use them. */
	csr_write(scounteren, 7);
	arch_timer_arm(rdtime() + tick_period);
}

void arch_start_cpus(void)
{
	u64 self = mycpu()->hartid;
	for (int i = 0, n = 1; i < bootinfo.ncpu && n < NCPU; i++) {
		u64 h = bootinfo.cpuid[i];
		if (h == self)
			continue;
		struct cpu *c = &cpus[n];
		c->hartid = h;
		c->id = n;
		void *stack = kalloc_order(2);
		if (!stack)
			panic("no stack for hart %d", (int)h);
		c->stack_top = (u64)stack + 4 * PGSIZE;
		/* A hart that wandered into _start is on its way back to the
		 * firmware (entry.S): wait, at most a second, until it is
		 * stopped and can be started properly. */
		u64 deadline = rdtime() + timebase_hz;
		while (sbi_hart_status(h) != 1 && rdtime() < deadline)
			;
		long err = sbi_hart_start(h, V2P(_secondary_start), (u64)c);
		if (err) {
			kprintf("hart %d: SBI hart_start failed (%d)\n", (int)h, (int)err);
			kfree_order(stack, 2);
			continue;
		}
		/* Wait for it to report in, but never hang the boot on one
		 * hart: one that is not up within a second keeps its slot (it
		 * may still come, and then simply joins in) but is not waited
		 * for. */
		deadline = rdtime() + timebase_hz;
		while (!c->started && rdtime() < deadline)
			;
		if (!c->started)
			kprintf("hart %d: started but not up after 1 s; going on without it\n", (int)h);
		n++;
		ncpu = n;
	}
}

void arch_idle(void)
{
	/* wfi wakes on any pending enabled interrupt even with SIE clear, so
	 * there is no window where a wakeup is missed: check for work with
	 * interrupts off, wait, then briefly allow the interrupt to be taken. */
	wfi();
	intr_enable();
	intr_disable();
}

void arch_kick(int hartid) { sbi_send_ipi(hartid); }

void arch_user_init(struct trapframe *tf, u64 pc, u64 sp, u64 argc, u64 argv, u64 envp)
{
	u64 ktp = tf->ktp;
	memset(tf, 0, sizeof(*tf));
	tf->ktp = ktp;
	tf->epc = pc;
	tf->sp = sp;
	tf->a0 = argc;
	tf->a1 = argv;
	tf->a2 = envp;
	tf->full = 1; /* return with these (zero) s0-s11, not the old image's */
	/* SPP = 0: sret goes to user mode.  SPIE = 1: interrupts on there.
	 * FS = off: the first FPU instruction traps, and only then does the
	 * process get FPU registers (zeroed), see trap.c. */
	u64 s = csr_read(sstatus);
	s &= ~(SSTATUS_SPP | SSTATUS_SIE | SSTATUS_FS | SSTATUS_SUM);
	s |= SSTATUS_SPIE;
	tf->sstatus = s;
}

/* A new thread of the same program: the creator's registers but for
 * these, and zeros in s0-s11; its FPU off (zeroed on first use). */
void arch_thread_init(struct trapframe *tf, const struct trapframe *from, u64 pc, u64 arg, u64 sp, u64 tls)
{
	*tf = *from;
	tf->epc = pc;
	tf->a0 = arg;
	tf->sp = sp;
	tf->tp = tls;
	tf->ra = 0;
	tf->s0 = tf->s1 = 0;
	tf->s2 = tf->s3 = tf->s4 = tf->s5 = tf->s6 = tf->s7 = tf->s8 = tf->s9 = tf->s10 = tf->s11 = 0;
	tf->full = 1; /* those zero s0-s11, not the (unsaved) frame's */
	tf->sstatus &= ~SSTATUS_FS;
}

/* fork's child: the parent's frame, s0-s11 included (trapentry.S saved
 * them for fork), and 0 as its return value. */
void arch_fork_init(struct trapframe *child, const struct trapframe *parent)
{
	*child = *parent;
	child->a0 = 0;
	child->full = 1;
}

void arch_poweroff(int fail) { sbi_shutdown(fail); }
