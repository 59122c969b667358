/* spinlock.c: the contended path of acquire, and what happens when a lock
 * is misused.  acquire and release themselves are inline in kernel.h.
 */
#include "kernel.h"
#include "proc.h"

void spin_panic(struct spinlock *lk, const char *why)
{
	panic("lock %s: %s", lk->name, why);
}

/* The lock was taken.  If by this hart, it would wait for itself forever:
 * a nested acquire, or an interrupt handler that interrupted the holder
 * (interrupts must be off in the kernel).  Otherwise wait, reading only,
 * until it looks free; acquire then tries the swap again.  Meanwhile
 * answer TLB shootdowns: the holder may be waiting for this hart's. */
void spin_wait(struct spinlock *lk)
{
	if (holding(lk))
		spin_panic(lk, intr_on() ? "taken again with interrupts on" : "already held by this hart");
	if (intr_on())
		spin_panic(lk, "waited for with interrupts on");
	while (lk->locked)
		tlb_poll();
}
