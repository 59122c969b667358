/* trace.c: seeing the mechanism work.
 * Per-hart rings of timestamped events (read by the tracedump program),
 * live lines in the style of the seed lab's printf()s, and strace.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"
#include "trace.h"

volatile u32 trace_mask;
volatile int trace_pid = -1;

/* 1 MiB per hart: 16384 events, a few seconds of a busy shell session
 * at the default 10 ms tick.  When a ring is full new events are dropped
 * (and counted), so the start of a run, with the boot, is kept. */
#define RING_ORDER 8
#define RING_EVENTS ((PGSIZE << RING_ORDER) / sizeof(struct ktevent))

struct ring {
	struct ktevent *ev;
	u64 head, tail; /* written, read */
	u64 dropped;
};
static struct ring rings[NCPU];
static struct spinlock ringlock = SPINLOCK_INIT("trace");

/* The rings stay once allocated, recording or not, so that events can be
 * read after recording stops: meminfo counts them as cached. */
u64 trace_pages(void)
{
	u64 n = 0;
	for (int i = 0; i < NCPU; i++)
		n += rings[i].ev ? 1UL << RING_ORDER : 0;
	return n;
}

static int want_live(struct proc *p) { return trace_pid < 0 || (p && p->pid == trace_pid); }

void trace_event(int type, u64 a, u64 b, u64 c, u64 d, const char *name)
{
	if (!(trace_mask & TR_RECORD))
		return;
	struct cpu *cpu = mycpu();
	struct ring *r = &rings[cpu->id];
	if (!r->ev)
		return;
	/* Each hart writes only its own ring: no lock on the hot path. */
	if (r->head - r->tail >= RING_EVENTS) {
		r->dropped++;
		return;
	}
	struct ktevent *e = &r->ev[r->head % RING_EVENTS];
	e->time = arch_time();
	e->type = type;
	e->hart = cpu->hartid;
	e->pid = cpu->proc ? cpu->proc->pid : 0;
	e->tid = cpu->thread ? cpu->thread->tid : 0;
	e->a = a;
	e->b = b;
	e->c = c;
	e->d = d;
	if (name)
		strlcpy(e->name, name, sizeof e->name);
	else
		e->name[0] = 0;
	__atomic_store_n(&r->head, r->head + 1, __ATOMIC_RELEASE);
}

void trace_init(void)
{
	u32 m = params.trace_mask; /* trace=, checked by params.c */
	trace_pid = params.trace_pid;
	if (m & TR_RECORD)
		trace_ctl(1, m, 0);
	else
		trace_mask = m;
}

void trace_boot(int stage)
{
	static const char *const what[] = { "", ARCH_TRAP_TABLE, "timer", ARCH_CPU "s" };
	trace_event(EV_BOOT, stage, params.tick_us, stage == BOOT_HARTS ? ncpu : 1, timebase_hz, what[stage]);
}

/* Every trap from user mode but a system call (those have their own
 * line, in trace_syscall_enter).  Timer interrupts are left to trace
 * timer's lines: here they would drown the rest. */
void trace_trap_slow(struct proc *p, u64 cause, u64 epc)
{
	trace_event(EV_TRAP, cause, epc, 0, 0, NULL);
	if ((trace_mask & TR_TRAP) && want_live(p) && !arch_trap_is_timer(cause))
		kprintf("usertrap: %s from pid %d (%s) at pc %p\n", arch_trap_name(cause), p->pid, p->name, (void *)epc);
}

void trace_timer_slow(struct thread *t)
{
	trace_event(EV_TIMER, t ? t->tid : 0, ticks, 0, 0, NULL);
	if ((trace_mask & TR_TIMER) && want_live(t ? t->proc : NULL)) {
		if (t) {
			char who[48];
			thread_label(t, who, sizeof who);
			kprintf("clockintr: hart %d tick %d, %s interrupted\n", mycpu()->hartid, (int)ticks, who);
		} else if (trace_pid < 0) {
			kprintf("clockintr: hart %d tick %d, idle\n", mycpu()->hartid, (int)ticks);
		}
	}
}

static const char *const why_name[] = { "", "time slice used up", "yielded", "blocked", "exited" };

/* Switches name threads: a = from tid, b = to tid (the tid of a
 * process's first thread is its pid), name = the process of `to`. */
void trace_switch_slow(struct thread *from, struct thread *to)
{
	int why = from ? (from->state == ZOMBIE ? WHY_EXIT : from->why) : WHY_NONE;
	trace_event(EV_SWITCH, from ? from->tid : 0, to ? to->tid : 0, why, 0, to ? to->proc->name : "idle");
	if ((trace_mask & TR_SWITCH) && (want_live(from ? from->proc : NULL) || want_live(to ? to->proc : NULL))) {
		char f[48] = "idle", t[48] = "idle";
		if (from)
			thread_label(from, f, sizeof f);
		if (to)
			thread_label(to, t, sizeof t);
		kprintf("swtch: hart %d %s -> %s%s%s\n", mycpu()->hartid, f, t, why ? ": " : "", why_name[why]);
	}
	if (from)
		from->why = WHY_NONE;
}

/* Every state change of a thread, from thread_setstate(), old -> state
 * (a = tid, name = its process's).  A new thread (unused -> embryo) also
 * says what made it: the system call its creator is in (fork, spawn or
 * thread_create), or the kernel. */
void trace_state_slow(struct thread *t, int old, int state)
{
	struct thread *by = old == UNUSED ? mythread() : NULL;
	u64 how = by ? TF_SYSNUM(by->tf) : 0;
	struct proc *p = t->proc;
	trace_event(EV_STATE, t->tid, state, old, how, p->name);
	if (!(trace_mask & TR_PROC) || !want_live(p))
		return;
	char who[48], bywho[48];
	thread_label(t, who, sizeof who);
	if (old != UNUSED) {
		kprintf("proc: %s %s -> %s\n", who, procstate_name[old], procstate_name[state]);
	} else if (by) {
		thread_label(by, bywho, sizeof bywho);
		kprintf("proc: %s %s -> %s: %s by %s\n", who, procstate_name[old], procstate_name[state],
			how < SYS_max && syscall_desc[how].name ? syscall_desc[how].name : "?", bywho);
	} else {
		kprintf("proc: %s %s -> %s: by the kernel\n", who, procstate_name[old], procstate_name[state]);
	}
}

void trace_exit_slow(struct proc *p)
{
	trace_event(EV_EXIT, p->pid, p->xstate, 0, 0, p->name);
}

void trace_kill_slow(struct proc *p, int sig, u64 cause, u64 addr)
{
	trace_event(EV_KILL, p->pid, sig, cause, addr, p->name);
}

/* exec of path by p (a process replacing its own program), or spawn's new
 * process p getting its first one.  Recorded under the new name; the live
 * line is for exec only, spawn's is the child's unused -> embryo. */
void trace_exec_slow(struct proc *p, const char *path)
{
	trace_event(EV_EXEC, p->pid, 0, 0, 0, path_base(path));
	if ((trace_mask & TR_PROC) && want_live(p) && p == myproc())
		kprintf("proc: pid %d (%s) exec %s\n", p->pid, p->name, path);
}

void trace_user_slow(struct thread *t)
{
	trace_event(EV_USER, t->tid, TF_PC(t->tf), 0, 0, NULL);
}

/* A live "trace syscall" line, naming the thread if it is not the first. */
static void live_line(struct proc *p, const char *line)
{
	char who[48];
	if (mythread())
		thread_label(mythread(), who, sizeof who);
	else
		ksnprintf(who, sizeof who, "pid %d (%s)", p->pid, p->name);
	kprintf("syscall: %s %s", who, line);
}

/* --- strace: one line per system call, Linux style --- */

static const char *errname(long e)
{
	static const char *const n[] = {
		[EPERM] = "EPERM",   [ENOENT] = "ENOENT", [ESRCH] = "ESRCH",     [EINTR] = "EINTR",
		[EIO] = "EIO",       [E2BIG] = "E2BIG",   [ENOEXEC] = "ENOEXEC", [EBADF] = "EBADF",
		[ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",   [EACCES] = "EACCES",
		[EFAULT] = "EFAULT", [EBUSY] = "EBUSY",   [EEXIST] = "EEXIST",   [EXDEV] = "EXDEV",
		[ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR", [EINVAL] = "EINVAL",
		[ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",   [ETXTBSY] = "ETXTBSY",
		[EFBIG] = "EFBIG",   [ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE",   [EMLINK] = "EMLINK",
		[EPIPE] = "EPIPE",   [ERANGE] = "ERANGE", [ENOSYS] = "ENOSYS",   [ENOTEMPTY] = "ENOTEMPTY",
		[ENAMETOOLONG] = "ENAMETOOLONG", [ELOOP] = "ELOOP",
	};
	return e > 0 && e < (long)nelem(n) && n[e] ? n[e] : "E?";
}

struct sbuf {
	char *b;
	int n, len;
};
static void sput(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int room = s->n - s->len;
	int w = kvsnprintf(s->b + s->len, room > 0 ? room : 0, fmt, ap);
	va_end(ap);
	s->len += w;
	if (s->len > s->n - 1)
		s->len = s->n - 1;
}

/* A user string, quoted and escaped, cut after max characters. */
static void sput_str(struct sbuf *s, struct proc *p, u64 uva, long len, int max)
{
	char tmp[40];
	long want = len < 0 ? max + 1 : min(len, (long)max);
	long got = 0;
	if (len < 0) {
		int r = copyinstr(&p->vm, tmp, uva, min((long)sizeof tmp, want + 1));
		if (r == -EFAULT) {
			sput(s, "%p", (void *)uva);
			return;
		}
		got = r < 0 ? want : r;
	} else if (copyin(&p->vm, tmp, uva, want) < 0) {
		sput(s, "%p", (void *)uva);
		return;
	} else {
		got = want;
	}
	sput(s, "\"");
	for (long i = 0; i < got && i < max; i++) {
		char c = tmp[i];
		if (c == '\n')
			sput(s, "\\n");
		else if (c == '\t')
			sput(s, "\\t");
		else if (c == '"' || c == '\\')
			sput(s, "\\%c", c);
		else if (c < 32 || c > 126)
			sput(s, "\\%d%d%d", (c >> 6) & 3, (c >> 3) & 7, c & 7);
		else
			sput(s, "%c", c);
	}
	sput(s, "\"");
	if ((len < 0 && got > max) || (len >= 0 && len > max))
		sput(s, "...");
}

static void sput_vec(struct sbuf *s, struct proc *p, u64 uva)
{
	if (!uva) {
		sput(s, "NULL");
		return;
	}
	sput(s, "[");
	for (int i = 0; i < 8; i++) {
		u64 sp;
		if (copyin(&p->vm, &sp, uva + 8 * i, 8) < 0) {
			sput(s, "%p", (void *)uva);
			break;
		}
		if (!sp)
			break;
		if (i)
			sput(s, ", ");
		if (i == 7) {
			sput(s, "...");
			break;
		}
		sput_str(s, p, sp, -1, 24);
	}
	sput(s, "]");
}

/* writev's iovec array, as Linux's strace shows it, bytes and all:
 * [{iov_base="hi", iov_len=2}, {iov_base="\n", iov_len=1}] (musl's stdio
 * writes its buffer and the new bytes with one writev, so the address
 * alone would hide every byte a program prints). */
static void sput_iov(struct sbuf *s, struct proc *p, u64 uva, long n)
{
	struct {
		u64 base, len;
	} v;
	if (n <= 0 || copyin(&p->vm, &v, uva, sizeof v) < 0) {
		sput(s, "%p", (void *)uva);
		return;
	}
	sput(s, "[");
	for (long i = 0; i < n; i++) {
		if (i && copyin(&p->vm, &v, uva + i * sizeof v, sizeof v) < 0) {
			sput(s, ", %p", (void *)(uva + i * sizeof v));
			break;
		}
		if (i == 4) {
			sput(s, ", ...");
			break;
		}
		sput(s, "%s{iov_base=", i ? ", " : "");
		sput_str(s, p, v.base, (long)v.len < 0 ? 32 : (long)v.len, 32);
		sput(s, ", iov_len=%lu}", v.len);
	}
	sput(s, "]");
}

static void sput_flags(struct sbuf *s, u64 f)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	sput(s, "%s", acc[f & O_ACCMODE]);
	if (f & O_CREAT)
		sput(s, "|O_CREAT");
	if (f & O_TRUNC)
		sput(s, "|O_TRUNC");
	if (f & O_APPEND)
		sput(s, "|O_APPEND");
	if (f & O_EXCL)
		sput(s, "|O_EXCL");
	if (f & O_DIRECTORY)
		sput(s, "|O_DIRECTORY");
}

/* A file mode, as strace prints it: 0644.  (kprintf has no %o.) */
static void sput_octal(struct sbuf *s, u64 v)
{
	char d[24];
	int n = 0;
	v &= 07777777;
	if (!v) {
		sput(s, "0");
		return;
	}
	do {
		d[n++] = '0' + (v & 7);
		v >>= 3;
	} while (v);
	sput(s, "0");
	while (n > 0)
		sput(s, "%c", d[--n]);
}

/* Format "name(args)" for call num with arguments a, by the letters of
 * syscalls.h.  A buffer the kernel fills ('r') is shown only after the
 * call (after = 1), as many bytes as it returned. */
static void format_call(struct sbuf *s, struct proc *p, u64 num, const u64 *a, long ret, int after)
{
	const struct syscall_desc *d = &syscall_desc[num];
	sput(s, "%s(", d->name);
	for (int i = 0; d->args[i]; i++) {
		/* open's mode means something only with O_CREAT (as Linux's
		 * strace shows it) */
		if (d->args[i] == 'o' && i > 0 && d->args[i - 1] == 'f' && !(a[i - 1] & O_CREAT))
			continue;
		if (i)
			sput(s, ", ");
		switch (d->args[i]) {
		case 'i': sput(s, "%d", (int)a[i]); break;
		case 'u': sput(s, "%lu", a[i]); break;
		case 'x': sput(s, "0x%lx", a[i]); break;
		case 'p': sput(s, "%p", (void *)a[i]); break;
		case 's': sput_str(s, p, a[i], -1, 32); break;
		case 'w': sput_str(s, p, a[i], a[i + 1], 32); break;
		case 'e': sput_iov(s, p, a[i], (long)a[i + 1]); break;
		case 'r':
			if (after && ret > 0)
				sput_str(s, p, a[i], ret, 32);
			else
				sput(s, "%p", (void *)a[i]);
			break;
		case 'v': sput_vec(s, p, a[i]); break;
		case 'f': sput_flags(s, a[i]); break;
		case 'o': sput_octal(s, a[i]); break;
		}
	}
	sput(s, ")");
}

/* One write per line, prefix included, so that with -f the lines of
 * processes on other harts cannot cut into each other.  As Linux's
 * strace, a line says which thread made the call ("[pid TID]") when the
 * trace follows children or the process has more than one thread (all
 * threads of a traced process are traced: the trace is the process's). */
static void strace_emit(struct proc *p, const char *line, int len)
{
	char buf[360];
	struct sbuf s = { buf, sizeof buf, 0 };
	if ((p->strace_flags & STRACE_FOLLOW) || p->nthreads_all > 1)
		sput(&s, "[pid %d] ", mythread() ? mythread()->tid : p->pid);
	int n = min(len, s.n - 1 - s.len);
	memcpy(buf + s.len, line, n);
	s.len += n;
	buf[s.len] = 0; /* the console path prints it as a C string */
	filewrite_kernel(p->strace_file, buf, s.len);
}

/* The arguments are still in the trapframe when trace_syscall_exit runs
 * (syscall() stores the result in a0 after it), so a call that blocked and
 * resumed, even on another hart, is formatted from its own registers.
 * exec is the exception: a successful one replaces the registers and the
 * memory the arguments pointed to, so its line is formatted at entry.
 * exec never sleeps and the kernel is not preempted, so one buffer per
 * hart is enough; the pid makes sure it is the right one. */
struct exec_text {
	int pid;
	int len;
	char text[200];
};
static struct exec_text exec_texts[NCPU];

static void args_of(struct trapframe *tf, u64 *a)
{
	for (int i = 0; i < 6; i++)
		a[i] = TF_ARG(tf, i);
}

void trace_syscall_enter(struct proc *p, struct trapframe *tf)
{
	u64 num = TF_SYSNUM(tf);
	int known = num < SYS_max && syscall_desc[num].name;
	trace_event(EV_SYSCALL, num, TF_ARG(tf, 0), TF_ARG(tf, 1), TF_ARG(tf, 2), known ? syscall_desc[num].name : "?");
	if ((trace_mask & TR_TRAP) && want_live(p))
		kprintf("usertrap: syscall from pid %d (%s), number %d (%s)\n", p->pid, p->name, (int)num,
			known ? syscall_desc[num].name : "unknown");
	if (!known)
		return;
	int live = (trace_mask & TR_SYSCALL) && want_live(p);
	if ((num == SYS_exec || num == SYS_linux_execve) && (p->strace_file || live)) {
		struct exec_text *x = &exec_texts[mycpu()->id];
		struct sbuf s = { x->text, sizeof x->text, 0 };
		u64 a[6];
		args_of(tf, a);
		format_call(&s, p, num, a, 0, 0);
		x->len = s.len;
		x->pid = p->pid;
	} else if (syscall_desc[num].ret == 'n' && (p->strace_file || live)) {
		/* exit, thread_exit and Linux's exit and exit_group never
		 * return: the line ends in "= ?" as in Linux. */
		char line[64];
		const char *name = syscall_desc[num].name;
		int n = syscall_desc[num].args[0] == 'x' ?
				ksnprintf(line, sizeof line, "%s(0x%lx) = ?\n", name, TF_ARG(tf, 0)) :
				ksnprintf(line, sizeof line, "%s(%d) = ?\n", name, (int)TF_ARG(tf, 0));
		if (p->strace_file)
			strace_emit(p, line, n);
		if (live)
			live_line(p, line);
	}
}

/* Called before the result is stored in a0: tf still holds the arguments
 * (except after a successful exec). */
void trace_syscall_exit(struct proc *p, struct trapframe *tf, u64 num, long ret)
{
	trace_event(EV_SYSRET, num, ret, 0, 0, NULL);
	int live = (trace_mask & TR_SYSCALL) && want_live(p);
	if (!p->strace_file && !live)
		return;
	u64 a[6];
	args_of(tf, a);
	char line[320];
	struct sbuf s = { line, sizeof line, 0 };
	struct exec_text *x = &exec_texts[mycpu()->id];
	if (num >= SYS_max || !syscall_desc[num].name)
		sput(&s, "syscall_%lu(0x%lx, 0x%lx, 0x%lx)", num, a[0], a[1], a[2]);
	else if ((num == SYS_exec || num == SYS_linux_execve) && x->pid == p->pid)
		sput(&s, "%s", x->text);
	else
		format_call(&s, p, num, a, ret, 1);
	if (ret < 0 && ret > -4096)
		sput(&s, " = -1 %s\n", errname(-ret));
	else if (num < SYS_max && syscall_desc[num].ret == 'p')
		sput(&s, " = %p\n", (void *)ret);
	else
		sput(&s, " = %ld\n", ret);
	if (p->strace_file)
		strace_emit(p, line, s.len);
	if (live)
		live_line(p, line);
}

void strace_exit(struct proc *p, int status)
{
	char line[64];
	int n;
	if (status & 0x7f)
		n = ksnprintf(line, sizeof line, "+++ killed by %s +++\n",
			      (status & 0x7f) == SIGSEGV ? "SIGSEGV" : (status & 0x7f) == SIGILL ? "SIGILL" :
			      (status & 0x7f) == SIGKILL ? "SIGKILL" : (status & 0x7f) == SIGINT ? "SIGINT" :
			      (status & 0x7f) == SIGPIPE ? "SIGPIPE" : (status & 0x7f) == SIGTERM ? "SIGTERM" : "a signal");
	else
		n = ksnprintf(line, sizeof line, "+++ exited with %d +++\n", (status >> 8) & 0xff);
	strace_emit(p, line, n);
}

/* --- control and reading --- */

/* tracectl(op, arg, arg2): the TRACECTL_* operations of abi.h. */
long trace_ctl(int op, int arg, int arg2)
{
	(void)arg2;
	/* Rings for every hart the machine has, started or not yet: at boot
	 * (trace=record) only hart 0 runs. */
	int nrings = min(bootinfo.ncpu, NCPU);
	switch (op) {
	case TRACECTL_GETMASK:
		return trace_mask;
	case TRACECTL_SETMASK:
		if (arg & ~(TR_RECORD | TR_SYSCALL | TR_TIMER | TR_TRAP | TR_SWITCH | TR_PROC))
			return -EINVAL;
		if (arg & TR_RECORD)
			for (int i = 0; i < nrings; i++)
				if (!rings[i].ev && !(rings[i].ev = kalloc_order(RING_ORDER)))
					return -ENOMEM;
		trace_mask = arg;
		return 0;
	case TRACECTL_SETPID:
		trace_pid = arg > 0 ? arg : -1;
		return 0;
	case TRACECTL_CLEAR:
		acquire(&ringlock);
		for (int i = 0; i < nrings; i++) {
			rings[i].tail = rings[i].head;
			rings[i].dropped = 0;
		}
		release(&ringlock);
		return 0;
	case TRACECTL_GETPID:
		return trace_pid > 0 ? trace_pid : 0; /* 0: every process */
	case TRACECTL_TIMEBASE:
		return timebase_hz;
	case TRACECTL_DROPPED: {
		u64 n = 0;
		for (int i = 0; i < nrings; i++)
			n += rings[i].dropped;
		return n > 0x7fffffff ? 0x7fffffff : (int)n;
	}
	}
	return -EINVAL;
}

/* Copy out recorded events, oldest first across all harts. */
long trace_read(u64 ubuf, u64 len)
{
	struct proc *p = myproc();
	u64 n = 0, max = len / sizeof(struct ktevent);
	acquire(&ringlock);
	while (n < max) {
		struct ring *best = NULL;
		for (int i = 0; i < NCPU; i++) {
			struct ring *r = &rings[i];
			u64 head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
			if (!r->ev || r->tail == head)
				continue;
			if (!best || r->ev[r->tail % RING_EVENTS].time < best->ev[best->tail % RING_EVENTS].time)
				best = r;
		}
		if (!best)
			break;
		struct ktevent e = best->ev[best->tail % RING_EVENTS];
		best->tail++;
		if (copyout(&p->vm, ubuf + n * sizeof e, &e, sizeof e) < 0) {
			release(&ringlock);
			return -EFAULT;
		}
		n++;
	}
	release(&ringlock);
	return n * sizeof(struct ktevent);
}
