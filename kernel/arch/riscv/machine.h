/* machine.h: RISC-V's side of kernel/arch.h: the memory layout, the
 * register layouts and the inline hot paths (this CPU, locks, Sv39 entries).
 */
#ifndef MACHINE_H
#define MACHINE_H

#include "riscv.h"
#include "trapframe.h"

/* All physical memory is mapped at PHYS_OFFSET + pa in the upper half of
 * every address space, supervisor-only.  Sv39's upper half starts there:
 * it is also the start of the kernel's half. */
#define PHYS_OFFSET 0xffffffc000000000UL
#define KERNEL_HALF PHYS_OFFSET
#define P2V(pa) ((void *)((u64)(pa) + PHYS_OFFSET))
#define V2P(va) ((u64)(va)-PHYS_OFFSET)
#define PGSIZE 4096UL
#define PGSHIFT 12
#define PGROUNDUP(x) ALIGN_UP((u64)(x), PGSIZE)
#define PGROUNDDOWN(x) ALIGN_DOWN((u64)(x), PGSIZE)

/* Sv39 gives 39 bits of virtual address: user space is the lower half,
 * 0 .. 2^38, and the kernel the upper half. */
#define USER_TOP (1UL << 38)
#define PT_LEVELS 3

/* A kernel stack: KSTACK_SIZE bytes, the thread block and the trapframe
 * at its top (kernel/thread.c). */
#define KSTACK_SIZE (2 * PGSIZE)

#define ELF_MACHINE 243 /* EM_RISCV */
#define ARCH_CPU "hart"
#define ARCH_TRAP_TABLE "stvec"
#define CALL_PUSHES_RA 0

/* Callee-saved registers: what swtch saves in the PCB (the second kind of
 * register save in the seeds' protocol). */
struct context {
	u64 ra, sp;
	u64 s[12];
};

/* A new thread's first swtch "returns" to pc, on its kernel stack. */
static inline void arch_context_init(struct context *c, void (*pc)(void), u64 sp)
{
	c->ra = (u64)pc;
	c->sp = sp;
}

/* System-call registers: number in a7, arguments a0..a5, result in a0. */
#define TF_SYSNUM(tf) ((tf)->a7)
#define TF_ARG(tf, n) ((&(tf)->a0)[n])
#define TF_RET(tf) ((tf)->a0)
#define TF_PC(tf) ((tf)->epc)
#define TF_STACK(tf) ((tf)->sp)

/* This hart's struct cpu: the kernel keeps it in tp. */
static inline void *arch_this_cpu(void)
{
	void *c;
	asm volatile("mv %0, tp" : "=r"(c));
	return c;
}

/* The two atomics spinlocks need.  amoswap.w.aq: swap, and no later load
 * or store moves before it.  amoswap.w.rl: the store of v, after every
 * earlier load and store (one instruction; a plain store would need a
 * fence before it). */
static inline long arch_swap_acquire(volatile u32 *a, u32 v)
{
	long old; /* amoswap.w sign-extends: no sext.w needed */
	asm volatile("amoswap.w.aq %0, %2, %1" : "=r"(old), "+A"(*a) : "r"(v) : "memory");
	return old;
}
static inline void arch_store_release(volatile u32 *a, u32 v)
{
	asm volatile("amoswap.w.rl zero, %1, %0" : "+A"(*a) : "r"(v) : "memory");
}

static inline int intr_on(void) { return (csr_read(sstatus) & SSTATUS_SIE) != 0; }
static inline void intr_enable(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_disable(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline u64 arch_time(void) { return rdtime(); }

static inline int arch_trap_is_timer(u64 cause) { return scause_is_timer(cause); }

/* Sv39 entries.  The portable VM_R, VM_W, VM_X, VM_U and VM_COW are
 * PTE_R, PTE_W, PTE_X, PTE_U and PTE_COW themselves (checked below), so
 * these are the same bit operations vm.c once wrote out. */
static inline int pte_valid(pte_t e) { return (e & PTE_V) != 0; }
static inline int pte_held(pte_t e) { return (e & PTE_HELD) != 0; }
static inline u64 pte_pa(pte_t e) { return PTE_PA(e); }
static inline u64 pte_perm(pte_t e) { return e & (PTE_R | PTE_W | PTE_X | PTE_U | PTE_COW); }
/* A and D preset: QEMU would otherwise fault to have them set. */
static inline pte_t pte_make(u64 pa, u64 perm) { return PA_PTE(pa) | perm | PTE_V | PTE_A | PTE_D; }
static inline pte_t pte_none(u64 pa) { return PA_PTE(pa) | PTE_NONE; }
static inline pte_t pte_table(u64 pa) { return PA_PTE(pa) | PTE_V; }
static inline pte_t pte_cow(pte_t e) { return e & PTE_W ? (e & ~PTE_W) | PTE_COW : e; }

/* The level-1 entry for va: it points at va's level-0 table.  NULL if
 * the root has no level-1 table there. */
static inline pte_t *pt_l1_entry(pagetable_t pt, u64 va)
{
	pte_t e = pt[PX(2, va)];
	if (!(e & PTE_V))
		return NULL;
	return &((pagetable_t)P2V(PTE_PA(e)))[PX(1, va)];
}

/* FS not Off: the thread used the FPU since it last came onto a hart. */
static inline int fpu_live(const struct trapframe *tf) { return (tf->sstatus & SSTATUS_FS) != 0; }

static inline void tlb_flush(void) { sfence_vma(); }

/* Run on address space pt from now on.  Inline: it is on every switch.
 * No ASIDs: the sfence flushes this hart's TLB of the old space. */
static inline void arch_switch_pagetable(pagetable_t pt)
{
	csr_write(satp, MAKE_SATP(V2P(pt)));
	sfence_vma();
}

#endif
