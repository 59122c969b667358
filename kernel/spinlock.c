/* spinlock.c: mutual exclusion between harts.
 * Interrupts are always off in the kernel outside the idle loop, so no
 * interrupt handler can spin on a lock its own hart holds.
 */
#include "kernel.h"
#include "proc.h"

void acquire(struct spinlock *lk)
{
	if (intr_on())
		panic("acquire %s: interrupts on", lk->name);
	if (holding(lk))
		panic("acquire %s: already held by this hart", lk->name);
	/* amoswap.w.aq: atomic, and later loads/stores stay after it. */
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
		;
	lk->hart = mycpu()->id;
}

void release(struct spinlock *lk)
{
	if (!holding(lk))
		panic("release %s: not held", lk->name);
	lk->hart = -1;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
}

int holding(struct spinlock *lk) { return lk->locked && lk->hart == mycpu()->id; }
