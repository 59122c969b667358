/* console.c: the console device: line editing, Ctrl-C, Ctrl-D, Ctrl-P.
 * Keys arrive by interrupt (uart -> PLIC -> console_intr); a reader with
 * no complete line sleeps on the console's wait queue instead of spinning.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"

#define INPUT_BUF 256
#define CTRL(x) ((x) - '@')

static struct spinlock conslock = SPINLOCK_INIT("console");
static struct waitq consq = WAITQ_INIT("console");
static char buf[INPUT_BUF];
static u64 r, w, e; /* read, written (committed), edit indexes */
int console_fgpgid;  /* Ctrl-C kills this process group (0: none) */

static void echo(int c)
{
	if (c == '\b') {
		console_write("\b \b", 3);
	} else {
		char ch = c;
		console_write(&ch, 1);
	}
}

/* One key from the UART, with interrupts off (idle loop or user trap). */
void console_intr(int c)
{
	if (c == CTRL('P')) {
		procdump();
		return;
	}
	acquire(&conslock);
	switch (c) {
	case CTRL('C'):
		console_write("^C\n", 3);
		e = w; /* drop the partial line */
		if (console_fgpgid > 0) {
			int pg = console_fgpgid;
			release(&conslock);
			/* from the kernel: whoever the key interrupted, it
			 * must not matter whose processes those are */
			kill_from(NULL, -pg, SIGINT);
			return;
		}
		/* No foreground job: hand the reader (the shell at its prompt)
		 * an empty line, so it starts over with a fresh prompt. */
		if (e - r < INPUT_BUF) {
			buf[e++ % INPUT_BUF] = '\n';
			w = e;
			wakeup(&consq);
		}
		break;
	case CTRL('U'):
		while (e != w && buf[(e - 1) % INPUT_BUF] != '\n') {
			e--;
			echo('\b');
		}
		break;
	case 0x7f:
	case '\b':
		if (e != w) {
			e--;
			echo('\b');
		}
		break;
	default:
		if (c == 0 || e - r >= INPUT_BUF)
			break;
		if (c == '\r')
			c = '\n';
		if (c != CTRL('D'))
			echo(c);
		buf[e++ % INPUT_BUF] = c;
		if (c == '\n' || c == CTRL('D') || e - r == INPUT_BUF) {
			w = e;
			wakeup(&consq);
		}
	}
	release(&conslock);
}

/* Read up to one line.  Ctrl-D at the start of a line is end-of-file
 * (returns 0); elsewhere it hands over the partial line without a newline
 * and is consumed, as on Unix, so the next read waits for more. */
long console_read(u64 udst, long n)
{
	struct proc *p = myproc();
	char line[INPUT_BUF];
	long got = 0;
	/* The line is consumed before it is copied out: make sure the copy
	 * will not fail for want of a page (the shell must survive a hog). */
	if (n > 0)
		oom_prefault(p, udst, min(n, (long)INPUT_BUF));
	acquire(&conslock);
	while (r == w) {
		if (p->killed) {
			release(&conslock);
			return -EINTR;
		}
		sleep(&consq, &conslock);
	}
	while (got < n && r < w) {
		char c = buf[r++ % INPUT_BUF];
		if (c == CTRL('D'))
			break;
		line[got++] = c;
		if (c == '\n')
			break;
		/* The caller's buffer is full right before the Ctrl-D that
		 * ends this partial line: consume it with the line, or the
		 * next read would take it for end-of-file. */
		if (got == n && r < w && buf[r % INPUT_BUF] == CTRL('D'))
			r++;
	}
	release(&conslock);
	if (got && __copy_to_user(udst, line, got) < 0) /* range checked by fileread */
		return -EFAULT;
	return got;
}

long console_write_user(u64 usrc, long n)
{
	char chunk[256];
	long done = 0;
	while (done < n) {
		long m = min(n - done, (long)sizeof chunk);
		if (__copy_from_user(chunk, usrc + done, m) < 0) /* range checked by filewrite */
			return done ? done : -EFAULT;
		console_write_locked(chunk, m);
		done += m;
	}
	return done;
}

void console_init(void)
{
	arch_irq_enable(bootinfo.uart_irq);
}

/* Ctrl-P: the process table, printed from inside the kernel, so it works
 * even when user space is stuck.  No locks: it must work during a panic
 * or with a looping process in sched=coop; the picture may be torn.  A
 * process with several threads has a line per thread under its own
 * ("tid 7" in the NAME column); the process line shows its first
 * thread's state, and the counts of all of them. */
static void dump_line(const char *pid, const char *ppid, const char *uid, struct thread *t, const char *name,
		      u64 ticks, u64 sys, u64 vsw, u64 isw)
{
	const char *st = t->state <= ZOMBIE ? procstate_name[t->state] : "?";
	/* HART: where it runs, or last ran ("-": never yet), as ps shows it */
	char hart[8] = "-";
	int h = t->hart;
	if (h >= 0 && h < NCPU)
		ksnprintf(hart, sizeof hart, "%d", cpus[h].hartid);
	kprintf("%-5s %-5s %-4s %-9s %-16s %7d %8d %6d %6d %4s  %s\n", pid, ppid, uid, st, name, (int)ticks, (int)sys,
		(int)vsw, (int)isw, hart, t->state == SLEEPING && t->queue ? t->queue->name : "");
}

void procdump(void)
{
	kprintf("\n%-5s %-5s %-4s %-9s %-16s %7s %8s %6s %6s %4s  %s\n", "PID", "PPID", "UID", "STATE", "NAME",
		"TICKS", "SYSCALLS", "VOLSW", "INVSW", "HART", "WAIT");
	for (struct proc *p = allprocs; p; p = p->all_next) {
		struct thread *first = p->threads;
		int shown = 0;
		for (struct thread *t = p->threads; t; t = t->t_next) {
			if (t->tid == p->pid)
				first = t;
			shown += t->state != ZOMBIE;
		}
		if (!first)
			continue;
		char pid[12], ppid[12], uid[12];
		ksnprintf(pid, sizeof pid, "%d", p->pid);
		ksnprintf(ppid, sizeof ppid, "%d", p->parent ? p->parent->pid : 0);
		ksnprintf(uid, sizeof uid, "%d", p->uid);
		struct proc_acct a;
		proc_acct(p, &a);
		dump_line(pid, ppid, uid, first, p->name, a.ticks, a.syscalls, a.vswitch, a.iswitch);
		if (p->life == PROC_ZOMBIE || shown < 2)
			continue;
		for (struct thread *t = p->threads; t; t = t->t_next) {
			if (t->state == ZOMBIE)
				continue; /* ended, not yet joined */
			char name[24];
			ksnprintf(name, sizeof name, "  tid %d", t->tid);
			dump_line("", "", "", t, name, t->ticks, t->syscalls, t->vswitch, t->iswitch);
		}
	}
}
