/* file.c: the open-file table and per-process descriptors.
 * A descriptor indexes the process's ofile[]; entries there are shared
 * struct files (offset, flags, reference count) so fork and dup share
 * offsets as Unix does.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"

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

struct file *filedup(struct file *f)
{
	if (!f)
		return NULL;
	acquire(&filelock);
	if (f->refs < 1)
		panic("filedup: free file");
	f->refs++;
	release(&filelock);
	return f;
}

void fileclose(struct file *f)
{
	acquire(&filelock);
	if (f->refs < 1)
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
	for (int fd = 0; fd < NOFILE; fd++) {
		if (!p->ofile[fd]) {
			p->ofile[fd] = f;
			return fd;
		}
	}
	return -EMFILE;
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

long fileread(struct file *f, u64 udst, long n)
{
	if (!f->readable)
		return -EBADF;
	if (n < 0)
		return -EINVAL;
	/* Reading nothing returns 0 at once, as POSIX says: an empty pipe or
	 * the console would otherwise block waiting for data it won't take. */
	if (n == 0)
		return 0;
	switch (f->type) {
	case FD_PIPE:
		return piperead(f->pipe, udst, n);
	case FD_DEVICE:
		return devsw[f->ip->major].read(udst, n);
	case FD_INODE: {
		if (f->ip->type == S_IFDIR)
			return -EISDIR;
		acquire(&fslock);
		long r = readi(f->ip, 1, udst, f->off, n);
		if (r > 0)
			f->off += r;
		release(&fslock);
		return r;
	}
	}
	return -EBADF;
}

long filewrite(struct file *f, u64 usrc, long n)
{
	if (!f->writable)
		return -EBADF;
	if (n < 0)
		return -EINVAL;
	switch (f->type) {
	case FD_PIPE:
		return pipewrite(f->pipe, usrc, n, 0);
	case FD_DEVICE:
		return devsw[f->ip->major].write(usrc, n);
	case FD_INODE: {
		acquire(&fslock);
		if (f->flags & O_APPEND)
			f->off = f->ip->size;
		long r = writei(f->ip, 1, usrc, f->off, n);
		if (r > 0)
			f->off += r;
		release(&fslock);
		return r;
	}
	}
	return -EBADF;
}

/* Write kernel bytes to a file: strace output. */
long filewrite_kernel(struct file *f, const char *buf, long n)
{
	switch (f->type) {
	case FD_PIPE:
		return pipewrite(f->pipe, (u64)buf, n, 1);
	case FD_DEVICE:
		if (f->ip->major == DEV_CONSOLE)
			kprintf("%s", buf);
		return n;
	case FD_INODE: {
		acquire(&fslock);
		if (f->flags & O_APPEND)
			f->off = f->ip->size;
		long r = writei(f->ip, 0, (u64)buf, f->off, n);
		if (r > 0)
			f->off += r;
		release(&fslock);
		return r;
	}
	}
	return -EBADF;
}
