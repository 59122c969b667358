/* mmu.c: Sv39 page tables and the kernel's half of every address space.
 * Three levels of 512 entries; a leaf may sit at level 2 (1 GiB),
 * level 1 (2 MiB) or level 0 (4 KiB).
 */
#include "kernel.h"
#include "proc.h"
#include "board.h"

pagetable_t kernel_pagetable;
static int kroot_lo, kroot_hi; /* the kernel's root entries in use: [lo, hi) */
extern char _kernel_start[], _etext[], _erodata[], _kernel_end[];

/* The lower table *e points at, made (zeroed) if e is empty; NULL if out
 * of memory. */
static inline pagetable_t table_at(pte_t *e)
{
	if (!(*e & PTE_V)) {
		pagetable_t t = kalloc();
		if (!t)
			return NULL;
		*e = pte_table(V2P(t));
	}
	return P2V(PTE_PA(*e));
}

/* pt_entry's slow path: a table on the way is missing; make it.  Written
 * out for Sv39's two levels below the root (level is 0 or 1 here). */
static __attribute__((noinline)) pte_t *pt_alloc(pagetable_t pt, u64 va, int level)
{
	pagetable_t l1 = table_at(&pt[PX(2, va)]);
	if (!l1 || level == 1)
		return l1 ? &l1[PX(1, va)] : NULL;
	pagetable_t l0 = table_at(&l1[PX(1, va)]);
	return l0 ? &l0[PX(0, va)] : NULL;
}

/* The entry at `level` for va (0: the one that maps va's page; 1: the
 * one pointing at its level-0 table; 2: the root's), making the tables
 * on the way when alloc is set; NULL if one is absent (or out of memory).
 * A leaf, the making aside: no registers to save.  Never inlined: walk's
 * fast path below would then save them. */
__attribute__((noinline)) pte_t *pt_entry(pagetable_t pt, u64 va, int level, int alloc)
{
	pagetable_t t = pt;
	for (int l = PT_LEVELS - 1; l > level; l--) {
		pte_t e = t[PX(l, va)];
		if (!(e & PTE_V))
			return alloc ? pt_alloc(pt, va, level) : NULL;
		t = P2V(PTE_PA(e));
	}
	return &t[PX(level, va)];
}

/* Return the level-0 entry for va, allocating the tables on the way when
 * alloc is set; NULL if absent (or out of memory).  fork, exit and sbrk
 * walk once per page, so the usual case, both tables present, is written
 * out on its own: no loop with variable shifts, no call, and so no saved
 * registers; the rest goes to pt_entry. */
pte_t *walk(pagetable_t pt, u64 va, int alloc)
{
	pte_t e = pt[PX(2, va)];
	if (likely(e & PTE_V)) {
		e = ((pagetable_t)P2V(PTE_PA(e)))[PX(1, va)];
		if (likely(e & PTE_V))
			return &((pagetable_t)P2V(PTE_PA(e)))[PX(0, va)];
	}
	return pt_entry(pt, va, 0, alloc);
}

int map_page(pagetable_t pt, u64 va, u64 pa, u64 perm)
{
	pte_t *pte = walk(pt, va, 1);
	if (!pte)
		return -ENOMEM;
	if (*pte & PTE_V)
		return -EEXIST; /* e.g. two ELF segments on one page */
	*pte = pte_make(pa, perm);
	return 0;
}

/* Map [va, va+len) to pa in the kernel table: 2 MiB leaves where both are
 * aligned, 4 KiB pages elsewhere. */
static void kmap(u64 va, u64 pa, u64 len, u64 perm)
{
	u64 end = va + len;
	perm |= PTE_G | PTE_A | PTE_D | PTE_V;
	while (va < end) {
		if ((va & 0x1fffff) == 0 && (pa & 0x1fffff) == 0 && end - va >= 0x200000) {
			pte_t *l1 = &kernel_pagetable[PX(2, va)];
			if (!(*l1 & PTE_V)) {
				void *t = kalloc();
				assert(t);
				*l1 = PA_PTE(V2P(t)) | PTE_V;
			}
			pagetable_t t1 = P2V(PTE_PA(*l1));
			t1[PX(1, va)] = PA_PTE(pa) | perm;
			va += 0x200000;
			pa += 0x200000;
		} else {
			pte_t *pte = walk(kernel_pagetable, va, 1);
			assert(pte);
			*pte = PA_PTE(pa) | perm;
			va += PGSIZE;
			pa += PGSIZE;
		}
	}
}

/* Build the kernel's page table: text read-only and executable, rodata
 * read-only, data and the rest of RAM read-write but never executable,
 * the devices read-write.  No entry has PTE_U, so user mode can touch none
 * of it: a user access faults, and the process is killed. */
void kvm_init(void)
{
	kernel_pagetable = kalloc();
	assert(kernel_pagetable);
	u64 kstart = (u64)_kernel_start, kend = (u64)_kernel_end;
	kmap(kstart, V2P(kstart), (u64)_etext - kstart, PTE_R | PTE_X);
	kmap((u64)_etext, V2P(_etext), (u64)_erodata - (u64)_etext, PTE_R);
	kmap((u64)_erodata, V2P(_erodata), kend - (u64)_erodata, PTE_R | PTE_W);
	for (int m = 0; m < bootinfo.nmem; m++) {
		u64 base = bootinfo.mem[m].base, end = base + bootinfo.mem[m].size;
		/* RAM after the kernel image: the direct map used for all pages. */
		u64 pa = max(base, V2P(kend));
		if (pa < end)
			kmap((u64)P2V(pa), pa, end - pa, PTE_R | PTE_W);
		/* RAM below the image (between the firmware and the kernel):
		 * kinit hands its pages to the allocator too, so they need the
		 * direct map as well, or the last pages handed out fault in the
		 * kernel.  The reserved ranges (the firmware's own memory) stay
		 * unmapped. */
		for (pa = base; pa < min(end, V2P(kstart)); pa += PGSIZE) {
			int resv = 0;
			for (int i = 0; i < bootinfo.nresv; i++)
				resv |= pa >= bootinfo.resv[i].base && pa < bootinfo.resv[i].base + bootinfo.resv[i].size;
			if (!resv)
				kmap((u64)P2V(pa), pa, PGSIZE, PTE_R | PTE_W);
		}
	}
	kmap((u64)P2V(bootinfo.uart_base), bootinfo.uart_base, PGSIZE, PTE_R | PTE_W);
	kmap((u64)P2V(plic_base), plic_base, 0x400000, PTE_R | PTE_W);
	for (int i = 0; i < bootinfo.nvirtio; i++)
		kmap((u64)P2V(bootinfo.virtio_base[i]), bootinfo.virtio_base[i], PGSIZE, PTE_R | PTE_W);
	if (bootinfo.rtc_base)
		kmap((u64)P2V(bootinfo.rtc_base), bootinfo.rtc_base, PGSIZE, PTE_R | PTE_W);
	/* The device tree may sit below the kernel (it rarely does); it is
	 * read once at boot, before this table is in use. */

	/* The kernel's part of the root table is complete now: note which
	 * entries are used, for pagetable_new to copy. */
	kroot_lo = 512;
	for (int i = 256; i < 512; i++) {
		if (kernel_pagetable[i] & PTE_V) {
			if (kroot_lo == 512)
				kroot_lo = i;
			kroot_hi = i + 1;
		}
	}
}

/* Switch this hart from the boot page table to the kernel's. */
void kvm_hart_init(void) { arch_switch_pagetable(kernel_pagetable); }

/* A new address space: an empty user half, the kernel half shared.  The
 * kernel half's root entries point at the same lower-level tables in
 * every address space, so the kernel is mapped everywhere and a trap
 * needs no page-table switch.  Only the few root entries the kernel uses
 * are copied into a zeroed page: kalloc often has an emptied page table
 * to hand out unzeroed, and the whole half cost 1040 instructions. */
pagetable_t pagetable_new(void)
{
	pagetable_t pt = kalloc();
	if (!pt)
		return NULL;
	for (int i = kroot_lo; i < kroot_hi; i++)
		pt[i] = kernel_pagetable[i];
	return pt;
}
