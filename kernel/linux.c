/* linux.c: the Linux x86-64 ABI: the calls musl makes, where Linux's
 * meaning differs from Trapdoor's call of the same purpose.
 * Each maps onto Trapdoor's own mechanism (the list names them LINUX, see
 * include/trapdoor/syscalls.h).  Built for both architectures: on RISC-V
 * they have numbers of their own, so the RISC-V suite runs them too.
 * What Trapdoor does not have (signal handlers, directory descriptors,
 * close-on-exec) is refused with an error musl copes with, or accepted
 * with no effect where no program could tell the difference.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"
#include "syscall.h"
#include "linux.h"
#include "../include/trapdoor/linux.h"

#define LINUX_CALL(name) long sys_linux_##name(SYSARGS)
#define LINUX(rv, x86, name, stub, args, ret) LINUX_CALL(name);
#define SYSCALL(rv, x86, name, stub, args, ret) long sys_##name(SYSARGS);
#include "../include/trapdoor/syscalls.h"
#undef SYSCALL
#undef LINUX

/* The open file of descriptor fd, or NULL (as sysfile.c's argfd). */
static struct file *fdfile(u64 ufd)
{
	int fd = (int)ufd;
	struct proc *p = myproc();
	return fd < 0 || fd >= NOFILE ? NULL : p->ofile[fd];
}

/* --- processes and threads --- */

LINUX_CALL(exit_group) { return sys_exit(a0, 0, 0, 0, 0, 0); }
LINUX_CALL(execve) { return sys_exec(a0, a1, a2, 0, 0, 0); }
LINUX_CALL(vfork) { return sys_fork(0, 0, 0, 0, 0, 0); } /* a fork is a vfork, as POSIX allows */
LINUX_CALL(sched_yield) { return sys_yield(0, 0, 0, 0, 0, 0); }
LINUX_CALL(geteuid) { return sys_getuid(0, 0, 0, 0, 0, 0); } /* one uid: real is effective */
LINUX_CALL(getgid) { return 0; } /* no groups: everyone is in group 0 */
LINUX_CALL(getegid) { return 0; }

/* prlimit64(pid, resource, new, old): getrlimit and setrlimit in one, as
 * musl's getrlimit and setrlimit call it.  Either pointer may be NULL; the
 * old limit is the one before the new is set.  Only the caller's own
 * limits (pid 0 or its pid): Trapdoor sets no other process's. */
LINUX_CALL(prlimit64)
{
	struct proc *p = myproc();
	int pid = a0, res = a1;
	struct krlimit want, old;
	if (pid != 0 && pid != p->pid)
		return -EPERM;
	int r = rlimit_get(p, res, &old);
	if (r < 0)
		return r;
	if (a2 && copy_from_user(&want, a2, sizeof want) < 0)
		return -EFAULT;
	if (a2 && (r = rlimit_set(p, res, &want)) < 0)
		return r;
	return a3 ? copy_to_user(a3, &old, sizeof old) : 0;
}

/* A thread's end, Linux's way: its clear_tid word becomes 0 and one
 * waiter on it is woken (musl's pthread_join waits there); the last
 * thread ends the process with this exit code. */
LINUX_CALL(exit)
{
	struct thread *t = mythread();
	if (t->clear_tid) {
		u32 zero = 0;
		if (copy_to_user(t->clear_tid, &zero, sizeof zero) == 0)
			sys_futex_wake(t->clear_tid, 1, 0, 0, 0, 0);
	}
	if (t->proc->nthreads == 1)
		return sys_exit(a0, 0, 0, 0, 0, 0);
	thread_end(t, 0);
	return 0; /* not reached */
}

LINUX_CALL(set_tid_address)
{
	struct thread *t = mythread();
	t->clear_tid = a0;
	return t->tid;
}

/* wait4(pid, status, options, rusage): Trapdoor's waitpid; the rusage,
 * if asked for, is all zero (nothing is counted per child that way). */
LINUX_CALL(wait4)
{
	static const char zero[144]; /* sizeof(struct rusage) on x86-64 */
	long r = waitpid((int)a0, a1, (int)a2);
	if (r > 0 && a3 && copy_to_user(a3, zero, sizeof zero) < 0)
		return -EFAULT;
	return r;
}

/* clone(flags, stack, parent_tid, child_tid, tls): two shapes, as musl
 * makes them.  A fork (no CLONE_VM: flags SIGCHLD or 0, no new stack);
 * or a thread of this process, as pthread_create asks for it: CLONE_VM,
 * CLONE_THREAD and the rest of its flags, a new stack, the TLS base, the
 * tid stored for the parent and cleared at the thread's end.  Anything
 * else (vfork's CLONE_VM without CLONE_THREAD, a new namespace) is
 * -EINVAL: posix_spawn then fails with it, fork() does not use clone. */
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_THREAD_OPTIONAL (CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | \
			       CLONE_CHILD_SETTID | CLONE_DETACHED)
LINUX_CALL(clone)
{
	u64 flags = a0, stack = a1, ptid = a2, ctid = a3, tls = a4;
	if ((flags & ~0xffUL) == 0 && ((flags & 0xff) == SIGCHLD || (flags & 0xff) == 0) && stack == 0)
		return sys_fork(0, 0, 0, 0, 0, 0);
	if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS || (flags & ~(u64)(CLONE_THREAD_FLAGS | CLONE_THREAD_OPTIONAL)))
		return -EINVAL;
	if (stack == 0 || stack > USER_TOP)
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;
	long err;
	struct thread *t = thread_copy(&err);
	if (!t)
		return err;
	/* the caller's registers, returning 0 at the same pc on the new
	 * stack (arch_thread_init puts arg, 0, in RISC-V's a0; TF_RET is
	 * x86-64's rax) */
	struct thread *me = mythread();
	arch_thread_init(t->tf, me->tf, TF_PC(me->tf), 0, stack, flags & CLONE_SETTLS ? tls : arch_get_tls(me));
	TF_RET(t->tf) = 0;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_tid = ctid;
	/* before it runs, as Linux: a bad address is not the thread's end */
	int tid = t->tid;
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(ptid, &tid, sizeof tid);
	if (flags & CLONE_CHILD_SETTID)
		copy_to_user(ctid, &tid, sizeof tid);
	thread_start(t);
	return tid;
}

/* futex(addr, op, val, timeout, addr2, val3): FUTEX_WAIT, FUTEX_WAKE and
 * the two requeues (musl's condition variables need FUTEX_REQUEUE: with
 * -ENOSYS there it has no fallback, and a waiter is never woken), private
 * or not (Trapdoor's futexes are per address space anyway).  The
 * wait's timeout is relative, a struct timespec; Trapdoor's takes ns and
 * reads 0 as none, so a zero timeout becomes 1 ns. */
LINUX_CALL(futex)
{
	int op = (int)a1 & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	if (op == FUTEX_WAKE)
		return sys_futex_wake(a0, (int)a2 < 0 ? 0 : a2, 0, 0, 0, 0);
	/* the timeout's place holds how many to move */
	if (op == FUTEX_REQUEUE || op == FUTEX_CMP_REQUEUE)
		return futex_requeue(a0, (int)a2 < 0 ? 0 : (int)a2, (int)a3 < 0 ? 0 : (int)a3, a4,
				     op == FUTEX_CMP_REQUEUE, (u32)a5);
	if (op != FUTEX_WAIT)
		return -ENOSYS;
	u64 ns = 0;
	if (a3) {
		struct ktimespec ts;
		if (copy_from_user(&ts, a3, sizeof ts) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		u64 s = ts.tv_sec > (1L << 32) ? 1UL << 32 : (u64)ts.tv_sec;
		ns = s * 1000000000 + ts.tv_nsec;
		if (ns == 0)
			ns = 1;
	}
	return sys_futex_wait(a0, (u32)a2, ns, 0, 0, 0);
}

/* arch_prctl(code, addr): the TLS base musl sets at start-up. */
LINUX_CALL(arch_prctl)
{
	struct thread *t = mythread();
	if (a0 == ARCH_SET_FS) {
		if (a1 >= USER_TOP)
			return -EPERM;
		arch_set_tls(t, a1);
		return 0;
	}
	if (a0 == ARCH_GET_FS) {
		u64 base = arch_get_tls(t);
		return copy_to_user(a1, &base, sizeof base) < 0 ? -EFAULT : 0;
	}
	return -EINVAL;
}

/* Signals: Trapdoor has no handlers; a signal kills.  So no signal is
 * ever blocked (the mask reads empty, a new one has no effect: musl
 * masks signals around thread creation and fork, and nothing can arrive
 * that it could defer), and the only action is the default one:
 * setting SIG_DFL succeeds, a handler or SIG_IGN is -ENOSYS. */
LINUX_CALL(rt_sigprocmask)
{
	static const u64 empty;
	if (a3 != sizeof empty)
		return -EINVAL;
	if (a0 > 2)
		return -EINVAL;
	return a2 && copy_to_user(a2, &empty, sizeof empty) < 0 ? -EFAULT : 0;
}

LINUX_CALL(rt_sigaction)
{
	int sig = (int)a0;
	if (a3 != 8 || sig < 1 || sig > 64)
		return -EINVAL;
	struct linux_sigaction sa;
	if (a1) {
		if (copy_from_user(&sa, a1, sizeof sa) < 0)
			return -EFAULT;
		if (sig == SIGKILL || sa.handler != LINUX_SIG_DFL)
			return sig == SIGKILL ? -EINVAL : -ENOSYS;
	}
	memset(&sa, 0, sizeof sa);
	return a2 && copy_to_user(a2, &sa, sizeof sa) < 0 ? -EFAULT : 0;
}

/* --- memory and time --- */

/* brk(addr): the break moves to addr; the result is the break after it
 * (unchanged if it could not move: musl compares).  brk(0) asks. */
LINUX_CALL(brk)
{
	struct proc *p = myproc();
	u64 cur = p->vm.brk;
	if (a0 == 0 || a0 == cur)
		return cur;
	long delta = (long)(a0 - cur);
	if (delta != (int)delta)
		return cur;
	long r = sys_sbrk((u64)delta, 0, 0, 0, 0, 0);
	return r < 0 && r >= -4095 ? (long)cur : (long)(r + delta);
}

LINUX_CALL(nanosleep)
{
	struct ktimespec ts;
	if (copy_from_user(&ts, a0, sizeof ts) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	u64 s = ts.tv_sec > (1L << 30) ? 1UL << 30 : (u64)ts.tv_sec; /* some 34 years */
	return sleep_until(arch_time() + s * timebase_hz + (u64)ts.tv_nsec * timebase_hz / 1000000000);
}

LINUX_CALL(uname)
{
	struct linux_utsname u;
	memset(&u, 0, sizeof u);
	strlcpy(u.sysname, "Trapdoor", sizeof u.sysname);
	strlcpy(u.nodename, "trapdoor", sizeof u.nodename);
	strlcpy(u.release, "12", sizeof u.release);
	strlcpy(u.version, "Trapdoor, a teaching kernel", sizeof u.version);
	strlcpy(u.machine, ELF_MACHINE == 62 ? "x86_64" : ELF_MACHINE == 243 ? "riscv64" : "?", sizeof u.machine);
	return copy_to_user(a0, &u, sizeof u) < 0 ? -EFAULT : 0;
}

/* --- files --- */

/* Flags of Linux's open that Trapdoor takes without effect: every file is
 * "large"; descriptors are not closed on exec (a program exec'd keeps
 * them: no Trapdoor program relies on their closing). */
#define OPEN_IGNORED (O_LARGEFILE | O_CLOEXEC)

LINUX_CALL(open) { return sys_open(a0, a1 & ~(u64)OPEN_IGNORED, a2, 0, 0, 0); }

/* A path for an *at() call: only LINUX_AT_FDCWD or an absolute path (Trapdoor
 * has no directory descriptors to start from): 0, or -errno. */
static long at_path(u64 dirfd, u64 upath)
{
	char c;
	if ((int)dirfd == LINUX_AT_FDCWD)
		return 0;
	if (copy_from_user(&c, upath, 1) < 0)
		return -EFAULT;
	return c == '/' ? 0 : -EINVAL;
}

LINUX_CALL(openat)
{
	long r = at_path(a0, a1);
	return r < 0 ? r : sys_linux_open(a1, a2, a3, 0, 0, 0);
}

LINUX_CALL(mkdirat)
{
	long r = at_path(a0, a1);
	return r < 0 ? r : sys_mkdir(a1, a2, 0, 0, 0, 0);
}

LINUX_CALL(unlinkat)
{
	long r = at_path(a0, a1);
	if (r < 0)
		return r;
	if (a2 & ~(u64)LINUX_AT_REMOVEDIR)
		return -EINVAL;
	return a2 ? sys_rmdir(a1, 0, 0, 0, 0, 0) : sys_unlink(a1, 0, 0, 0, 0, 0);
}

LINUX_CALL(access)
{
	char path[MAXPATH];
	long r;
	if (a1 & ~7UL)
		return -EINVAL;
	if ((r = argstr(a0, path, sizeof path)) < 0)
		return r;
	struct inode *ip;
	if ((r = namei_err(path, &ip)) < 0)
		return r;
	r = a1 ? fs_permission(ip, (int)a1) : 0; /* R_OK 4, W_OK 2, X_OK 1: fs_permission's bits */
	iput(ip);
	return r;
}

/* mknod(path, mode, dev): device nodes only (Trapdoor's mknod), the
 * major number in Linux's old encoding, dev >> 8. */
LINUX_CALL(mknod)
{
	if ((a1 & S_IFMT) != S_IFCHR)
		return -EINVAL;
	return sys_mknod(a0, (a2 >> 8) & 0xfff, a1 & 0777, 0, 0, 0);
}

/* Linux's getcwd returns the length with the NUL. */
LINUX_CALL(getcwd)
{
	long r = sys_getcwd(a0, a1, 0, 0, 0, 0);
	return r < 0 ? r : r + 1;
}

LINUX_CALL(pipe2)
{
	if (a1 & ~(u64)O_CLOEXEC)
		return -EINVAL;
	return sys_pipe(a0, 0, 0, 0, 0, 0);
}

LINUX_CALL(dup3)
{
	if ((a2 & ~(u64)O_CLOEXEC) || (int)a0 == (int)a1)
		return -EINVAL;
	return sys_dup2(a0, a1, 0, 0, 0, 0);
}

/* fcntl: what musl's stdio and opendir ask.  FD_CLOEXEC reads as unset
 * and setting it has no effect (see OPEN_IGNORED); F_DUPFD is not here. */
LINUX_CALL(fcntl)
{
	struct file *f = fdfile(a0);
	if (!f)
		return -EBADF;
	switch (a1) {
	case F_GETFD:
	case F_SETFD:
		return 0;
	case F_GETFL:
		return f->flags & (O_ACCMODE | O_APPEND);
	}
	return -EINVAL;
}

/* --- struct stat and directory entries, Linux's layouts --- */

static long put_stat(u64 ust, const struct kstat *k)
{
	struct linux_stat st;
	memset(&st, 0, sizeof st);
	st.dev = k->dev;
	st.ino = k->ino;
	st.nlink = k->nlink;
	st.mode = k->mode;
	st.uid = k->uid;
	st.rdev = k->rdev;
	st.size = k->size;
	st.blksize = PGSIZE;
	st.blocks = (k->size + 511) / 512;
	st.atime = st.mtime = st.ctime = k->mtime_ns / 1000000000;
	st.atime_ns = st.mtime_ns = st.ctime_ns = k->mtime_ns % 1000000000;
	return copy_to_user(ust, &st, sizeof st) < 0 ? -EFAULT : 0;
}

LINUX_CALL(fstat)
{
	struct file *f = fdfile(a0);
	struct kstat k;
	if (!f)
		return -EBADF;
	memset(&k, 0, sizeof k);
	if (f->type == FD_PIPE) {
		k.mode = S_IFIFO | 0600;
		k.nlink = 1;
	} else {
		fs_stat(f->ip, &k);
	}
	return put_stat(a1, &k);
}

static long stat_path(u64 upath, u64 ust, int follow)
{
	char path[MAXPATH];
	long r;
	if ((r = argstr(upath, path, sizeof path)) < 0)
		return r;
	struct inode *ip;
	if ((r = follow ? namei_err(path, &ip) : namei_nofollow(path, &ip)) < 0)
		return r;
	struct kstat k;
	memset(&k, 0, sizeof k);
	fs_stat(ip, &k);
	iput(ip);
	return put_stat(ust, &k);
}

LINUX_CALL(stat) { return stat_path(a0, a1, 1); }
LINUX_CALL(lstat) { return stat_path(a0, a1, 0); }

/* newfstatat(dirfd, path, st, flags): musl's stat, lstat and fstat. */
LINUX_CALL(newfstatat)
{
	if (a3 & ~(u64)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	if (a3 & LINUX_AT_EMPTY_PATH) {
		char c;
		if (copy_from_user(&c, a1, 1) < 0)
			return -EFAULT;
		if (c == 0)
			return sys_linux_fstat(a0, a2, 0, 0, 0, 0);
	}
	long r = at_path(a0, a1);
	return r < 0 ? r : stat_path(a1, a2, !(a3 & LINUX_AT_SYMLINK_NOFOLLOW));
}

/* getdents64(fd, buf, n).  The file systems write Trapdoor's kdirent
 * records into user memory; Linux's are up to 8 bytes longer each (d_off).
 * So each round asks for entries into the last 3/4 of the space left and
 * rewrites them, one by one, to its front: a kdirent is at least 24 bytes,
 * so m of them in C bytes grow by at most 8m <= C/3, the quarter left
 * free, and a record is always read before its space is written.  d_off
 * is 0: musl's readdir does not use it (telldir and seekdir would).  A
 * buffer too small for the next entry reads as the end (Linux: EINVAL). */
LINUX_CALL(getdents64)
{
	struct file *f = fdfile(a0);
	u64 ubuf = a1, n = a2, out = 0;
	if (!f)
		return -EBADF;
	if (f->type != FD_INODE || f->ip->type != S_IFDIR)
		return -ENOTDIR;
	if (!user_range(ubuf, n))
		return -EFAULT;
	for (;;) {
		u64 space = ALIGN_DOWN((n - out) / 4 * 3, 8);
		u64 in = n - space;
		int got = fs_getdents(f->ip, &f->off, ubuf + in, space);
		if (got < 0)
			return out ? (long)out : got;
		if (got == 0)
			break;
		for (u64 pos = 0; pos < (u64)got;) {
			char rec[sizeof(struct linux_dirent64) + NAME_MAX + 8];
			struct kdirent *k = (struct kdirent *)rec;
			if (copy_from_user(rec, ubuf + in + pos, sizeof *k) < 0)
				return -EFAULT;
			u64 klen = k->reclen;
			if (klen < sizeof *k || klen > sizeof rec - 8 || copy_from_user(rec, ubuf + in + pos, klen) < 0)
				return -EFAULT;
			/* the record lay in user memory: another thread may have
			 * taken its NUL away, and strlen would run off rec */
			u64 len = 0, max = klen - offsetof(struct kdirent, name);
			while (len < max && k->name[len])
				len++;
			if (len == max)
				return out ? (long)out : -EFAULT;
			u64 ino = k->ino;
			unsigned char type = k->type;
			struct linux_dirent64 *d = (struct linux_dirent64 *)rec;
			memmove(d->name, k->name, len + 1);
			d->ino = ino;
			d->off = 0;
			d->type = type;
			d->reclen = ALIGN_UP(offsetof(struct linux_dirent64, name) + len + 1, 8);
			if (copy_to_user(ubuf + out, d, d->reclen) < 0)
				return -EFAULT;
			out += d->reclen;
			pos += klen;
		}
	}
	return out;
}

/* --- vectors and terminals --- */

static long rw_vector(u64 fd, u64 uiov, u64 cnt, int write)
{
	long total = 0;
	if ((long)cnt < 0 || cnt > LINUX_IOV_MAX)
		return -EINVAL;
	for (u64 i = 0; i < cnt; i++) {
		struct linux_iovec v;
		if (copy_from_user(&v, uiov + i * sizeof v, sizeof v) < 0)
			return total ? total : -EFAULT;
		if (v.len == 0)
			continue;
		long r = write ? sys_write(fd, v.base, v.len, 0, 0, 0) : sys_read(fd, v.base, v.len, 0, 0, 0);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((u64)r < v.len)
			break; /* short: the rest would not follow on */
	}
	return total;
}

LINUX_CALL(writev) { return rw_vector(a0, a1, a2, 1); }
LINUX_CALL(readv) { return rw_vector(a0, a1, a2, 0); }

/* ioctl(fd, request, arg): the console is a terminal of 24 rows of 80,
 * cooked (echo, line editing); nothing else is a terminal. */
LINUX_CALL(ioctl)
{
	struct file *f = fdfile(a0);
	if (!f)
		return -EBADF;
	if (f->type != FD_DEVICE || f->ip->major != DEV_CONSOLE)
		return -ENOTTY;
	if (a1 == TIOCGWINSZ) {
		struct linux_winsize w = { .row = 24, .col = 80 };
		return copy_to_user(a2, &w, sizeof w) < 0 ? -EFAULT : 0;
	}
	if (a1 == TCGETS) {
		struct linux_termios t;
		memset(&t, 0, sizeof t);
		t.iflag = 0400;              /* ICRNL */
		t.oflag = 01 | 04;           /* OPOST | ONLCR */
		t.cflag = 017 | 060 | 0200;  /* B38400 | CS8 | CREAD */
		t.lflag = 01 | 02 | 010;     /* ISIG | ICANON | ECHO */
		return copy_to_user(a2, &t, sizeof t) < 0 ? -EFAULT : 0;
	}
	return -EINVAL;
}
