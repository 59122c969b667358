/* arch.c: x86-64's side of kernel/arch.h: per-CPU setup (trap table,
 * syscall MSRs, protections), interrupts and the tick, the console, the
 * other CPUs, and how a fresh user context looks.
 */
#include "kernel.h"
#include "proc.h"
#include "thread.h"
#include "buf.h"
#include "x86_64.h"

extern struct x86cpu x86cpus[];
extern void syscall_entry(void);
const long uaccess_errno[2] = {-EFAULT, -ENAMETOOLONG}; /* uaccess.S returns these */
static u32 boot_apic_id;

/* Load this CPU's trap table and make the `syscall` instruction usable:
 * LSTAR is where it enters, STAR the segments of both sides (gdt.c),
 * FMASK the RFLAGS bits it clears on entry: IF (no interrupt before the
 * kernel stack is in place), DF (the ABI's direction), TF (no
 * single-step trap on the user's stack), AC (SMAP stays on), NT. */
void arch_trap_init(void)
{
	idt_load();
	wrmsr(MSR_STAR, ((u64)(SEG_UDATA - 8) << 48) | ((u64)SEG_KCODE << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT | RFLAGS_IOPL);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
	/* SMEP: the kernel never executes a user page; SMAP: it never reads
	 * or writes one outside the copy routines (uaccess.S). */
	struct cpuid f7 = cpuid(7, 0);
	u64 cr4 = read_cr(4) | CR4_PGE;
	if (f7.b & (1u << 7))
		cr4 |= CR4_SMEP;
	if (f7.b & (1u << 20))
		cr4 |= CR4_SMAP;
	write_cr(4, cr4);
	fpu_cpu_init();
	lapic_init();
}

void arch_irq_init(void)
{
	boot_apic_id = lapic_id();
	ioapic_init();
}

/* The IOAPIC sends each line to one CPU in fixed delivery.  Drivers
 * enable their lines at boot, before the other CPUs run, so each goes to
 * the boot CPU first; once all CPUs are up (irq_spread) the k-th line
 * enabled moves to CPU k mod ncpu, as Linux's vector allocator spreads
 * lines over the CPUs (xv6 sent the UART to CPU 0, the disk to the last
 * one).  A line's handler runs where it lands, at once if that CPU is in
 * user mode or idle (the kernel runs with interrupts off, so a CPU in the
 * kernel takes it on its way out); the portable handlers wake sleepers on
 * any CPU.  Fixed, not lowest-priority delivery: QEMU's
 * APIC model picks the same CPU for that anyway, and a fixed line is one
 * a reader can find in the boot line (docs/design.md has the figures). */
static int irq_lines[8], nirq_lines;

void arch_irq_enable(int irq)
{
	ioapic_route(irq, T_IRQ0 + irq, boot_apic_id);
	if (nirq_lines < (int)(sizeof irq_lines / sizeof irq_lines[0]))
		irq_lines[nirq_lines++] = irq;
	if (irq == IRQ_COM1)
		serial_intr_enable();
}

/* After arch_start_cpus: ncpu is final.  Rewriting a live edge-triggered
 * entry is safe: an interrupt already sent reaches the old CPU, whose
 * handler does the same work. */
static void irq_spread(void)
{
	char line[96];
	int len = 0;
	for (int k = 0; k < nirq_lines; k++) {
		int irq = irq_lines[k], cpu = k % ncpu;
		ioapic_route(irq, T_IRQ0 + irq, cpus[cpu].hartid);
		ksnprintf(line + len, sizeof line - len, "%s%s %d -> cpu %d", k ? ", " : "",
			  irq == IRQ_COM1 ? "com1" : irq == disk_irq ? "disk" : "irq", irq, cpu);
		len = strlen(line);
	}
	if (ncpu > 1 && nirq_lines && !params.quiet)
		kprintf("irq: %s\n", line);
}

void arch_irq_cpu_init(void) {}

void arch_timer_arm(u64 when) { lapic_timer_arm(when); }

/* The tick.  User mode may read the clock: rdtsc is allowed at ring 3
 * while CR4.TSD is clear, as it is. */
void arch_timer_init(void) { lapic_timer_init(params.tick_us); }

void arch_console_putc(int c) { uart_putc(c); }
int arch_console_getc(void) { return uart_getc(); }

/* Another CPU's first C code, from trampoline.S on its boot stack: its
 * segments and GS, then the portable secondary_main. */
static void ap_start(u64 id)
{
	gdt_init(id);
	x86cpus[id].cpu = &cpus[id];
	x86cpus[id].started = 1;
	secondary_main();
}

void arch_start_cpus(void)
{
	u32 self = lapic_id();
	for (int i = 0, n = 1; i < bootinfo.ncpu && n < NCPU && n < XMAXCPU; i++) {
		u32 id = bootinfo.cpuid[i];
		if (id == self)
			continue;
		struct cpu *c = &cpus[n];
		c->hartid = id;
		c->id = n;
		void *stack = kalloc_order(2);
		if (!stack)
			panic("no stack for cpu %d", (int)id);
		c->stack_top = (u64)stack + 4 * PGSIZE;
		if (!smp_start(n, id, c->stack_top, ap_start)) {
			kprintf("cpu %d: no answer to INIT/SIPI within 1 s; going on without it\n", (int)id);
			continue;
		}
		/* Wait until it runs the portable code (secondary_main sets it). */
		u64 deadline = arch_time() + timebase_hz;
		while (!c->started && arch_time() < deadline)
			pause();
		n++;
		ncpu = n;
	}
	irq_spread();
}

/* sti takes effect after the next instruction: an interrupt pending now
 * is taken inside hlt's wait, never between sti and hlt, so no wakeup is
 * lost. */
void arch_idle(void) { asm volatile("sti; hlt; cli" ::: "memory"); }

void arch_kick(int hartid) { lapic_send_ipi(hartid, T_IPI); }

void arch_poweroff(int fail) { acpi_poweroff(fail); }

/* A fresh program: user segments, interrupts on (IF), everything else
 * zero; its FPU starts unused (fpu_exec). */
void arch_user_init(struct trapframe *tf, u64 pc, u64 sp, u64 argc, u64 argv, u64 envp)
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = pc;
	tf->rsp = sp;
	tf->rdi = argc;
	tf->rsi = argv;
	tf->rdx = envp;
	tf->cs = SEG_UCODE;
	tf->ss = SEG_UDATA;
	tf->rflags = RFLAGS_IF | 2; /* bit 1 is always set */
}

/* A new thread of the same program: the creator's registers but for
 * these; the callee-saved ones zero.  Its TLS pointer, the FS base, is
 * kept in the frame (trapentry.S loads it on the way out). */
void arch_thread_init(struct trapframe *tf, const struct trapframe *from, u64 pc, u64 arg, u64 sp, u64 tls)
{
	*tf = *from;
	tf->rip = pc;
	tf->rdi = arg;
	tf->rsp = sp;
	tf->rbx = tf->rbp = tf->r12 = tf->r13 = tf->r14 = tf->r15 = 0;
	tf->rax = 0;
	tf->fsbase = tls;
}

void arch_fork_init(struct trapframe *child, const struct trapframe *parent)
{
	*child = *parent;
	child->rax = 0;
}

/* The TLS pointer for Linux's arch_prctl(ARCH_SET_FS/GET_FS) and clone's
 * CLONE_SETTLS (kernel/linux.c): the FS base, kept in the frame and
 * loaded on the way out (a non-canonical one as 0: wrmsr would #GP). */
void arch_set_tls(struct thread *t, u64 base);
u64 arch_get_tls(struct thread *t);
void arch_set_tls(struct thread *t, u64 base) { t->tf->fsbase = base; }
u64 arch_get_tls(struct thread *t) { return t->tf->fsbase; }
