/* arch.h: what the portable kernel needs from the architecture.
 * A second architecture supplies this header and the same small set of
 * functions: boot, trap entry/exit, swtch, page tables, timer, console.
 */
#ifndef ARCH_H
#define ARCH_H

#include "riscv.h"
#include "trapframe.h"

/* All physical memory is mapped at PHYS_OFFSET + pa in the upper half of
 * every address space, supervisor-only. */
#define PHYS_OFFSET 0xffffffc000000000UL
#define P2V(pa) ((void *)((u64)(pa) + PHYS_OFFSET))
#define V2P(va) ((u64)(va)-PHYS_OFFSET)
#define PGSIZE 4096UL
#define PGSHIFT 12
#define PGROUNDUP(x) ALIGN_UP((u64)(x), PGSIZE)
#define PGROUNDDOWN(x) ALIGN_DOWN((u64)(x), PGSIZE)

/* Callee-saved registers: what swtch saves in the PCB (the second kind of
 * register save in the seeds' protocol). */
struct context {
	u64 ra, sp;
	u64 s[12];
};
void swtch(struct context *old, struct context *new);

/* Return-from-trap into user mode with this trapframe (trapentry.S). */
void trap_return(struct trapframe *tf) __attribute__((noreturn));

/* System-call registers: number in a7, arguments a0..a5, result in a0. */
#define TF_SYSNUM(tf) ((tf)->a7)
#define TF_ARG(tf, n) ((&(tf)->a0)[n])
#define TF_RET(tf) ((tf)->a0)
#define TF_PC(tf) ((tf)->epc)

/* Make tf start a fresh user program at pc with stack sp, a0 = argc,
 * a1 = argv, a2 = envp; all other registers zero, FPU off. */
void arch_user_init(struct trapframe *tf, u64 pc, u64 sp, u64 argc, u64 argv, u64 envp);

/* A kernel stack: KSTACK_SIZE bytes, the thread block and the trapframe
 * at its top (kernel/thread.c). */
#define KSTACK_SIZE (2 * PGSIZE)

void arch_trap_init(void);     /* install the trap table (stvec) */
void arch_timer_init(void);    /* enable timer interrupts, arm the first */
void arch_timer_arm(u64 when); /* next timer interrupt at time `when` */
u64 arch_time(void);           /* current time in timer units */
extern u64 timebase_hz;        /* timer units per second (from the DT) */
void arch_start_harts(void);   /* start the other harts (SBI HSM) */
void arch_poweroff(int fail) __attribute__((noreturn));
void arch_idle(void);          /* wait for an interrupt, briefly enabling them */
void arch_kick(int hartid);    /* wake an idle hart (IPI) */
/* Run on address space pt from now on.  Inline: it is on every switch.
 * No ASIDs: the sfence flushes this hart's TLB of the old space. */
static inline void arch_switch_pagetable(pagetable_t pt)
{
	csr_write(satp, MAKE_SATP(V2P(pt)));
	sfence_vma();
}
void arch_user_counters(void); /* let U-mode read time and instret */

/* FPU: lazily saved and restored (see trap.c). */
#define FPU_REGS 33
void fpu_save(u64 *regs);
void fpu_restore(const u64 *regs);

/* Console UART and interrupt controller. */
void uart_init(u64 base);
void uart_putc(int c);
int uart_getc(void); /* -1 if none waiting */
void plic_init(u64 base);
void plic_hart_init(int hartid);
int plic_claim(int hartid);
void plic_complete(int hartid, int irq);
void plic_enable(int irq);

/* SBI calls to the M-mode firmware. */
struct sbiret {
	long error;
	long value;
};
struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2);
void sbi_console_putchar(int c);
long sbi_hart_start(u64 hartid, u64 start_pa, u64 opaque);
long sbi_hart_status(u64 hartid);
void sbi_set_timer(u64 when);
void sbi_send_ipi(u64 hartid);
void sbi_shutdown(int fail) __attribute__((noreturn));

#endif
