/* tlb.h: which address space each hart runs, kept where it changes
 * (the dispatcher, exit, exec); tlb.c says why it is needed.
 */
#ifndef TLB_H
#define TLB_H

#include "proc.h"

/* Run this hart on address space `to` (NULL: the kernel's table, as the
 * idle loop does).  The hart says so (c->vm) before its first walk of
 * to's tables, with a fence: a hart that changes them and then looks at
 * c->vm (tlb_shootdown) either sees it, or made its change before this
 * hart walks.  Leaving a space needs nothing more: the flush of the
 * switch drops its entries before this hart touches user memory again.
 * Inline: it is on every switch between processes, and costs a store
 * and a fence there. */
static inline void vm_switch(struct vmspace *to)
{
	mycpu()->vm = to;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	arch_switch_pagetable(to ? to->pt : kernel_pagetable);
}

#endif
