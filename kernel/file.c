/* file.c: the open-file table and per-process descriptors.
 * A descriptor indexes the process's ofile[]; entries there are shared
 * struct files (offset, flags, reference count) so fork and dup share
 * offsets as Unix does.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"
#include "buf.h"

static struct spinlock filelock = SPINLOCK_INIT("file");

static long null_read(u64 udst, long n)
{
	(void)udst;
	(void)n;
	return 0;
}
static long null_write(u64 usrc, long n)
{
	(void)usrc;
	return n;
}

const struct devsw devsw[NDEV] = {
	[DEV_CONSOLE] = { console_read, console_write_user },
	[DEV_NULL] = { null_read, null_write },
};

struct file *filealloc(void)
{
	struct file *f = kzalloc(sizeof *f);
	if (f)
		f->refs = 1;
	return f;
}

/* Another reference to f: NULL if its count is full (REFS_MAX; dup,
 * dup2 and fork all raise it, so the caller fails the call instead). */
struct file *filedup(struct file *f)
{
	if (!f)
		return NULL;
	acquire(&filelock);
	if (f->refs == 0)
		panic("filedup: free file");
	int r = ref_get(&f->refs);
	release(&filelock);
	return r < 0 ? NULL : f;
}

void fileclose(struct file *f)
{
	acquire(&filelock);
	if (f->refs == 0)
		panic("fileclose: free file");
	if (--f->refs > 0) {
		release(&filelock);
		return;
	}
	release(&filelock);
	if (f->type == FD_PIPE)
		pipeclose(f->pipe, f->writable);
	else if (f->ip)
		iput(f->ip);
	kmfree(f);
}

/* Lowest free descriptor for f in the current process. */
int fdalloc(struct file *f)
{
	struct proc *p = myproc();
	int locked = p->nthreads_all > 1, r = -EMFILE; /* threads: sysfile.c's fdget */
	if (locked)
		acquire(&p->fdlock);
	for (int fd = 0; fd < NOFILE; fd++) {
		if (!p->ofile[fd]) {
			p->ofile[fd] = f;
			r = fd;
			break;
		}
	}
	if (locked)
		release(&p->fdlock);
	return r;
}

struct file *console_open(void)
{
	struct inode *ip = namei("/dev/console");
	struct file *f = filealloc();
	if (!f) {
		iput(ip);
		return NULL;
	}
	f->type = FD_DEVICE;
	f->ip = ip;
	f->readable = f->writable = 1;
	f->flags = O_RDWR;
	return f;
}

/* Read or write an inode at the file's offset (fslock orders it against
 * every other use of the file system). */
static __attribute__((noinline)) long file_rw_inode(struct file *f, int user, u64 addr, long n, int write)
{
	acquire(&fslock);
	long r;
	if (write) {
		if (f->flags & O_APPEND)
			f->off = f->ip->size;
		r = writei(f->ip, user, addr, f->off, n);
	} else {
		r = readi(f->ip, user, addr, f->off, n);
	}
	if (r > 0)
		f->off += r;
	release(&fslock);
	return r;
}

/* fileread and filewrite check and choose: every case is a tail call, so
 * a read of a pipe costs a few checks and a jump here.
 *
 * The buffer is checked here, once, for every kind of file: [udst,
 * udst+n) must lie wholly in user space.  The handlers below copy with
 * __copy_to_user/__copy_from_user, which trust that check; a handler that
 * never touches the buffer (/dev/null) must not become a way to hand the
 * kernel a pointer into itself unnoticed.  Whether the pages are mapped is
 * found out by the copy (-EFAULT then), as on Linux: /dev/null, which
 * copies nothing, accepts an unmapped user buffer. */
long fileread(struct file *f, u64 udst, long n)
{
	if (!f->readable)
		return -EBADF;
	if (n < 0)
		return -EINVAL;
	if (unlikely(!user_range(udst, n)))
		return -EFAULT;
	/* Reading nothing returns 0 at once, as POSIX says: an empty pipe or
	 * the console would otherwise block waiting for data it won't take. */
	if (n == 0)
		return 0;
	switch (f->type) {
	case FD_PIPE:
		return piperead(f->pipe, udst, n);
	case FD_DEVICE:
		if (f->ip->major == DEV_DISK)
			return blkdev_read(f, udst, n);
		return devsw[f->ip->major].read(udst, n);
	case FD_INODE:
		if (f->ip->type == S_IFDIR)
			return -EISDIR;
		return file_rw_inode(f, 1, udst, n, 0);
	}
	return -EBADF;
}

long filewrite(struct file *f, u64 usrc, long n)
{
	if (!f->writable)
		return -EBADF;
	if (n < 0)
		return -EINVAL;
	if (unlikely(!user_range(usrc, n)))
		return -EFAULT;
	switch (f->type) {
	case FD_PIPE:
		return pipewrite(f->pipe, usrc, n, 0);
	case FD_DEVICE:
		if (f->ip->major == DEV_DISK)
			return blkdev_write(f, usrc, n);
		return devsw[f->ip->major].write(usrc, n);
	case FD_INODE:
		return file_rw_inode(f, 1, usrc, n, 1);
	}
	return -EBADF;
}

/* Write kernel bytes to a file: strace output. */
long filewrite_kernel(struct file *f, const char *buf, long n)
{
	if (!f->writable)
		return -EBADF; /* strace() refuses such a file: never write one */
	switch (f->type) {
	case FD_PIPE:
		return pipewrite(f->pipe, (u64)buf, n, 1);
	case FD_DEVICE:
		if (f->ip->major == DEV_CONSOLE)
			kprintf("%s", buf);
		return n;
	case FD_INODE:
		return file_rw_inode(f, 0, (u64)buf, n, 1);
	}
	return -EBADF;
}
