/* bio.c: the buffer cache: disk blocks kept in memory, found by a hash.
 * LRU replacement; it grows into free memory and gives pages back when
 * memory is short; dirty blocks are written back by bsync, by a periodic
 * flush and at poweroff; sequential reads start the next blocks early.
 */
#include "kernel.h"
#include "proc.h"
#include "buf.h"

#define NHASH 4096
#define NOBLOCK (~0UL)      /* a buffer holding no block, not hashed */
#define READAHEAD 8         /* blocks started after a sequential read */
#define BCACHE_MIN 16       /* buffers the cache may always have */
#define FLUSH_AGE_MS 5000   /* dirty this long: the periodic flush writes it */

/* One lock for the hash, the LRU list and every buffer's flags and
 * counts.  Held only for short sections, never across a request or a
 * copy to user memory: a buffer's owner holds B_BUSY instead, and others
 * sleep on the buffer's queue.  Lock order (docs/design.md): bc.lock,
 * then schedlock (wakeup), then the page allocator's (bcache_shrink frees
 * pages under it).  The disk's lock is never held with it: every
 * disk_start here comes after a release, and disk_intr lets go of its
 * lock before bio_done takes this one.  Nothing here calls kalloc with
 * bc.lock held: kalloc may call bcache_shrink. */
static struct {
	struct spinlock lock;
	struct buf *hash[NHASH];
	struct buf lru;    /* sentinel: lru.next most recent, lru.prev least */
	struct buf *spare; /* headers whose pages went back, for reuse */
	u64 nbuf;          /* buffers with a page */
	u64 reserve;       /* grow freely only while more pages than this are free */
	u64 last_read;     /* block of the last bread, for read-ahead */
	u64 ra_end;        /* blocks below it looked at by the last read-ahead */
	u64 last_flush;    /* uptime_ms of the last periodic flush */
	u64 hits, misses, readahead, shrunk;
} bc = { .lock = SPINLOCK_INIT("bcache") };

volatile u64 bcache_ndirty;

static inline struct buf **bucket(u64 blockno) { return &bc.hash[blockno % NHASH]; }

static struct buf *lookup(u64 blockno)
{
	struct buf *b = *bucket(blockno);
	while (b && b->blockno != blockno)
		b = b->hnext;
	return b;
}

static void unhash(struct buf *b)
{
	if (b->blockno == NOBLOCK)
		return;
	struct buf **pp = bucket(b->blockno);
	while (*pp != b)
		pp = &(*pp)->hnext;
	*pp = b->hnext;
	b->blockno = NOBLOCK;
}

static void lru_unlink(struct buf *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
}

static void lru_front(struct buf *b)
{
	lru_unlink(b);
	b->next = bc.lru.next;
	b->prev = &bc.lru;
	bc.lru.next->prev = b;
	bc.lru.next = b;
}

void binit(void)
{
	bc.lru.next = bc.lru.prev = &bc.lru;
	/* Leave an eighth of memory (at least 2 MiB) to everything else
	 * before the cache recycles its own buffers instead of growing. */
	bc.reserve = ktotalpages() / 8;
	if (bc.reserve < 512)
		bc.reserve = 512;
	bc.last_read = NOBLOCK - 1;
}

/* Sleep until cond is false.  bc.lock held.  At boot there is no process
 * to sleep and nothing else that could complete a request: poll. */
#define WAIT_WHILE(b, cond)                                 \
	while (cond) {                                      \
		if (can_sleep()) {                          \
			sleep(&(b)->wq, &bc.lock);          \
		} else {                                    \
			release(&bc.lock);                  \
			disk_intr();                        \
			acquire(&bc.lock);                  \
		}                                           \
	}

/* Let go of b: not owned any more, one reference fewer.  bc.lock held. */
static void put_locked(struct buf *b)
{
	b->flags &= ~B_BUSY;
	b->refs--;
	wakeup(&b->wq);
}

/* One more buffer: a fresh page, at the LRU's cold end holding no block,
 * so the caller's next search takes it.  bc.lock held, dropped meanwhile.
 * 0 if memory is out. */
static int grow(void)
{
	release(&bc.lock);
	u8 *page = kalloc_nozero();
	acquire(&bc.lock);
	if (!page)
		return 0;
	struct buf *b = bc.spare;
	if (b) {
		bc.spare = b->hnext;
	} else {
		release(&bc.lock);
		b = kzalloc(sizeof *b);
		acquire(&bc.lock);
		if (!b) {
			release(&bc.lock);
			kfree(page);
			acquire(&bc.lock);
			return 0;
		}
	}
	memset(b, 0, sizeof *b);
	b->data = page;
	b->blockno = NOBLOCK;
	b->wq.name = "disk";
	b->next = &bc.lru;
	b->prev = bc.lru.prev;
	bc.lru.prev->next = b;
	bc.lru.prev = b;
	bc.nbuf++;
	return 1;
}

/* The least recently used buffer nobody holds, clean (dirty: 1, with
 * dirty ones allowed), or NULL.  bc.lock held. */
static struct buf *victim(int dirty)
{
	for (struct buf *b = bc.lru.prev; b != &bc.lru; b = b->prev)
		if (!b->refs && !(b->flags & B_BUSY) && (dirty || !(b->flags & B_DIRTY)))
			return b;
	return NULL;
}

/* The buffer for blockno with one more reference, not yet owned; bc.lock
 * held (dropped meanwhile).  NULL with *err = -ENOMEM or -EIO if none can
 * be had.  readahead: never sleep, never write back, and NULL with *err
 * = 0 if the block is cached already. */
static struct buf *bget(u64 blockno, int readahead, int *err)
{
	int grew = 0, writebacks = 0;
	*err = 0;
	for (;;) {
		struct buf *b = lookup(blockno);
		if (b) {
			if (readahead)
				return NULL;
			b->refs++;
			bc.hits++;
			return b;
		}
		/* Grow while memory is plentiful; else recycle the least
		 * recently used clean block; else try to grow after all; else
		 * write a dirty one back and recycle it. */
		if (!grew && (bc.nbuf < BCACHE_MIN || kfreepages() > bc.reserve)) {
			grew = 1;
			grow();
			continue;
		}
		if ((b = victim(0))) {
			unhash(b);
			b->blockno = blockno;
			b->hnext = *bucket(blockno);
			*bucket(blockno) = b;
			b->flags = 0;
			b->err = 0;
			b->refs = 1;
			if (!readahead)
				bc.misses++;
			return b;
		}
		if (!grew) {
			grew = 1;
			grow();
			continue;
		}
		if (readahead || !(b = victim(1)) || writebacks++ >= 4) {
			*err = b && !readahead ? -EIO : -ENOMEM;
			return NULL;
		}
		b->flags |= B_BUSY;
		b->refs++;
		b->io = 1;
		release(&bc.lock);
		int r = disk_start(b, 1, 1);
		acquire(&bc.lock);
		if (r < 0)
			b->io = 0;
		WAIT_WHILE(b, b->io);
		put_locked(b);
	}
}

/* Start reading blocks from..from+READAHEAD-1 that are not cached, each
 * owned by its request until it completes.  Gives up at the first block
 * that would need a wait: read-ahead must never slow the reader down.
 * bc.lock held (let go to start a request, and by bget to grow).  Blocks
 * below ra_end were looked at by the last call (cached or started then),
 * so a sequential reader's call looks at one block, the window's new
 * end, not eight: one that has left the cache since is read when its
 * turn comes. */
static void readahead(u64 from)
{
	u64 end = min(from + READAHEAD, disk_blocks);
	u64 n = bc.ra_end > from && bc.ra_end <= end ? bc.ra_end : from;
	for (; n < end; n++) {
		int err;
		struct buf *b = bget(n, 1, &err);
		if (!b) {
			if (err)
				break;
			continue;
		}
		b->flags |= B_BUSY;
		b->io = 1;
		b->async = 1;
		bc.readahead++;
		release(&bc.lock);
		int r = disk_start(b, 0, 0);
		acquire(&bc.lock);
		if (r < 0) {
			b->io = b->async = 0;
			put_locked(b);
			break;
		}
	}
	bc.ra_end = n; /* where to go on: a block that failed is tried again */
}

/* 0 if there is a disk and blockno is on it: -ENXIO without a disk, -EIO
 * past its end (a caller's bad block number, refused before any request). */
static int block_ok(u64 blockno)
{
	if (!disk_blocks)
		return -ENXIO;
	return blockno < disk_blocks ? 0 : -EIO;
}

/* The buffer for blockno, owned, without reading it: for a caller that
 * overwrites the whole block (then bdirty).  Its data is the block's if
 * it was cached, else anything. */
int bgetblk(u64 blockno, struct buf **out)
{
	int err = block_ok(blockno);
	if (err < 0)
		return err;
	acquire(&bc.lock);
	struct buf *b = bget(blockno, 0, &err);
	if (b) {
		WAIT_WHILE(b, b->flags & B_BUSY);
		b->flags |= B_BUSY;
		lru_front(b);
	}
	release(&bc.lock);
	*out = b;
	return b ? 0 : err;
}

/* stream: blockno continues the sequential read (last_read) that starts
 * read-ahead; 0 for a file system's metadata (an indirect block, an
 * inode), whose reads in the middle of a file's would break it. */
static int bread_stream(u64 blockno, struct buf **out, int stream)
{
	int err = block_ok(blockno);
	if (err < 0)
		return err;
	acquire(&bc.lock);
	struct buf *b = bget(blockno, 0, &err);
	if (!b) {
		release(&bc.lock);
		return err;
	}
	/* Two readers of one block share one request: the second sleeps
	 * here until the first has it. */
	WAIT_WHILE(b, b->flags & B_BUSY);
	b->flags |= B_BUSY;
	lru_front(b);
	int sequential = stream && blockno == bc.last_read + 1;
	if (stream)
		bc.last_read = blockno;
	if (!(b->flags & B_VALID)) {
		b->io = 1;
		release(&bc.lock);
		err = disk_start(b, 0, 1);
		acquire(&bc.lock);
		if (err)
			b->io = 0;
	}
	/* Our own request goes first; the read-ahead joins it in flight. */
	if (sequential)
		readahead(blockno + 1);
	WAIT_WHILE(b, b->io);
	if (!err && !(b->flags & B_VALID))
		err = b->err ? b->err : -EIO;
	if (err) {
		put_locked(b);
		release(&bc.lock);
		return err;
	}
	release(&bc.lock);
	*out = b;
	return 0;
}

int bread(u64 blockno, struct buf **out) { return bread_stream(blockno, out, 1); }
int bread_meta(u64 blockno, struct buf **out) { return bread_stream(blockno, out, 0); }

void bdirty(struct buf *b)
{
	acquire(&bc.lock);
	if (!(b->flags & B_DIRTY)) {
		b->flags |= B_DIRTY;
		b->dirtied = uptime_ms();
		bcache_ndirty++;
	}
	b->flags |= B_VALID;
	release(&bc.lock);
}

int bwrite(struct buf *b)
{
	bdirty(b);
	acquire(&bc.lock);
	b->io = 1;
	release(&bc.lock);
	int err = disk_start(b, 1, 1);
	acquire(&bc.lock);
	if (err)
		b->io = 0;
	WAIT_WHILE(b, b->io);
	if (!err)
		err = b->err;
	release(&bc.lock);
	return err;
}

/* Give back a buffer the caller changed: written now and waited for
 * (sync: an ordering the file system depends on, the result is the
 * write's) or only marked dirty for the flush; 0 then. */
int bput(struct buf *b, int sync)
{
	int r = 0;
	if (sync)
		r = bwrite(b);
	else
		bdirty(b);
	brelse(b);
	return r;
}

void brelse(struct buf *b)
{
	acquire(&bc.lock);
	put_locked(b);
	release(&bc.lock);
}

/* A request for b is over (the driver's completion, any hart). */
void bio_done(struct buf *b, int write, int err)
{
	acquire(&bc.lock);
	b->io = 0;
	b->err = err;
	if (write && !err && (b->flags & B_DIRTY)) {
		b->flags &= ~B_DIRTY;
		bcache_ndirty--;
	} else if (!write) {
		b->flags = err ? b->flags & ~B_VALID : b->flags | B_VALID;
	}
	if (err)
		kprintf("disk: %s of block %d failed\n", write ? "write" : "read", (int)b->blockno);
	if (b->async) {
		b->async = 0;
		put_locked(b);
	} else {
		wakeup(&b->wq);
	}
	release(&bc.lock);
}

/* Write every dirty block and wait for them, batch by batch (a batch's
 * requests are in flight together).  The device was not offered
 * VIRTIO_BLK_F_FLUSH, so it has no volatile write cache to flush: QEMU
 * then writes through, and a completed write is in the image file.  A block some process owns is
 * waited for, then written in a later pass.  -EIO if a write failed. */
int bsync(void)
{
	/* More than the ring holds: a sync keeps the device busy, and its
	 * submitter waits for ring space while the first requests complete. */
	enum { BATCH = 64 };
	while (bcache_ndirty) {
		struct buf *batch[BATCH], *held = NULL;
		int n = 0, err = 0;
		/* From the most recently used end, and only until every dirty
		 * block has been seen: ext2 syncs after each freeing of blocks
		 * (an unlink), and a walk of the whole cache, thousands of
		 * clean blocks, cost each unlink some 100,000 instructions. */
		u64 seen = 0;
		acquire(&bc.lock);
		for (struct buf *b = bc.lru.next; b != &bc.lru && n < BATCH && seen < bcache_ndirty; b = b->next) {
			if (!(b->flags & B_DIRTY))
				continue;
			seen++;
			if (b->flags & B_BUSY) {
				held = held ? held : b;
				continue;
			}
			b->flags |= B_BUSY;
			b->refs++;
			b->io = 1;
			batch[n++] = b;
		}
		if (!n) {
			if (held) {
				held->refs++;
				WAIT_WHILE(held, held->flags & B_BUSY);
				held->refs--;
			}
			release(&bc.lock);
			if (!held)
				return 0;
			continue;
		}
		release(&bc.lock);
		for (int i = 0; i < n; i++) {
			int r = disk_start(batch[i], 1, 1);
			if (r < 0) {
				acquire(&bc.lock);
				batch[i]->io = 0;
				release(&bc.lock);
				err = r;
			}
		}
		acquire(&bc.lock);
		for (int i = 0; i < n; i++) {
			WAIT_WHILE(batch[i], batch[i]->io);
			if (batch[i]->err)
				err = batch[i]->err;
			put_locked(batch[i]);
		}
		release(&bc.lock);
		if (err)
			return err;
	}
	return 0;
}

/* The periodic flush, from hart 0's timer interrupt when something is
 * dirty: start writing the blocks dirty for FLUSH_AGE_MS, without
 * waiting (the completions release them).  Stops when the ring is full;
 * the next tick goes on. */
void bflush_tick(void)
{
	u64 now = uptime_ms();
	if (now - bc.last_flush < FLUSH_AGE_MS / 5)
		return;
	bc.last_flush = now;
	acquire(&bc.lock);
	for (struct buf *b = bc.lru.prev; b != &bc.lru; b = b->prev) {
		/* A block whose last write failed waits for bsync: retrying it
		 * every second would only fill the console. */
		if ((b->flags & (B_DIRTY | B_BUSY)) != B_DIRTY || now - b->dirtied < FLUSH_AGE_MS || b->err)
			continue;
		b->flags |= B_BUSY;
		b->refs += 2; /* the request's, and this loop's: b stays listed */
		b->io = b->async = 1;
		release(&bc.lock);
		int r = disk_start(b, 1, 0);
		acquire(&bc.lock);
		b->refs--;
		if (r < 0) {
			b->io = b->async = 0;
			put_locked(b);
			break;
		}
	}
	release(&bc.lock);
}

/* bc.lock, or 0 after `spins` tries.  For bcache_shrink: kalloc may be
 * called with schedlock or slablock held, both of which a holder of
 * bc.lock may be waiting for (sleep, wakeup; kmalloc under schedlock), so
 * waiting without bound there could close a cycle.  bc.lock is held only
 * briefly, so a holder that does not let go within the bound is taken to
 * be part of such a cycle, and the allocation fails as it did before. */
static int acquire_bounded(struct spinlock *lk, u64 spins)
{
	while (spins--) {
		if (!lk->locked && !arch_swap_acquire(&lk->locked, 1)) {
			lk->cpu = arch_this_cpu();
			return 1;
		}
	}
	return 0;
}

/* Memory is short: give back up to npages pages of clean blocks nobody
 * holds, coldest first.  Returns the pages freed.  For kalloc's out-of-
 * memory path, whatever locks its caller holds. */
u64 bcache_shrink(u64 npages)
{
	u64 freed = 0;
	if (holding(&bc.lock) || holding(&schedlock) || !acquire_bounded(&bc.lock, 1UL << 22))
		return 0;
	for (struct buf *b = bc.lru.prev, *prev; b != &bc.lru && freed < npages; b = prev) {
		prev = b->prev;
		if (b->refs || (b->flags & (B_BUSY | B_DIRTY)))
			continue;
		unhash(b);
		lru_unlink(b);
		kfree(b->data);
		b->data = NULL;
		b->hnext = bc.spare;
		bc.spare = b;
		bc.nbuf--;
		freed++;
	}
	bc.shrunk += freed;
	release(&bc.lock);
	return freed;
}

/* About how many pages bcache_shrink could free now (held buffers are
 * few): for "is there plainly too little memory?" checks. */
u64 bcache_clean(void) { return bc.nbuf - bcache_ndirty; }
u64 bcache_pages(void) { return bc.nbuf; }

void bio_stat(struct kdiskstat *st)
{
	acquire(&bc.lock);
	st->hits = bc.hits;
	st->misses = bc.misses;
	st->readahead = bc.readahead;
	st->cached = bc.nbuf;
	st->dirty = bcache_ndirty;
	st->shrunk = bc.shrunk;
	release(&bc.lock);
}
