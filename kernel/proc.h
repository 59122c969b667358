/* proc.h: the process control block (PCB), per-hart state, queues.
 * Seed 003's list of what a PCB holds, field by field; the per-thread part is in thread.h.
 */
#ifndef PROC_H
#define PROC_H

#include "kernel.h"
#include "trace.h"

#define NOFILE 64       /* open files per process */
#define NPRIO 8         /* priority levels of the ready queue; 0 is highest */
#define PRIO_DEFAULT 4

/* A queue of threads: the ready queue, or one wait queue per event.
 * A thread is on at most one queue at a time, linked through q_next/q_prev,
 * so enqueue, dequeue and removal are all O(1). */
struct waitq {
	struct thread *head, *tail;
	const char *name; /* what its sleepers wait for, shown by ps */
};
#define WAITQ_INIT(n) { NULL, NULL, n }

#include "thread.h"

/* The process's life as a whole, apart from its threads' states. */
enum { PROC_EMBRYO, PROC_LIVE, PROC_ZOMBIE };

/* The process control block: what the threads of one process share.
 * What each thread has for itself (registers, kernel stack, scheduling
 * state, FPU) is its struct thread (thread.h). */
struct proc {
	/* identity */
	int pid;
	char name[PROC_NAME_LEN];
	int uid;  /* credentials: owner of files it creates, checked on access */
	struct krlimit lim_nproc, lim_as; /* RLIMIT_NPROC, RLIMIT_AS (rlimit.c) */
	int pgid; /* process group: Ctrl-C goes to the console's foreground group */
	int console_owner; /* set the console's foreground group as root: a shell (oom.c) */

	/* life; protected by schedlock */
	int life;                    /* PROC_EMBRYO, PROC_LIVE, PROC_ZOMBIE */
	int killed;                  /* signal to die of at the next chance, or 0 */
	int exiting;                 /* exit (exit_group) under way: xstate is set */
	struct thread *sole;         /* exec ends the others: only this one goes on */
	int sole_killed;             /* a kill that came meanwhile, for after */
	int priority;                /* level its new threads get */

	/* its threads; schedlock */
	struct thread *threads;      /* every thread struct, running or ended */
	int nthreads;                /* of them not yet ended */
	int nthreads_all;            /* of them in the list (ended ones until joined) */
	struct waitq joinq;          /* thread_join sleeps here */

	/* memory */
	struct vmspace vm;

	/* family; protected by schedlock */
	struct proc *parent;
	struct proc *children;   /* first child */
	struct proc *sibling;    /* next child of the same parent */
	struct waitq childq;     /* the parent sleeps here in wait() */
	int xstate;              /* exit status for wait() */

	/* resources */
	struct file *ofile[NOFILE];
	struct spinlock fdlock;  /* ofile[] changes, with several threads (sysfile.c) */
	struct inode *cwd;

	/* accounting: the threads' counts (thread.h) add up to the process's;
	 * these hold those of its threads already freed */
	u64 ticks, syscalls, vswitch, iswitch;
	u64 start_tick;
	u64 ticks_children; /* ticks of reaped children */

	/* tracing */
	int strace_fd;      /* strace writes here, or -1 when not traced */
	struct file *strace_file;
	int strace_flags;

	/* process table links */
	struct proc *hash_next;   /* pid hash chain */
	struct proc *all_next, *all_prev;
};

/* The process's accounting: its threads' and those already gone. */
struct proc_acct {
	u64 ticks, syscalls, vswitch, iswitch;
};
void proc_acct(struct proc *p, struct proc_acct *a); /* schedlock held */

/* Per-hart state; arch_this_cpu() finds it (tp on RISC-V). */
struct cpu {
	u64 stack_top;           /* first: the arch's start code loads sp from it */
	struct thread *thread;   /* running thread, or NULL when idle */
	struct proc *proc;       /* its process (thread->proc), one load for myproc() */
	struct context idle;     /* the idle loop's context */
	int hartid;              /* the hardware's id for it (RISC-V hart id, x86 APIC id) */
	int id;                  /* 0..ncpu-1 */
	volatile int started;
	int need_resched;        /* a wakeup made a process runnable */
	struct thread *dead;     /* ended on this hart, to free once off its stack */
	struct vmspace *volatile vm; /* the address space it runs on (vm_switch, tlb.c) */
	u64 idle_ticks;
	u64 next_timer;
};

#define NCPU 8
extern struct cpu cpus[NCPU];
extern int ncpu;

static inline struct cpu *mycpu(void) { return arch_this_cpu(); }
static inline struct proc *myproc(void) { return mycpu()->proc; }
static inline struct thread *mythread(void) { return mycpu()->thread; }
/* May a wait sleep?  Not at boot: user_init execs the first program on
 * the boot context with its PCB only borrowed (no context to switch
 * back to), so a disk wait there polls for the completion instead. */
static inline int can_sleep(void) { return myproc() && mycpu()->started; }

/* May vm be reached directly (__copy_user)?  Only if this hart runs on it: it
 * is the address space of the process on this hart. */
static inline int uaccess_direct(struct vmspace *vm)
{
	struct proc *p = myproc();
	return p && vm == &p->vm;
}

/* vm->lock: the threads of a process change its mappings (resolve a
 * fault, move the break, mark pages copy-on-write for fork) one at a
 * time.  With a single thread there is no one to exclude, as only a
 * thread of p makes another: the usual case pays nothing.  Returns
 * whether it took the lock, for vm_unlock. */
static inline int vm_lock(struct proc *p)
{
	if (likely(p->nthreads_all == 1))
		return 0;
	acquire(&p->vm.lock);
	return 1;
}

static inline void vm_unlock(struct proc *p, int locked)
{
	if (locked)
		release(&p->vm.lock);
}

/* copyin/copyout: the kernel's only ways into user memory.  For the
 * running process they copy directly (the arch's __copy_user: uaccess.S),
 * faults resolved or turned into -EFAULT by kerneltrap; for another
 * address space (exec building a new image) they walk its page table. */
static inline int copyin(struct vmspace *vm, void *dst, u64 uva, size_t n)
{
	if (likely(user_range(uva, n) && uaccess_direct(vm)))
		return __copy_user(dst, (const void *)uva, n);
	return copyin_slow(vm, dst, uva, n);
}

static inline int copyout(struct vmspace *vm, u64 uva, const void *src, size_t n)
{
	if (likely(user_range(uva, n) && uaccess_direct(vm)))
		return __copy_user((void *)uva, src, n);
	return copyout_slow(vm, uva, src, n);
}

/* The usual case, a system call copying to or from its caller's memory:
 * that address space is the one this hart runs on, so only the range
 * needs checking. */
static inline int copy_from_user(void *dst, u64 uva, size_t n)
{
	return likely(user_range(uva, n)) ? (int)__copy_user(dst, (const void *)uva, n) : -EFAULT;
}

static inline int copy_to_user(u64 uva, const void *src, size_t n)
{
	return likely(user_range(uva, n)) ? (int)__copy_user((void *)uva, src, n) : -EFAULT;
}

/* The copy alone, for a range the caller has checked with user_range().
 * fileread and filewrite check a read or write buffer once, before any
 * kind of file sees it, so pipes, inodes and devices copy with these. */
static inline int __copy_from_user(void *dst, u64 uva, size_t n) { return (int)__copy_user(dst, (const void *)uva, n); }
static inline int __copy_to_user(u64 uva, const void *src, size_t n) { return (int)__copy_user((void *)uva, src, n); }

/* The one lock of the scheduler: process states, the ready queue, every
 * wait queue and the family links.  It is held across swtch; whoever runs
 * after swtch releases it. */
extern struct spinlock schedlock;

/* proc.c: the process table */
struct proc *proc_alloc(const char *name, struct proc *parent, int *err); /* err: -ENOMEM or -EAGAIN */
void proc_free(struct proc *p);
struct proc *proc_lookup(int pid);
int fork(void);
void exit(int status) __attribute__((noreturn));
int waitpid(int pid, u64 ustatus, int options);
int kill(int pid, int sig);                     /* as the current process */
int kill_from(struct proc *from, int pid, int sig); /* from NULL: the kernel */
int kill_locked(struct proc *t, int sig);           /* schedlock held */
int id_alloc(void);                                 /* a new pid or tid; schedlock held */
void proc_end(struct proc *p, int status) __attribute__((noreturn)); /* the last thread's exit */
void user_init(void);
extern struct proc *initproc;
extern u64 nproc;
extern struct proc *allprocs;
void proc_setname(struct proc *p, const char *path);
const char *path_base(const char *path); /* "/bin/sh" -> "sh" */
int proc_inherit(struct proc *np, struct proc *p);
void forkret(void);

/* sched.c: the dispatcher and the ready queue */
void sched_init(void);
void ready(struct thread *t);       /* make runnable; schedlock held */
void sched(void);                   /* switch away; schedlock held */
void yield(void);
void preempt(void);
void scheduler(void) __attribute__((noreturn));

/* waitq.c: wait queues and sleep; wakeup_slow is in sched.c, beside ready() */
void sleep(struct waitq *wq, struct spinlock *lk);
void wakeup_slow(struct waitq *wq);

/* Make every sleeper on wq ready.  The unlocked peek is safe: a sleeper
 * is on the queue before it lets go of the lock the caller holds. */
static inline void wakeup(struct waitq *wq)
{
	if (wq->head)
		wakeup_slow(wq);
}

/* The queue operations, O(1) each; schedlock held. */
static inline void waitq_push(struct waitq *wq, struct thread *t)
{
	t->queue = wq;
	t->q_next = NULL;
	t->q_prev = wq->tail;
	if (wq->tail)
		wq->tail->q_next = t;
	else
		wq->head = t;
	wq->tail = t;
}

static inline void waitq_remove(struct thread *t)
{
	struct waitq *wq = t->queue;
	if (!wq)
		return;
	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		wq->head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		wq->tail = t->q_prev;
	t->queue = NULL;
	t->q_next = t->q_prev = NULL;
}

/* The first thread on wq, off it; NULL if wq is empty. */
static inline struct thread *waitq_pop(struct waitq *wq)
{
	struct thread *t = wq->head;
	if (!t)
		return NULL;
	/* waitq_remove, knowing t is the head (its q_prev is NULL) */
	wq->head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = NULL;
	else
		wq->tail = NULL;
	t->queue = NULL;
	t->q_next = NULL;
	return t;
}

/* Make every sleeper on wq ready.  schedlock held. */
static inline void wakeup_locked(struct waitq *wq)
{
	struct thread *t;
	while ((t = waitq_pop(wq)))
		ready(t);
}
int sleep_until(u64 when); /* arch_time() units */
void timeout_arm(struct thread *t, u64 tick);  /* wake t from any sleep at tick; schedlock held */
void timeout_cancel(struct thread *t);         /* schedlock held */
void timer_wakeups(u64 now);

extern const char *const procstate_name[];

/* rlimit.c: per-process resource limits */
void rlimit_init(struct proc *p);        /* init's, root's: NPROC from RAM (hard unlimited), AS unlimited */
void rlimit_setuid(struct proc *p);      /* leaving root: the user defaults */
int ucount_get(int uid, u64 limit);     /* schedlock held: one more process of uid, or -EAGAIN/-ENOMEM */
void ucount_put(int uid);               /* schedlock held: one fewer */
int rlimit_get(struct proc *p, int res, struct krlimit *out);        /* 0 or -EINVAL */
int rlimit_set(struct proc *p, int res, const struct krlimit *want); /* 0, -EINVAL or -EPERM */
u64 vm_size(struct vmspace *vm);          /* bytes RLIMIT_AS counts */

/* oom.c: the out-of-memory killer */
enum { OOM_NONE, OOM_FREED, OOM_SELF };
#define OOM_ROUNDS 4 /* victims killed for one request before it gives up */
int oom_kill(struct proc *self, u64 need, const char *what);
int oom_retry(long r, struct proc *self, u64 need, const char *what, int *rounds);
int oom_fault(struct proc *p, u64 va, int write, int exec, int *oom);
int vm_fault_locked(struct proc *p, u64 va, int write, int exec); /* vm_fault under p's vm->lock */
void oom_prefault(struct proc *p, u64 uva, u64 n);
int oom_protected(struct proc *p);
void oom_exited(void);                    /* schedlock held: a process let go of its memory */

#endif
