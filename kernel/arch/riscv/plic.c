/* plic.c: the platform-level interrupt controller.
 * Routes device interrupts (the UART's) to the harts' S-mode contexts.
 * On QEMU's virt board hart h has context 2h (M-mode) and 2h+1 (S-mode).
 */
#include "kernel.h"
#include "proc.h"
#include "board.h"

static volatile u8 *plic;

#define PRIORITY(irq) (*(volatile u32 *)(plic + 4 * (irq)))
#define SENABLE(h) ((volatile u32 *)(plic + 0x2000 + (2 * (h) + 1) * 0x80))
#define STHRESHOLD(h) (*(volatile u32 *)(plic + 0x200000 + (2 * (h) + 1) * 0x1000))
#define SCLAIM(h) (*(volatile u32 *)(plic + 0x200004 + (2 * (h) + 1) * 0x1000))

static u32 enabled[2]; /* irqs 0..63 every hart takes */

void arch_irq_init(void) { plic = P2V(plic_base); }

void arch_irq_enable(int irq)
{
	PRIORITY(irq) = 1;
	enabled[irq / 32] |= 1u << (irq % 32);
}

void arch_irq_cpu_init(void)
{
	int hartid = mycpu()->hartid;
	SENABLE(hartid)[0] = enabled[0];
	SENABLE(hartid)[1] = enabled[1];
	STHRESHOLD(hartid) = 0;
}

int plic_claim(int hartid) { return SCLAIM(hartid); }
void plic_complete(int hartid, int irq) { SCLAIM(hartid) = irq; }
