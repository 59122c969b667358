/* arch.h: everything an architecture gives the portable kernel, in one list.
 * kernel/arch/ARCH/ supplies machine.h (its inline half) and the rest.
 *
 * How to read it: each entry is one thing the architecture provides, with
 * its contract in one line.  Entries marked "inline" are static inline
 * functions in machine.h (they sit on the switch, trap and page-table hot
 * paths); the declarations here check that machine.h has them with the
 * right type.  Entries marked "macro" are macros machine.h must define.
 * The last section is the other direction: what the portable kernel gives
 * the architecture's trap and boot code to call.  Nothing outside
 * kernel/arch/ARCH/ knows a register name, a CSR, a page-table bit or a
 * firmware call; nothing in the portable kernel says #ifdef ARCH.
 */
#ifndef ARCH_H
#define ARCH_H

#include "types.h"
#include "machine.h"

struct cpu;
struct proc;
struct thread;

/* ------------------------------------------------------------------ *
 * Memory layout (macros)
 * ------------------------------------------------------------------ */
/* PGSIZE, PGSHIFT: the base page, 4096 bytes on both architectures.
 * PGROUNDUP(x), PGROUNDDOWN(x): to a page boundary.
 * PHYS_OFFSET, P2V(pa), V2P(va): all RAM is mapped at PHYS_OFFSET + pa in
 *   the kernel's half of every address space, supervisor-only.
 * KERNEL_HALF: the lowest address of the kernel's half (a user access at
 *   or above it is "kernel memory" in a kill message).
 * USER_TOP: the end of the user half: user addresses are [0, USER_TOP).
 * KSTACK_SIZE: bytes of one kernel stack (thread block and trapframe at
 *   its top, kernel/thread.c).
 * ELF_MACHINE: e_machine of the user programs exec accepts.
 * ARCH_CPU: what the architecture calls a CPU, in messages ("hart").
 * ARCH_TRAP_TABLE: the instruction or register that installs the trap
 *   table, for trace's boot event ("stvec", "lidt").
 * CALL_PUSHES_RA: 1 where a call leaves its return address on the stack
 *   (x86-64), 0 where it goes in a register (RISC-V's ra): how a thread
 *   is started as if its entry had been called (thread_create). */
#if !defined(PGSIZE) || !defined(PGSHIFT) || !defined(PHYS_OFFSET) || !defined(KERNEL_HALF) || \
	!defined(USER_TOP) || !defined(KSTACK_SIZE) || !defined(ELF_MACHINE) || !defined(ARCH_CPU) || \
	!defined(ARCH_TRAP_TABLE) || !defined(P2V) || !defined(V2P) || !defined(PGROUNDUP) || !defined(PGROUNDDOWN) || \
	!defined(CALL_PUSHES_RA)
#error "machine.h must define the memory-layout macros listed in arch.h"
#endif

/* ------------------------------------------------------------------ *
 * Boot: what the architecture's entry hands the portable kernel
 * ------------------------------------------------------------------ */
/* The architecture's entry code runs first on the boot CPU: it turns on
 * paging with the kernel mapped at PHYS_OFFSET, points this CPU at
 * cpus[0] (arch_this_cpu, with cpus[0].hartid set), fills `bootinfo`
 * from what the firmware or boot loader describes (device tree, E820,
 * ACPI), makes arch_console_putc work, and calls kmain().  Physical
 * addresses throughout. */
#define BOOT_MAX 8
struct memrange {
	u64 base, size;
};
struct bootinfo {
	char machine[48];                /* for the banner: "RISC-V", "x86-64 under KVM" */
	struct memrange mem[BOOT_MAX];   /* RAM, in ascending order, not overlapping */
	int nmem;
	struct memrange resv[BOOT_MAX];  /* inside RAM but not the allocator's: firmware, device tree */
	int nresv;
	u64 initrd_start, initrd_end;    /* the initramfs (cpio), or both 0 */
	char cmdline[256];               /* the kernel command line (params.c parses it) */
	int ncpu;                        /* CPUs found, the boot CPU among them */
	u64 cpuid[BOOT_MAX];             /* their hardware ids (hart ids, local APIC ids) */
	u64 timer_hz;                    /* arch_time() units per second */
	char timer[16];                  /* how the tick is made, for the boot line: "sstc", "sbi timer" */
	u64 uart_base;                   /* the console UART (MMIO address or I/O port) */
	int uart_irq;                    /* its interrupt, as device_interrupt() is told it */
	u64 virtio_base[BOOT_MAX];       /* virtio-mmio slots, each probed by its driver */
	int virtio_irq[BOOT_MAX];
	int nvirtio;
	u64 rtc_base;                    /* Goldfish RTC (MMIO), 0: none */
	u64 rtc_ns;                      /* else the time of day at boot (ns since 1970) from another clock, 0: none */
	char rtc_name[24];               /* that clock, for the boot line: "cmos at 0x70" */
};
extern struct bootinfo bootinfo;     /* defined in main.c, filled by the arch before kmain */

void arch_start_cpus(void);          /* start the others of bootinfo.cpuid: fill cpus[1..], ncpu; each calls secondary_main */
void arch_poweroff(int fail) __attribute__((noreturn)); /* power the machine off; fail: tell QEMU it failed */

/* ------------------------------------------------------------------ *
 * This CPU, interrupts, atomics (inline)
 * ------------------------------------------------------------------ */
static inline void *arch_this_cpu(void);            /* this CPU's struct cpu, one register read */
static inline int intr_on(void);                    /* are interrupts enabled on this CPU? */
static inline void intr_enable(void);               /* enable them (the kernel runs with them off) */
static inline void intr_disable(void);
static inline long arch_swap_acquire(volatile u32 *a, u32 v); /* atomic swap, acquire: the old value */
static inline void arch_store_release(volatile u32 *a, u32 v); /* store, after every earlier access */
void arch_idle(void);                /* wait for an interrupt (with interrupts off: no wakeup is lost), then take it */
void arch_kick(int hartid);          /* interrupt that CPU (an IPI): it leaves arch_idle and calls ipi_interrupt() */

/* ------------------------------------------------------------------ *
 * Traps and interrupts
 * ------------------------------------------------------------------ */
void arch_trap_init(void);           /* install this CPU's trap table; device and timer interrupts may come */
void arch_irq_init(void);            /* the interrupt controller, once, on the boot CPU, before any arch_irq_enable */
void arch_irq_enable(int irq);       /* route device interrupt irq to every CPU (before arch_irq_cpu_init) */
void arch_irq_cpu_init(void);        /* this CPU takes the interrupts enabled so far */
const char *arch_trap_name(u64 cause); /* a trap's cause (as trace records it) in words: "load page fault" */
static inline int arch_trap_is_timer(u64 cause); /* is this cause the timer interrupt? */

/* ------------------------------------------------------------------ *
 * Timer (timebase_hz is bootinfo.timer_hz, set by kmain)
 * ------------------------------------------------------------------ */
static inline u64 arch_time(void);   /* the clock: timer units since some moment before boot, never going back */
void arch_timer_arm(u64 when);       /* this CPU's next timer interrupt at arch_time() == when */
void arch_timer_init(void);          /* start this CPU's tick: first at arch_time() + tick_period; user mode may read the clock */

/* ------------------------------------------------------------------ *
 * Console
 * ------------------------------------------------------------------ */
void arch_console_putc(int c);       /* one byte out, polled; works from the arch's entry on */
int arch_console_getc(void);         /* one byte in, or -1 if none is waiting */

/* ------------------------------------------------------------------ *
 * Page tables
 * ------------------------------------------------------------------ */
/* Every table is one page of PT_ENTRIES pte_t, on every level; level 0
 * entries map pages, a level-0 table is a "leaf table" and maps
 * PT_SPAN(1) bytes.  PT_LEVELS levels in all (the root is level
 * PT_LEVELS-1); only vm.c's loops over the levels see the number.  The
 * empty entry is 0.  Permissions are portable VM_* bits; RISC-V's PTEs
 * happen to use the same bit positions, so there the translation is
 * free. */
#define VM_R (1UL << 1)   /* readable */
#define VM_W (1UL << 2)   /* writable */
#define VM_X (1UL << 3)   /* executable */
#define VM_U (1UL << 4)   /* user mode may access it */
#define VM_COW (1UL << 8) /* software: shared copy-on-write; writable after the fault breaks it */
#define PT_ENTRIES 512
#define PT_SPAN(level) (1UL << (PGSHIFT + 9 * (level))) /* bytes one entry at level maps */
#if !defined(PT_LEVELS)
#error "machine.h must define PT_LEVELS"
#endif
static inline int pte_valid(pte_t e);      /* the hardware uses it: a page with access, or a lower table */
static inline int pte_held(pte_t e);       /* a leaf holding a page: valid, or without access (pte_none) */
static inline u64 pte_pa(pte_t e);         /* the physical address it points at */
static inline u64 pte_perm(pte_t e);       /* a leaf's VM_* bits (0 for a pte_none or empty entry) */
static inline pte_t pte_make(u64 pa, u64 perm); /* a leaf for page pa with VM_* perm (R, W or X among them) */
static inline pte_t pte_none(u64 pa);      /* a leaf that holds page pa without any access (PROT_NONE) */
static inline pte_t pte_table(u64 pa);     /* an entry pointing at the lower table at pa */
static inline pte_t pte_cow(pte_t e);      /* e made copy-on-write if writable, else e itself */
static inline void tlb_flush(void);        /* this CPU's TLB, all user entries (the others: tlb_shootdown) */
static inline void arch_switch_pagetable(pagetable_t pt); /* run on address space pt from now on, TLB flushed of the old */
pagetable_t pagetable_new(void);           /* an empty user half, the kernel half shared; NULL: no memory */
pte_t *walk(pagetable_t pt, u64 va, int alloc); /* the level-0 entry for va; tables made if alloc; NULL if absent */
pte_t *pt_entry(pagetable_t pt, u64 va, int level, int alloc); /* the same at any level (the root's: never allocates) */
static inline pte_t *pt_l1_entry(pagetable_t pt, u64 va); /* inline: pt_entry(pt, va, 1, 0), on every fault and fork */
int map_page(pagetable_t pt, u64 va, u64 pa, u64 perm); /* 0, -ENOMEM, or -EEXIST if va is mapped */
void kvm_init(void);                       /* build the kernel's half: image, all RAM at PHYS_OFFSET, devices */
void kvm_hart_init(void);                  /* this CPU onto the kernel's table */
extern pagetable_t kernel_pagetable;       /* the kernel's own (the idle loop runs on it) */

/* ------------------------------------------------------------------ *
 * Registers of a user thread (macros and functions)
 * ------------------------------------------------------------------ */
/* struct trapframe: the user registers, saved on every trap at the top
 * of the thread's kernel stack.  struct context: the kernel registers
 * swtch saves.  TF_SYSNUM(tf), TF_ARG(tf, n) for n = 0..5, TF_RET(tf):
 * the system-call registers (lvalues); TF_PC(tf), TF_STACK(tf): the user pc
 * and stack pointer (lvalues). */
#if !defined(TF_SYSNUM) || !defined(TF_ARG) || !defined(TF_RET) || !defined(TF_PC) || !defined(TF_STACK)
#error "machine.h must define the TF_* accessors"
#endif
void swtch(struct context *old, struct context *new); /* save the callee-saved registers in old, load new's */
static inline void arch_context_init(struct context *c, void (*pc)(void), u64 sp); /* inline: swtch to c starts pc on stack sp */
void trap_return(struct trapframe *tf) __attribute__((noreturn)); /* return-from-trap into user mode with tf */
/* A fresh program at pc with stack sp; exec has put argc, argv[], NULL,
 * envp[], NULL at sp already (the System V layout), and passes them here
 * too for an ABI that wants them in registers.  All else zero. */
void arch_user_init(struct trapframe *tf, u64 pc, u64 sp, u64 argc, u64 argv, u64 envp);
void arch_thread_init(struct trapframe *tf, const struct trapframe *from, u64 pc, u64 arg, u64 sp, u64 tls); /* a new thread: from's registers, then these; callee-saved ones zero, FPU unused */
void arch_fork_init(struct trapframe *child, const struct trapframe *parent); /* the parent's registers; the child's fork() returns 0 */

/* ------------------------------------------------------------------ *
 * FPU: each thread's state, in struct thread's fpu and fpu_saved
 * ------------------------------------------------------------------ */
static inline int fpu_live(const struct trapframe *tf); /* inline: may the thread's FPU registers be in this CPU? */
int fpu_alloc(struct thread *t);           /* a new thread's save area, if the arch wants it now (thread_alloc): 0 or -ENOMEM */
void fpu_switch_out(struct thread *t);     /* t, whose fpu_live, leaves this CPU (sched): save what it changed, or note it */
int fpu_fork(struct thread *child, struct thread *parent); /* the child gets a copy: 0 or -ENOMEM */
void fpu_exec(struct thread *t);           /* a new program: t's FPU starts afresh (zeros) */
void fpu_free(struct thread *t);           /* free t's save area (thread_free) */

/* ------------------------------------------------------------------ *
 * Copying to and from user memory (assembly)
 * ------------------------------------------------------------------ */
/* The caller has checked that the range is below USER_TOP; a fault
 * inside goes to copy_fault() and, if not resolved, makes the copy
 * return -EFAULT. */
long __copy_user(void *dst, const void *src, size_t n);        /* 0 or -EFAULT */
long __copy_user_str(char *dst, const char *usrc, size_t max); /* length, -ENAMETOOLONG or -EFAULT */
long __get_user32(u32 *dst, u64 uva);                          /* one aligned word: 0 or -EFAULT */

/* ------------------------------------------------------------------ *
 * The other direction: what the portable kernel gives the architecture
 * ------------------------------------------------------------------ */
void kmain(void) __attribute__((noreturn));           /* main.c: the boot CPU, after bootinfo is filled */
void secondary_main(void) __attribute__((noreturn));  /* main.c: every other CPU, on its struct cpu and stack_top */
/* The user-trap handler (usertrap) decodes the cause and calls one of:
 * syscall() (syscall.h, with the pc already past the instruction);
 * timer_interrupt() then timer_preempt(); device_interrupt(irq);
 * ipi_interrupt(); or user_fault().  Then, if p->killed or tracing
 * records (trace_mask & TR_RECORD), trap_leave(p); then trap_return. */
void timer_interrupt(void);          /* trap.c: a tick: re-arm, keep time, charge it (from user mode or idle) */
void timer_preempt(void);            /* trap.c: after a tick from user mode: switch if the slice is used up */
void device_interrupt(int irq);      /* trap.c: the device of irq (console UART, disk) wants service */
void ipi_interrupt(void);            /* trap.c: another CPU kicked this one (arch_kick) */
enum {
	FAULT_READ,    /* a load the page tables refused: maybe copy-on-write, stack growth, a mapping */
	FAULT_WRITE,   /* a store, the same */
	FAULT_EXEC,    /* an instruction fetch, the same */
	FAULT_ILLEGAL, /* illegal or privileged instruction: SIGILL */
	FAULT_BREAK,   /* breakpoint: SIGTRAP */
	FAULT_ACCESS,  /* an access fault that is not a page fault: SIGSEGV */
	FAULT_BUS,     /* misaligned, or anything else: SIGBUS */
};
/* A user fault of kind FAULT_*: resolved (and the instruction retried), or
 * the process is killed with "NAME at ADDR" (cause: the arch's, for trace). */
void user_fault(struct trapframe *tf, int kind, u64 cause, const char *name, u64 addr);
int copy_fault(u64 va, int write);   /* trap.c: a fault inside __copy_user*: 0 resolved (retry), <0: make it fail */
void trap_leave(struct proc *p);     /* trap.c: on the way out to user mode: die if killed, trace */

#endif
