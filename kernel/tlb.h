/* tlb.h: which harts run an address space, kept where the page table
 * changes (the dispatcher, exit, exec); see tlb.c for why it is needed.
 */
#ifndef TLB_H
#define TLB_H

#include "proc.h"

/* Move this hart from address space `from` to `to` (NULL: the kernel's
 * table, as the idle loop runs on).  The order matters: this hart's bit
 * goes into to->harts before the first walk of to's tables, so that a
 * hart changing them and then reading harts (tlb_shootdown) either sees
 * the bit, or its change is in memory before this hart walks; and the bit
 * leaves from->harts only after the sfence, once no entry of `from` is
 * left in this TLB.  Inline: it is on every switch between processes. */
static inline void vm_switch(struct vmspace *from, struct vmspace *to)
{
	u32 me = 1u << mycpu()->id;
	if (to)
		arch_atomic_or(&to->harts, me);
	arch_switch_pagetable(to ? to->pt : kernel_pagetable);
	if (from)
		arch_atomic_and(&from->harts, ~me);
}

#endif
