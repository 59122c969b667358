/* sysproc.c: system calls about processes, time and memory.
 * Each handler gets the user's argument registers as parameters (SYSARGS)
 * and returns a result or -errno; it never trusts a user pointer
 * (copyin/copyout check them).
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"
#include "syscall.h"
#include "trace.h"
#include "buf.h"

/* Creating a process never kills another to make room (a fork bomb would
 * have the killer take the system's processes one by one), except for
 * init and the console's shell: they must be able to start the kill or
 * ps that cleans up when a hog holds every page. */
long sys_fork(SYSARGS)
{
	struct proc *p = myproc();
	long r;
	int rounds = 0;
	do
		r = fork();
	while (oom_protected(p) && oom_retry(r, p, 1, "fork", &rounds));
	return r;
}

long sys_exit(SYSARGS) { exit(W_EXITCODE((int)a0)); }
long sys_wait(SYSARGS) { return waitpid(-1, a0, 0); }
long sys_waitpid(SYSARGS) { return waitpid((int)a0, a1, (int)a2); }
long sys_kill(SYSARGS) { return kill((int)a0, (int)a1); }
long sys_getpid(SYSARGS) { return myproc()->pid; }

long sys_getppid(SYSARGS)
{
	struct proc *p = myproc();
	acquire(&schedlock);
	int ppid = p->parent ? p->parent->pid : 0;
	release(&schedlock);
	return ppid;
}

long sys_yield(SYSARGS)
{
	yield();
	return 0;
}

/* Growing the heap past RLIMIT_AS fails; growing it when memory is out
 * calls the out-of-memory killer, unless the caller itself holds the most
 * (then it gets -ENOMEM: it can free some, or stop asking). */
long sys_sbrk(SYSARGS)
{
	struct proc *p = myproc();
	long delta = (int)a0, r;
	if (delta > 0) {
		u64 grow = PGROUNDUP(p->vm.brk + delta) - PGROUNDUP(p->vm.brk);
		if (vm_size(&p->vm) + grow > p->lim_as.cur)
			return -ENOMEM;
	}
	int rounds = 0;
	u64 need = delta > 0 ? (u64)delta / PGSIZE + 1 : 1;
	do
		r = vm_sbrk(&p->vm, delta);
	while (delta > 0 && oom_retry(r, p, need, "sbrk", &rounds));
	return r;
}

/* sleep(ms): at least ms milliseconds, by the clock (not whole ticks). */
long sys_sleep(SYSARGS)
{
	u64 ms = a0;
	if (ms > (1UL << 40)) /* some 35 years: keeps the sums from overflowing */
		ms = 1UL << 40;
	/* seconds and milliseconds apart: ms * timebase_hz could overflow */
	return sleep_until(arch_time() + ms / 1000 * timebase_hz + ms % 1000 * timebase_hz / 1000);
}

long sys_uptime(SYSARGS) { return uptime_ms(); }

long sys_clock(SYSARGS) { return (arch_time() * 1000) / (timebase_hz / 1000000); }

long sys_poweroff(SYSARGS)
{
	if (myproc()->uid != 0)
		return -EPERM;
	ext2_unmount();  /* the file system marked clean, */
	int r = bsync(); /* and the disk's dirty blocks written */
	kprintf("Trapdoor: power off%s\n", r < 0 ? " (disk write-back failed)" : "");
	arch_poweroff((int)a0 != 0);
}

long sys_setpgid(SYSARGS)
{
	int pid = a0, pgid = a1;
	struct proc *p = myproc();
	if (pgid < 0)
		return -EINVAL;
	acquire(&schedlock);
	struct proc *t = pid == 0 ? p : proc_lookup(pid);
	int r = -ESRCH;
	if (t && (t == p || t->parent == p)) {
		t->pgid = pgid == 0 ? t->pid : pgid;
		r = 0;
	}
	release(&schedlock);
	return r;
}

long sys_getpgid(SYSARGS)
{
	int pid = a0;
	acquire(&schedlock);
	struct proc *t = pid == 0 ? myproc() : proc_lookup(pid);
	int r = t ? t->pgid : -ESRCH;
	release(&schedlock);
	return r;
}

/* fgpgrp(pgid): make pgid the console's foreground group (Ctrl-C goes to
 * it); 0 means none.  fgpgrp(-1) only returns the current one. */
long sys_fgpgrp(SYSARGS)
{
	int pg = a0;
	if (pg >= 0) {
		console_fgpgid = pg;
		myproc()->console_owner = myproc()->uid == 0; /* oom.c spares it */
	}
	return console_fgpgid;
}

long sys_getuid(SYSARGS) { return myproc()->uid; }

long sys_setuid(SYSARGS)
{
	struct proc *p = myproc();
	int uid = a0;
	if (uid < 0)
		return -EINVAL;
	if (p->uid != 0 && uid != p->uid)
		return -EPERM;
	/* the process now counts against uid's RLIMIT_NPROC, not its old
	 * uid's (as Linux, setuid itself is not refused at the limit) */
	acquire(&schedlock);
	if (uid != p->uid) {
		int r = ucount_get(uid, RLIM_INFINITY);
		if (r < 0) {
			release(&schedlock);
			return r;
		}
		ucount_put(p->uid);
	}
	if (p->uid == 0 && uid != 0)
		rlimit_setuid(p);
	p->uid = uid;
	release(&schedlock);
	return 0;
}

long sys_nice(SYSARGS)
{
	int pid = a0, prio = a1;
	if (prio < 0 || prio >= NPRIO)
		return -EINVAL;
	struct proc *me = myproc();
	acquire(&schedlock);
	struct proc *t = pid == 0 ? me : proc_lookup(pid);
	int r = -ESRCH;
	/* Levels are strict: a process above the others' level would starve
	 * them.  So only root may raise a level or touch another user's
	 * processes; others may only lower their own. */
	if (t && me->uid != 0 && (t->uid != me->uid || prio < t->priority)) {
		r = -EPERM;
	} else if (t && t->state != RUNNABLE) { /* queued processes keep their level */
		t->priority = prio;
		r = 0;
	} else if (t) {
		r = -EBUSY;
	}
	release(&schedlock);
	return r;
}

/* procinfo(buf, n): fill up to n rows of the process table; returns how
 * many processes exist (which may exceed n). */
long sys_procinfo(SYSARGS)
{
	u64 ubuf = a0, n = a1;
	struct proc *me = myproc();
	struct kprocinfo row;
	u64 i = 0;
	acquire(&schedlock);
	for (struct proc *p = allprocs; p; p = p->all_next, i++) {
		if (i >= n)
			continue;
		memset(&row, 0, sizeof row);
		row.pid = p->pid;
		row.ppid = p->parent ? p->parent->pid : 0;
		row.uid = p->uid;
		row.pgid = p->pgid;
		row.state = p->state;
		row.priority = p->priority;
		row.hart = p->hart >= 0 ? cpus[p->hart].hartid : -1;
		row.ticks = p->ticks;
		row.syscalls = p->syscalls;
		row.vswitches = p->vswitch;
		row.iswitches = p->iswitch;
		row.mem_pages = p->vm.pages;
		memcpy(row.name, p->name, sizeof row.name);
		if (p->state == SLEEPING && p->queue && p->queue->name)
			strlcpy(row.wait, p->queue->name, sizeof row.wait);
		/* copyout may allocate (stack growth), never sleeps: safe here */
		if (copyout(&me->vm, ubuf + i * sizeof row, &row, sizeof row) < 0) {
			release(&schedlock);
			return -EFAULT;
		}
	}
	release(&schedlock);
	return i;
}

long sys_meminfo(SYSARGS)
{
	struct kmeminfo mi = {
		.total_pages = ktotalpages(),
		.free_pages = kfreepages(),
		.nproc = nproc,
		.page_size = PGSIZE,
		.ncpu = ncpu,
		.heap_pages = kheappages(),
		.cached_pages = trace_pages() + bcache_pages(),
	};
	fs_meminfo(&mi.file_pages, &mi.fsmeta_pages, &mi.fs_max_pages);
	u64 idle = 0; /* timer units; a hart in wfi now adds its time when it wakes */
	for (int i = 0; i < ncpu; i++)
		idle += cpus[i].idle_ticks;
	mi.idle_ns = idle / timebase_hz * 1000000000UL + idle % timebase_hz * 1000000000UL / timebase_hz;
	if (copy_to_user(a0, &mi, sizeof mi) < 0)
		return -EFAULT;
	return 0;
}

long sys_exec(SYSARGS)
{
	char path[MAXPATH];
	int r = argstr(a0, path, sizeof path), rounds = 0;
	if (r < 0)
		return r;
	do
		r = exec(path, a1, a2, 0, NULL);
	while (oom_protected(myproc()) && oom_retry(r, myproc(), 1, "exec", &rounds));
	return r;
}

long sys_spawn(SYSARGS)
{
	char path[MAXPATH];
	int r = argstr(a0, path, sizeof path), rounds = 0;
	if (r < 0)
		return r;
	do
		r = spawn(path, a1, a2);
	while (oom_protected(myproc()) && oom_retry(r, myproc(), 1, "spawn", &rounds));
	return r;
}

/* Changing what the whole machine traces (and draining the rings, which
 * hold every process's events) is for root; anyone may look. */
long sys_trace(SYSARGS)
{
	int op = (int)a0;
	int changes = op == TRACECTL_SETMASK || op == TRACECTL_SETPID || op == TRACECTL_CLEAR;
	if (changes && myproc()->uid != 0)
		return -EPERM;
	return trace_ctl(op, (int)a1, (int)a2);
}

long sys_traceread(SYSARGS)
{
	if (myproc()->uid != 0)
		return -EPERM;
	return trace_read(a0, a1);
}

/* strace(fd, flags): trace this process's system calls (and with
 * STRACE_FOLLOW its future children's) as text lines written to fd. */
long sys_strace(SYSARGS)
{
	struct proc *p = myproc();
	int fd = a0, flags = a1;
	if (p->strace_file) {
		fileclose(p->strace_file);
		p->strace_file = NULL;
		p->strace_fd = -1;
		p->strace_flags = 0;
	}
	if (!(flags & STRACE_ON))
		return 0;
	if (fd < 0 || fd >= NOFILE || !p->ofile[fd])
		return -EBADF;
	/* The trace is written to the file as write(fd) would write it, so
	 * it needs what write needs: a descriptor open for writing.  Else
	 * any user could have the trace written over a file it may only
	 * read, such as a program (the lines landed on /bin/echo's ELF
	 * header, at the read-only descriptor's offset 0). */
	if (!p->ofile[fd]->writable)
		return -EBADF;
	if (!(p->strace_file = filedup(p->ofile[fd])))
		return -EMFILE;
	p->strace_fd = fd;
	p->strace_flags = flags;
	return 0;
}
