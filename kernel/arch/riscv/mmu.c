/* mmu.c: Sv39 page tables and the kernel's half of every address space.
 * Three levels of 512 entries; a leaf may sit at level 2 (1 GiB),
 * level 1 (2 MiB) or level 0 (4 KiB).
 */
#include "kernel.h"
#include "proc.h"

pagetable_t kernel_pagetable;
extern char _kernel_start[], _etext[], _erodata[], _kernel_end[];

/* Return the level-0 entry for va, allocating the tables on the way when
 * alloc is set; NULL if absent (or out of memory). */
pte_t *walk(pagetable_t pt, u64 va, int alloc)
{
	for (int level = 2; level > 0; level--) {
		pte_t *pte = &pt[PX(level, va)];
		if (*pte & PTE_V) {
			pt = P2V(PTE_PA(*pte));
		} else {
			if (!alloc || !(pt = kalloc()))
				return NULL;
			*pte = PA_PTE(V2P(pt)) | PTE_V;
		}
	}
	return &pt[PX(0, va)];
}

int map_page(pagetable_t pt, u64 va, u64 pa, u64 perm)
{
	pte_t *pte = walk(pt, va, 1);
	if (!pte)
		return -ENOMEM;
	if (*pte & PTE_V)
		return -EEXIST; /* e.g. two ELF segments on one page */
	/* A and D preset: QEMU would otherwise fault to have them set. */
	*pte = PA_PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
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
	/* RAM after the kernel image: the direct map used for all pages. */
	u64 ram_end = bootinfo.mem_base + bootinfo.mem_size;
	u64 pa = V2P(kend);
	kmap((u64)P2V(pa), pa, ram_end - pa, PTE_R | PTE_W);
	/* RAM below the kernel image too: kinit hands out every page there
	 * that the firmware did not reserve (QEMU: 0x80080000..0x80200000),
	 * and the page allocator reaches them once memory fills up.  Mapping
	 * the firmware's own pages is harmless: nothing touches them. */
	if (V2P(kstart) > bootinfo.mem_base)
		kmap((u64)P2V(bootinfo.mem_base), bootinfo.mem_base, V2P(kstart) - bootinfo.mem_base, PTE_R | PTE_W);
	kmap((u64)P2V(bootinfo.uart_base), bootinfo.uart_base, PGSIZE, PTE_R | PTE_W);
	kmap((u64)P2V(bootinfo.plic_base), bootinfo.plic_base, 0x400000, PTE_R | PTE_W);
	/* The device tree may sit below the kernel (it rarely does); it is
	 * read once at boot, before this table is in use. */
}

/* Switch this hart from the boot page table to the kernel's. */
void kvm_hart_init(void) { arch_switch_pagetable(kernel_pagetable); }

/* A new address space: an empty user half, the kernel half shared.  The
 * kernel half's root entries point at the same lower-level tables in
 * every address space, so the kernel is mapped everywhere and a trap
 * needs no page-table switch. */
pagetable_t pagetable_new(void)
{
	pagetable_t pt = kalloc_nozero();
	if (!pt)
		return NULL;
	memset(pt, 0, PGSIZE / 2);
	memcpy(pt + 256, kernel_pagetable + 256, PGSIZE / 2);
	return pt;
}
