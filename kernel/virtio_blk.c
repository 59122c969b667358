/* virtio_blk.c: the virtio 1.x block device on the virtio-mmio transport.
 * One split virtqueue, many requests in flight; completions by interrupt.
 */
#include "kernel.h"
#include "proc.h"
#include "buf.h"
#include "virtio.h"
#include "trace.h"

/* Descriptors in the queue.  A request is a chain of three (header, data,
 * status), so QSIZE / 3 requests can be in flight at once. */
#define QSIZE 64
#define NOHEAD 0xffff

int disk_irq = -1;
u64 disk_blocks;
int disk_readonly;

static struct {
	volatile u8 *regs;
	struct vring_desc *desc;   /* QSIZE descriptors */
	struct vring_avail *avail; /* driver -> device */
	struct vring_used *used;   /* device -> driver */
	u16 used_seen;             /* used->idx as far as we have processed */
	u16 free_head, nfree;      /* free descriptors, chained through next */
	/* Per request, indexed by the head of its chain: the header the
	 * device reads, the status byte it writes, the buffer it is for. */
	struct virtio_blk_req *hdr;
	volatile u8 *status;
	struct buf *buf[QSIZE];
	int write[QSIZE];
	/* For the trace: DISK_* and the process the request is for, by pid
	 * and name (it may be gone when a read-ahead completes). */
	int how[QSIZE];
	int pid[QSIZE];
	char name[QSIZE][PROC_NAME_LEN];
	int inflight;
	struct kdiskstat st;
	/* The lock orders submissions against completions, which may run on
	 * any hart; ringq holds processes waiting for free descriptors. */
	struct spinlock lock;
	struct waitq ringq;
} vd = { .lock = SPINLOCK_INIT("disk"), .ringq = WAITQ_INIT("disk") };

static inline u32 rd(int off) { return *(volatile u32 *)(vd.regs + off); }
static inline void wr(int off, u32 v) { *(volatile u32 *)(vd.regs + off) = v; }

/* Bring up the block device behind regs: the initialisation sequence of
 * virtio 1.x section 3.1.1.  Returns 0, or a negative errno with a message. */
static int setup(u64 base, int irq)
{
	vd.regs = P2V(base);
	if (rd(VIRTIO_MMIO_VERSION) != 2) {
		kprintf("virtio-blk: legacy device at %p ignored (QEMU: -global virtio-mmio.force-legacy=false)\n",
			(void *)base);
		return -ENODEV;
	}
	wr(VIRTIO_MMIO_STATUS, 0); /* reset */
	while (rd(VIRTIO_MMIO_STATUS) != 0)
		;
	u32 status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	wr(VIRTIO_MMIO_STATUS, status);

	/* Features: accept only VERSION_1 (the non-legacy interface).  The
	 * device says read-only in RO; we take note, without accepting
	 * anything that would change the request format. */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	u32 lo = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	u32 hi = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	if (!(hi & (1u << (VIRTIO_F_VERSION_1 - 32)))) {
		wr(VIRTIO_MMIO_STATUS, status | VIRTIO_STATUS_FAILED);
		kprintf("virtio-blk: device does not offer VERSION_1\n");
		return -ENODEV;
	}
	disk_readonly = (lo >> VIRTIO_BLK_F_RO) & 1;
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, disk_readonly ? 1u << VIRTIO_BLK_F_RO : 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	status |= VIRTIO_STATUS_FEATURES_OK;
	wr(VIRTIO_MMIO_STATUS, status);
	if (!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		wr(VIRTIO_MMIO_STATUS, status | VIRTIO_STATUS_FAILED);
		kprintf("virtio-blk: device refused our features\n");
		return -ENODEV;
	}

	/* Queue 0.  One page holds the three parts at their alignments
	 * (descriptors 16 bytes, available 2, used 4); a second page the
	 * request headers and status bytes. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	u32 max = rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (rd(VIRTIO_MMIO_QUEUE_READY) || max < QSIZE) {
		wr(VIRTIO_MMIO_STATUS, status | VIRTIO_STATUS_FAILED);
		kprintf("virtio-blk: queue 0 unusable (max %d)\n", (int)max);
		return -ENODEV;
	}
	u8 *ring = kalloc(), *reqs = kalloc();
	if (!ring || !reqs)
		panic("virtio-blk: no memory at boot");
	_Static_assert(QSIZE * sizeof(struct vring_desc) <= 1024, "descriptors fit");
	_Static_assert(6 + 2 * QSIZE <= 1024 && 6 + 8 * QSIZE <= 2048, "rings fit");
	_Static_assert(QSIZE * (sizeof(struct virtio_blk_req) + 1) <= PGSIZE, "headers fit");
	vd.desc = (struct vring_desc *)ring;
	vd.avail = (struct vring_avail *)(ring + 1024);
	vd.used = (struct vring_used *)(ring + 2048);
	vd.hdr = (struct virtio_blk_req *)reqs;
	vd.status = reqs + QSIZE * sizeof(struct virtio_blk_req);
	for (int i = 0; i < QSIZE; i++)
		vd.desc[i].next = i + 1 < QSIZE ? i + 1 : NOHEAD;
	vd.free_head = 0;
	vd.nfree = QSIZE;
	wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	u64 d = V2P(vd.desc), a = V2P(vd.avail), u = V2P(vd.used);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)d);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, d >> 32);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)a);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, a >> 32);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)u);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, u >> 32);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);

	/* Capacity: a 64-bit field read as two halves; the generation
	 * counter says whether the device changed it between the reads. */
	u64 sectors;
	u32 gen;
	do {
		gen = rd(VIRTIO_MMIO_CONFIG_GENERATION);
		sectors = rd(VIRTIO_MMIO_CONFIG) | (u64)rd(VIRTIO_MMIO_CONFIG + 4) << 32;
	} while (gen != rd(VIRTIO_MMIO_CONFIG_GENERATION));

	wr(VIRTIO_MMIO_STATUS, status | VIRTIO_STATUS_DRIVER_OK);
	disk_blocks = sectors / BSECTORS;
	disk_irq = irq;
	vd.st.blocks = disk_blocks;
	vd.st.block_size = BSIZE;
	kprintf("virtio-blk: /dev/vda at %p irq %d, %d MiB (%d blocks of %d)%s\n", (void *)base, irq,
		(int)(sectors >> 11), (int)disk_blocks, BSIZE, disk_readonly ? ", read-only" : "");
	return 0;
}

/* Find the block device among the device tree's virtio-mmio slots (QEMU
 * gives every slot a node; an empty one has DeviceID 0).  Before
 * arch_irq_cpu_init, so that every CPU takes its interrupt. */
int disk_init(void)
{
	for (int i = 0; i < bootinfo.nvirtio; i++) {
		volatile u32 *r = P2V(bootinfo.virtio_base[i]);
		if (r[0] != VIRTIO_MAGIC || r[VIRTIO_MMIO_DEVICE_ID / 4] != VIRTIO_DEV_BLOCK)
			continue;
		if (setup(bootinfo.virtio_base[i], bootinfo.virtio_irq[i]) < 0)
			continue;
		arch_irq_enable(disk_irq);
		return 0;
	}
	return -ENODEV; /* no disk: nothing to say, the boot is as before */
}

/* A free descriptor, off the free chain.  vd.lock held, nfree > 0. */
static u16 desc_alloc(void)
{
	u16 i = vd.free_head;
	vd.free_head = vd.desc[i].next;
	vd.nfree--;
	return i;
}

/* Give back the chain starting at head.  vd.lock held. */
static void chain_free(u16 head)
{
	for (u16 i = head;;) {
		u16 flags = vd.desc[i].flags, next = vd.desc[i].next;
		vd.desc[i].next = vd.free_head;
		vd.free_head = i;
		vd.nfree++;
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		i = next;
	}
}

int disk_start(struct buf *b, int write, int wait)
{
	if (disk_irq < 0)
		return -ENXIO;
	/* Refused before it reaches the device: a block past the end, or a
	 * write to a read-only disk. */
	if (b->blockno >= disk_blocks)
		return -EIO;
	if (write && disk_readonly)
		return -EROFS;
	acquire(&vd.lock);
	while (vd.nfree < 3) {
		if (!wait) {
			release(&vd.lock);
			return -EAGAIN;
		}
		vd.st.ring_waits++;
		if (can_sleep()) {
			sleep(&vd.ringq, &vd.lock);
		} else { /* at boot: no process to sleep, poll for completions */
			release(&vd.lock);
			disk_intr();
			acquire(&vd.lock);
		}
	}
	u16 h = desc_alloc(), dd = desc_alloc(), s = desc_alloc();
	vd.hdr[h] = (struct virtio_blk_req){ write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 0, b->blockno * BSECTORS };
	vd.status[h] = 0xff; /* the device overwrites it */
	vd.desc[h] = (struct vring_desc){ V2P(&vd.hdr[h]), sizeof(struct virtio_blk_req), VRING_DESC_F_NEXT, dd };
	vd.desc[dd] = (struct vring_desc){ V2P(b->data), BSIZE,
					   VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE), s };
	vd.desc[s] = (struct vring_desc){ V2P(&vd.status[h]), 1, VRING_DESC_F_WRITE, 0 };
	vd.buf[h] = b;
	vd.write[h] = write;
	/* For the trace, whose request: the running process's, except for a
	 * write nobody waits for, which is the periodic flush's, started from
	 * the timer interrupt of whichever process was running. */
	struct proc *by = write && b->async ? NULL : myproc();
	vd.how[h] = (write ? DISK_WRITE : 0) | (b->async ? DISK_ASYNC : 0);
	vd.pid[h] = by ? by->pid : 0;
	vd.name[h][0] = 0;
	if (TRACE_ON(TR_RECORD)) {
		strlcpy(vd.name[h], by ? by->name : "kernel", PROC_NAME_LEN);
		trace_disk(EV_DISKREQ, b->blockno, 1, vd.how[h], vd.pid[h], vd.name[h]);
	}
	vd.avail->ring[vd.avail->idx % QSIZE] = h;
	/* The device must see the chain before the index that publishes it,
	 * and the index before the notification. */
	__sync_synchronize();
	vd.avail->idx++;
	__sync_synchronize();
	if (++vd.inflight > (int)vd.st.inflight_max)
		vd.st.inflight_max = vd.inflight;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	release(&vd.lock);
	return 0;
}

/* Completions: every chain the device has put on the used ring since we
 * last looked.  Called from the interrupt, on whichever hart the PLIC
 * chose, and at boot (no process to sleep yet) as a poll.  bio_done runs
 * with vd.lock released: it takes the cache's lock and wakes sleepers. */
void disk_intr(void)
{
	for (;;) {
		struct buf *done[8];
		int err[8], write[8], n = 0;
		acquire(&vd.lock);
		u32 isr = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
		if (isr)
			wr(VIRTIO_MMIO_INTERRUPT_ACK, isr);
		__sync_synchronize(); /* read used->idx after the ack */
		while (n < 8 && vd.used_seen != *(volatile u16 *)&vd.used->idx) {
			__sync_synchronize(); /* the entry after the index */
			u32 h = vd.used->ring[vd.used_seen % QSIZE].id;
			vd.used_seen++;
			if (h >= QSIZE || !vd.buf[h]) {
				kprintf("virtio-blk: device returned unknown chain %d\n", (int)h);
				continue;
			}
			err[n] = vd.status[h] == VIRTIO_BLK_S_OK ? 0 : -EIO;
			vd.st.errors += err[n] != 0;
			write[n] = vd.write[h];
			*(write[n] ? &vd.st.writes : &vd.st.reads) += 1;
			/* (a request made before recording started: no name) */
			trace_disk(EV_DISKDONE, vd.buf[h]->blockno, err[n], vd.how[h], vd.pid[h], vd.name[h]);
			done[n++] = vd.buf[h];
			vd.buf[h] = NULL;
			vd.inflight--;
			chain_free(h);
		}
		if (n)
			wakeup(&vd.ringq);
		release(&vd.lock);
		for (int i = 0; i < n; i++)
			bio_done(done[i], write[i], err[i]);
		if (n < 8)
			return;
	}
}

void disk_stat(struct kdiskstat *st)
{
	acquire(&vd.lock);
	*st = vd.st;
	release(&vd.lock);
}
