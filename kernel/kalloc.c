/* kalloc.c: the physical page allocator, covering all of RAM.
 * A buddy allocator: free blocks of 2^order pages on one list per order;
 * freeing merges a block with its free "buddy".  Each page has a reference
 * count so copy-on-write pages are freed exactly once, by the last user.
 * Single pages freed lately wait in a small cache and are handed out
 * again from there, bypassing the lists.
 */
#include "kernel.h"
#include "proc.h"
#include "buf.h"

#define MAX_ORDER 10

/* 12 bytes a page (0.3% of RAM).  A page needs its free-list links only
 * while it heads a free block, and its reference count only while it is
 * allocated, so the two share their bytes: the count gets 32 bits for
 * free (a u16 wrapped at 65,536 users, which one hostile exec reached),
 * where a separate u32 would cost 16 bytes a page.  Every page that is not
 * allocated and not the head of a free block has refs == 0 (list_del
 * clears the links when a head stops being one), so kfree of a page that
 * is inside a free block is still caught. */
struct page {
	union {
		struct {
			u32 next, prev; /* head of a free block: list links (page numbers), NIL if none */
		};
		u32 refs; /* allocated: its users, at most REFS_MAX (page_get) */
	};
	u8 order; /* order of the free block starting here */
	u8 free;  /* 1 if this page heads a free block */
};
_Static_assert(sizeof(struct page) == 12, "struct page grew: it costs RAM for every page");
#define NIL 0xffffffffu

static struct page *pages;
static u64 base_pa, npages, nfree;
static u64 nram; /* pages of RAM: npages without the holes */
static u32 freelist[MAX_ORDER + 1];
static struct spinlock memlock = SPINLOCK_INIT("kalloc");

/* Most allocations are single pages (page tables, user pages, copies on
 * write), and a single page from the buddy lists is split off a large
 * block level by level, only to be merged back level by level when it is
 * freed: over 250 instructions per page for each fork's page tables.  So
 * freed single pages go to this stack first (up to PCACHE pages) and
 * come back from it.  Cached pages count as free (nfree) but are not on
 * the lists, so their buddies cannot merge with them meanwhile; a larger
 * allocation that finds no block returns them to the lists and retries. */
#define PCACHE 64
static u32 pcache[PCACHE];
static int npcache;

/* Freed pages known to hold only zeros (emptied page tables: teardown
 * clears their entries one by one), which kalloc hands out again without
 * zeroing them: 704 instructions a page, four page tables per fork. */
#define ZCACHE 32
static u32 zcache[ZCACHE];
static int nzcache;
/* Freed two-page blocks: kernel stacks, one per thread (thread_alloc).
 * Each fork and exit, each thread create and join makes and frees one,
 * and the buddy lists would split an order-2 block for it and merge it
 * back (about 150 instructions).  Counted as free, drained like the
 * single-page caches. */
#define KCACHE 8
static u32 kcache[KCACHE];
static int nkcache;
extern char _kernel_start[], _kernel_end[];

static inline u32 pfn(void *kva) { return (V2P(kva) - base_pa) >> PGSHIFT; }
static inline void *pkva(u32 n) { return P2V(base_pa + ((u64)n << PGSHIFT)); }

static void list_add(int order, u32 n)
{
	struct page *p = &pages[n];
	p->free = 1;
	p->order = order;
	p->prev = NIL;
	p->next = freelist[order];
	if (p->next != NIL)
		pages[p->next].prev = n;
	freelist[order] = n;
}

static void list_del(int order, u32 n)
{
	struct page *p = &pages[n];
	if (p->prev != NIL)
		pages[p->prev].next = p->next;
	else
		freelist[order] = p->next;
	if (p->next != NIL)
		pages[p->next].prev = p->prev;
	p->free = 0;
	p->next = p->prev = 0; /* and so refs = 0 */
}

static void free_block(u32 n, int order)
{
	nfree += 1UL << order;
	while (order < MAX_ORDER) {
		u32 buddy = n ^ (1u << order);
		if (buddy >= npages || !pages[buddy].free || pages[buddy].order != order)
			break;
		list_del(order, buddy);
		n &= ~(1u << order);
		order++;
	}
	list_add(order, n);
}

static void *alloc_block(int order)
{
	int o = order;
	while (o <= MAX_ORDER && freelist[o] == NIL)
		o++;
	if (o > MAX_ORDER)
		return NULL;
	u32 n = freelist[o];
	list_del(o, n);
	while (o > order) { /* split: give back the upper halves */
		o--;
		list_add(o, n + (1u << o));
	}
	pages[n].refs = 1;
	nfree -= 1UL << order;
	return pkva(n);
}

static int reserved(u64 pa, u64 kstart, u64 kend)
{
	if (pa >= kstart && pa < kend)
		return 1;
	if (pa >= PGROUNDDOWN(bootinfo.initrd_start) && pa < bootinfo.initrd_end)
		return 1;
	for (int i = 0; i < bootinfo.nresv; i++)
		if (pa >= bootinfo.resv[i].base && pa < bootinfo.resv[i].base + bootinfo.resv[i].size)
			return 1;
	/* a hole between two ranges of RAM */
	for (int i = 0; i < bootinfo.nmem; i++)
		if (pa >= bootinfo.mem[i].base && pa < bootinfo.mem[i].base + bootinfo.mem[i].size)
			return 0;
	return 1;
}

/* Where the run of free pages that starts at pa (not reserved) ends: at
 * the next reserved range's start or the end of pa's range of RAM. */
static u64 run_end(u64 pa, u64 kstart)
{
	u64 end = 0;
	for (int i = 0; i < bootinfo.nmem; i++)
		if (pa >= bootinfo.mem[i].base && pa < bootinfo.mem[i].base + bootinfo.mem[i].size)
			end = bootinfo.mem[i].base + bootinfo.mem[i].size;
	u64 initrd = PGROUNDDOWN(bootinfo.initrd_start);
	if (kstart > pa)
		end = min(end, kstart);
	if (bootinfo.initrd_end > bootinfo.initrd_start && initrd > pa)
		end = min(end, initrd);
	for (int i = 0; i < bootinfo.nresv; i++)
		if (bootinfo.resv[i].base > pa)
			end = min(end, PGROUNDDOWN(bootinfo.resv[i].base));
	return PGROUNDDOWN(end);
}

/* Free pages [n, end) as the largest aligned blocks that fit: a few
 * calls of free_block per range, where one per page cost 3.5 M
 * instructions at boot for 128 MiB (about 115 a page), emulated one by one
 * under kvm-pvm (docs/design.md).  memlock held. */
static void free_pages(u64 n, u64 end)
{
	while (n < end) {
		int o = 0;
		while (o < MAX_ORDER && !(n & (1UL << o)) && n + (2UL << o) <= end)
			o++;
		free_block(n, o);
		n += 1UL << o;
	}
}

/* Hand every page of RAM that is not the kernel, the firmware, the device
 * tree or the initrd to the allocator.  The page array, one entry for
 * each page from the lowest address of RAM to the highest, holes
 * included, lives right after the kernel image. */
void kinit(void)
{
	struct memrange *last = &bootinfo.mem[bootinfo.nmem - 1];
	base_pa = bootinfo.mem[0].base;
	npages = (last->base + last->size - base_pa) >> PGSHIFT;
	for (int i = 0; i < bootinfo.nmem; i++)
		nram += bootinfo.mem[i].size >> PGSHIFT;
	pages = (struct page *)_kernel_end;
	u64 kstart = V2P(_kernel_start);
	u64 kend = PGROUNDUP(V2P(pages + npages));
	for (int o = 0; o <= MAX_ORDER; o++)
		freelist[o] = NIL;
	memset(pages, 0, npages * sizeof *pages);
	acquire(&memlock);
	for (u64 n = 0; n < npages;) {
		u64 pa = base_pa + (n << PGSHIFT);
		if (reserved(pa, kstart, kend)) {
			n++;
			continue;
		}
		/* a page that RAM or a reserved range covers in part stays out */
		u64 end = min((run_end(pa, kstart) - base_pa) >> PGSHIFT, npages);
		free_pages(n, end);
		n = max(end, n + 1);
	}
	release(&memlock);
}

/* n pages of the initrd from pa, which kinit left out, as allocated
 * pages with one reference each: a file's data used where it lies
 * (initrd.c, ramfs_adopt), freed like any other page when the file
 * goes. */
void kadopt(u64 pa, u64 n)
{
	acquire(&memlock);
	if ((pa & (PGSIZE - 1)) || pa < PGROUNDUP(bootinfo.initrd_start) || pa + n * PGSIZE > bootinfo.initrd_end)
		panic("kadopt: %p is not in the initrd", (void *)pa);
	for (u64 i = (pa - base_pa) >> PGSHIFT, e = i + n; i < e; i++) {
		if (pages[i].free || pages[i].refs)
			panic("kadopt: page %d taken twice", (int)i);
		pages[i].refs = 1;
	}
	release(&memlock);
}

/* Return the initrd's pages once its files are out: all but the ones
 * its files took (kadopt), in runs between those. */
void kfree_range(u64 pa, u64 end)
{
	acquire(&memlock);
	u64 n = (PGROUNDUP(pa) - base_pa) >> PGSHIFT, last = (PGROUNDDOWN(end) - base_pa) >> PGSHIFT;
	while (n < last) {
		u64 m = n;
		while (m < last && !pages[m].refs)
			m++;
		free_pages(n, m);
		n = m + 1; /* past a taken page (or the end) */
	}
	release(&memlock);
}

/* Give the cached pages back to the buddy lists.  memlock held. */
static void pcache_drain(void)
{
	while (npcache > 0) {
		nfree--; /* free_block counts it again */
		free_block(pcache[--npcache], 0);
	}
	while (nzcache > 0) {
		nfree--;
		free_block(zcache[--nzcache], 0);
	}
	while (nkcache > 0) {
		nfree -= 2;
		free_block(kcache[--nkcache], 1);
	}
}

/* Take page n off a cache.  memlock held. */
static void *uncache(u32 n)
{
	pages[n].refs = 1;
	nfree--;
	return pkva(n);
}

/* A block of 2^order pages from the caches or the lists.  memlock held. */
static void *alloc_locked(int order)
{
	void *p;
	if (order == 0 && npcache > 0)
		return uncache(pcache[--npcache]);
	if (order == 1 && nkcache > 0) {
		u32 n = kcache[--nkcache];
		pages[n].refs = 1;
		nfree -= 2;
		return pkva(n);
	}
	if (!(p = alloc_block(order)) && (npcache > 0 || nzcache > 0 || nkcache > 0)) {
		pcache_drain();
		p = alloc_block(order);
	}
	return p;
}

/* Out of pages, the cache's clean blocks go first: retry while
 * bcache_shrink frees some.  A loop, not a call of itself: with memory
 * in pieces an order > 0 can take many rounds, more than a kernel stack
 * holds frames for if the compiler does not turn the call into a jump. */
void *kalloc_order(int order)
{
	void *p;
	do {
		acquire(&memlock);
		p = alloc_locked(order);
		release(&memlock);
	} while (unlikely(!p) && bcache_shrink(1UL << order));
	return p;
}

void *kalloc_nozero(void) { return kalloc_order(0); }

void *kalloc(void)
{
	void *p, *z;
	do {
		acquire(&memlock);
		z = nzcache > 0 ? uncache(zcache[--nzcache]) : NULL;
		p = z ? z : alloc_locked(0);
		release(&memlock);
	} while (unlikely(!p) && bcache_shrink(1));
	if (p && !z)
		memset(p, 0, PGSIZE);
	return p;
}

/* Drop a reference to the block at kva; free it with the last one
 * (zeroed: a single page known to be all zeros).  memlock held.
 * Inlined: kfree_many runs it for thousands of pages. */
static inline __attribute__((always_inline)) void put_locked(void *kva, int order, int zeroed)
{
	u32 n = pfn(kva);
	if (((u64)kva & (PGSIZE - 1)) || n >= npages)
		panic("kfree: bad page %p", kva);
	struct page *p = &pages[n];
	if (p->free || p->refs == 0)
		panic("kfree: page %p already free", kva);
	if (--p->refs == 0) {
		if (zeroed && nzcache < ZCACHE) {
			zcache[nzcache++] = n;
			nfree++;
		} else if (order == 0 && npcache < PCACHE) {
			pcache[npcache++] = n;
			nfree++;
		} else if (order == 1 && nkcache < KCACHE) {
			kcache[nkcache++] = n;
			nfree += 2;
		} else {
			free_block(n, order);
		}
	}
}

void kfree_order(void *kva, int order)
{
	acquire(&memlock);
	put_locked(kva, order, 0);
	release(&memlock);
}

void kfree(void *kva) { kfree_order(kva, 0); }

/* kfree of a page whose every byte is zero, such as an emptied page
 * table: the next kalloc may skip clearing it.  Callers must be sure. */
void kfree_zeroed(void *kva)
{
	acquire(&memlock);
	put_locked(kva, 0, 1);
	release(&memlock);
}

/* kfree of n single pages under one acquisition of the lock: tearing down
 * an address space frees thousands. */
void kfree_many(void **kva, int n)
{
	acquire(&memlock);
	for (int i = 0; i < n; i++)
		put_locked(kva[i], 0, 0);
	release(&memlock);
}

/* Add a reference to a page (another mapping of it: a file page as a
 * program's text, a page or page table shared by fork).  A user can
 * raise the count at will (map one file page in every segment of many
 * programs, fork), so it is checked: -ENOMEM, nothing taken, rather
 * than a count that wraps and frees a page still mapped. */
int page_get(void *kva)
{
	acquire(&memlock);
	int r = ref_get(&pages[pfn(kva)].refs);
	release(&memlock);
	return r < 0 ? -ENOMEM : 0;
}

/* page_get of n pages under one acquisition of the lock (fork), all or
 * none: on -ENOMEM the ones taken are given back.  The same page may be
 * in the list more than once. */
int page_get_many(void **kva, int n)
{
	int i;
	u32 max = refs_max; /* ref_get's test, with the limit loaded once */
	acquire(&memlock);
	for (i = 0; i < n; i++) {
		struct page *p = &pages[pfn(kva[i])];
		if (unlikely(p->refs >= max))
			break;
		p->refs++;
	}
	int full = i < n;
	while (full && i > 0)
		pages[pfn(kva[--i])].refs--; /* never the last: the caller's mapping holds one */
	release(&memlock);
	return full ? -ENOMEM : 0;
}

int page_refs(void *kva) { return pages[pfn(kva)].refs; }

/* Drop a reference to a shared page unless it is the last one: returns 1
 * if others still hold it, 0 if the caller holds the only reference (and
 * must release the page, and whatever it refers to, itself).  Atomic, so
 * of two harts dropping a shared page table at once exactly one owns it. */
int page_unref(void *kva)
{
	acquire(&memlock);
	struct page *p = &pages[pfn(kva)];
	int shared = p->refs > 1;
	if (shared)
		p->refs--;
	release(&memlock);
	return shared;
}
u64 kfreepages(void) { return nfree; }
u64 ktotalpages(void) { return nram; }
