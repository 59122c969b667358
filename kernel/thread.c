/* thread.c: threads, several execution streams in one process (seed 003).
 * Creating, ending and joining threads, and futex wait/wake.
 *
 * A thread is created in the calling process (thread_create), runs until
 * it calls thread_exit or the process ends, and then stays, a zombie
 * thread holding its exit value, until another thread of the process
 * joins it; a detached thread is freed as soon as it is off its hart.
 * Every thread's state, queue links and family links are under schedlock,
 * like everything the scheduler touches.
 */
#include "kernel.h"
#include "proc.h"
#include "syscall.h"
#include "linux.h"
#include "trace.h"

#define TIDHASH 1024
static struct thread *tidhash[TIDHASH];

struct thread *thread_lookup(int tid)
{
	if (tid <= 0)
		return NULL;
	for (struct thread *t = tidhash[tid % TIDHASH]; t; t = t->hash_next)
		if (t->tid == tid)
			return t;
	return NULL;
}

/* A thread block with its kernel stack, belonging to no process yet.
 * Both are in one allocation: the block sits at the top of the stack's
 * KSTACK_SIZE, the trapframe right below it, and the stack grows down from
 * there (an overflow runs off the bottom, away from both). */
_Static_assert(sizeof(struct thread) % 16 == 0, "the trapframe and sp below it stay 16-aligned");
#define KSTACK_ORDER __builtin_ctzl(KSTACK_SIZE / PGSIZE) /* KSTACK_SIZE is 2^order pages */
_Static_assert(KSTACK_SIZE == PGSIZE << KSTACK_ORDER, "KSTACK_SIZE is a power-of-two number of pages");
struct thread *thread_alloc(void)
{
	void *kstack = kalloc_order(KSTACK_ORDER);
	if (!kstack)
		return NULL;
	struct thread *t = (struct thread *)((char *)kstack + KSTACK_SIZE) - 1;
	memset(t, 0, sizeof *t);
	t->kstack = kstack;
	t->tf = (struct trapframe *)t - 1;
	arch_context_init(&t->context, forkret, (u64)t->tf);
	t->hart = -1;
	t->priority = PRIO_DEFAULT;
	if (fpu_alloc(t) < 0) {
		kfree_order(kstack, KSTACK_ORDER);
		return NULL;
	}
	return t;
}

/* t's FPU save area, then its stack with t itself. */
void thread_free(struct thread *t)
{
	fpu_free(t);
	kfree_order(t->kstack, KSTACK_ORDER);
}

/* t becomes a thread of p with id tid, in state EMBRYO (the trace's
 * unused -> embryo line says who made it).  schedlock held. */
void thread_link(struct proc *p, struct thread *t, int tid)
{
	t->proc = p;
	t->tid = tid;
	t->hash_next = tidhash[tid % TIDHASH];
	tidhash[tid % TIDHASH] = t;
	t->t_prev = NULL;
	t->t_next = p->threads;
	if (p->threads)
		p->threads->t_prev = t;
	p->threads = t;
	p->nthreads++;
	p->nthreads_all++;
	thread_setstate(t, EMBRYO);
}

/* Take t out of its process and the tid hash, its counts kept in the
 * process's.  It is off every hart (an ended thread, or one never run).
 * schedlock held. */
void thread_unlink(struct thread *t)
{
	struct proc *p = t->proc;
	struct thread **pp = &tidhash[t->tid % TIDHASH];
	while (*pp != t)
		pp = &(*pp)->hash_next;
	*pp = t->hash_next;
	if (t->t_prev)
		t->t_prev->t_next = t->t_next;
	else
		p->threads = t->t_next;
	if (t->t_next)
		t->t_next->t_prev = t->t_prev;
	t->t_next = t->t_prev = NULL;
	p->nthreads_all--;
	if (t->state != ZOMBIE) /* a thread that never ran (fork failed) */
		p->nthreads--;
	p->ticks += t->ticks;
	p->syscalls += t->syscalls;
	p->vswitch += t->vswitch;
	p->iswitch += t->iswitch;
	thread_setstate(t, UNUSED);
}

void thread_label(struct thread *t, char *buf, int n)
{
	struct proc *p = t->proc;
	if (t->tid == p->pid)
		ksnprintf(buf, n, "pid %d (%s)", p->pid, p->name);
	else
		ksnprintf(buf, n, "pid %d (%s) thread %d", p->pid, p->name, t->tid);
}

/* Mark p to die of sig (unless it already dies of something) and get
 * every thread of it but `except` moving: a sleeping one is woken (its
 * sleep loop sees p->killed and gives up with EINTR), a running one on
 * another hart is interrupted, so that it reaches trap_leave within
 * microseconds, not at its next tick.  schedlock held. */
void threads_kill(struct proc *p, struct thread *except, int sig)
{
	if (!p->killed)
		p->killed = sig;
	for (struct thread *t = p->threads; t; t = t->t_next) {
		if (t == except)
			continue;
		if (t->state == SLEEPING) {
			waitq_remove(t);
			timeout_cancel(t);
			ready(t);
		} else if (t->state == RUNNING && t->hart >= 0 && t->hart != mycpu()->id) {
			arch_kick(cpus[t->hart].hartid);
		}
	}
}

/* A thread that ended on this hart and is detached (or whose process has
 * no one left to join it) is freed by whoever runs next here, once its
 * stack is no longer in use: in sched(), forkret() and the idle loop,
 * right after swtch.  schedlock held. */
void thread_reap_prev(struct cpu *c)
{
	struct thread *t = c->dead;
	if (!t)
		return;
	c->dead = NULL;
	thread_unlink(t);
	/* kfree under schedlock: the page allocator's lock comes after it */
	thread_free(t);
}

/* The end of thread t with exit value `value`.  The last thread of a
 * process ends the process (proc_end); an earlier one becomes a zombie
 * thread for thread_join, or, detached, is freed once off this hart. */
void thread_end(struct thread *t, u64 value)
{
	struct proc *p = t->proc;
	acquire(&schedlock);
	t->retval = value;
	if (--p->nthreads > 0) {
		wakeup_locked(&p->joinq); /* joiners, and exec waiting for the others */
		trace_why(t, WHY_EXIT);
		thread_setstate(t, ZOMBIE);
		if (t->detached)
			mycpu()->dead = t;
		sched();
		panic("ended thread %d ran", t->tid);
	}
	if (!p->exiting) { /* thread_exit of the last thread: status 0 */
		p->exiting = 1;
		p->xstate = 0;
	}
	int status = p->xstate;
	release(&schedlock);
	proc_end(p, status);
}

/* exec: end every other thread of the process and wait until each is off
 * its hart (a zombie thread has switched away: it held schedlock until
 * its swtch was done), then free them.  The caller takes over the pid as
 * its tid, as in Linux.  -EINTR if the process is being killed or ended,
 * or another thread got here first: the caller dies on its way out. */
int threads_end_others(void)
{
	struct proc *p = myproc();
	struct thread *me = mythread();
	acquire(&schedlock);
	if (p->nthreads_all == 1 && me->tid == p->pid) {
		release(&schedlock);
		return 0;
	}
	if (p->killed || p->exiting || p->sole) {
		release(&schedlock);
		return -EINTR;
	}
	if (p->nthreads > 1) {
		p->sole = me;
		threads_kill(p, me, SIGKILL);
		while (p->nthreads > 1)
			sleep(&p->joinq, &schedlock);
		p->sole = NULL;
		p->killed = p->sole_killed; /* a real kill meanwhile: now */
		p->sole_killed = 0;
	}
	/* all the others are zombie threads now, off every hart */
	struct thread *list = NULL;
	for (struct thread *t = p->threads, *next; t; t = next) {
		next = t->t_next;
		if (t == me)
			continue;
		if (mycpu()->dead == t)
			mycpu()->dead = NULL;
		thread_unlink(t);
		t->t_next = list;
		list = t;
	}
	if (me->tid != p->pid) {
		struct thread **pp = &tidhash[me->tid % TIDHASH];
		while (*pp != me)
			pp = &(*pp)->hash_next;
		*pp = me->hash_next;
		me->tid = p->pid;
		me->hash_next = tidhash[me->tid % TIDHASH];
		tidhash[me->tid % TIDHASH] = me;
	}
	release(&schedlock);
	while (list) {
		struct thread *t = list;
		list = t->t_next;
		thread_free(t);
	}
	return 0;
}

/* --- the system calls --- */

/* thread_create(entry, arg, stack, tls): see abi.h.  The new thread
 * starts with the caller's registers but for pc = entry, a0 = arg,
 * sp = stack, tp = tls, ra = 0 and s0-s11 = 0, its FPU off (zeroed on
 * first use).  That is entry(arg) as if called from address 0, so on
 * x86-64 the 0 is a return address at stack - 8 and rsp points at it:
 * the ABI's alignment at a function's entry (rsp + 8 a multiple of 16),
 * which compiled code relies on (movaps to its frame). */
long sys_thread_create(SYSARGS)
{
	u64 entry = a0, arg = a1, stack = a2, tls = a3;
	struct proc *p = myproc();
	struct thread *me = mythread();
	if (stack % 16)
		return -EINVAL;
	if (entry >= USER_TOP || stack < 16 || stack > USER_TOP)
		return -EFAULT;
	/* The stack's top word must be there for writing (or come on first
	 * touch, as the main stack grows); it is the entry's return address
	 * where a call pushes one, and 0 either way. */
	u64 zero = 0;
	if (copy_to_user(stack - 8, &zero, 8) < 0)
		return -EFAULT;
	struct thread *t = thread_alloc();
	if (!t)
		return -ENOMEM;
	arch_thread_init(t->tf, me->tf, entry, arg, stack - 8 * CALL_PUSHES_RA, tls);
	t->priority = me->priority;

	acquire(&schedlock);
	long r;
	if (p->killed || p->exiting || p->sole) {
		r = -EINTR; /* the process is ending: it will not have more */
	} else if (p->nthreads_all >= NTHREAD_MAX) {
		r = -EAGAIN;
	} else {
		r = id_alloc();
		thread_link(p, t, r);
		ready(t);
		t = NULL;
	}
	release(&schedlock);
	if (t)
		thread_free(t);
	return r;
}

long sys_thread_exit(SYSARGS) { thread_end(mythread(), a0); }

/* Linux's clone of a thread (kernel/linux.c; see linux.h): linked before
 * it runs, so that its tid can be stored where clone was asked to. */
struct thread *thread_copy(long *err)
{
	struct proc *p = myproc();
	struct thread *me = mythread();
	struct thread *t = thread_alloc();
	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	*t->tf = *me->tf;
	t->priority = me->priority;
	t->detached = 1;
	acquire(&schedlock);
	if (p->killed || p->exiting || p->sole) {
		*err = -EINTR;
	} else if (p->nthreads_all >= NTHREAD_MAX) {
		*err = -EAGAIN;
	} else {
		thread_link(p, t, id_alloc());
		release(&schedlock);
		return t;
	}
	release(&schedlock);
	thread_free(t);
	return NULL;
}

void thread_start(struct thread *t)
{
	acquire(&schedlock);
	ready(t);
	release(&schedlock);
}

/* The thread tid of the calling process, or NULL.  schedlock held. */
static struct thread *find(struct proc *p, int tid)
{
	struct thread *t = thread_lookup(tid);
	return t && t->proc == p ? t : NULL;
}

long sys_thread_join(SYSARGS)
{
	int tid = a0;
	u64 uvalue = a1;
	struct proc *p = myproc();
	struct thread *me = mythread();
	if (tid == me->tid)
		return -EDEADLK;
	acquire(&schedlock);
	struct thread *t = find(p, tid);
	if (!t) {
		release(&schedlock);
		return -ESRCH;
	}
	if (t->detached || t->joining) {
		release(&schedlock);
		return -EINVAL;
	}
	t->joining = 1;
	while (t->state != ZOMBIE) {
		if (p->killed) {
			t->joining = 0;
			release(&schedlock);
			return -EINTR;
		}
		sleep(&p->joinq, &schedlock);
	}
	u64 value = t->retval;
	thread_unlink(t);
	release(&schedlock);
	thread_free(t);
	if (uvalue && copy_to_user(uvalue, &value, sizeof value) < 0)
		return -EFAULT;
	return 0;
}

long sys_thread_detach(SYSARGS)
{
	int tid = a0;
	struct proc *p = myproc();
	acquire(&schedlock);
	struct thread *t = find(p, tid);
	long r = 0;
	if (!t)
		r = -ESRCH;
	else if (t->detached || t->joining)
		r = -EINVAL;
	else if (t->state == ZOMBIE) /* ended already: free it now */
		thread_unlink(t);
	else
		t->detached = 1, t = NULL;
	release(&schedlock);
	if (r == 0 && t)
		thread_free(t);
	return r;
}

long sys_gettid(SYSARGS) { return mythread()->tid; }

/* --- futex: sleeping on a word of user memory --- */

/* Sleepers are kept in wait queues hashed by (address space, address):
 * threads of one process waiting on one word meet in one queue, and a
 * wake looks at that queue only.  All under schedlock, so that the
 * waiter's check of the word and its going to sleep are one step as far
 * as futex_wake is concerned: a waker changes the word first and takes
 * schedlock after, so either the waiter saw the new value or it is
 * already on the queue.  No wakeup is lost. */
#define FUTEX_HASH 64
static struct waitq futexq[FUTEX_HASH];

static struct waitq *futex_queue(struct vmspace *vm, u64 addr)
{
	u64 h = ((u64)vm >> 6) ^ (addr >> 2);
	h ^= h >> 17;
	struct waitq *q = &futexq[h % FUTEX_HASH];
	q->name = "futex";
	return q;
}

/* The word at addr, read with schedlock held.  A read that would fault
 * is not resolved there (kerneltrap never sleeps nor allocates for a
 * hart holding schedlock): let go, fault it in as a normal copy would,
 * and try again.  0 or -EFAULT; schedlock held on return either way.
 * Inlined by force: with futex_requeue its second caller, gcc made it a
 * call, and futex_pingpong grew by 82 instructions a round trip. */
static inline __attribute__((always_inline)) int futex_read(u64 addr, u32 *val)
{
	for (int tries = 0; tries < 4; tries++) {
		if (__get_user32(val, addr) == 0)
			return 0;
		release(&schedlock);
		int r = copy_from_user(val, addr, 4);
		acquire(&schedlock);
		if (r < 0)
			return -EFAULT;
	}
	return -EFAULT;
}

/* Timer units from now to when, in ticks, rounded up: at least one. */
static u64 ticks_until(u64 now, u64 when)
{
	u64 ticklen = params.tick_us * timebase_hz / 1000000;
	if (ticklen == 0)
		ticklen = 1;
	return (when - now + ticklen - 1) / ticklen;
}

/* futex_wait(addr, val, timeout_ns): see abi.h. */
long sys_futex_wait(SYSARGS)
{
	u64 addr = a0, timeout = a2;
	u32 val = a1, cur;
	struct proc *p = myproc();
	struct thread *t = mythread();
	if (addr % 4)
		return -EINVAL;
	if (!user_range(addr, 4))
		return -EFAULT;
	u64 deadline = 0;
	if (timeout) {
		/* the clock, not ticks, says when it is over; ticks only say
		 * when to look (see sleep_until) */
		u64 s = timeout / 1000000000, ns = timeout % 1000000000;
		if (s > (1UL << 30))
			s = 1UL << 30;
		deadline = arch_time() + s * timebase_hz + ns * timebase_hz / 1000000000;
	}
	struct waitq *q = futex_queue(&p->vm, addr);
	acquire(&schedlock);
	long r;
	for (;;) {
		if (futex_read(addr, &cur) < 0) {
			r = -EFAULT;
			break;
		}
		if (cur != val) {
			/* at once, or after a timeout tick that came early */
			r = t->futex_woken || t->timed_out ? 0 : -EAGAIN;
			break;
		}
		if (p->killed) {
			r = -EINTR;
			break;
		}
		if (timeout) {
			u64 now = arch_time();
			if (now >= deadline) {
				r = -ETIMEDOUT;
				break;
			}
			timeout_arm(t, ticks + ticks_until(now, deadline));
		}
		t->futex_vm = &p->vm;
		t->futex_addr = addr;
		t->futex_woken = 0;
		sleep(q, &schedlock);
		if (t->tm_armed) /* the usual wait has no timeout: no call */
			timeout_cancel(t);
		t->futex_vm = NULL;
		if (t->futex_woken) {
			r = 0;
			break;
		}
		/* killed, or the timer: the loop looks at the word and the
		 * clock again */
	}
	t->futex_woken = t->timed_out = 0;
	release(&schedlock);
	return r;
}

/* Linux's FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wake up to nwake sleepers
 * on addr, oldest first, and move up to nmove of the others to addr2's
 * queue, where they sleep on as if they had waited on addr2 (musl's
 * condition variables hand a signalled waiter to the mutex this way: it
 * is woken when the mutex is unlocked, not all at once).  cmp: only if
 * the word at addr is still val, else -EAGAIN.  The woken and the moved. */
long futex_requeue(u64 addr, int nwake, int nmove, u64 addr2, int cmp, u32 val)
{
	struct proc *p = myproc();
	if (addr % 4 || addr2 % 4)
		return -EINVAL;
	if (!user_range(addr, 4) || !user_range(addr2, 4))
		return -EFAULT;
	struct waitq *q = futex_queue(&p->vm, addr), *q2 = futex_queue(&p->vm, addr2);
	long done = 0;
	acquire(&schedlock);
	if (cmp) {
		u32 cur = 0;
		int r = futex_read(addr, &cur);
		if (r < 0 || cur != val) {
			release(&schedlock);
			return r < 0 ? -EFAULT : -EAGAIN;
		}
	}
	for (struct thread *t = q->head, *next; t && (nwake > 0 || nmove > 0); t = next) {
		next = t->q_next;
		if (t->futex_vm != &p->vm || t->futex_addr != addr)
			continue;
		waitq_remove(t);
		if (nwake > 0) {
			nwake--;
			t->futex_woken = 1;
			ready(t);
		} else {
			nmove--;
			t->futex_addr = addr2;
			waitq_push(q2, t);
		}
		done++;
	}
	release(&schedlock);
	return done;
}

/* futex_wake(addr, n): wake up to n sleepers on addr, oldest first. */
long sys_futex_wake(SYSARGS)
{
	u64 addr = a0;
	int n = a1;
	struct proc *p = myproc();
	if (addr % 4)
		return -EINVAL;
	if (!user_range(addr, 4))
		return -EFAULT;
	struct waitq *q = futex_queue(&p->vm, addr);
	int woken = 0;
	acquire(&schedlock);
	for (struct thread *t = q->head, *next; t && woken < n; t = next) {
		next = t->q_next;
		if (t->futex_vm != &p->vm || t->futex_addr != addr)
			continue;
		waitq_remove(t);
		t->futex_woken = 1;
		ready(t);
		woken++;
	}
	release(&schedlock);
	return woken;
}
