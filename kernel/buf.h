/* buf.h: the buffer cache's blocks (bio.c) and the disk driver's interface.
 * A buffer holds one BSIZE-byte block of the disk in one page of memory.
 */
#ifndef BUF_H
#define BUF_H

#include "kernel.h"
#include "proc.h"

/* One cache block is one page: a buffer's memory goes back to the page
 * allocator whole when the cache shrinks, and a request's data is one
 * physically contiguous piece for the device.  ext2 images are made with
 * this block size (make disk: mke2fs -b 4096). */
#define BSIZE 4096
#define BSECTORS (BSIZE / 512)

/* flags, protected by the cache's lock */
#define B_VALID 1 /* data holds the block (read, or written here) */
#define B_DIRTY 2 /* data is newer than the disk */
#define B_BUSY 4  /* owned: by a process between bread and brelse, or by
		   * a read-ahead or write-back request in flight */

struct buf {
	u64 blockno;
	u32 flags;
	int err;               /* the last request's result: 0 or -EIO */
	u64 refs;              /* holders and waiters; 64 bits never wrap */
	int io;                /* a request for it is in flight */
	int async;             /* its request's completion releases it */
	u64 dirtied;           /* tick it became dirty, for the periodic flush */
	struct buf *hnext;     /* hash chain */
	struct buf *prev, *next; /* LRU list: most recently used first */
	struct waitq wq;       /* "disk": waiting for the block (BUSY, io) */
	u8 *data;              /* BSIZE bytes, one page */
};

/* bio.c: the buffer cache */
void binit(void);
int bread(u64 blockno, struct buf **out); /* 0, -EIO, -ENOMEM; *out BUSY */
int bread_meta(u64 blockno, struct buf **out); /* the same, outside the read-ahead stream */
int bgetblk(u64 blockno, struct buf **out); /* the same, unread: to overwrite */
void bdirty(struct buf *b);               /* changed: write back later */
int bwrite(struct buf *b);                /* write now and wait */
void brelse(struct buf *b);
int bput(struct buf *b, int sync);        /* bwrite (sync) or bdirty, then brelse */
int bsync(void);                          /* write every dirty block, wait */
void bflush_tick(void);                   /* timer: start old dirty writes */
u64 bcache_shrink(u64 npages);            /* drop clean blocks: pages freed */
void bio_done(struct buf *b, int write, int err); /* from the driver */
struct kdiskstat;
void bio_stat(struct kdiskstat *st);
extern volatile u64 bcache_ndirty;

/* virtio_blk.c: the disk.  disk_start queues a request for b and returns
 * at once; its completion calls bio_done from the interrupt.  wait: may
 * sleep for ring space (a process), or else -EAGAIN when the ring is full. */
int disk_init(void);          /* probe the device tree's virtio slots */
int disk_start(struct buf *b, int write, int wait);
void disk_intr(void);         /* the completion interrupt, or a poll */
extern int disk_irq;          /* PLIC source, -1 without a disk */
extern u64 disk_blocks;       /* capacity in BSIZE blocks, 0 without one */
extern int disk_readonly;
struct kdiskstat;
void disk_stat(struct kdiskstat *st);

/* blkdev.c: /dev/vda, the whole disk as a file through the cache */
void blkdev_init(void);
long blkdev_read(struct file *f, u64 udst, long n);
long blkdev_write(struct file *f, u64 usrc, long n);

/* ext2.c */
int ext2_check(void); /* read and validate the superblock, say what it is */

#endif
