/* sched.c: the dispatcher and the ready queue.
 * What it schedules are threads (thread.h), a process's execution
 * streams.  Two FIFOs per priority level (threads woken or new first, then
 * those that used up their slice) and a bitmap of the non-empty ones, so
 * picking the next thread is O(1) however many exist.  A thread gives
 * up the CPU by calling sched() with schedlock held; swtch goes straight
 * to the next ready thread, or to this hart's idle loop if there is none.
 */
#include "kernel.h"
#include "proc.h"
#include "trace.h"
#include "tlb.h"

/* Two queues per level, 32 bytes apart so that indexing is a shift:
 * runq[2 * prio] holds the processes that were woken or are new,
 * runq[2 * prio + 1] those that used up a slice or yielded.  Each is
 * FIFO; the first runs before the second.  A process that mostly waits,
 * like a shell at its prompt, thus runs right after its key or its
 * child's exit, ahead of every spinner of its level: 60 spinners of one
 * user delay root's shell by a slice, not by 60.  Nothing starves: a
 * process leaves the first queue at the first tick that ends its slice,
 * and the first queue is FIFO too, so a woken process waits behind
 * those woken before it, never behind an endless stream of newer ones
 * (a fork bomb's children). */
static struct runq {
	struct waitq q;
} __attribute__((aligned(32))) runq[2 * NPRIO];
static u64 runq_bits;  /* bit i set: runq[i] is not empty */
static u32 idle_harts; /* bit i set: cpus[i] waits in its idle loop */
struct cpu cpus[NCPU];
int ncpu = 1;

void sched_init(void)
{
	for (int i = 0; i < 2 * NPRIO; i++)
		runq[i].q.name = "ready";
}

/* p to the back of its level: it used up its slice or yielded.
 * schedlock held. */
static inline void runq_push(struct thread *t)
{
	int i = 2 * t->priority + 1;
	waitq_push(&runq[i].q, t);
	runq_bits |= 1UL << i;
	thread_setstate(t, RUNNABLE);
}

/* p to its level's queue of woken and new processes.  schedlock held. */
static inline void runq_push_woken(struct thread *t)
{
	int i = 2 * t->priority;
	waitq_push(&runq[i].q, t);
	runq_bits |= 1UL << i;
	thread_setstate(t, RUNNABLE);
}

/* n processes were just made ready: a hart asleep in wfi would only
 * notice at its next tick, so wake up to n of them. */
static __attribute__((noinline)) void kick_idle(int n)
{
	for (int id = 0; id < ncpu && n > 0; id++) {
		if (idle_harts & (1u << id)) {
			idle_harts &= ~(1u << id);
			arch_kick(cpus[id].hartid);
			n--;
		}
	}
}

/* The second and later sleepers of one wakeup: rarer (several readers
 * of one pipe, a whole process group waiting for the console). */
static __attribute__((noinline)) void wakeup_rest(struct waitq *wq)
{
	wakeup_locked(wq);
}

/* Put p, woken or new, on the ready queue.  schedlock held. */
void ready(struct thread *t)
{
	assert(holding(&schedlock));
	runq_push_woken(t);
	if (unlikely(idle_harts))
		kick_idle(1);
}

/* wakeup's work: every sleeper on wq, from its wait queue to the ready
 * queue.  The usual case, one sleeper, is ready()'s work written out, so
 * that it makes no call at all unless tracing is on; more go through
 * wakeup_locked. */
void wakeup_slow(struct waitq *wq)
{
	acquire(&schedlock);
	struct thread *t = waitq_pop(wq);
	if (t) { /* (the sleeper wakeup() saw may be gone: woken by a kill) */
		runq_push_woken(t);
		if (unlikely(idle_harts))
			kick_idle(1);
		if (unlikely(wq->head))
			wakeup_rest(wq);
	}
	release(&schedlock);
}

/* lowest_bit[b]: the index of b's lowest set bit, for a byte of the
 * bitmap (the hart has no count-trailing-zeros instruction). */
_Static_assert(NPRIO == 8, "lowest_bit covers 16 queues in two bytes");
static const u8 lowest_bit[256] = {
#define L1(b) (((b)&1) ? 0 : ((b)&2) ? 1 : ((b)&4) ? 2 : ((b)&8) ? 3 : ((b)&16) ? 4 : ((b)&32) ? 5 : ((b)&64) ? 6 : 7)
#define L4(b) L1(b), L1(b + 1), L1(b + 2), L1(b + 3)
#define L16(b) L4(b), L4(b + 4), L4(b + 8), L4(b + 12)
#define L64(b) L16(b), L16(b + 16), L16(b + 32), L16(b + 48)
	L64(0), L64(64), L64(128), L64(192)
#undef L1
#undef L4
#undef L16
#undef L64
};

/* The first process of the highest non-empty level, off the queue. */
static inline struct thread *runq_pop(void)
{
	if (!runq_bits)
		return NULL;
	int i = runq_bits & 0xff ? lowest_bit[runq_bits & 0xff] : 8 + lowest_bit[runq_bits >> 8];
	struct waitq *q = &runq[i].q;
	struct thread *t = waitq_pop(q);
	if (!q->head)
		runq_bits &= ~(1UL << i);
	return t;
}

/* Switch from the current thread, whose state the caller has already
 * changed, to the next ready one.  Returns when t runs again, possibly on
 * another hart.  schedlock is held on entry and on return.  Threads of
 * one process share a page table: switching between them keeps it (and
 * this hart's TLB). */
void sched(void)
{
	struct cpu *c = mycpu();
	struct thread *t = c->thread;
	if (!holding(&schedlock))
		panic("sched: schedlock not held");
	if (t->state == RUNNING)
		panic("sched: tid %d still running", t->tid);
	if (intr_on())
		panic("sched: interrupts on");

	if (fpu_live(t->tf))
		fpu_switch_out(t); /* its FPU registers into its thread block, if changed */
	struct thread *next = runq_pop();
	if (next == t) {
		/* It was the only ready thread: keep running it. */
		thread_setstate(t, RUNNING);
		return;
	}
	if (next) {
		trace_switch(t, next);
		thread_setstate(next, RUNNING);
		next->hart = c->id;
		next->slice_left = params.slice;
		struct proc *np = next->proc;
		c->thread = next;
		if (np != c->proc) {
			vm_switch(&np->vm);
			c->proc = np;
		}
		swtch(&t->context, &next->context);
		if (unlikely(mycpu()->dead)) /* the thread that ran before us here ended */
			thread_reap_prev(mycpu());
	} else {
		/* Nothing to run: go to the idle loop, off t's page table, which
		 * may be freed while this hart idles. */
		trace_switch(t, NULL);
		c->thread = NULL;
		vm_switch(NULL);
		c->proc = NULL;
		swtch(&t->context, &c->idle);
		if (unlikely(mycpu()->dead))
			thread_reap_prev(mycpu());
	}
}

/* Back to the tail of the ready queue, and on to the next process. */
static __attribute__((noinline)) void requeue(struct thread *t, int why)
{
	acquire(&schedlock);
	trace_why(t, why);
	runq_push(t);
	if (unlikely(idle_harts))
		kick_idle(1);
	sched();
	release(&schedlock);
}

/* Give up the CPU but stay ready.  (The unlocked peeks here and in
 * preempt are hints: a process made ready just now is seen next time.) */
void yield(void)
{
	struct thread *t = mythread();
	if (!runq_bits)
		return; /* no one else is ready: nothing to do */
	t->vswitch++;
	requeue(t, WHY_YIELD);
}

/* The timer says p's time slice is used up: an involuntary switch. */
void preempt(void)
{
	struct thread *t = mythread();
	if (!runq_bits) {
		t->slice_left = params.slice; /* no one else: a new slice */
		return;
	}
	t->iswitch++;
	requeue(t, WHY_SLICE);
}

/* Each hart's idle loop: the dispatcher of last resort.  It runs on the
 * hart's boot stack, takes whatever is ready, and otherwise waits for an
 * interrupt.  Processes switch back here only when nothing is ready. */
void scheduler(void)
{
	struct cpu *c = mycpu();
	acquire(&schedlock);
	for (;;) {
		struct thread *t = runq_pop();
		if (t) {
			trace_switch(NULL, t);
			thread_setstate(t, RUNNING);
			t->hart = c->id;
			t->slice_left = params.slice;
			c->thread = t;
			c->proc = t->proc;
			vm_switch(&t->proc->vm);
			swtch(&c->idle, &t->context);
			/* back: whoever ran last went to sleep or exited */
			thread_reap_prev(c);
			continue;
		}
		idle_harts |= 1u << c->id;
		release(&schedlock);
		u64 t0 = arch_time();
		arch_idle();
		c->idle_ticks += arch_time() - t0;
		acquire(&schedlock);
		idle_harts &= ~(1u << c->id);
	}
}
