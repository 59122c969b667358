/* proc.h: the process control block (PCB), per-hart state, queues.
 * Seed 003's list of what a PCB holds, field by field.
 */
#ifndef PROC_H
#define PROC_H

#include "kernel.h"
#include "trace.h"

#define NOFILE 64       /* open files per process */
#define NPRIO 8         /* priority levels of the ready queue; 0 is highest */
#define PRIO_DEFAULT 4

/* A queue of processes: the ready queue, or one wait queue per event.
 * A process is on at most one queue at a time, linked through q_next/q_prev,
 * so enqueue, dequeue and removal are all O(1). */
struct waitq {
	struct proc *head, *tail;
	const char *name; /* what its sleepers wait for, shown by ps */
};
#define WAITQ_INIT(n) { NULL, NULL, n }

/* The process control block. */
struct proc {
	/* identity */
	int pid;
	char name[PROC_NAME_LEN];
	int uid;  /* credentials: owner of files it creates, checked on access */
	struct krlimit lim_nproc, lim_as; /* RLIMIT_NPROC, RLIMIT_AS (rlimit.c) */
	int pgid; /* process group: Ctrl-C goes to the console's foreground group */
	int console_owner; /* set the console's foreground group as root: a shell (oom.c) */

	/* state and queues; protected by schedlock.  state is const: it
	 * changes only in proc_setstate(), so no transition escapes the trace
	 * hook (assigning it anywhere else does not compile). */
	const enum procstate state;
	struct waitq *queue;         /* queue it is on (ready or a wait queue) */
	struct proc *q_next, *q_prev;
	int priority;                /* ready-queue level */
	int killed;                  /* signal to die of at the next chance, or 0 */
	int slice_left;              /* ticks before preemption */
	u64 wake_tick;               /* sleeping in sleep(): when to wake */
	struct proc *timer_next;     /* timer-wheel chain */
	int hart;                    /* cpus[] index it runs or last ran on, or -1 */

	/* execution state */
	struct context context;  /* kernel registers saved by swtch */
	void *kstack;            /* per-process kernel stack (KSTACK_SIZE) */
	struct trapframe *tf;    /* user registers, at the top of kstack */
	u64 *fpu;                /* saved FPU registers, allocated on first use */
	int fpu_saved;           /* fpu holds the process's FPU registers */

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
	struct inode *cwd;

	/* accounting */
	u64 ticks;     /* timer ticks charged while running */
	u64 syscalls;  /* system calls made */
	u64 vswitch;   /* voluntary switches: blocked or yielded */
	u64 iswitch;   /* involuntary switches: time slice used up */
	u64 start_tick;
	u64 ticks_children; /* ticks of reaped children */
	int why;            /* why it last left the CPU (trace.h WHY_*) */

	/* tracing */
	int strace_fd;      /* strace writes here, or -1 when not traced */
	struct file *strace_file;
	int strace_flags;

	/* process table links */
	struct proc *hash_next;   /* pid hash chain */
	struct proc *all_next, *all_prev;
};

/* Per-hart state; tp points at it while in the kernel. */
struct cpu {
	u64 stack_top;           /* first: entry.S loads sp from it */
	struct proc *proc;       /* running process, or NULL when idle */
	struct context idle;     /* the idle loop's context */
	int hartid;
	int id;                  /* 0..ncpu-1 */
	volatile int started;
	int need_resched;        /* a wakeup made a process runnable */
	u64 idle_ticks;
	u64 next_timer;
};

#define NCPU 8
extern struct cpu cpus[NCPU];
extern int ncpu;

static inline struct cpu *mycpu(void) { return arch_this_cpu(); }
static inline struct proc *myproc(void) { return mycpu()->proc; }
/* May a wait sleep?  Not at boot: user_init execs the first program on
 * the boot context with its PCB only borrowed (no context to switch
 * back to), so a disk wait there polls for the completion instead. */
static inline int can_sleep(void) { return myproc() && mycpu()->started; }

/* May vm be reached directly (SUM)?  Only if this hart runs on it: it
 * is the address space of the process on this hart. */
static inline int uaccess_direct(struct vmspace *vm)
{
	struct proc *p = myproc();
	return p && vm == &p->vm;
}

/* copyin/copyout: the kernel's only ways into user memory.  For the
 * running process they copy directly with sstatus.SUM set (uaccess.S),
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
void ready(struct proc *p);         /* make runnable; schedlock held */
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

/* The one way to change a process's state, so that every transition of
 * the seeds' diagram (embryo, ready, running, blocked, zombie) passes the
 * trace hook, which reports old -> new.  Off, the hook is a test of one
 * word.  schedlock held. */
static inline void proc_setstate(struct proc *p, enum procstate s)
{
	enum procstate old = p->state;
	*(enum procstate *)&p->state = s; /* the only write of p->state */
	trace_state(p, old, s); /* last: callers' hot paths keep nothing live across it */
}

/* The queue operations, O(1) each; schedlock held. */
static inline void waitq_push(struct waitq *wq, struct proc *p)
{
	p->queue = wq;
	p->q_next = NULL;
	p->q_prev = wq->tail;
	if (wq->tail)
		wq->tail->q_next = p;
	else
		wq->head = p;
	wq->tail = p;
}

static inline void waitq_remove(struct proc *p)
{
	struct waitq *wq = p->queue;
	if (!wq)
		return;
	if (p->q_prev)
		p->q_prev->q_next = p->q_next;
	else
		wq->head = p->q_next;
	if (p->q_next)
		p->q_next->q_prev = p->q_prev;
	else
		wq->tail = p->q_prev;
	p->queue = NULL;
	p->q_next = p->q_prev = NULL;
}

/* The first process on wq, off it; NULL if wq is empty. */
static inline struct proc *waitq_pop(struct waitq *wq)
{
	struct proc *p = wq->head;
	if (!p)
		return NULL;
	/* waitq_remove, knowing p is the head (its q_prev is NULL) */
	wq->head = p->q_next;
	if (p->q_next)
		p->q_next->q_prev = NULL;
	else
		wq->tail = NULL;
	p->queue = NULL;
	p->q_next = NULL;
	return p;
}

/* Make every sleeper on wq ready.  schedlock held. */
static inline void wakeup_locked(struct waitq *wq)
{
	struct proc *p;
	while ((p = waitq_pop(wq)))
		ready(p);
}
int sleep_until(u64 when); /* arch_time() units */
void timer_wakeups(u64 now);

extern const char *const procstate_name[];

/* rlimit.c: per-process resource limits */
void rlimit_init(struct proc *p);        /* init's, root's: NPROC from RAM (hard unlimited), AS unlimited */
void rlimit_setuid(struct proc *p);      /* leaving root: the user defaults */
int ucount_get(int uid, u64 limit);     /* schedlock held: one more process of uid, or -EAGAIN/-ENOMEM */
void ucount_put(int uid);               /* schedlock held: one fewer */
u64 vm_size(struct vmspace *vm);          /* bytes RLIMIT_AS counts */

/* oom.c: the out-of-memory killer */
enum { OOM_NONE, OOM_FREED, OOM_SELF };
#define OOM_ROUNDS 4 /* victims killed for one request before it gives up */
int oom_kill(struct proc *self, u64 need, const char *what);
int oom_retry(long r, struct proc *self, u64 need, const char *what, int *rounds);
int oom_fault(struct proc *p, u64 va, int write, int exec, int *oom);
void oom_prefault(struct proc *p, u64 uva, u64 n);
int oom_protected(struct proc *p);
void oom_exited(void);                    /* schedlock held: a process let go of its memory */

#endif
