/* waitq.c: wait queues, sleep and wakeup, and sleeping for a time.
 * A process that must wait for an event (a child exiting, a key, pipe
 * data, a timer) goes on that event's queue and leaves the CPU; the event's
 * wakeup moves it to the ready queue.  Every operation is O(1) per process.
 */
#include "kernel.h"
#include "proc.h"
#include "trace.h"

/* Sleep on wq.  lk protects the condition being waited for; it is
 * released only once this process is on wq with schedlock held, so a
 * wakeup between the caller's test and the sleep cannot be lost.  lk may
 * be schedlock itself. */
void sleep(struct waitq *wq, struct spinlock *lk)
{
	struct proc *p = myproc();
	if (lk != &schedlock)
		acquire(&schedlock);
	p->vswitch++;
	trace_why(p, WHY_BLOCK);
	proc_setstate(p, SLEEPING);
	/* On the queue before lk is dropped: wakeup() peeks at the queue
	 * under lk, so it sees this sleeper. */
	waitq_push(wq, p);
	if (lk != &schedlock)
		release(lk);
	sched();
	if (lk != &schedlock) {
		release(&schedlock);
		acquire(lk);
	}
}

/* Timed sleep: a timer wheel of WHEEL buckets indexed by wake-up tick
 * modulo WHEEL.  Each tick looks at one bucket only. */
#define WHEEL 256
static struct waitq wheel[WHEEL];

/* Sleep until arch_time() reaches `when`.  Ticks only say roughly when
 * that is: the current tick is already partly over, so waking after n
 * ticks can be up to one tick early.  Hence the loop: on each wakeup check
 * the clock, and sleep again for what is left. */
int sleep_until(u64 when)
{
	struct proc *p = myproc();
	u64 ticklen = params.tick_us * timebase_hz / 1000000; /* timer units */
	if (ticklen == 0)
		ticklen = 1;
	acquire(&schedlock);
	while (!p->killed) {
		u64 now = arch_time();
		if (now >= when)
			break;
		u64 n = (when - now + ticklen - 1) / ticklen;
		p->wake_tick = ticks + n;
		struct waitq *b = &wheel[p->wake_tick % WHEEL];
		b->name = "sleep";
		while (!p->killed && ticks < p->wake_tick)
			sleep(b, &schedlock);
	}
	int r = p->killed ? -EINTR : 0;
	release(&schedlock);
	return r;
}

void timer_wakeups(u64 now)
{
	struct waitq *b = &wheel[now % WHEEL];
	/* No unlocked peek at b->head: a sleeper on another hart may have
	 * read the old ticks and be about to join this very bucket; only
	 * schedlock orders its push against this scan. */
	acquire(&schedlock);
	for (struct proc *p = b->head, *next; p; p = next) {
		next = p->q_next;
		if (p->wake_tick <= now) {
			waitq_remove(p);
			ready(p);
		}
	}
	release(&schedlock);
}
