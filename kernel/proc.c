/* proc.c: the process table and the life of a process.
 * Create (proc_alloc, fork), end (exit), reap (wait), kill.  PCBs are
 * allocated on demand, so there is no fixed limit on processes; a hash on
 * the pid finds one in O(1).  A process's threads are in thread.c.
 */
#include "kernel.h"
#include "proc.h"
#include "buf.h"
#include "fs.h"
#include "trace.h"
#include "tlb.h"

struct spinlock schedlock = SPINLOCK_INIT("sched");
struct proc *initproc;
struct proc *allprocs; /* every PCB, for ps and Ctrl-P */
u64 nproc;

#define PIDHASH 1024
static struct proc *pidhash[PIDHASH];
static int nextpid = 1;

const char *const procstate_name[] = {
	[UNUSED] = "unused",     [EMBRYO] = "embryo",     [RUNNABLE] = "runnable",
	[RUNNING] = "running",   [SLEEPING] = "sleeping", [ZOMBIE] = "zombie",
};

struct proc *proc_lookup(int pid)
{
	/* Callers pass pids straight from system calls (getpgid, setpgid,
	 * nice): a negative one would index before the hash table. */
	if (pid <= 0)
		return NULL;
	for (struct proc *p = pidhash[pid % PIDHASH]; p; p = p->hash_next)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* A new number for a process or a thread: pids and tids are one number
 * space, so a process's first thread can have tid == pid.  schedlock held. */
int id_alloc(void)
{
	int id;
	do {
		id = nextpid++;
		if (nextpid >= 1 << 30)
			nextpid = 2;
	} while (id_in_use(id));
	return id;
}

int id_in_use(int id) { return proc_lookup(id) || thread_lookup(id); }

/* A new PCB named name, with one thread in state EMBRYO whose kernel
 * stack's first swtch lands in forkret, which returns-from-trap with the
 * trapframe at the stack top.  Named before the state changes, so that the
 * trace's unused -> embryo line says who is being made.  It is parent's
 * child to be: same uid, same limits, and refused with -EAGAIN if that uid
 * is at its RLIMIT_NPROC (checked and counted under one hold of schedlock,
 * so harts forking at once cannot overshoot).  RLIMIT_NPROC counts
 * processes, not threads (thread_create has its own cap, NTHREAD_MAX). */
struct proc *proc_alloc(const char *name, struct proc *parent, int *err)
{
	*err = -ENOMEM;
	struct proc *p = kzalloc(sizeof *p);
	if (!p)
		return NULL;
	struct thread *t = thread_alloc();
	if (!t) {
		kmfree(p);
		return NULL;
	}
	if (parent) {
		p->uid = parent->uid;
		p->lim_nproc = parent->lim_nproc;
		p->lim_as = parent->lim_as;
	}
	p->priority = t->priority = PRIO_DEFAULT;
	p->strace_fd = -1;
	p->childq.name = "child";
	p->joinq.name = "join";
	p->vm.lock.name = "vm";
	p->fdlock.name = "fd";
	p->start_tick = ticks;
	p->life = PROC_EMBRYO;
	proc_setname(p, name);

	acquire(&schedlock);
	int r = ucount_get(p->uid, parent ? parent->lim_nproc.cur : RLIM_INFINITY);
	if (r < 0) {
		release(&schedlock);
		thread_free(t);
		kmfree(p);
		*err = r;
		return NULL;
	}
	p->pid = id_alloc();
	p->hash_next = pidhash[p->pid % PIDHASH];
	pidhash[p->pid % PIDHASH] = p;
	p->all_next = allprocs;
	if (allprocs)
		allprocs->all_prev = p;
	allprocs = p;
	nproc++;
	thread_link(p, t, p->pid); /* the first thread: tid == pid */
	release(&schedlock);
	return p;
}

/* Remove a PCB from the table and free it with its threads (kernel stacks
 * and all).  Its address space and files are already gone (exit), and
 * none of its threads is on a hart. */
void proc_free(struct proc *p)
{
	acquire(&schedlock);
	struct proc **pp = &pidhash[p->pid % PIDHASH];
	while (*pp != p)
		pp = &(*pp)->hash_next;
	*pp = p->hash_next;
	if (p->all_prev)
		p->all_prev->all_next = p->all_next;
	else
		allprocs = p->all_next;
	if (p->all_next)
		p->all_next->all_prev = p->all_prev;
	nproc--;
	ucount_put(p->uid);
	struct thread *list = NULL;
	while (p->threads) {
		struct thread *t = p->threads;
		thread_unlink(t); /* -> unused: reaped, or a fork that failed */
		t->t_next = list;
		list = t;
	}
	release(&schedlock);
	while (list) {
		struct thread *t = list;
		list = t->t_next;
		thread_free(t);
	}
	kmfree(p);
}

/* The counts of p's threads, living, ended and freed.  schedlock held. */
void proc_acct(struct proc *p, struct proc_acct *a)
{
	a->ticks = p->ticks;
	a->syscalls = p->syscalls;
	a->vswitch = p->vswitch;
	a->iswitch = p->iswitch;
	for (struct thread *t = p->threads; t; t = t->t_next) {
		a->ticks += t->ticks;
		a->syscalls += t->syscalls;
		a->vswitch += t->vswitch;
		a->iswitch += t->iswitch;
	}
}

/* The last component of path: what a process running it is called. */
const char *path_base(const char *path)
{
	const char *s = path;
	for (const char *q = path; *q; q++)
		if (*q == '/')
			s = q + 1;
	return s;
}

void proc_setname(struct proc *p, const char *path) { strlcpy(p->name, path_base(path), sizeof p->name); }

/* Link child under parent; schedlock held. */
static void adopt(struct proc *parent, struct proc *child)
{
	child->parent = parent;
	child->sibling = parent->children;
	parent->children = child;
}

/* The first instructions of every new thread in the kernel (a new
 * process's first, or thread_create's): swtch "returns" here with
 * schedlock held. */
void forkret(void)
{
	thread_reap_prev(mycpu());
	release(&schedlock);
	struct thread *t = mythread();
	/* Killed before it ever ran (kill right after fork), it dies here,
	 * before a single instruction or system call of its own. */
	trap_leave(t->proc);
	trap_return(t->tf);
}

/* Let go of np's open files, cwd and strace file (a child that will not
 * run after all). */
static void drop_files(struct proc *np)
{
	for (int fd = 0; fd < NOFILE; fd++) {
		if (np->ofile[fd])
			fileclose(np->ofile[fd]);
		np->ofile[fd] = NULL;
	}
	iput(np->cwd);
	np->cwd = NULL;
	if (np->strace_file)
		fileclose(np->strace_file);
	np->strace_file = NULL;
	np->strace_fd = -1;
	np->strace_flags = 0;
}

/* Give the new child np the open files and cwd of p, and with
 * STRACE_FOLLOW its strace file: fork and spawn.  Each is one more
 * reference, and a count can be full (REFS_MAX): -ENOMEM then, with np
 * holding none of them. */
int proc_inherit(struct proc *np, struct proc *p)
{
	for (int fd = 0; fd < NOFILE; fd++)
		if (p->ofile[fd] && !(np->ofile[fd] = filedup(p->ofile[fd])))
			goto full;
	if (p->cwd && !(np->cwd = idup(p->cwd)))
		goto full;
	if (p->strace_flags & STRACE_FOLLOW) {
		if (!(np->strace_file = filedup(p->strace_file)))
			goto full;
		np->strace_flags = p->strace_flags;
		np->strace_fd = p->strace_fd;
	}
	return 0;
full:
	drop_files(np);
	return -ENOMEM;
}

/* fork: copy the calling process.  The child gets a copy-on-write view of
 * the parent's memory, the same open files, and returns 0 from fork.  Of a
 * process with several threads only the calling one is copied (as POSIX
 * says): the child has one thread, whose tid is its pid. */
int fork(void)
{
	int r;
	struct proc *p = myproc(), *np = proc_alloc(p->name, p, &r);
	struct thread *t = mythread();
	if (!np)
		return r;
	struct thread *nt = np->threads;
	/* The other threads may fault (break copy-on-write, grow the stack)
	 * while the page tables are being shared: not at the same time. */
	int locked = vm_lock(p);
	r = vm_fork(&np->vm, &p->vm);
	vm_unlock(p, locked);
	if (r < 0) {
		proc_free(np);
		return r;
	}
	arch_fork_init(nt->tf, t->tf); /* the child's fork() returns 0 */
	if (fpu_fork(nt, t) < 0) {
		vm_destroy(&np->vm);
		proc_free(np);
		return -ENOMEM;
	}

	if (proc_inherit(np, p) < 0) {
		vm_destroy(&np->vm);
		proc_free(np);
		return -ENOMEM;
	}
	np->pgid = p->pgid;
	np->priority = p->priority;
	nt->priority = t->priority;
	int pid = np->pid;
	acquire(&schedlock);
	adopt(p, np);
	np->life = PROC_LIVE;
	ready(nt);
	release(&schedlock);
	return pid;
}

/* exit: end the process, every thread of it (Linux's exit_group).  The
 * first thread to call it sets the status; the others are killed and
 * leave at their next return towards user mode (a sleeping one is woken
 * for that); the last thread to end frees what the process holds
 * (proc_end).  During exec's ending of the other threads (p->sole) a
 * thread only ends itself. */
void exit(int status)
{
	struct proc *p = myproc();
	struct thread *t = mythread();
	if (p->nthreads_all == 1) {
		/* the usual case, one thread: no other can race with it here
		 * (only a thread of p adds threads), so no lock either */
		p->exiting = 1;
		p->xstate = status;
		p->nthreads = 0;
		proc_end(p, status);
	}
	acquire(&schedlock);
	if (!p->exiting && !(p->sole && p->sole != t)) {
		p->exiting = 1;
		p->xstate = status;
		threads_kill(p, t, SIGKILL);
	}
	release(&schedlock);
	thread_end(t, 0);
}

/* The end of a process, by its last thread: free what it holds, hand its
 * children to init, become a zombie until the parent's wait() collects
 * the status ("free memory of process, remove from process list" in the
 * seeds' table). */
void proc_end(struct proc *p, int status)
{
	struct thread *t = mythread();
	(void)t;
	if (p == initproc) {
		kprintf("init exited with status %d: powering off\n", status);
		ext2_unmount();
		if (disk_blocks)
			bsync();
		arch_poweroff(status != 0);
	}
	for (int fd = 0; fd < NOFILE; fd++) {
		if (p->ofile[fd]) {
			fileclose(p->ofile[fd]);
			p->ofile[fd] = NULL;
		}
	}
	if (p->strace_file) {
		strace_exit(p, status);
		fileclose(p->strace_file);
		p->strace_file = NULL;
		p->strace_fd = -1;
	}
	iput(p->cwd);
	p->cwd = NULL;

	/* Leave the address space before freeing it: the hardware walks the
	 * current root table, kernel half included, on every access.  The
	 * other threads are off every hart (each ended under schedlock,
	 * held until its swtch was done). */
	vm_switch(NULL);
	vm_destroy(&p->vm);

	acquire(&schedlock);
	/* Children go to init; wake it if one of them is already a zombie. */
	int zombies = 0;
	while (p->children) {
		struct proc *c = p->children;
		p->children = c->sibling;
		adopt(initproc, c);
		zombies |= c->life == PROC_ZOMBIE;
	}
	if (zombies)
		wakeup_locked(&initproc->childq);
	p->xstate = status;
	trace_exit(p);
	p->life = PROC_ZOMBIE;
	thread_setstate(t, ZOMBIE);
	oom_exited();
	wakeup_locked(&p->parent->childq);
	sched();
	panic("zombie %d ran", p->pid);
}

/* wait for a child (pid -1: any) to exit; reap it and return its pid. */
int waitpid(int pid, u64 ustatus, int options)
{
	struct proc *p = myproc();
	acquire(&schedlock);
	for (;;) {
		int found = 0;
		for (struct proc **cp = &p->children; *cp; cp = &(*cp)->sibling) {
			struct proc *c = *cp;
			if (pid != -1 && c->pid != pid)
				continue;
			found = 1;
			if (c->life != PROC_ZOMBIE)
				continue;
			*cp = c->sibling; /* unlink: no one else can reach it */
			u64 t = c->ticks + c->ticks_children;
			for (struct thread *ct = c->threads; ct; ct = ct->t_next)
				t += ct->ticks;
			p->ticks_children += t;
			release(&schedlock);
			int cpid = c->pid, st = c->xstate;
			proc_free(c);
			if (ustatus && copyout(&p->vm, ustatus, &st, sizeof st) < 0)
				return -EFAULT;
			return cpid;
		}
		if (!found) {
			release(&schedlock);
			return -ECHILD;
		}
		if (options & WNOHANG) {
			release(&schedlock);
			return 0;
		}
		if (p->killed) {
			release(&schedlock);
			return -EINTR;
		}
		sleep(&p->childq, &schedlock);
	}
}

/* Mark a process to die with signal sig; wake every thread of it that
 * sleeps, so that it sees the mark.  Each dies on its way back to user
 * mode, and the first to get there ends them all (exit). */
int kill_locked(struct proc *t, int sig)
{
	if (t->life == PROC_ZOMBIE)
		return -ESRCH;
	if (t->sole) { /* exec is ending the other threads: kill it after */
		if (!t->sole_killed)
			t->sole_killed = sig;
		return 0;
	}
	threads_kill(t, NULL, sig);
	return 0;
}

/* May `from` signal t?  The kernel itself (from == NULL: the console's
 * Ctrl-C) and root may signal anyone, others only their own processes. */
static int may_signal(struct proc *from, struct proc *t)
{
	return !from || from->uid == 0 || from->uid == t->uid;
}

/* Send sig to pid, or to the process group -pid (0: from's own group),
 * on behalf of `from`.  A group kill signals the members from may signal:
 * EPERM if there were members but none of those.
 *
 * No one signals init, root included.  Every signal kills here, and init
 * dying powers the machine off (exit), so `kill -9 1` would be a shutdown
 * that anyone with uid 0, or any program running as root, could trigger
 * by accident.  Linux ignores such a signal and reports success (init has
 * no handler for it); Trapdoor refuses it with EPERM instead, so that the
 * caller sees what happened ("kill: 1: Not owner", picolibc's text for
 * EPERM) rather than a success after which init is still there.  Group signals (kill 0,
 * kill -PGID, Ctrl-C) skip init silently: they are aimed at the others.
 * Shutting down is poweroff's job (root only). */
int kill_from(struct proc *from, int pid, int sig)
{
	if (sig <= 0 || sig >= 32)
		return -EINVAL;
	acquire(&schedlock);
	int r = -ESRCH;
	if (pid > 0) {
		/* a thread's tid names its process too, as in Linux */
		struct proc *t = proc_lookup(pid);
		if (!t && thread_lookup(pid))
			t = thread_lookup(pid)->proc;
		if (t && (t == initproc || !may_signal(from, t)))
			r = -EPERM;
		else if (t)
			r = kill_locked(t, sig);
	} else if (pid < 0 || from) {
		int pg = pid == 0 ? from->pgid : -pid;
		int any = 0, denied = 0;
		for (struct proc *t = allprocs; t; t = t->all_next) {
			if (t->pgid != pg || t == initproc)
				continue;
			if (!may_signal(from, t))
				denied = 1;
			else if (kill_locked(t, sig) == 0)
				any = 1;
		}
		r = any ? 0 : denied ? -EPERM : -ESRCH;
	}
	release(&schedlock);
	return r;
}

int kill(int pid, int sig) { return kill_from(myproc(), pid, sig); }

/* The first process: runs params.init (normally /bin/init) with the
 * console as fds 0, 1 and 2. */
void user_init(void)
{
	int err;
	struct proc *p = proc_alloc(params.init, NULL, &err);
	assert(p);
	initproc = p;
	rlimit_init(p);
	p->cwd = namei("/");
	assert(p->cwd);
	p->pgid = p->pid;
	struct file *f = console_open();
	assert(f);
	p->ofile[0] = f;
	p->ofile[1] = filedup(f);
	p->ofile[2] = filedup(f);
	/* exec builds the address space; it runs on the idle context here,
	 * so borrow the PCB as "current" for the duration. */
	struct cpu *c = mycpu();
	c->proc = p;
	c->thread = p->threads;
	char *argv[] = { params.init, NULL };
	int r = exec(params.init, 0, 0, 1, argv);
	if (r < 0)
		panic("cannot run %s: error %d", params.init, r);
	vm_switch(NULL);
	c->proc = NULL;
	c->thread = NULL;
	acquire(&schedlock);
	p->life = PROC_LIVE;
	ready(p->threads);
	release(&schedlock);
}
