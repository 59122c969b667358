/* machine.h: x86-64's side of kernel/arch.h: the memory layout, the
 * register layouts and the inline hot paths (this CPU, locks, PTEs).
 */
#ifndef MACHINE_H
#define MACHINE_H

#include "x86.h"
#include "trapframe.h"

/* The kernel's half is the upper half of the 48-bit space.  All physical
 * memory (and the device hole below 4 GiB) is mapped at PHYS_OFFSET + pa;
 * the kernel image itself runs at KERNBASE + pa, the top 2 GiB, because
 * -mcmodel=kernel code addresses its symbols with 32-bit immediates.  So
 * V2P knows two bases: a static's address (the disk driver's rings) is an
 * image address. */
#define KERNEL_HALF PHYS_OFFSET
#define P2V(pa) ((void *)((u64)(pa) + PHYS_OFFSET))
#define V2P(va) ((u64)(va) >= KERNBASE ? (u64)(va)-KERNBASE : (u64)(va)-PHYS_OFFSET)
#define PGSIZE 4096UL
#define PGSHIFT 12
#define PGROUNDUP(x) ALIGN_UP((u64)(x), PGSIZE)
#define PGROUNDDOWN(x) ALIGN_DOWN((u64)(x), PGSIZE)

/* User space is the lower half, 0 .. 2^47, less its last page: a syscall
 * in that page would return to the non-canonical 2^47, the sysretq
 * pitfall (trapentry.S checks anyway). */
#define USER_TOP ((1UL << 47) - PGSIZE)
#define PT_LEVELS 4

#define KSTACK_SIZE (2 * PGSIZE)
#define ELF_MACHINE 62 /* EM_X86_64 */
#define ARCH_CPU "cpu"
#define ARCH_TRAP_TABLE "lidt"
#define CALL_PUSHES_RA 1

/* Callee-saved registers (the System V ABI's rbx, rbp, r12-r15), where
 * swtch resumes (ra) and its stack (sp). */
struct context {
	u64 ra, sp;
	u64 rbx, rbp, r12, r13, r14, r15;
};

/* A new thread's first swtch starts pc on stack sp as if pc had been
 * called: below sp a (null) return address, so that at pc's first
 * instruction rsp is 8 past a 16-byte boundary, as the ABI has it. */
static inline void arch_context_init(struct context *c, void (*pc)(void), u64 sp)
{
	*(u64 *)(sp - 8) = 0;
	c->ra = (u64)pc;
	c->sp = sp - 8;
}

/* System-call registers, Linux's convention: number in rax, arguments in
 * rdi, rsi, rdx, r10 (not rcx: syscall overwrites it with rip), r8, r9;
 * result in rax. */
static inline u64 *tf_arg(struct trapframe *tf, int n)
{
	switch (n) {
	case 0: return &tf->rdi;
	case 1: return &tf->rsi;
	case 2: return &tf->rdx;
	case 3: return &tf->r10;
	case 4: return &tf->r8;
	default: return &tf->r9;
	}
}
#define TF_SYSNUM(tf) ((tf)->rax)
#define TF_ARG(tf, n) (*tf_arg((tf), (n)))
#define TF_RET(tf) ((tf)->rax)
#define TF_PC(tf) ((tf)->rip)
#define TF_STACK(tf) ((tf)->rsp)
/* The thread's TLS pointer (FS base; arch_prctl(ARCH_SET_FS) sets it). */
#define TF_TLS(tf) ((tf)->fsbase)

/* This CPU's struct cpu: GS names this CPU's struct x86cpu, whose field
 * at PC_CPU points at it.  One load. */
static inline void *arch_this_cpu(void)
{
	void *c;
	asm volatile("movq %%gs:%c1, %0" : "=r"(c) : "i"(PC_CPU));
	return c;
}

/* xchg with memory is always atomic and a full barrier; a plain store is
 * a release on x86 (stores are not reordered with earlier loads or
 * stores), so only the compiler must be kept from moving it. */
static inline long arch_swap_acquire(volatile u32 *a, u32 v)
{
	asm volatile("xchgl %0, %1" : "+r"(v), "+m"(*a) : : "memory");
	return v;
}
static inline void arch_store_release(volatile u32 *a, u32 v)
{
	asm volatile("" ::: "memory");
	*a = v;
}

static inline int intr_on(void) { return (read_rflags() & RFLAGS_IF) != 0; }
static inline void intr_enable(void) { sti(); }
static inline void intr_disable(void) { cli(); }
static inline u64 arch_time(void) { return rdtsc(); }
static inline int arch_trap_is_timer(u64 cause) { return cause == T_TIMER; }

/* May this thread's FPU registers be live in this CPU?  They are lazily
 * loaded (fpu.c): only if some thread's are, which this CPU records. */
static inline int fpu_live(const struct trapframe *tf)
{
	(void)tf;
	void *owner;
	asm volatile("movq %%gs:%c1, %0" : "=r"(owner) : "i"(PC_FPU_OWNER));
	return owner != 0;
}

/* Page-table entries.  The portable VM_* bits translate: R is implied by
 * present (x86 has no write-only or execute-only pages), W is RW, U is
 * US, X is the absence of NX (bit 63).  Two of the bits the CPU leaves to
 * software carry copy-on-write and "held without access". */
#define PTE_P (1UL << 0)
#define PTE_RW (1UL << 1)
#define PTE_US (1UL << 2)
#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)
#define PTE_A (1UL << 5)
#define PTE_D (1UL << 6)
#define PTE_PS (1UL << 7) /* in a PD or PDPT entry: a 2 MiB or 1 GiB page */
#define PTE_G (1UL << 8)  /* global: survives a CR3 switch (the kernel's half) */
#define PTE_COW (1UL << 9)
#define PTE_NONE (1UL << 10)
#define PTE_NX (1UL << 63)
#define PTE_ADDR 0x000ffffffffff000UL
#define PX(level, va) ((((u64)(va)) >> (12 + 9 * (level))) & 0x1ff)

static inline int pte_valid(pte_t e) { return (e & PTE_P) != 0; }
static inline int pte_held(pte_t e) { return (e & (PTE_P | PTE_NONE)) != 0; }
static inline u64 pte_pa(pte_t e) { return e & PTE_ADDR; }
/* arch.h's VM_R, VM_W, VM_X, VM_U, VM_COW (defined after this file is
 * read; mmu.c checks that these agree). */
#define MVM_R (1UL << 1)
#define MVM_W (1UL << 2)
#define MVM_X (1UL << 3)
#define MVM_U (1UL << 4)
#define MVM_COW (1UL << 8)
static inline u64 pte_perm(pte_t e)
{
	if (!(e & PTE_P))
		return 0;
	return MVM_R | (e & PTE_RW ? MVM_W : 0) | (e & PTE_NX ? 0 : MVM_X) | (e & PTE_US ? MVM_U : 0) |
	       (e & PTE_COW ? MVM_COW : 0);
}
/* A and D preset: the CPU would otherwise write them on first use. */
static inline pte_t pte_make(u64 pa, u64 perm)
{
	pte_t e = pa | PTE_P | PTE_A | PTE_D;
	if (perm & MVM_W)
		e |= PTE_RW;
	if (perm & MVM_U)
		e |= PTE_US;
	if (!(perm & MVM_X))
		e |= PTE_NX;
	if (perm & MVM_COW)
		e |= PTE_COW;
	return e;
}
static inline pte_t pte_none(u64 pa) { return pa | PTE_NONE; }
/* Upper levels allow everything; the leaf decides (the CPU ANDs them). */
static inline pte_t pte_table(u64 pa) { return pa | PTE_P | PTE_RW | PTE_US; }
static inline pte_t pte_cow(pte_t e) { return e & PTE_RW ? (e & ~PTE_RW) | PTE_COW : e; }

/* The level-1 entry (in the page directory) for va, or NULL if the
 * tables above it are absent: pt_entry(pt, va, 1, 0) without a loop. */
static inline pte_t *pt_l1_entry(pagetable_t pt, u64 va)
{
	pte_t e = pt[PX(3, va)];
	if (!(e & PTE_P))
		return NULL;
	e = ((pagetable_t)((pte_pa(e)) + PHYS_OFFSET))[PX(2, va)];
	if (!(e & PTE_P))
		return NULL;
	return &((pagetable_t)(pte_pa(e) + PHYS_OFFSET))[PX(1, va)];
}

/* Reloading CR3 flushes every non-global entry: the whole user half,
 * while the kernel's (PTE_G) stay. */
static inline void tlb_flush(void) { write_cr(3, read_cr(3)); }
static inline void arch_switch_pagetable(pagetable_t pt) { write_cr(3, V2P(pt)); }

#endif
