/* sysfile.c: system calls on files, directories and descriptors.
 * Arguments are checked here: a bad descriptor is -EBADF, a bad pointer
 * -EFAULT, bad flags -EINVAL; nothing a caller passes can crash the kernel.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"
#include "syscall.h"

/* The open file that descriptor argument ufd names, or NULL. */
static struct file *argfd(u64 ufd, int *pfd)
{
	int fd = (int)ufd;
	struct proc *p = myproc();
	if (fd < 0 || fd >= NOFILE || !p->ofile[fd])
		return NULL;
	if (pfd)
		*pfd = fd;
	return p->ofile[fd];
}

/* With several threads, one may close a descriptor (or dup2 over it)
 * while another sleeps in read or write on it: such a call holds a
 * reference of its own to the open file until it returns, taken under the
 * process's fdlock, which close, dup2 and fdalloc take to change ofile[].
 * A process with one thread cannot race with itself (only a thread of it
 * makes another): no lock and no reference, and read and write stay a
 * tail call into fileread/filewrite, the usual case paying nothing. */
static __attribute__((noinline)) long rw_shared(u64 ufd, u64 addr, long n, int write)
{
	struct proc *p = myproc();
	int fd = (int)ufd;
	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	acquire(&p->fdlock);
	struct file *f = p->ofile[fd];
	if (f && !filedup(f))
		f = NULL; /* its count is full: as if closed */
	release(&p->fdlock);
	if (!f)
		return -EBADF;
	long r = write ? filewrite(f, addr, n) : fileread(f, addr, n);
	fileclose(f);
	return r;
}

/* argfd for a p already at hand: myproc() is a load through tp that
 * the compiler cannot merge with an earlier one. */
static inline struct file *fd_file(struct proc *p, u64 ufd)
{
	int fd = (int)ufd;
	return fd < 0 || fd >= NOFILE ? NULL : p->ofile[fd];
}

long sys_read(SYSARGS)
{
	struct proc *p = myproc();
	if (unlikely(p->nthreads_all > 1))
		return rw_shared(a0, a1, (long)a2, 0);
	struct file *f = fd_file(p, a0);
	if (!f)
		return -EBADF;
	return fileread(f, a1, (long)a2);
}

long sys_write(SYSARGS)
{
	struct proc *p = myproc();
	if (unlikely(p->nthreads_all > 1))
		return rw_shared(a0, a1, (long)a2, 1);
	struct file *f = fd_file(p, a0);
	if (!f)
		return -EBADF;
	return filewrite(f, a1, (long)a2);
}

long sys_close(SYSARGS)
{
	int fd = (int)a0;
	struct proc *p = myproc();
	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	int locked = p->nthreads_all > 1;
	if (locked)
		acquire(&p->fdlock);
	struct file *f = p->ofile[fd];
	p->ofile[fd] = NULL;
	if (locked)
		release(&p->fdlock);
	if (!f)
		return -EBADF;
	fileclose(f);
	return 0;
}

long sys_dup(SYSARGS)
{
	struct file *f = argfd(a0, NULL);
	if (!f)
		return -EBADF;
	if (!filedup(f))
		return -EMFILE; /* the open file's count is full */
	int fd = fdalloc(f);
	if (fd < 0)
		fileclose(f);
	return fd;
}

long sys_dup2(SYSARGS)
{
	struct file *f = argfd(a0, NULL);
	int nfd = (int)a1;
	if (!f)
		return -EBADF;
	if (nfd < 0 || nfd >= NOFILE)
		return -EBADF;
	struct proc *p = myproc();
	if (p->ofile[nfd] == f)
		return nfd;
	if (!filedup(f))
		return -EMFILE; /* the open file's count is full: nfd stays open */
	int locked = p->nthreads_all > 1; /* see rw_shared */
	if (locked)
		acquire(&p->fdlock);
	struct file *old = p->ofile[nfd];
	p->ofile[nfd] = f;
	if (locked)
		release(&p->fdlock);
	if (old)
		fileclose(old);
	return nfd;
}

long sys_lseek(SYSARGS)
{
	struct file *f = argfd(a0, NULL);
	long off = (long)a1;
	int whence = (int)a2;
	if (!f)
		return -EBADF;
	if (f->type != FD_INODE && !(f->type == FD_DEVICE && f->ip->major == DEV_DISK))
		return -ESPIPE;
	long base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f->off : whence == SEEK_END ? (long)fs_size(f->ip) : -1;
	long r, pos;
	/* base + off is checked for overflow without computing it first:
	 * signed overflow is undefined, the compiler may assume it away. */
	if (base < 0 || __builtin_add_overflow(base, off, &pos) || pos < 0)
		r = -EINVAL;
	else
		r = f->off = pos;
	return r;
}

long sys_open(SYSARGS)
{
	char path[MAXPATH];
	int flags = (int)a1, r;
	u32 perm = (u32)a2 & 07777;
	if ((r = argstr(a0, path, sizeof path)) < 0)
		return r;
	int acc = flags & O_ACCMODE;
	if (acc == 3 || (flags & ~(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_EXCL | O_DIRECTORY | O_NOCTTY | O_BINARY |
				   O_NOFOLLOW)))
		return -EINVAL;
	struct inode *ip;
	if (flags & O_CREAT) {
		r = fs_create(path, S_IFREG, perm, 0, &ip, flags & O_EXCL);
	} else {
		r = (flags & O_NOFOLLOW) ? namei_nofollow(path, &ip) : namei_err(path, &ip);
	}
	if (r < 0)
		return r;
	if (ip->type == S_IFLNK) { /* O_NOFOLLOW and the last component a link */
		iput(ip);
		return -ELOOP;
	}
	if (ip->type == S_IFDIR && acc != O_RDONLY) {
		iput(ip);
		return -EISDIR;
	}
	if ((flags & O_DIRECTORY) && ip->type != S_IFDIR) {
		iput(ip);
		return -ENOTDIR;
	}
	/* The creator of a new file may open it whatever mode it gave. */
	int created = r == 1;
	int want = acc == O_RDONLY ? 4 : acc == O_WRONLY ? 2 : 6;
	if (!created && (r = fs_permission(ip, want)) < 0) {
		iput(ip);
		return r;
	}
	struct file *f = filealloc();
	if (!f) {
		iput(ip);
		return -ENFILE;
	}
	f->type = ip->type == S_IFCHR ? FD_DEVICE : FD_INODE;
	if (f->type == FD_DEVICE && (ip->major <= 0 || ip->major >= NDEV)) {
		iput(ip);
		kmfree(f);
		return -ENODEV;
	}
	f->ip = ip;
	f->flags = flags;
	f->readable = acc != O_WRONLY;
	f->writable = acc != O_RDONLY;
	if ((flags & O_TRUNC) && f->writable && ip->type == S_IFREG && (r = fs_truncate(ip, 0)) < 0) {
		fileclose(f);
		return r;
	}
	int fd = fdalloc(f);
	if (fd < 0)
		fileclose(f);
	return fd;
}

long sys_mknod(SYSARGS)
{
	char path[MAXPATH];
	int r;
	if ((r = argstr(a0, path, sizeof path)) < 0)
		return r;
	int major = (int)a1;
	if (major <= 0 || major >= NDEV)
		return -EINVAL;
	if (myproc()->uid != 0)
		return -EPERM;
	struct inode *ip;
	r = fs_create(path, S_IFCHR, (u32)a2 & 0777, major, &ip, 1);
	if (r < 0)
		return r;
	iput(ip);
	return 0;
}

long sys_mkdir(SYSARGS)
{
	char path[MAXPATH];
	int r;
	if ((r = argstr(a0, path, sizeof path)) < 0)
		return r;
	struct inode *ip;
	r = fs_create(path, S_IFDIR, (u32)a1 & 0777, 0, &ip, 1);
	if (r < 0)
		return r;
	iput(ip);
	return 0;
}

static long pathcall(u64 upath, int (*fn)(const char *, int), int arg)
{
	char path[MAXPATH];
	int r;
	if ((r = argstr(upath, path, sizeof path)) < 0)
		return r;
	return fn(path, arg);
}

long sys_unlink(SYSARGS) { return pathcall(a0, fs_unlink, 0); }
long sys_rmdir(SYSARGS) { return pathcall(a0, fs_unlink, 1); }

static long twopaths(u64 ua, u64 ub, int (*fn)(const char *, const char *))
{
	char a[MAXPATH], b[MAXPATH];
	int r;
	if ((r = argstr(ua, a, sizeof a)) < 0 || (r = argstr(ub, b, sizeof b)) < 0)
		return r;
	return fn(a, b);
}

long sys_link(SYSARGS) { return twopaths(a0, a1, fs_link); }
long sys_rename(SYSARGS) { return twopaths(a0, a1, fs_rename); }

long sys_chdir(SYSARGS)
{
	char path[MAXPATH];
	int r;
	if ((r = argstr(a0, path, sizeof path)) < 0)
		return r;
	struct inode *ip;
	if ((r = namei_err(path, &ip)) < 0)
		return r;
	if (ip->type != S_IFDIR) {
		iput(ip);
		return -ENOTDIR;
	}
	if ((r = fs_permission(ip, 1)) < 0) {
		iput(ip);
		return r;
	}
	struct proc *p = myproc();
	iput(p->cwd);
	p->cwd = ip;
	return 0;
}

long sys_getcwd(SYSARGS)
{
	char buf[MAXPATH];
	u64 n = a1;
	int r = fs_getcwd(myproc()->cwd, buf, min(n, (u64)sizeof buf));
	if (r < 0)
		return r;
	if (copy_to_user(a0, buf, r + 1) < 0)
		return -EFAULT;
	return r;
}

long sys_getdents(SYSARGS)
{
	struct file *f = argfd(a0, NULL);
	if (!f)
		return -EBADF;
	if (f->type != FD_INODE || f->ip->type != S_IFDIR)
		return -ENOTDIR;
	return fs_getdents(f->ip, &f->off, a1, a2);
}

long sys_fstat(SYSARGS)
{
	struct file *f = argfd(a0, NULL);
	struct kstat st;
	if (!f)
		return -EBADF;
	memset(&st, 0, sizeof st);
	if (f->type == FD_PIPE) {
		st.mode = S_IFIFO | 0600;
		st.nlink = 1;
	} else {
		fs_stat(f->ip, &st);
	}
	return copy_to_user(a1, &st, sizeof st) < 0 ? -EFAULT : 0;
}

long sys_stat(SYSARGS)
{
	char path[MAXPATH];
	int r;
	if ((r = argstr(a0, path, sizeof path)) < 0)
		return r;
	struct inode *ip;
	if ((r = namei_err(path, &ip)) < 0)
		return r;
	struct kstat st;
	memset(&st, 0, sizeof st);
	fs_stat(ip, &st);
	iput(ip);
	return copy_to_user(a1, &st, sizeof st) < 0 ? -EFAULT : 0;
}

long sys_chmod(SYSARGS)
{
	char path[MAXPATH];
	int r;
	if ((r = argstr(a0, path, sizeof path)) < 0)
		return r;
	struct inode *ip;
	if ((r = namei_err(path, &ip)) < 0)
		return r;
	struct proc *p = myproc();
	if (p->uid != 0 && (u32)p->uid != ip->uid)
		r = -EPERM;
	else
		r = fs_setattr(ip, (u32)a1 & 07777, ip->uid);
	iput(ip);
	return r;
}

long sys_pipe(SYSARGS)
{
	struct file *rf, *wf;
	struct proc *p = myproc();
	int r = pipealloc(&rf, &wf);
	if (r < 0)
		return r;
	int fd[2] = { fdalloc(rf), -1 };
	if (fd[0] >= 0)
		fd[1] = fdalloc(wf);
	if (fd[0] < 0 || fd[1] < 0) {
		if (fd[0] >= 0)
			p->ofile[fd[0]] = NULL;
		fileclose(rf);
		fileclose(wf);
		return -EMFILE;
	}
	if (copyout(&p->vm, a0, fd, sizeof fd) < 0) {
		p->ofile[fd[0]] = p->ofile[fd[1]] = NULL;
		fileclose(rf);
		fileclose(wf);
		return -EFAULT;
	}
	return 0;
}

long sys_symlink(SYSARGS)
{
	char target[MAXPATH], path[MAXPATH];
	int r;
	if ((r = argstr(a0, target, sizeof target)) < 0 || (r = argstr(a1, path, sizeof path)) < 0)
		return r;
	return fs_symlink(target, path);
}

long sys_readlink(SYSARGS)
{
	char path[MAXPATH], buf[MAXPATH];
	int r;
	if ((r = argstr(a0, path, sizeof path)) < 0)
		return r;
	if ((r = fs_readlink(path, buf, sizeof buf)) < 0)
		return r;
	r = min((u64)r, a2); /* readlink does not NUL-terminate */
	return copy_to_user(a1, buf, r) < 0 ? -EFAULT : r;
}

/* mounts(buf, n): the mount table as text, one line per mount. */
long sys_mounts(SYSARGS)
{
	char buf[NMOUNT * 96 + 1];
	int r = vfs_mounts(buf, sizeof buf);
	if (r < 0)
		return r;
	if ((u64)r + 1 > a1)
		return -ERANGE;
	return copy_to_user(a0, buf, r + 1) < 0 ? -EFAULT : r;
}
