/* vm.c: user address spaces: the image, the heap, the stack, mappings.
 * fork shares pages copy-on-write, and even the level-0 page tables that
 * map them; faults grow the stack, fill mappings and break the sharing;
 * copyin/copyout are the only way the kernel touches user memory.
 *
 *   USER_TOP    +--------------+
 *               | unmapped     |  one page
 *   USTACK_TOP  +--------------+
 *               | stack        |  grows down on faults, up to USTACK_MAX
 *               | guard page   |  never mapped: running off the stack faults
 *               +--------------+
 *               | unmapped     |  USTACK_MAX: never mapped either
 *   MMAP_TOP    +--------------+
 *               | mappings     |  mmap: regions (mmap.c), top down
 *   mmap_base() +--------------+  = heap_start + UHEAP_MAX
 *               | heap         |  sbrk: [heap_start, brk)
 *               | data, bss    |
 *               | text         |  read-only, executable
 *   0x10000     +--------------+
 *
 * Whenever an entry is removed or loses a permission, the page it held,
 * or a page table, is freed only after tlb_shootdown: other harts running
 * the same space (threads) may hold the entry in their TLBs.
 */
#include "kernel.h"
#include "proc.h"
#include "tlb.h"

int vm_create(struct vmspace *vm)
{
	memset(vm, 0, sizeof *vm);
	vm->lock.name = "vm";
	vm->pt = pagetable_new();
	if (!vm->pt)
		return -ENOMEM;
	vm->stack_low = USTACK_TOP;
	return 0;
}

int vm_map(struct vmspace *vm, u64 va, void *kva, u64 perm)
{
	int r = map_page(vm->pt, va, V2P(kva), perm | VM_U);
	if (r == 0)
		vm->pages++;
	return r;
}

/* Fork and teardown visit every page of an address space: they walk to
 * each level-0 table once (it maps LEAF_SPAN of addresses) and step
 * through its entries, and they take and drop page references BATCH at a
 * time, one acquisition of the allocator's lock each. */
#define LEAF_SPAN PT_SPAN(1)
#define BATCH 64

/* The end of the level-0 table's span that va is in, or end if sooner. */
static u64 leaf_stop(u64 va, u64 end) { return min(ALIGN_DOWN(va, LEAF_SPAN) + LEAF_SPAN, PGROUNDUP(end)); }

/* Pages whose references are dropped (kfree_many) BATCH at a time.  If
 * shoot is set, they were just unmapped from it: its harts' TLBs are
 * flushed before they go. */
struct batch {
	void *page[BATCH];
	int n;
	void (*flush)(void **pages, int n);
	struct vmspace *shoot;
};
/* Not "= { .flush = f }": that would zero all BATCH slots every time. */
#define BATCH_INIT(b, f) ((b).n = 0, (b).flush = (f), (b).shoot = NULL)
static inline void batch_flush(struct batch *b)
{
	if (b->shoot)
		tlb_shootdown(b->shoot);
	b->flush(b->page, b->n);
	b->n = 0;
}
static inline void batch_add(struct batch *b, void *page)
{
	b->page[b->n++] = page;
	if (b->n == BATCH)
		batch_flush(b);
}
static inline void batch_done(struct batch *b)
{
	if (b->n)
		batch_flush(b);
}

/* The user regions, so that fork and teardown visit only what is mapped
 * instead of scanning whole page tables: the image, the heap and the
 * stack, and mmap's regions (vm->vmas, sorted by address).  Every entry
 * that holds a page lies inside one of them. */
struct region {
	u64 lo, hi;
};
static void fixed_regions(struct vmspace *vm, struct region r[3])
{
	r[0] = (struct region){ 0, vm->text_end };
	r[1] = (struct region){ vm->heap_start, PGROUNDUP(vm->brk) };
	r[2] = (struct region){ vm->stack_low, USTACK_TOP };
}

/* Widen slots [*lo, *hi) of the table at base to cover [a, b). */
static inline void slots_add(u64 base, u64 a, u64 b, int *lo, int *hi)
{
	a = max(a, base);
	b = min(b, base + LEAF_SPAN);
	if (a >= b)
		return;
	*lo = min(*lo, (int)((a - base) >> PGSHIFT));
	*hi = max(*hi, (int)((PGROUNDUP(b) - base) >> PGSHIFT));
}

static __attribute__((noinline)) void span_slots_vmas(struct vmspace *vm, u64 base, int *lo, int *hi)
{
	for (struct vma *v = vm->vmas; v && v->lo < base + LEAF_SPAN; v = v->next)
		slots_add(base, v->lo, v->hi, lo, hi);
}

/* The slots [*lo, *hi) of the level-0 table covering va that can hold
 * mappings, i.e. those inside a region: fork, exit and unshare look at
 * those only, not at all PT_ENTRIES.  mmap's regions are sorted, so their walk
 * stops at the first one past the table. */
static void span_slots(struct vmspace *vm, u64 va, int *lo, int *hi)
{
	struct region r[3];
	fixed_regions(vm, r);
	u64 base = ALIGN_DOWN(va, LEAF_SPAN);
	*lo = PT_ENTRIES;
	*hi = 0;
	for (int i = 0; i < 3; i++)
		slots_add(base, r[i].lo, r[i].hi, lo, hi);
	if (unlikely(vm->vmas))
		span_slots_vmas(vm, base, lo, hi);
}

/* --- copy-on-write page tables ---
 *
 * fork does not copy the entries of each level-0 table: parent and
 * child point at the same table, whose page reference count says how many
 * address spaces share it.  The rules:
 *  - a shared table has no writable entry (fork turned them copy-on-write);
 *  - the pages a shared table maps hold one reference for the table, not
 *    one per address space;
 *  - before changing any entry, an address space makes the table its own
 *    (unshare): it copies the table and takes a reference on every page.
 * So fork and exit cost a few instructions per 2 MiB instead of per page.
 */

/* The level-1 entry that points at the level-0 table for va, or NULL. */
#define l1_entry pt_l1_entry

/* Take a reference on every page that slots [lo, hi) of table t map,
 * BATCH at a time (one lock round each), for a new table that maps them
 * too.  All or none: -ENOMEM, with no reference taken, if a page's count
 * is full (page_get). */
static int table_get_pages(pte_t *t, int lo, int hi)
{
	void *pg[BATCH];
	int n = 0, held = lo; /* slots [lo, held) hold their references */
	for (int i = lo; i < hi; i++) {
		if (pte_held(t[i]))
			pg[n++] = P2V(pte_pa(t[i]));
		if (n == BATCH || (i == hi - 1 && n > 0)) {
			if (page_get_many(pg, n) < 0)
				goto undo;
			n = 0;
			held = i + 1;
		}
	}
	return 0;
undo:
	/* Give back what was taken: never the last reference, the table
	 * being copied still holds one on each page. */
	n = 0;
	for (int i = lo; i < held; i++) {
		if (pte_held(t[i]))
			pg[n++] = P2V(pte_pa(t[i]));
		if (n == BATCH || (i == held - 1 && n > 0)) {
			kfree_many(pg, n);
			n = 0;
		}
	}
	return -ENOMEM;
}

/* Release every page a level-0 table maps, then the table itself. */
static void table_free(struct vmspace *vm, u64 va, pte_t *t)
{
	struct batch b;
	BATCH_INIT(b, kfree_many);
	int lo, hi;
	span_slots(vm, va, &lo, &hi);
	for (int i = lo; i < hi; i++) {
		if (!pte_held(t[i]))
			continue;
		batch_add(&b, P2V(pte_pa(t[i])));
		vm->pages--;
	}
	batch_done(&b);
	kfree(t);
}

/* Drop this address space's use of the level-0 table at *e (for va),
 * as it is torn down. */
static void table_put(struct vmspace *vm, u64 va, pte_t *e)
{
	pte_t *t = P2V(pte_pa(*e));
	*e = 0;
	if (page_unref(t))
		return; /* others still map it: their reference covers the pages */
	table_free(vm, va, t);
}

/* Make the level-0 table for va private to vm before an entry changes. */
static int unshare(struct vmspace *vm, u64 va)
{
	pte_t *e = l1_entry(vm->pt, va);
	if (!e || !pte_valid(*e))
		return 0;
	pte_t *t = P2V(pte_pa(*e));
	if (page_refs(t) == 1)
		return 0;
	pte_t *copy = kalloc_nozero();
	if (!copy)
		return -ENOMEM;
	memcpy(copy, t, PGSIZE);
	int lo, hi;
	span_slots(vm, va, &lo, &hi);
	if (table_get_pages(copy, lo, hi) < 0) {
		kfree(copy);
		return -ENOMEM;
	}
	*e = pte_table(V2P(copy));
	/* This space's other harts may have the old table in their walk
	 * caches; its owners free it without asking them. */
	tlb_shootdown(vm);
	if (!page_unref(t)) {
		/* The others let go meanwhile: ours was the last use. */
		u64 keep = vm->pages;
		table_free(vm, va, t);
		vm->pages = keep;
	}
	return 0;
}

static void free_empty_tables(struct vmspace *vm, u64 lo, u64 hi, struct batch *b);

/* Unmap [va, end), and free the page tables left empty.  -ENOMEM, with
 * nothing unmapped, if a shared page table could not be made private.
 * Nothing is freed before the TLBs that may hold it are flushed. */
int vm_unmap_range(struct vmspace *vm, u64 va, u64 end)
{
	struct batch b;
	BATCH_INIT(b, kfree_many);
	b.shoot = vm;
	va = PGROUNDDOWN(va);
	u64 start = va;
	for (u64 a = va; a < end; a = leaf_stop(a, end))
		if (unshare(vm, a) < 0)
			return -ENOMEM;
	while (va < end) {
		u64 stop = leaf_stop(va, end);
		pte_t *pte = walk(vm->pt, va, 0);
		for (; pte && va < stop; va += PGSIZE, pte++) {
			if (!pte_held(*pte))
				continue;
			batch_add(&b, P2V(pte_pa(*pte)));
			*pte = 0;
			vm->pages--;
		}
		va = stop;
	}
	free_empty_tables(vm, start, end, &b);
	batch_done(&b);
	return 0;
}

/* Give the pages over [va, end) the protection prot (mprotect; the
 * regions are mmap.c's business).  A page that becomes writable is made
 * copy-on-write unless it was writable already: it may be shared with a
 * fork, and its first write finds out (vm_fault).  -ENOMEM, with nothing
 * changed, if a shared page table could not be made private. */
int vm_protect_range(struct vmspace *vm, u64 va, u64 end, int prot)
{
	for (u64 a = va; a < end; a = leaf_stop(a, end))
		if (unshare(vm, a) < 0)
			return -ENOMEM;
	u64 perm = prot_vm(prot);
	int stricter = 0;
	while (va < end) {
		u64 stop = leaf_stop(va, end);
		pte_t *pte = walk(vm->pt, va, 0);
		for (; pte && va < stop; va += PGSIZE, pte++) {
			pte_t e = *pte, n;
			if (!pte_held(e))
				continue;
			u64 old = pte_perm(e);
			if (prot == PROT_NONE)
				n = pte_none(pte_pa(e));
			else
				n = pte_make(pte_pa(e), (perm & ~VM_W) | VM_U |
							(!(perm & VM_W) ? 0 : (old & VM_W) ? VM_W : VM_COW));
			stricter |= (old & (VM_R | VM_W | VM_X) & ~pte_perm(n)) != 0;
			*pte = n;
		}
		va = stop;
	}
	/* Wider only: a stale stricter entry elsewhere faults, and vm_fault
	 * finds the access allowed. */
	if (stricter)
		tlb_shootdown(vm);
	else
		tlb_flush();
	return 0;
}

/* Map fresh zeroed pages over [va, va+len). */
int vm_alloc_range(struct vmspace *vm, u64 va, u64 len, u64 perm)
{
	for (u64 a = PGROUNDDOWN(va); a < va + len; a += PGSIZE) {
		if ((a == PGROUNDDOWN(va) || a % LEAF_SPAN == 0) && unshare(vm, a) < 0)
			return -ENOMEM;
		pte_t *pte = walk(vm->pt, a, 0);
		if (pte && pte_valid(*pte))
			continue;
		void *page = kalloc();
		if (!page)
			return -ENOMEM;
		if (vm_map(vm, a, page, perm) < 0) {
			kfree(page);
			return -ENOMEM;
		}
	}
	return 0;
}

/* vm_destroy's work over one region at one level: the entries at that
 * level, each pointing at a table one level down.  Inline in the loop
 * over the three fixed regions, which every exit runs. */
static inline __attribute__((always_inline)) void destroy_region(struct vmspace *vm, int level, u64 lo, u64 hi)
{
	u64 span = PT_SPAN(level);
	for (u64 va = ALIGN_DOWN(lo, span); va < hi; va += span) {
		pte_t *e = level == 1 ? l1_entry(vm->pt, va) : pt_entry(vm->pt, va, level, 0);
		if (!e || !pte_valid(*e))
			continue;
		if (level == 1) {
			table_put(vm, va, e);
		} else {
			/* every table below is gone already: all zeros */
			kfree_zeroed(P2V(pte_pa(*e)));
			*e = 0;
		}
	}
}

static __attribute__((noinline)) void destroy_mappings(struct vmspace *vm, int level)
{
	for (struct vma *v = vm->vmas; v; v = v->next)
		destroy_region(vm, level, v->lo, v->hi);
}

/* Tear down an address space: drop each level-0 table (freeing its pages
 * if no one else shares it), then the tables above them, a level at a
 * time (two regions may share a table: each level is gone from every
 * region before the one above goes), then the root. */
void vm_destroy(struct vmspace *vm)
{
	if (!vm->pt)
		return;
	/* No hart runs vm any more (exit and exec left it first), so this
	 * interrupts no one; it is here for the rule's sake. */
	tlb_shootdown(vm);
	struct region r[3];
	fixed_regions(vm, r);
	for (int level = 1; level < PT_LEVELS; level++) {
		for (int i = 0; i < 3; i++)
			if (r[i].lo < r[i].hi)
				destroy_region(vm, level, r[i].lo, r[i].hi);
		if (vm->vmas)
			destroy_mappings(vm, level);
	}
	kfree(vm->pt);
	vm->pt = NULL;
	if (vm->vmas)
		mmap_free(vm);
}

/* Copy-on-write fork.  Writable pages become read-only + VM_COW in both
 * processes; the first write to one makes a private copy (vm_fault).
 * Read-only pages (text) are simply shared.  A level-0 table with many
 * pages is shared whole (see above); a sparse one is copied entry by
 * entry, which costs less than copying the table on the first write.
 * from->lock held (vm_lock): its other threads fault meanwhile. */
#define SHARE_MIN 64 /* pages in a table's span before fork shares it */

/* vm_fork's work over one region [lo_va, hi_va) of from.  Inline in the
 * loop over the three fixed regions, which every fork runs. */
static inline __attribute__((always_inline)) int fork_region(struct vmspace *to, struct vmspace *from, u64 lo_va, u64 hi_va)
{
	for (u64 va = ALIGN_DOWN(lo_va, LEAF_SPAN); va < hi_va; va += LEAF_SPAN) {
		pte_t *pe = l1_entry(from->pt, va);
		if (!pe || !pte_valid(*pe))
			continue;
		/* the child's level-1 entry (the tables above it are its own,
		 * made by the first region that needs them) */
		pte_t *ce = l1_entry(to->pt, va);
		if (!ce && !(ce = pt_entry(to->pt, va, 1, 1)))
			return -ENOMEM;
		if (pte_valid(*ce))
			continue; /* two regions in one 2 MiB: done already */
		pte_t *t = P2V(pte_pa(*pe));
		int lo, hi, shared = page_refs(t) > 1;
		span_slots(from, va, &lo, &hi);
		if (shared || hi - lo >= SHARE_MIN) {
			/* Share the table.  The first time, no entry may stay
			 * writable; a shared table has none already. */
			if (page_get(t) < 0)
				return -ENOMEM; /* shared by REFS_MAX address spaces */
			for (int k = lo; k < hi; k++)
				t[k] = pte_cow(t[k]);
			*ce = *pe;
			continue;
		}
		/* Copy the few entries into a table of the child's own. */
		pte_t *ct = kalloc();
		if (!ct)
			return -ENOMEM;
		*ce = pte_table(V2P(ct));
		void *pg[SHARE_MIN]; /* fewer than SHARE_MIN entries here */
		int npg = 0;
		for (int k = lo; k < hi; k++) {
			pte_t e = t[k];
			if (!pte_held(e))
				continue;
			t[k] = e = pte_cow(e);
			ct[k] = e;
			pg[npg++] = P2V(pte_pa(e));
		}
		/* Every page the child maps holds its reference before the
		 * child can be torn down: if a count is full, the child's
		 * table maps nothing (and vm_destroy frees it empty). */
		if (npg && page_get_many(pg, npg) < 0) {
			memset(ct, 0, PGSIZE);
			return -ENOMEM;
		}
	}
	return 0;
}

static __attribute__((noinline)) int fork_mappings(struct vmspace *to, struct vmspace *from)
{
	int r = 0;
	for (struct vma *v = from->vmas; v && r == 0; v = v->next)
		r = fork_region(to, from, v->lo, v->hi);
	return r;
}

int vm_fork(struct vmspace *to, struct vmspace *from)
{
	int r = vm_create(to);
	if (r < 0)
		return r;
	to->text_start = from->text_start;
	to->text_end = from->text_end;
	to->heap_start = from->heap_start;
	to->brk = from->brk;
	to->stack_low = from->stack_low;
	if (from->vmas)
		r = mmap_fork(to, from);
	struct region rg[3];
	fixed_regions(from, rg);
	for (int i = 0; i < 3 && r == 0; i++)
		r = fork_region(to, from, rg[i].lo, rg[i].hi);
	if (r == 0 && from->vmas)
		r = fork_mappings(to, from);
	/* The child maps every page the parent does (counted once, here,
	 * not entry by entry). */
	if (r == 0)
		to->pages = from->pages;
	/* The parent's entries lost their W bit: no hart running it may go on
	 * writing through a stale entry to a page the child now shares. */
	tlb_shootdown(from);
	if (r < 0)
		vm_destroy(to);
	return r;
}

static int in_stack(u64 va) { return va >= USTACK_TOP - USTACK_MAX && va < USTACK_TOP; }

/* Does a valid entry e already allow the access? */
static int pte_allows(pte_t e, int write, int exec)
{
	u64 perm = pte_perm(e);
	return (perm & VM_U) && (perm & (exec ? VM_X : write ? VM_W : VM_R));
}

/* A fresh zeroed page at va, mapped with perm. */
static int map_zeroed(struct vmspace *vm, u64 va, u64 perm)
{
	if (unshare(vm, va) < 0)
		return -ENOMEM;
	void *page = kalloc();
	if (!page)
		return -ENOMEM;
	if (vm_map(vm, va, page, perm) < 0) {
		kfree(page);
		return -ENOMEM;
	}
	return 0;
}

/* Resolve a fault at va: break copy-on-write sharing, fill a page of a
 * mapping, or grow the stack.  0 if the access may now be retried;
 * -EFAULT if it is a real fault (the caller kills the process); -EACCES
 * if the page is PROT_NONE; -ENOMEM if memory ran out; -ERANGE if the
 * stack would grow past the process's RLIMIT_AS.  The caller holds
 * vm->lock (vm_lock), or vm is not in use yet (exec's new image). */
int vm_fault(struct vmspace *vm, u64 va, int write, int exec)
{
	if (va >= USER_TOP)
		return -EFAULT;
	va = PGROUNDDOWN(va);
	pte_t *pte = walk(vm->pt, va, 0);
	if (pte && pte_valid(*pte)) {
		if (pte_allows(*pte, write, exec)) {
			/* Another thread resolved it first, or mprotect widened
			 * it: this hart's TLB still had the old entry. */
			tlb_flush();
			return 0;
		}
		if (!write || !(pte_perm(*pte) & VM_COW) || exec)
			return -EFAULT;
		if (unshare(vm, va) < 0)
			return -ENOMEM;
		pte = walk(vm->pt, va, 0);
		void *old = P2V(pte_pa(*pte));
		u64 perm = (pte_perm(*pte) & ~VM_COW) | VM_W;
		if (page_refs(old) == 1) {
			/* Last sharer: the page is ours, just make it writable. */
			*pte = pte_make(pte_pa(*pte), perm);
		} else {
			void *copy = kalloc_nozero();
			if (!copy)
				return -ENOMEM;
			memcpy(copy, old, PGSIZE);
			*pte = pte_make(V2P(copy), perm);
			/* Other threads must not keep reading the old page, which
			 * another process may be about to change (or free). */
			tlb_shootdown(vm);
			kfree(old);
		}
		tlb_flush();
		return 0;
	}
	struct vma *v = vma_find(vm, va);
	if (v) {
		/* A page of a mapping, touched for the first time: zeros. */
		if (v->prot == PROT_NONE)
			return -EACCES;
		u64 perm = prot_vm(v->prot);
		if (!(perm & (exec ? VM_X : write ? VM_W : VM_R)))
			return -EFAULT;
		return map_zeroed(vm, va, perm);
	}
	if (exec || !in_stack(va))
		return -EFAULT;
	/* Grow the stack down to va, within the process's RLIMIT_AS (a
	 * fault in the address space this hart runs on is its process's). */
	struct proc *p = myproc();
	if (p && vm == &p->vm && va < vm->stack_low && vm_size(vm) + (vm->stack_low - va) > p->lim_as.cur)
		return -ERANGE;
	if (map_zeroed(vm, va, VM_R | VM_W) < 0)
		return -ENOMEM;
	if (va < vm->stack_low)
		vm->stack_low = va;
	return 0;
}

/* The kernel address of user address va, faulting it in (COW break, stack
 * growth) as the hardware would; NULL if the access is not allowed. */
static void *uaddr(struct vmspace *vm, u64 va, int write)
{
	if (va >= USER_TOP)
		return NULL;
	for (int tries = 0; tries < 2; tries++) {
		pte_t *pte = walk(vm->pt, va, 0);
		if (pte && pte_valid(*pte) && pte_allows(*pte, write, 0))
			return (char *)P2V(pte_pa(*pte)) + (va & (PGSIZE - 1));
		if (vm_fault(vm, va, write, 0) < 0)
			return NULL;
	}
	return NULL;
}

/* The slow way, for an address space that is not the one this hart is
 * running on (exec builds the new image's stack before switching to it):
 * walk its page table and copy through the kernel's direct map. */
static __attribute__((noinline)) int copyin_walk(struct vmspace *vm, void *dst, u64 uva, size_t n)
{
	while (n > 0) {
		char *src = uaddr(vm, uva, 0);
		if (!src)
			return -EFAULT;
		size_t chunk = min(n, PGSIZE - (uva & (PGSIZE - 1)));
		memcpy(dst, src, chunk);
		dst = (char *)dst + chunk;
		uva += chunk;
		n -= chunk;
	}
	return 0;
}

static __attribute__((noinline)) int copyout_walk(struct vmspace *vm, u64 uva, const void *src, size_t n)
{
	while (n > 0) {
		char *dst = uaddr(vm, uva, 1);
		if (!dst)
			return -EFAULT;
		size_t chunk = min(n, PGSIZE - (uva & (PGSIZE - 1)));
		memcpy(dst, src, chunk);
		src = (const char *)src + chunk;
		uva += chunk;
		n -= chunk;
	}
	return 0;
}

static __attribute__((noinline)) int copyinstr_walk(struct vmspace *vm, char *dst, u64 uva, size_t max)
{
	size_t got = 0;
	while (got < max) {
		char *src = uaddr(vm, uva, 0);
		if (!src)
			return -EFAULT;
		size_t chunk = min(max - got, PGSIZE - (uva & (PGSIZE - 1)));
		for (size_t i = 0; i < chunk; i++) {
			dst[got] = src[i];
			if (src[i] == 0)
				return got;
			got++;
		}
		uva += chunk;
	}
	return -ENAMETOOLONG;
}

/* Nothing in t: no page, no PROT_NONE page, no lower table. */
static int table_empty(pagetable_t t)
{
	for (int i = 0; i < PT_ENTRIES; i++)
		if (t[i])
			return 0;
	return 1;
}

/* Free (into b, after the shootdown) the page-table pages over [lo, hi)
 * that no longer map anything.  vm_destroy frees only the tables under
 * the regions as they are at exit, so without this a heap that grew and
 * shrank (or failed to grow), or an unmapped mapping, would leave its
 * tables behind for good. */
static void free_empty_tables(struct vmspace *vm, u64 lo, u64 hi, struct batch *b)
{
	for (int level = 1; level < PT_LEVELS; level++) {
		u64 span = PT_SPAN(level);
		for (u64 va = ALIGN_DOWN(lo, span); va < hi; va += span) {
			pte_t *e = pt_entry(vm->pt, va, level, 0);
			if (e && pte_valid(*e) && table_empty(P2V(pte_pa(*e)))) {
				batch_add(b, P2V(pte_pa(*e)));
				*e = 0;
			}
		}
	}
}

int copyin_slow(struct vmspace *vm, void *dst, u64 uva, size_t n)
{
	if (!user_range(uva, n))
		return -EFAULT;
	return copyin_walk(vm, dst, uva, n);
}

int copyout_slow(struct vmspace *vm, u64 uva, const void *src, size_t n)
{
	if (!user_range(uva, n))
		return -EFAULT;
	return copyout_walk(vm, uva, src, n);
}

/* Copy a NUL-terminated string of at most max bytes (including the NUL).
 * Returns its length, -EFAULT, or -ENAMETOOLONG. */
int copyinstr(struct vmspace *vm, char *dst, u64 uva, size_t max)
{
	if (uva >= USER_TOP)
		return -EFAULT;
	if (likely(uaccess_direct(vm))) {
		/* stop at the end of user space rather than run into the kernel */
		size_t room = USER_TOP - uva;
		long r = __copy_user_str(dst, (const char *)uva, min(max, room));
		if (r == -ENAMETOOLONG && room < max)
			return -EFAULT;
		return r;
	}
	return copyinstr_walk(vm, dst, uva, max);
}

/* Move the program break; pages are allocated (zeroed) now, so running
 * out of memory is reported here as -ENOMEM rather than as a later fault.
 * Returns the old break.  vm->lock held (vm_lock). */
long vm_sbrk(struct vmspace *vm, long delta)
{
	u64 old = vm->brk, new = old + delta;
	if (delta < 0) {
		if ((u64)-delta > old - vm->heap_start)
			return -EINVAL;
		if (vm_unmap_range(vm, PGROUNDUP(new), PGROUNDUP(old)) < 0)
			return -ENOMEM;
	} else if (delta > 0) {
		if (new > vm->heap_start + UHEAP_MAX || new < old)
			return -ENOMEM;
		/* Plainly too much: fail before taking every free page, which
		 * would make other processes' allocations fail meanwhile. */
		if ((PGROUNDUP(new) - PGROUNDUP(old)) / PGSIZE > kavailpages())
			return -ENOMEM;
		if (vm_alloc_range(vm, PGROUNDUP(old), PGROUNDUP(new) - PGROUNDUP(old), VM_R | VM_W) < 0) {
			vm_unmap_range(vm, PGROUNDUP(old), PGROUNDUP(new));
			return -ENOMEM;
		}
	}
	vm->brk = new;
	return old;
}


/* exec's commit: vm (the process's) takes over the new image built in
 * new, this hart moves onto it, and the old image is freed.  No other
 * hart runs the old one: exec ends a process's other threads first. */
void vm_replace(struct vmspace *vm, struct vmspace *new)
{
	struct vmspace old = *vm;
	*vm = *new;
	vm_switch(vm); /* the same struct, holding the new tables */
	vm_destroy(&old);
}
