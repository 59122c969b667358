/* blkdev.c: /dev/vda, the whole disk as one file; sync, fsync, diskstat.
 * Read and written at any offset through the buffer cache; writes are
 * written back later (bsync, the periodic flush, poweroff).
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"
#include "buf.h"
#include "syscall.h"

void blkdev_init(void)
{
	struct inode *ip;
	if (!disk_blocks)
		return;
	if (fs_create("/dev/vda", S_IFCHR, 0600, DEV_DISK, &ip, 1) < 0)
		return;
	/* Its size, for lseek(SEEK_END) and stat. */
	acquire(&fslock); /* a RAM inode: /dev is in RAM */
	ip->size = disk_blocks * BSIZE;
	release(&fslock);
	iput(ip);
}

/* Whole and partial blocks alike go through the cache: a partial write
 * reads the block first, a whole one does not. */
static long blkdev_rw(struct file *f, u64 uaddr, long n, int write)
{
	struct vmspace *vm = &myproc()->vm;
	u64 size = disk_blocks * BSIZE, off = f->off;
	long done = 0;
	if (write && disk_readonly)
		return -EROFS;
	while (done < n && off < size) {
		u64 o = off % BSIZE, m = BSIZE - o;
		if (m > (u64)(n - done))
			m = n - done;
		struct buf *b;
		/* a whole block overwritten need not be read first */
		int r = write && m == BSIZE ? bgetblk(off / BSIZE, &b) : bread(off / BSIZE, &b);
		if (r < 0)
			return done ? done : r;
		if (write) {
			r = copyin(vm, b->data + o, uaddr + done, m);
			/* A fault part-way changed some of the bytes: as a short
			 * write they go to the disk, unless the block was never
			 * read (bgetblk), when what is there is not the block. */
			if (r >= 0 || (b->flags & B_VALID))
				bdirty(b);
		} else {
			r = copyout(vm, uaddr + done, b->data + o, m);
		}
		brelse(b);
		if (r < 0)
			return done ? done : -EFAULT;
		done += m;
		off += m;
		f->off = off;
	}
	/* At the end of the disk: reading gives end of file, writing no space. */
	if (write && n > 0 && !done)
		return -ENOSPC;
	return done;
}

long blkdev_read(struct file *f, u64 udst, long n) { return blkdev_rw(f, udst, n, 0); }
long blkdev_write(struct file *f, u64 usrc, long n) { return blkdev_rw(f, usrc, n, 1); }

/* sync(): every dirty block to the disk.  fsync(fd): the same for
 * /dev/vda (a block device's fsync writes its buffers); for a file, its
 * file system's fsync (ext2: the dirty blocks; nothing for a file in
 * RAM); EINVAL for a pipe or the console. */
long sys_sync(SYSARGS) { return disk_blocks ? bsync() : 0; }

long sys_fsync(SYSARGS)
{
	struct file *f = (long)a0 >= 0 && a0 < NOFILE ? myproc()->ofile[a0] : NULL;
	if (!f)
		return -EBADF;
	if (f->type == FD_DEVICE && f->ip->major == DEV_DISK)
		return bsync();
	return f->type == FD_INODE ? fs_fsync(f->ip) : -EINVAL;
}

long sys_diskstat(SYSARGS)
{
	struct kdiskstat st = { 0 };
	disk_stat(&st);
	bio_stat(&st);
	if (copy_to_user(a0, &st, sizeof st) < 0)
		return -EFAULT;
	return 0;
}
