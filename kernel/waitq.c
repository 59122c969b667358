/* waitq.c: wait queues, sleep and wakeup, and sleeping for a time.
 * A thread that must wait for an event (a child exiting, a key, pipe
 * data, a timer, a futex word) goes on that event's queue and leaves the
 * CPU; the event's wakeup moves it to the ready queue.  Every operation is O(1) per process.
 */
#include "kernel.h"
#include "proc.h"
#include "trace.h"

/* Sleep on wq.  lk protects the condition being waited for; it is
 * released only once this thread is on wq with schedlock held, so a
 * wakeup between the caller's test and the sleep cannot be lost.  lk may
 * be schedlock itself. */
void sleep(struct waitq *wq, struct spinlock *lk)
{
	struct thread *t = mythread();
	if (lk != &schedlock)
		acquire(&schedlock);
	t->vswitch++;
	trace_why(t, WHY_BLOCK);
	thread_setstate(t, SLEEPING);
	/* On the queue before lk is dropped: wakeup() peeks at the queue
	 * under lk, so it sees this sleeper. */
	waitq_push(wq, t);
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
	struct thread *t = mythread();
	u64 ticklen = params.tick_us * timebase_hz / 1000000; /* timer units */
	if (ticklen == 0)
		ticklen = 1;
	acquire(&schedlock);
	while (!p->killed) {
		u64 now = arch_time();
		if (now >= when)
			break;
		u64 n = (when - now + ticklen - 1) / ticklen;
		t->wake_tick = ticks + n;
		struct waitq *b = &wheel[t->wake_tick % WHEEL];
		b->name = "sleep";
		while (!p->killed && ticks < t->wake_tick)
			sleep(b, &schedlock);
	}
	int r = p->killed ? -EINTR : 0;
	release(&schedlock);
	return r;
}

/* The second wheel: timeouts of sleeps on other queues (futex_wait with
 * a timeout).  A thread is on one wait queue and may at the same time be
 * here, linked through tm_next/tm_prev; when its tick comes it is taken
 * off its wait queue with timed_out set. */
static struct thread *twheel[WHEEL];
static u64 ntimeouts; /* armed: timer_wakeups looks at twheel only if any */

void timeout_arm(struct thread *t, u64 tick)
{
	struct thread **b = &twheel[tick % WHEEL];
	t->tm_tick = tick;
	t->tm_armed = 1;
	ntimeouts++;
	t->timed_out = 0;
	t->tm_prev = NULL;
	t->tm_next = *b;
	if (*b)
		(*b)->tm_prev = t;
	*b = t;
}

void timeout_cancel(struct thread *t)
{
	if (!t->tm_armed)
		return;
	if (t->tm_prev)
		t->tm_prev->tm_next = t->tm_next;
	else
		twheel[t->tm_tick % WHEEL] = t->tm_next;
	if (t->tm_next)
		t->tm_next->tm_prev = t->tm_prev;
	t->tm_next = t->tm_prev = NULL;
	t->tm_armed = 0;
	ntimeouts--;
}

/* The timeouts due at tick now.  schedlock held. */
static __attribute__((noinline)) void timeouts_fire(u64 now)
{
	for (struct thread *t = twheel[now % WHEEL], *next; t; t = next) {
		next = t->tm_next;
		if (t->tm_tick <= now) {
			timeout_cancel(t);
			t->timed_out = 1;
			if (t->state == SLEEPING) {
				waitq_remove(t);
				ready(t);
			}
		}
	}
}

void timer_wakeups(u64 now)
{
	struct waitq *b = &wheel[now % WHEEL];
	/* No unlocked peek at b->head: a sleeper on another hart may have
	 * read the old ticks and be about to join this very bucket; only
	 * schedlock orders its push against this scan. */
	acquire(&schedlock);
	for (struct thread *t = b->head, *next; t; t = next) {
		next = t->q_next;
		if (t->wake_tick <= now) {
			waitq_remove(t);
			ready(t);
		}
	}
	if (unlikely(ntimeouts))
		timeouts_fire(now);
	release(&schedlock);
}
