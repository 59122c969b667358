/* mmu.c: x86-64's 4-level page tables and the kernel's half of every
 * address space.  Four levels of 512 entries (PML4, PDPT, PD, PT); a
 * leaf may sit at level 1 (2 MiB, PS set) or level 0 (4 KiB).
 */
#include "kernel.h"
#include "proc.h"

_Static_assert(MVM_R == VM_R && MVM_W == VM_W && MVM_X == VM_X && MVM_U == VM_U && MVM_COW == VM_COW,
	       "machine.h's copies of the VM_* bits");

pagetable_t kernel_pagetable;
static int kroot_lo, kroot_hi; /* the kernel's root entries in use: [lo, hi) */
extern char _text[], _etext[], _erodata[], _end[];

/* The entry for va at `level` (3 = the PML4), making the tables on the
 * way when alloc is set; NULL if one is absent (or out of memory). */
pte_t *pt_entry(pagetable_t pt, u64 va, int level, int alloc)
{
	for (int l = PT_LEVELS - 1; l > level; l--) {
		pte_t *e = &pt[PX(l, va)];
		if (*e & PTE_P) {
			pt = P2V(pte_pa(*e));
		} else {
			if (!alloc || !(pt = kalloc()))
				return NULL;
			*e = pte_table(V2P(pt));
		}
	}
	return &pt[PX(level, va)];
}

/* The level-0 entry for va.  The usual case (every table there) written
 * out: no loop, no call. */
pte_t *walk(pagetable_t pt, u64 va, int alloc)
{
	pte_t e = pt[PX(3, va)];
	if (likely(e & PTE_P)) {
		e = ((pagetable_t)P2V(pte_pa(e)))[PX(2, va)];
		if (likely(e & PTE_P)) {
			e = ((pagetable_t)P2V(pte_pa(e)))[PX(1, va)];
			if (likely((e & (PTE_P | PTE_PS)) == PTE_P))
				return &((pagetable_t)P2V(pte_pa(e)))[PX(0, va)];
		}
	}
	return pt_entry(pt, va, 0, alloc);
}

int map_page(pagetable_t pt, u64 va, u64 pa, u64 perm)
{
	pte_t *pte = walk(pt, va, 1);
	if (!pte)
		return -ENOMEM;
	if (*pte & PTE_P)
		return -EEXIST;
	*pte = pte_make(pa, perm);
	return 0;
}

/* Map [va, va+len) to pa in the kernel's table with the hardware bits
 * `bits` (P, G and the rest added): 2 MiB pages where both are aligned. */
static void kmap(u64 va, u64 pa, u64 len, u64 bits)
{
	u64 end = va + len;
	bits |= PTE_P | PTE_G | PTE_A | PTE_D;
	while (va < end) {
		if ((va & 0x1fffff) == 0 && (pa & 0x1fffff) == 0 && end - va >= 0x200000) {
			pte_t *e = pt_entry(kernel_pagetable, va, 1, 1);
			assert(e);
			*e = pa | bits | PTE_PS;
			va += 0x200000;
			pa += 0x200000;
		} else {
			pte_t *e = walk(kernel_pagetable, va, 1);
			assert(e);
			*e = pa | bits;
			va += PGSIZE;
			pa += PGSIZE;
		}
	}
}

/* The kernel's page table.  The image at KERNBASE: text read-only and
 * executable, rodata read-only, data and bss writable, both NX.  At
 * PHYS_OFFSET, writable and NX: all RAM, and the 4 GiB below that hold
 * the ACPI tables and the device hole (LAPIC, IOAPIC, virtio-mmio),
 * the top 32 MiB of it uncached.  No entry has US: a user access faults,
 * and with SMEP/SMAP a kernel access to a user page does too. */
void kvm_init(void)
{
	kernel_pagetable = kalloc();
	assert(kernel_pagetable);
	u64 kstart = (u64)_text;
	kmap(kstart, V2P(kstart), (u64)_etext - kstart, 0);
	kmap((u64)_etext, V2P(_etext), (u64)_erodata - (u64)_etext, PTE_NX);
	u64 top = 1UL << 32, ram_end = 0;
	for (int m = 0; m < bootinfo.nmem; m++)
		ram_end = max(ram_end, bootinfo.mem[m].base + bootinfo.mem[m].size);
	top = max(top, ALIGN_UP(ram_end, 0x200000UL));
	/* Data and bss, and after them the rest of RAM up to 1 GiB: kalloc's
	 * page array lives right after the image and is reached through
	 * image addresses (kinit: pages = _kernel_end). */
	kmap((u64)_erodata, V2P(_erodata), min(ram_end, 1UL << 30) - V2P(_erodata), PTE_RW | PTE_NX);
	kmap(PHYS_OFFSET, 0, 0xfe000000, PTE_RW | PTE_NX);
	kmap(PHYS_OFFSET + 0xfe000000, 0xfe000000, 0x2000000, PTE_RW | PTE_NX | PTE_PCD | PTE_PWT);
	if (top > (1UL << 32))
		kmap(PHYS_OFFSET + (1UL << 32), 1UL << 32, top - (1UL << 32), PTE_RW | PTE_NX);

	kroot_lo = 512;
	for (int i = 0; i < 512; i++) {
		if (kernel_pagetable[i] & PTE_P) {
			if (i >= 256 && kroot_lo == 512)
				kroot_lo = i;
			if (i >= 256)
				kroot_hi = i + 1;
		}
	}
}

/* This CPU onto the kernel's table (from the boot tables of entry.S). */
void kvm_hart_init(void) { arch_switch_pagetable(kernel_pagetable); }

/* A new address space: an empty user half, the kernel half shared (the
 * same PDPTs in every PML4: the kernel is mapped everywhere, and a trap
 * needs no CR3 switch). */
pagetable_t pagetable_new(void)
{
	pagetable_t pt = kalloc();
	if (!pt)
		return NULL;
	for (int i = kroot_lo; i < kroot_hi; i++)
		pt[i] = kernel_pagetable[i];
	return pt;
}
