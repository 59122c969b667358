/* thread.h: the thread control block, one execution stream of a process.
 * Seed 003's split: registers, stack and scheduling state per thread.
 */
#ifndef THREAD_H
#define THREAD_H

#include "kernel.h"

/* A thread: what each execution stream of a process has for itself.
 * Everything it shares with the other threads of its process (address
 * space, open files, cwd, credentials, family) is in its struct proc. */
struct thread {
	/* identity */
	int tid;             /* from the pid number space; the first thread's is the pid */
	struct proc *proc;   /* the process it belongs to */

	/* state and queues; protected by schedlock.  state is const: it
	 * changes only in thread_setstate(), so no transition escapes the
	 * trace hook (assigning it anywhere else does not compile). */
	const enum procstate state;
	struct waitq *queue;         /* queue it is on (ready or a wait queue) */
	struct thread *q_next, *q_prev;
	int priority;                /* ready-queue level */
	int slice_left;              /* ticks before preemption */
	u64 wake_tick;               /* sleeping on a timer: when to wake */
	int hart;                    /* cpus[] index it runs or last ran on, or -1 */
	int why;                     /* why it last left the CPU (trace.h WHY_*) */

	/* execution state */
	struct context context;  /* kernel registers saved by swtch */
	void *kstack;            /* its kernel stack (KSTACK_SIZE), this block at its top */
	struct trapframe *tf;    /* user registers, at the top of kstack */
	u64 *fpu;                /* saved FPU registers, allocated on first use */
	int fpu_saved;           /* fpu holds the thread's FPU registers */

	/* accounting (the process adds these up, see proc.h) */
	u64 ticks;     /* timer ticks charged while running */
	u64 syscalls;  /* system calls made */
	u64 vswitch;   /* voluntary switches: blocked or yielded */
	u64 iswitch;   /* involuntary switches: time slice used up */

	/* ending and joining (thread.c); schedlock */
	u64 retval;    /* thread_exit's value, for thread_join */
	int detached;  /* freed at its exit, not joinable */
	int joining;   /* a thread waits in thread_join for it */
	u64 clear_tid; /* Linux's: at its exit, 0 goes there and a futex wake (linux.c) */

	/* futex wait (thread.c): the word it sleeps on; schedlock */
	struct vmspace *futex_vm;
	u64 futex_addr;
	int futex_woken;

	/* a timeout while it sleeps on some other queue (futex_wait's):
	 * the second timer wheel of waitq.c; schedlock */
	struct thread *tm_next, *tm_prev;
	u64 tm_tick;
	int tm_armed, timed_out;

	/* links: its process's list of threads, the tid hash */
	struct thread *t_next, *t_prev;
	struct thread *hash_next;
};

/* The one way to change a thread's state, so that every transition of
 * the seeds' diagram (embryo, ready, running, blocked, zombie) passes the
 * trace hook, which reports old -> new.  Off, the hook is a test of one
 * word.  schedlock held. */
static inline void thread_setstate(struct thread *t, enum procstate s)
{
	enum procstate old = t->state;
	*(enum procstate *)&t->state = s; /* the only write of t->state */
	trace_state(t, old, s); /* last: callers' hot paths keep nothing live across it */
}

/* thread.c */
#define NTHREAD_MAX 1024 /* threads one process may have at once (EAGAIN beyond) */
struct thread *thread_alloc(void);                   /* its kernel stack; not yet anyone's */
void thread_free(struct thread *t);                  /* unlinked, off every hart */
void thread_link(struct proc *p, struct thread *t, int tid); /* into p, state EMBRYO; schedlock held */
void thread_unlink(struct thread *t);                /* out of its process, state UNUSED; schedlock held */
struct thread *thread_lookup(int tid);               /* schedlock held */
int id_in_use(int id);                               /* a pid or tid; schedlock held */
void thread_end(struct thread *t, u64 value) __attribute__((noreturn));
void threads_kill(struct proc *p, struct thread *except, int sig); /* schedlock held */
long futex_requeue(u64 addr, int nwake, int nmove, u64 addr2, int cmp, u32 val);
int threads_end_others(void); /* exec: the others gone and off every hart, or -EINTR */
void thread_reap_prev(struct cpu *c); /* free a thread that ended on c; schedlock held */
void thread_label(struct thread *t, char *buf, int n); /* "pid 5 (prog)" or "pid 5 (prog) thread 7" */

#endif
