/* sleeplock.c: a lock whose waiters sleep instead of spinning.
 * For a holder that may itself sleep (ext2 waits for the disk with it
 * held); a spinlock held across a sleep would stop its hart.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"

void acquiresleep(struct sleeplock *sl)
{
	acquire(&sl->lk);
	while (sl->locked)
		sleep(&sl->wq, &sl->lk);
	sl->locked = 1;
	sl->owner = myproc();
	release(&sl->lk);
}

void releasesleep(struct sleeplock *sl)
{
	acquire(&sl->lk);
	sl->locked = 0;
	sl->owner = NULL;
	wakeup(&sl->wq);
	release(&sl->lk);
}

int holdingsleep(struct sleeplock *sl) { return sl->locked && sl->owner == myproc(); }
