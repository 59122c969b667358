/* tlb.c: TLB shootdown: when a mapping of an address space is removed or
 * made stricter, every other hart running that space flushes its TLB.
 *
 * A hart's TLB caches page-table entries (and, with page-walk caches,
 * pointers to page tables) until that hart flushes it (tlb_flush:
 * sfence.vma on RISC-V); another hart's flush does not reach it.  Threads run one address space on
 * several harts at once, so after one of them unmaps a page, the others
 * could go on reading and writing it through stale entries, even after
 * the page was freed and handed to someone else.  So the hart that made
 * the change asks each other hart that runs the space (cpus[i].vm, kept
 * by vm_switch) to flush, with an inter-processor interrupt, and waits
 * until all have, before it frees anything.  Only those harts are
 * interrupted: one that left the space flushed its TLB when it switched
 * away (no ASIDs: every address-space switch comes with a full flush).  The record
 * is per hart, not a set of harts per space: one store on the switch
 * path instead of two atomic updates, and a scan of at most NCPU harts
 * on the (rarer) shootdown path.
 *
 * The kernel runs with interrupts off, so a hart in the kernel answers
 * only when it returns to user mode, idles, or spins: spin_wait polls
 * for requests (tlb_poll), and so does a hart waiting here.  Two harts
 * shooting at each other, or one waiting for a lock the other holds while
 * it shoots, therefore both get on.
 */
#include "kernel.h"
#include "proc.h"
#include "tlb.h"

/* Per hart: requests made of it (asked, raised by the requesters) and
 * the number it had seen when it last flushed (done, written by it only).
 * A request is answered once done reaches it: that flush began after the
 * hart read asked, so after the requester's page-table stores.  One cache
 * line each, so that the polling of one does not slow the others. */
static struct tlbreq {
	volatile u64 asked;
	volatile u64 done;
} __attribute__((aligned(64))) tlbq[NCPU];

volatile u64 tlb_ipis;

/* Answer the requests made of this hart: flush its TLB. */
void tlb_poll(void)
{
	struct tlbreq *q = &tlbq[mycpu()->id];
	u64 asked = __atomic_load_n(&q->asked, __ATOMIC_ACQUIRE);
	if (likely(asked == q->done))
		return;
	tlb_flush();
	__atomic_store_n(&q->done, asked, __ATOMIC_RELEASE);
}

static void shoot(struct vmspace *vm, u32 others);

void tlb_shootdown(struct vmspace *vm)
{
	struct cpu *c = mycpu();
	/* The page-table stores before the reads of c->vm: a hart that
	 * enters vm after these reads walks the new tables (vm_switch). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (c->vm == vm)
		tlb_flush();
	u32 others = 0;
	for (int id = 0; id < ncpu; id++)
		if (cpus[id].vm == vm && id != c->id)
			others |= 1u << id;
	if (unlikely(others))
		shoot(vm, others);
}

/* The IPIs, and the wait for the answers: a separate function, so that
 * the usual case above (one thread, one hart) saves no registers. */
static __attribute__((noinline)) void shoot(struct vmspace *vm, u32 others)
{
	u64 ticket[NCPU] = { 0 };
	u64 sent = 0;
	for (int id = 0; id < ncpu; id++) {
		if (!(others & (1u << id)))
			continue;
		ticket[id] = __atomic_add_fetch(&tlbq[id].asked, 1, __ATOMIC_SEQ_CST);
		arch_kick(cpus[id].hartid);
		sent++;
	}
	__atomic_fetch_add(&tlb_ipis, sent, __ATOMIC_RELAXED);
	/* Wait for each to flush, or to leave vm (it flushed on the way).
	 * Meanwhile answer what others ask of this hart. */
	for (int id = 0; id < ncpu; id++) {
		if (!(others & (1u << id)))
			continue;
		while (__atomic_load_n(&tlbq[id].done, __ATOMIC_ACQUIRE) < ticket[id] && cpus[id].vm == vm)
			tlb_poll();
	}
}
