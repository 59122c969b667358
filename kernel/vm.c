/* vm.c: user address spaces: the image, the heap, the stack.
 * fork shares pages copy-on-write; faults grow the stack and break COW
 * sharing; copyin/copyout are the only way the kernel touches user memory.
 *
 *   USER_TOP    +--------------+
 *               | unmapped     |  one page
 *   USTACK_TOP  +--------------+
 *               | stack        |  grows down on faults, up to USTACK_MAX
 *               | guard page   |  never mapped: running off the stack faults
 *               +--------------+
 *               | heap         |  sbrk: [heap_start, brk)
 *               | data, bss    |
 *               | text         |  read-only, executable
 *   0x10000     +--------------+
 */
#include "kernel.h"
#include "proc.h"

pagetable_t pagetable_new(void);

int vm_create(struct vmspace *vm)
{
	memset(vm, 0, sizeof *vm);
	vm->pt = pagetable_new();
	if (!vm->pt)
		return -ENOMEM;
	vm->stack_low = USTACK_TOP;
	return 0;
}

int vm_map(struct vmspace *vm, u64 va, void *kva, u64 perm)
{
	int r = map_page(vm->pt, va, V2P(kva), perm | PTE_U);
	if (r == 0)
		vm->pages++;
	return r;
}

void vm_unmap_range(struct vmspace *vm, u64 va, u64 end)
{
	for (va = PGROUNDDOWN(va); va < end; va += PGSIZE) {
		pte_t *pte = walk(vm->pt, va, 0);
		if (!pte || !(*pte & PTE_V))
			continue;
		kfree(P2V(PTE_PA(*pte)));
		*pte = 0;
		vm->pages--;
	}
}

/* Map fresh zeroed pages over [va, va+len). */
int vm_alloc_range(struct vmspace *vm, u64 va, u64 len, u64 perm)
{
	for (u64 a = PGROUNDDOWN(va); a < va + len; a += PGSIZE) {
		pte_t *pte = walk(vm->pt, a, 0);
		if (pte && (*pte & PTE_V))
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

/* The user regions, so that fork and teardown visit only what is mapped
 * instead of scanning whole page tables. */
struct region {
	u64 lo, hi;
};
static int regions(struct vmspace *vm, struct region r[3])
{
	r[0] = (struct region){ 0, vm->text_end };
	r[1] = (struct region){ vm->heap_start, PGROUNDUP(vm->brk) };
	r[2] = (struct region){ vm->stack_low, USTACK_TOP };
	return 3;
}

/* Free the page-table pages that cover the regions: the level-0 tables
 * first (one per 2 MiB), then the level-1 tables (one per 1 GiB). */
static void free_tables(struct vmspace *vm)
{
	struct region r[3];
	int n = regions(vm, r);
	for (int level = 1; level <= 2; level++) {
		u64 span = 1UL << (12 + 9 * level);
		for (int i = 0; i < n; i++) {
			if (r[i].lo >= r[i].hi)
				continue;
			for (u64 va = ALIGN_DOWN(r[i].lo, span); va < r[i].hi; va += span) {
				pte_t *e = &vm->pt[PX(2, va)];
				if (level == 1) {
					if (!(*e & PTE_V))
						continue;
					e = &((pagetable_t)P2V(PTE_PA(*e)))[PX(1, va)];
				}
				if (*e & PTE_V) {
					kfree(P2V(PTE_PA(*e)));
					*e = 0;
				}
			}
		}
	}
}

void vm_destroy(struct vmspace *vm)
{
	if (!vm->pt)
		return;
	struct region r[3];
	int n = regions(vm, r);
	for (int i = 0; i < n; i++)
		vm_unmap_range(vm, r[i].lo, r[i].hi);
	free_tables(vm);
	kfree(vm->pt);
	vm->pt = NULL;
}

/* Copy-on-write fork: the child maps the parent's pages; writable pages
 * become read-only + PTE_COW in both, and the first write to one makes a
 * private copy (vm_fault).  Read-only pages (text) are simply shared. */
int vm_fork(struct vmspace *to, struct vmspace *from)
{
	int r = vm_create(to);
	if (r < 0)
		return r;
	to->text_end = from->text_end;
	to->heap_start = from->heap_start;
	to->brk = from->brk;
	to->stack_low = from->stack_low;
	struct region rg[3];
	int n = regions(from, rg);
	for (int i = 0; i < n; i++) {
		for (u64 va = rg[i].lo; va < rg[i].hi; va += PGSIZE) {
			pte_t *pte = walk(from->pt, va, 0);
			if (!pte || !(*pte & PTE_V))
				continue;
			if (*pte & PTE_W)
				*pte = (*pte & ~PTE_W) | PTE_COW;
			pte_t *cpte = walk(to->pt, va, 1);
			if (!cpte) {
				sfence_vma();
				vm_destroy(to);
				return -ENOMEM;
			}
			*cpte = *pte;
			page_get(P2V(PTE_PA(*pte)));
			to->pages++;
		}
	}
	/* The parent's PTEs lost their W bit: drop stale TLB entries. */
	sfence_vma();
	return 0;
}

static int in_stack(u64 va) { return va >= USTACK_TOP - USTACK_MAX && va < USTACK_TOP; }

/* Resolve a fault at va: break copy-on-write sharing, or grow the stack.
 * 0 if the access may now be retried; -EFAULT if it is a real fault (the
 * caller kills the process); -ENOMEM if memory ran out. */
int vm_fault(struct vmspace *vm, u64 va, int write, int exec)
{
	if (va >= USER_TOP)
		return -EFAULT;
	va = PGROUNDDOWN(va);
	pte_t *pte = walk(vm->pt, va, 0);
	if (pte && (*pte & PTE_V)) {
		if (!write || !(*pte & PTE_COW) || exec)
			return -EFAULT;
		void *old = P2V(PTE_PA(*pte));
		if (page_refs(old) == 1) {
			/* Last sharer: the page is ours, just make it writable. */
			*pte = (*pte & ~PTE_COW) | PTE_W;
		} else {
			void *copy = kalloc_nozero();
			if (!copy)
				return -ENOMEM;
			memcpy(copy, old, PGSIZE);
			*pte = PA_PTE(V2P(copy)) | (PTE_FLAGS(*pte) & ~PTE_COW) | PTE_W;
			kfree(old);
		}
		sfence_vma();
		return 0;
	}
	if (exec || !in_stack(va))
		return -EFAULT;
	/* Grow the stack down to va. */
	void *page = kalloc();
	if (!page)
		return -ENOMEM;
	if (vm_map(vm, va, page, PTE_R | PTE_W) < 0) {
		kfree(page);
		return -ENOMEM;
	}
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
		if (pte && (*pte & (PTE_V | PTE_U)) == (PTE_V | PTE_U) &&
		    (*pte & (write ? PTE_W : PTE_R)))
			return (char *)P2V(PTE_PA(*pte)) + (va & (PGSIZE - 1));
		if (vm_fault(vm, va, write, 0) < 0)
			return NULL;
	}
	return NULL;
}

int copyin(struct vmspace *vm, void *dst, u64 uva, size_t n)
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

int copyout(struct vmspace *vm, u64 uva, const void *src, size_t n)
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

/* Copy a NUL-terminated string of at most max bytes (including the NUL).
 * Returns its length, -EFAULT, or -ENAMETOOLONG. */
int copyinstr(struct vmspace *vm, char *dst, u64 uva, size_t max)
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

static int table_empty(pagetable_t t)
{
	for (int i = 0; i < 512; i++)
		if (t[i] & PTE_V)
			return 0;
	return 1;
}

/* Free the page-table pages over [lo, hi) that no longer map anything.
 * vm_destroy frees only the tables under the regions as they are at exit,
 * so without this a heap that grew and shrank (or failed to grow) would
 * leave its tables behind for good. */
static void free_empty_tables(struct vmspace *vm, u64 lo, u64 hi)
{
	for (int level = 1; level <= 2; level++) {
		u64 span = 1UL << (12 + 9 * level);
		for (u64 va = ALIGN_DOWN(lo, span); va < hi; va += span) {
			pte_t *e = &vm->pt[PX(2, va)];
			if (level == 1) {
				if (!(*e & PTE_V))
					continue;
				e = &((pagetable_t)P2V(PTE_PA(*e)))[PX(1, va)];
			}
			if ((*e & PTE_V) && table_empty(P2V(PTE_PA(*e)))) {
				kfree(P2V(PTE_PA(*e)));
				*e = 0;
			}
		}
	}
}

/* Move the program break; pages are allocated (zeroed) now, so running
 * out of memory is reported here as -ENOMEM rather than as a later fault.
 * Returns the old break. */
long vm_sbrk(struct vmspace *vm, long delta)
{
	u64 old = vm->brk, new = old + delta;
	if (delta < 0) {
		if ((u64)-delta > old - vm->heap_start)
			return -EINVAL;
		vm_unmap_range(vm, PGROUNDUP(new), PGROUNDUP(old));
		free_empty_tables(vm, PGROUNDUP(new), PGROUNDUP(old));
		sfence_vma();
	} else if (delta > 0) {
		if (new > vm->heap_start + UHEAP_MAX || new < old)
			return -ENOMEM;
		/* Plainly too much: fail before taking every free page, which
		 * would make other processes' allocations fail meanwhile. */
		if ((PGROUNDUP(new) - PGROUNDUP(old)) / PGSIZE > kfreepages())
			return -ENOMEM;
		if (vm_alloc_range(vm, PGROUNDUP(old), PGROUNDUP(new) - PGROUNDUP(old), PTE_R | PTE_W) < 0) {
			vm_unmap_range(vm, PGROUNDUP(old), PGROUNDUP(new));
			free_empty_tables(vm, PGROUNDUP(old), PGROUNDUP(new));
			return -ENOMEM;
		}
	}
	vm->brk = new;
	return old;
}
