/* spinlock.c: what happens when a lock is misused.
 * acquire and release themselves are inline in kernel.h.
 */
#include "kernel.h"
#include "proc.h"

void spin_panic(struct spinlock *lk, const char *why)
{
	panic("lock %s: %s", lk->name, why);
}
