/* board.h: what only kernel/arch/riscv/ uses: the firmware's calls (SBI),
 * the PLIC, the UART, the device tree, the FPU registers.
 */
#ifndef BOARD_H
#define BOARD_H

#include "kernel.h"

_Static_assert(VM_R == PTE_R && VM_W == PTE_W && VM_X == PTE_X && VM_U == PTE_U && VM_COW == PTE_COW,
	       "the portable VM_* bits are Sv39's own");

/* fdt.c: the device tree OpenSBI hands over, into bootinfo */
void fdt_parse(u64 dtb_pa);
extern u64 plic_base; /* the PLIC, from the device tree */
extern int has_sstc;  /* every hart has Sstc: S-mode writes stimecmp itself */

/* uart.c: the 16550 console */
void uart_init(u64 base);

/* plic.c: the platform-level interrupt controller */
int plic_claim(int hartid);
void plic_complete(int hartid, int irq);

/* fpuregs.S, and the lazy switching in fpu.c */
#define FPU_REGS 33
void fpu_save(u64 *regs);
void fpu_restore(const u64 *regs);
int fpu_trap(struct thread *t, struct trapframe *tf);

/* sbi.c: calls to the M-mode firmware */
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
