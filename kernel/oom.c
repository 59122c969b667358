/* oom.c: the out-of-memory killer.
 * When a page fault or sbrk finds no free page, the process holding the
 * most memory is killed, and the request waits until its pages are back,
 * then tries again.  init and the console's shell are never chosen.
 */
#include "kernel.h"
#include "proc.h"
#include "trace.h"

static struct waitq oomq = WAITQ_INIT("oom");

/* Never killed for memory: without init nothing reaps orphans (and its
 * exit powers the machine off), and without the console's shell, root
 * cannot type the kill or ps that would clean up.  The kernel has no
 * sessions or logins; the shell it can recognise is a process that
 * claimed the console's foreground group (fgpgrp) as root, which sh does
 * at startup and around every job (p->console_owner, until it execs).
 * Only as root: any program may call fgpgrp. */
int oom_protected(struct proc *p)
{
	return p == initproc || (p->console_owner && p->uid == 0);
}

/* A process let go of its address space (exit): wake whoever waits for a
 * victim.  schedlock held. */
void oom_exited(void)
{
	if (oomq.head)
		wakeup_locked(&oomq);
}

/* self needs `need` pages (for `what`) and none are left.  Choose the
 * process holding the most (pages mapped, as in Linux's resident set),
 * kill it with SIGKILL, and wait until its address space is freed.
 * Returns OOM_FREED: memory came back, try again; OOM_SELF: self holds
 * the most, so its own request fails (-ENOMEM, or death for a fault);
 * OOM_NONE: nobody whose death would give `need` pages.  A victim already
 * dying (killed by another hart's request, or by a signal) is waited for
 * instead of killing a second one.  No lock may be held: it sleeps. */
int oom_kill(struct proc *self, u64 need, const char *what)
{
	acquire(&schedlock);
	struct proc *victim = NULL, *dying = NULL;
	int n = 0;
	for (struct proc *t = allprocs; t; t = t->all_next) {
		/* an embryo's memory is still being built, a zombie's is gone */
		if (t->life != PROC_LIVE || t == self)
			continue;
		n++;
		if (t->killed) {
			if (t->vm.pages && (!dying || t->vm.pages > dying->vm.pages))
				dying = t;
		} else if (!oom_protected(t) && (!victim || t->vm.pages > victim->vm.pages)) {
			victim = t;
		}
	}
	struct proc *target = dying;
	int r = OOM_FREED;
	if (self->killed) {
		r = OOM_NONE; /* it is about to die and free its own */
	} else if (!dying) {
		if (victim && !oom_protected(self) && self->vm.pages >= victim->vm.pages)
			r = OOM_SELF;
		else if (!victim || !victim->vm.pages || victim->vm.pages + kavailpages() < need)
			r = OOM_NONE;
		else
			target = victim;
	}
	if (r != OOM_FREED) {
		release(&schedlock);
		return r;
	}
	if (target == victim) {
		kprintf("oom: killed pid %d (%s), uid %d, holding %d pages, the most of %d processes, "
			"so that pid %d (%s) can have memory for %s\n",
			victim->pid, victim->name, victim->uid, (int)victim->vm.pages, n + 1, self->pid, self->name,
			what);
		trace_kill(victim, SIGKILL, 0, 0);
		kill_locked(victim, SIGKILL);
	}
	/* It may be asleep (kill woke it), ready, or running on another hart:
	 * it frees its address space on its way out of the kernel.  exit()
	 * wakes this queue once it has. */
	int pid = target->pid;
	for (;;) {
		struct proc *t = proc_lookup(pid);
		if (!t || t->life == PROC_ZOMBIE || self->killed)
			break;
		sleep(&oomq, &schedlock);
	}
	release(&schedlock);
	return OOM_FREED;
}

/* vm_fault for p, the running process, at a point where it may sleep:
 * out of memory, the killer frees some (another process's) and the
 * access is retried.  *oom says what the killer did last. */
/* vm_fault with vm->lock.  Another thread of the process may have
 * resolved the very same fault (it touched the page at the same time, on
 * another hart) before this one got the lock: then the page is there
 * already, and the access is simply retried. */
int vm_fault_locked(struct proc *p, u64 va, int write, int exec)
{
	int locked = vm_lock(p);
	int r = vm_fault(&p->vm, va, write, exec);
	if (r == -EFAULT && locked && va < USER_TOP) {
		pte_t *pte = walk(p->vm.pt, PGROUNDDOWN(va), 0);
		u64 need = VM_U | (exec ? VM_X : write ? VM_W : VM_R);
		if (pte && pte_valid(*pte) && (pte_perm(*pte) & need) == need)
			r = 0;
	}
	vm_unlock(p, locked);
	return r;
}

int oom_fault(struct proc *p, u64 va, int write, int exec, int *oom)
{
	int r = vm_fault_locked(p, va, write, exec);
	*oom = OOM_NONE;
	for (int round = 0; r == -ENOMEM && round < OOM_ROUNDS; round++) {
		*oom = oom_kill(p, 1, "a page fault");
		if (*oom != OOM_FREED)
			break;
		r = vm_fault_locked(p, va, write, exec);
	}
	return r;
}

/* Fault in [uva, uva+n) of the running process for writing, before a
 * copy to it that runs under a spinlock: a fault inside copyout cannot
 * sleep for the killer and would fail with -EFAULT.  Errors are left for
 * that copy to report. */
void oom_prefault(struct proc *p, u64 uva, u64 n)
{
	if (!user_range(uva, n))
		return;
	int oom;
	for (u64 va = PGROUNDDOWN(uva); va < uva + n; va += PGSIZE) {
		/* locked: another thread may be freeing the tables */
		acquire(&p->vm.lock);
		pte_t *pte = walk(p->vm.pt, va, 0);
		int ok = pte && pte_valid(*pte) && (pte_perm(*pte) & (VM_U | VM_W)) == (VM_U | VM_W);
		release(&p->vm.lock);
		if (ok)
			continue;
		if (oom_fault(p, va, 1, 0, &oom) < 0)
			return;
	}
}

/* For a request that failed with r: 1 if it should be tried again,
 * because the killer freed memory (at most OOM_ROUNDS times). */
int oom_retry(long r, struct proc *self, u64 need, const char *what, int *rounds)
{
	return r == -ENOMEM && (*rounds)++ < OOM_ROUNDS && oom_kill(self, need, what) == OOM_FREED;
}
